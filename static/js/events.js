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
});
