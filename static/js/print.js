// The print view's Print button (a page without it prints from the browser's menu as well).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
