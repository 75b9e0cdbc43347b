// Check-in page: filter the door list as the organizer types. Without this script the
// search box still works: the form sends the name to the server. When the list has more
// than one page, the server is asked too (after a short pause) and its page replaces the list.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-filter]");
  if (!box) return;
  const filter = () => {
    const list = document.querySelector(box.dataset.filter);
    const empty = document.querySelector(box.dataset.empty);
    if (!list) return;
    const needle = box.value.trim().toLowerCase();
    let shown = 0;
    for (const row of list.querySelectorAll("[data-name]")) {
      const match = row.dataset.name.includes(needle);
      row.hidden = !match;
      if (match) shown += 1;
    }
    if (empty) empty.hidden = shown > 0;
  };
  let timer = null;
  let asked = 0;
  const askServer = () => {
    const results = document.querySelector(box.dataset.serverSearch);
    if (!results) return;
    const url = new URL(window.location.href);
    url.searchParams.delete("page");
    if (box.value.trim()) url.searchParams.set("q", box.value.trim());
    else url.searchParams.delete("q");
    const ticket = ++asked;
    fetch(url, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.text() : null))
      .then((html) => {
        if (!html || ticket !== asked) return;  // a newer search is on its way
        const fresh = new DOMParser().parseFromString(html, "text/html").querySelector(box.dataset.serverSearch);
        if (fresh) results.replaceChildren(...fresh.childNodes);
        window.history.replaceState(null, "", url);
      })
      .catch(() => {});
  };
  box.addEventListener("input", () => {
    filter();
    if (!box.dataset.serverSearch) return;
    clearTimeout(timer);
    timer = setTimeout(askServer, 250);
  });
  filter();  // what was typed before this script ran (a slow phone, the back button) counts too
});

// Check-in and undo without a reload: the form is sent in the background and the person's row,
// the counts and the message are replaced in place, so the list keeps its scroll position.
// Without script the form posts as usual and the page comes back scrolled to that person.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("form[data-door]") || !window.fetch) return;
  event.preventDefault();
  const button = form.querySelector("button");
  if (button) button.disabled = true;
  const row = form.closest("li");
  fetch(form.action, {
    method: "POST", body: new FormData(form), credentials: "same-origin",
    headers: { Accept: "application/json" },
  })
    .then((response) => response.json().then((data) => ({ ok: response.ok, data })))
    .then(({ data }) => {
      // keep the row where the finger was, whatever changes above it (the message appears)
      const anchor = row || form;
      const top = anchor.getBoundingClientRect().top;
      // the door's own status line, fixed at the bottom of the screen: nothing above the list moves
      const messages = document.getElementById("door-status") || document.getElementById("messages");
      if (messages) {
        const line = document.createElement("p");
        line.className = `flash flash--${data.category || "success"}`;
        line.textContent = data.message;
        messages.replaceChildren(line);
      }
      for (const [key, value] of Object.entries(data.counts || {})) {
        const cell = document.getElementById(`count-${key}`);
        if (cell) cell.textContent = value;
      }
      if (data.row && row) {
        const fresh = new DOMParser().parseFromString(`<ul>${data.row}</ul>`, "text/html").querySelector("li");
        if (fresh) {
          row.replaceWith(fresh);
          fresh.classList.add("is-updated");
          const next = fresh.querySelector("button");
          if (next) next.focus({ preventScroll: true });
        }
      } else if (button) {
        button.disabled = false;
      }
      const now = (document.getElementById(row ? row.id : "") || anchor).getBoundingClientRect().top;
      if (now !== top) window.scrollBy(0, now - top);
    })
    .catch(() => form.submit());
});
