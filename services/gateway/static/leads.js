// Leads, pool, import and dashboard pages: small enhancements; every page works without them.
(() => {
  // Dashboard: typing a date means a custom period; picking a preset shows it at once.
  const period = document.getElementById("period");
  if (period) {
    for (const id of ["start", "end"]) {
      const input = document.getElementById(id);
      if (input) input.addEventListener("change", () => { period.value = "custom"; });
    }
    period.addEventListener("change", () => { if (period.value !== "custom") period.form.submit(); });
  }

  // Import job page: follow the job's progress, then show its final state with the rejected rows.
  const poll = document.querySelector("[data-poll]");
  if (poll) {
    const show = (name, value) => {
      for (const element of document.querySelectorAll(`[data-field="${name}"]`)) {
        if (element.tagName === "PROGRESS") element.value = value; else element.textContent = value;
      }
    };
    const tick = async () => {
      try {
        const answer = await fetch(poll.dataset.poll, { headers: { Accept: "application/json" } });
        if (answer.ok) {
          const job = await answer.json();
          for (const name of ["status_label", "percent", "total", "processed", "imported", "rejected"]) {
            show(name, job[name]);
          }
          if (job.done) { window.location.reload(); return; }
        }
      } catch (ignored) { /* a missed poll is retried */ }
      window.setTimeout(tick, 1500);
    };
    window.setTimeout(tick, 1000);
  }
})();
