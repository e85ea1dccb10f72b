// The pipeline board's drag and drop (HTML5 DnD): drop a tile on another column to move the opportunity.
// The board works without this file: every tile has a Move form that posts to the same endpoint.
(() => {
  "use strict";
  const board = document.querySelector("[data-board]");
  if (!board) return;
  const moveUrl = board.dataset.moveUrl;
  const token = board.querySelector('input[name="csrf_token"]').value;
  const status = document.getElementById("board-status");
  const dialog = document.getElementById("lost-dialog");
  const CLOSED = ["05", "lost"];
  let dragged = null;

  const show = (message, ok) => {
    status.textContent = message || "";
    status.className = ok ? "flash ok" : "flash error";
    status.hidden = !message;
  };

  // Column totals are exact decimal sums (BigInt in units of 1/10000), never floats.
  const SCALE = 4;
  const SYMBOLS = { CNY: "¥", USD: "$", EUR: "€", GBP: "£" };
  const units = (text) => {
    const parts = /^(-?)(\d+)(?:\.(\d{1,4}))?$/.exec(text || "");
    return parts ? BigInt(parts[1] + parts[2] + (parts[3] || "").padEnd(SCALE, "0")) : null;
  };
  const money = (value, currency) => {
    const negative = value < 0n;
    const digits = (negative ? -value : value).toString().padStart(SCALE + 1, "0");
    const whole = digits.slice(0, -SCALE).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    const fraction = digits.slice(-SCALE).replace(/0+$/, "").padEnd(2, "0");
    const number = `${negative ? "-" : ""}${whole}.${fraction}`;
    return SYMBOLS[currency] ? SYMBOLS[currency] + number : `${currency} ${number}`;
  };

  const refresh = (column) => {
    const tiles = column.querySelectorAll(".tile");
    const sums = new Map();
    tiles.forEach((tile) => {
      const value = units(tile.dataset.amount);
      if (value !== null) sums.set(tile.dataset.currency, (sums.get(tile.dataset.currency) || 0n) + value);
    });
    const totals = [...sums.keys()].sort().map((currency) => money(sums.get(currency), currency));
    column.querySelector("[data-count]").textContent = tiles.length + (column.hasAttribute("data-more") ? "+" : "");
    column.querySelector("[data-total]").textContent = totals.join(" · ") || "—";
    column.querySelector("[data-empty]").hidden = tiles.length > 0;
  };

  const columnOf = (node) => (node instanceof Element ? node.closest(".column[data-stage]") : null);
  const clearOver = () => board.querySelectorAll(".column.over").forEach((column) => column.classList.remove("over"));
  const accepts = (column) => dragged && column && column.dataset.stage !== dragged.dataset.stage;

  board.addEventListener("dragstart", (event) => {
    const tile = event.target instanceof Element ? event.target.closest(".tile[draggable='true']") : null;
    if (!tile) return;
    dragged = tile;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", tile.dataset.id);
    tile.classList.add("dragging");
  });
  board.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    clearOver();
  });
  board.addEventListener("dragover", (event) => {
    const column = columnOf(event.target);
    if (!accepts(column)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!column.classList.contains("over")) {
      clearOver();
      column.classList.add("over");
    }
  });
  board.addEventListener("dragleave", (event) => {
    const column = columnOf(event.target);
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("over");
  });
  board.addEventListener("drop", (event) => {
    const column = columnOf(event.target);
    if (!accepts(column)) return;
    event.preventDefault();
    clearOver();
    const tile = dragged;
    tile.classList.remove("dragging");
    dragged = null;
    move(tile, column);
  });

  // The service needs a reason for a lost opportunity: ask in a dialog; null when the person cancels.
  const askLostReason = () => new Promise((resolve) => {
    if (!dialog || typeof dialog.showModal !== "function") {
      resolve(null);
      return;
    }
    const form = dialog.querySelector("form");
    form.reset();
    dialog.returnValue = "";
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "confirm"
        ? { lost_reason: form.elements.lost_reason.value, note: form.elements.note.value } : null);
    }, { once: true });
    dialog.showModal();
  });

  const settle = (tile, stage) => {
    tile.dataset.stage = stage;
    if (CLOSED.includes(stage)) {
      tile.removeAttribute("draggable");
      const form = tile.querySelector(".tile-move");
      if (form) form.remove();
      return;
    }
    const select = tile.querySelector('select[name="stage"]');
    if (select) {
      [...select.options].forEach((option) => { option.disabled = option.value === stage; });
      if (select.value === stage) select.selectedIndex = [...select.options].findIndex((o) => !o.disabled);
    }
  };

  async function move(tile, column) {
    const stage = column.dataset.stage;
    let extra = {};
    if (stage === "lost") {
      const answer = await askLostReason();
      if (!answer) return;
      extra = answer;
    }
    const home = tile.parentElement;
    const next = tile.nextElementSibling;
    const from = columnOf(home);
    column.querySelector("[data-tiles]").prepend(tile);
    tile.classList.add("pending");
    refresh(from);
    refresh(column);
    let message = board.dataset.failed;
    try {
      const response = await fetch(moveUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": token, Accept: "application/json" },
        body: new URLSearchParams({ id: tile.dataset.id, stage, ...extra }),
      });
      const answer = await response.json().catch(() => null);
      if (answer && answer.error) message = answer.error;
      if (!response.ok || !answer || !answer.ok) throw new Error(message);
      tile.classList.remove("pending");
      settle(tile, answer.stage);
      if (answer.meta) tile.querySelector(".tile-meta").textContent = answer.meta;
      show(answer.message, true);
    } catch (error) {
      home.insertBefore(tile, next && next.parentElement === home ? next : null);  // back where it was
      tile.classList.remove("pending");
      refresh(from);
      refresh(column);
      show(message, false);
    }
  }
})();
