// The matter picker (/apply/ and window registration), see daiban/templates/daiban/includes/matter_picker.html.
// The 查找事项 field becomes an ARIA combobox: typing fetches the matches (data-endpoint, ?q=) into a listbox
// grouped by unit; ↑/↓ move, Enter chooses, Esc closes (and a second Esc empties the field). The chosen matter
// is always the checked radio "已选择：…" below, which is what the form sends.
// Without JavaScript the 查找事项 button sends the form back with the matches as radio buttons.
(function () {
  "use strict";
  var root = document.getElementById("matter-picker");
  if (!root || !window.fetch) return;
  var input = root.querySelector('input[name="matter_q"]');
  var button = root.querySelector(".matter-find-button");
  var results = root.querySelector(".matter-results");
  var chosenBox = root.querySelector(".matter-chosen");
  var endpoint = root.getAttribute("data-endpoint");
  if (!input || !button || !chosenBox || !endpoint) return;

  var listbox = document.createElement("div");
  listbox.id = "matter-listbox";
  listbox.className = "matter-listbox";
  listbox.setAttribute("role", "listbox");
  listbox.setAttribute("aria-label", "找到的事项");
  listbox.hidden = true;
  var status = document.createElement("p");
  status.id = "matter-status";
  status.className = "matter-status";
  status.setAttribute("role", "status");
  var row = input.parentNode;
  row.parentNode.insertBefore(listbox, row.nextSibling);
  listbox.parentNode.insertBefore(status, listbox.nextSibling);

  listbox.addEventListener("mousedown", function (event) {
    event.preventDefault(); // keep the focus in the field while choosing or scrolling with the mouse
  });

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listbox.id);
  // With JavaScript the button searches in place; Enter in other fields submits the form as before.
  button.type = "button";
  button.removeAttribute("name");
  button.removeAttribute("formaction");
  if (results) results.textContent = "";

  var options = [];
  var active = -1;
  var timer = null;
  var asked = 0;

  function setStatus(text, quiet) {
    status.textContent = text;
    // The choice is visible as the checked radio below; the status then speaks only to screen readers.
    status.classList.toggle("is-quiet", Boolean(quiet));
  }

  function open() {
    if (!options.length) return;
    listbox.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function close() {
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    activate(-1);
  }

  function activate(index) {
    if (active >= 0 && options[active]) {
      options[active].setAttribute("aria-selected", "false");
      options[active].classList.remove("is-active");
    }
    active = index;
    if (index < 0) {
      input.removeAttribute("aria-activedescendant");
      return;
    }
    var option = options[index];
    option.setAttribute("aria-selected", "true");
    option.classList.add("is-active");
    input.setAttribute("aria-activedescendant", option.id);
    if (option.scrollIntoView) option.scrollIntoView({ block: "nearest" });
  }

  function render(data) {
    listbox.textContent = "";
    options = [];
    active = -1;
    data.groups.forEach(function (group, groupIndex) {
      var box = document.createElement("div");
      box.setAttribute("role", "group");
      var heading = document.createElement("div");
      heading.id = "matter-group-" + groupIndex;
      heading.className = "matter-group-label";
      heading.setAttribute("role", "presentation");
      heading.textContent = group.unit;
      box.setAttribute("aria-labelledby", heading.id);
      box.appendChild(heading);
      group.options.forEach(function (item) {
        var option = document.createElement("div");
        option.id = "matter-option-" + item.id;
        option.className = "matter-option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.setAttribute("data-id", String(item.id));
        option.setAttribute("data-full-label", item.full_label);
        option.textContent = item.label;
        option.addEventListener("click", function () {
          choose(option);
        });
        box.appendChild(option);
        options.push(option);
      });
      listbox.appendChild(box);
    });
    if (!data.count) {
      close();
      setStatus("没有找到与“" + data.query + "”相符的事项。请换几个字再找，或在下方“事项名称”中直接填写。");
      return;
    }
    open();
    setStatus(
      (data.truncated
        ? "相符的事项较多，列出前 " + data.count + " 项，输入更完整的名称可以缩小范围。"
        : "找到 " + data.count + " 项。") + "用上下方向键选择，按回车键确定。"
    );
  }

  function search() {
    var query = input.value.trim();
    window.clearTimeout(timer);
    if (!query) {
      listbox.textContent = "";
      options = [];
      close();
      setStatus("");
      return;
    }
    var number = ++asked;
    fetch(endpoint + "?q=" + encodeURIComponent(query), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        if (number === asked) render(data);
      })
      .catch(function () {
        if (number === asked) setStatus("暂时查不到事项，请稍后再试，或在下方“事项名称”中直接填写。");
      });
  }

  function chosenRadio() {
    var radio = document.getElementById("id_matter_chosen");
    if (radio) return radio;
    var wrap = document.createElement("div");
    var label = document.createElement("label");
    label.htmlFor = "id_matter_chosen";
    radio = document.createElement("input");
    radio.type = "radio";
    radio.name = "matter";
    radio.id = "id_matter_chosen";
    label.appendChild(radio);
    label.appendChild(document.createTextNode(" "));
    label.appendChild(document.createElement("span"));
    wrap.appendChild(label);
    chosenBox.insertBefore(wrap, chosenBox.firstChild);
    return radio;
  }

  function choose(option) {
    var radio = chosenRadio();
    var text = "已选择：" + option.getAttribute("data-full-label");
    radio.value = option.getAttribute("data-id");
    radio.parentNode.querySelector("span").textContent = text;
    radio.checked = true;
    input.value = option.textContent;
    close();
    setStatus(text, true);
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 250);
  });

  input.addEventListener("keydown", function (event) {
    var key = event.key;
    if (key === "ArrowDown" || key === "ArrowUp") {
      event.preventDefault();
      if (listbox.hidden) {
        if (!options.length) {
          search();
          return;
        }
        open();
        activate(key === "ArrowDown" ? 0 : options.length - 1);
        return;
      }
      var step = key === "ArrowDown" ? 1 : -1;
      activate((active + step + options.length) % options.length);
    } else if (key === "Enter") {
      event.preventDefault(); // Enter here never sends the form
      if (!listbox.hidden && active >= 0) choose(options[active]);
      else search();
    } else if (key === "Escape") {
      if (!listbox.hidden) {
        event.preventDefault();
        close();
      } else if (input.value) {
        event.preventDefault();
        input.value = "";
        setStatus("");
      }
    }
  });

  input.addEventListener("blur", function () {
    close();
  });

  button.addEventListener("click", function () {
    input.focus();
    search();
  });
})();
