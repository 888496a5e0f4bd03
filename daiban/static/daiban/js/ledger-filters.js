// 台账筛选栏：按钮折叠/展开（aria-expanded），状态记在本机浏览器（localStorage），下次打开保持。
// Loaded in the page's head (modeladmin's media): it starts once the page has been read.
(function () {
  var KEY = "daiban.ledger.filters";

  function storage() {
    try { return window.localStorage; } catch (error) { return null; }
  }

  function start() {
    var panel = document.getElementById("ledger-filters");
    if (!panel) return;
    var button = panel.querySelector("[data-ledger-filters-toggle]");
    var title = panel.querySelector("[data-ledger-filters-title]");
    var body = document.getElementById("ledger-filter-body");
    var row = panel.parentNode;
    var store = storage();

    function show(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      body.hidden = !open;
      row.classList.toggle("ledger-filters-folded", !open);
    }

    button.hidden = false;
    if (title) title.hidden = true;
    show(!(store && store.getItem(KEY) === "folded"));
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      show(open);
      if (store) {
        try { store.setItem(KEY, open ? "open" : "folded"); } catch (error) { /* not kept (private mode) */ }
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
