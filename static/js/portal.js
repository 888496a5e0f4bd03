// Larger text for those who need it (适老化); the choice is remembered on this device.
(function () {
  var root = document.documentElement;
  var saved = window.localStorage && localStorage.getItem("textSize");
  if (saved === "large") root.classList.add("text-large");
  document.querySelectorAll("[data-text-size]").forEach(function (button) {
    button.addEventListener("click", function () {
      var large = button.getAttribute("data-text-size") === "large";
      root.classList.toggle("text-large", large);
      if (window.localStorage) localStorage.setItem("textSize", large ? "large" : "normal");
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
