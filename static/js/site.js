// Small enhancements; every page works without them.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.querySelector(button.dataset.copy);
  if (!field) return;
  field.select();
  const done = () => { button.textContent = "Copied"; };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, () => { document.execCommand("copy"); done(); });
  } else {
    document.execCommand("copy");
    done();
  }
});

document.addEventListener("submit", (event) => {
  const message = event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

// Member names as you type: a <datalist data-names-url> is filled from the server, ten at a time,
// so a page never lists the whole group. Without script, typing a member's full name works too.
document.addEventListener("input", (event) => {
  const input = event.target;
  const list = input.list;
  if (!list || !list.dataset.namesUrl) return;
  clearTimeout(input.namesTimer);
  input.namesTimer = setTimeout(() => {
    const url = new URL(list.dataset.namesUrl, window.location.href);
    url.searchParams.set("q", input.value.replace(/\s*\(#\d+\)\s*$/, ""));
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : []))
      .then((names) => {
        list.replaceChildren(...names.map((name) => {
          const option = document.createElement("option");
          option.value = name;
          return option;
        }));
      })
      .catch(() => {});
  }, 150);
});

// After a form post the page shows a message: move focus to it (or to the item the page names
// with data-focus-on-load), so a screen reader reads it and the keyboard continues from there.
document.addEventListener("DOMContentLoaded", () => {
  const target = document.querySelector("[data-focus-target]") || document.querySelector("[data-focus-on-load]");
  if (!target) return;
  if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
  target.focus({ preventScroll: false });
});

// A pairing version or a PDF being made: ask the server every second and reload when it is done
// (without script, a <noscript> refresh does the same).
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-reload-when-done]");
  if (!box) return;
  const ask = () => {
    fetch(box.dataset.reloadWhenDone, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => {
        // gone, or signed out (the log-in page): the page itself says so once reloaded
        if (!response.ok || !(response.headers.get("Content-Type") || "").includes("json")) return { status: "gone" };
        return response.json();
      })
      .then((state) => {
        if (state && state.status && state.status !== "running") window.location.reload();
        else setTimeout(ask, 1000);
      })
      .catch(() => setTimeout(ask, 2000));
  };
  setTimeout(ask, 800);
});
