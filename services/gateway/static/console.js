// Small progressive enhancements; every page works without them (plain forms and links).
document.addEventListener("click", (event) => {
  const target = event.target.closest("[data-confirm]");
  if (target && !window.confirm(target.dataset.confirm)) event.preventDefault();
});

(() => {
  // Times are shown in the browser's time zone: tell the server which one it is (a cookie, read on the next page).
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const current = document.cookie.split("; ").find((part) => part.startsWith("crm_tz="));
    if (zone && (!current || decodeURIComponent(current.slice(7)) !== zone)) {
      document.cookie = `crm_tz=${encodeURIComponent(zone)}; path=/; max-age=31536000; samesite=lax`;
    }
  } catch (ignored) { /* no Intl: the server's default zone stays */ }
})();
