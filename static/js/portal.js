// Public pages: larger text (适老化), the current page in the menu, print buttons, and error summaries
// that take the keyboard to the problem. Everything works without this script; it only helps.
(function () {
  var root = document.documentElement;
  var store = window.localStorage;

  // Larger text for those who need it; the choice is remembered on this device.
  function showTextSize(large) {
    root.classList.toggle("text-large", large);
    document.querySelectorAll("[data-text-size]").forEach(function (button) {
      var isLarge = button.getAttribute("data-text-size") === "large";
      button.setAttribute("aria-pressed", String(isLarge === large));
    });
  }
  showTextSize(Boolean(store && store.getItem("textSize") === "large"));
  document.querySelectorAll("[data-text-size]").forEach(function (button) {
    button.addEventListener("click", function () {
      var large = button.getAttribute("data-text-size") === "large";
      showTextSize(large);
      if (store) store.setItem("textSize", large ? "large" : "normal");
    });
  });

  // The menu says where you are.
  var path = window.location.pathname;
  document.querySelectorAll(".main-nav a").forEach(function (link) {
    var href = link.getAttribute("href");
    if (href === path || (href !== "/" && path.indexOf(href) === 0)) link.setAttribute("aria-current", "page");
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // A rejected form: read out the summary first; its links put the cursor in the field concerned.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var target = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!target) return;
      var field = target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea");
      if (!field) return;
      event.preventDefault();
      var label = field.closest(".field") || field;
      label.scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }
})();
