// Check-in page: filter the door list as the organizer types. Without this script the
// search box still works: the form sends the name to the server.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-filter]");
  if (!box) return;
  const list = document.querySelector(box.dataset.filter);
  const empty = document.querySelector(box.dataset.empty);
  const rows = Array.from(list.querySelectorAll("[data-name]"));
  const filter = () => {
    const needle = box.value.trim().toLowerCase();
    let shown = 0;
    for (const row of rows) {
      const match = row.dataset.name.includes(needle);
      row.hidden = !match;
      if (match) shown += 1;
    }
    if (empty) empty.hidden = shown > 0;
  };
  box.addEventListener("input", filter);
});
