// /apply/: show the 上门服务 address and time only when 上门服务 is chosen (the server checks them anyway).
// Without JavaScript both fields stay visible, with their "选择上门服务时必填" hints.
(function () {
  "use strict";
  var box = document.getElementById("home-visit-fields");
  if (!box) return;
  var radios = document.querySelectorAll('input[name="service_form"]');
  function update() {
    var chosen = document.querySelector('input[name="service_form"]:checked');
    var on = chosen && chosen.value === "home_visit";
    // Fields with an error stay visible, so people can see what to fix.
    box.hidden = !on && !box.querySelector(".field--error");
    box.querySelectorAll("input").forEach(function (input) {
      input.setAttribute("aria-required", on ? "true" : "false");
    });
  }
  radios.forEach(function (radio) { radio.addEventListener("change", update); });
  update();
})();
