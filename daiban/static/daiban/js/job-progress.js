// 后台任务进度：每两秒读取任务状态，更新进度条；完成后转到结果页（无脚本时可点“刷新进度”）。
(function () {
  var box = document.getElementById("job-progress");
  if (!box || !box.querySelector("[data-job-bar]")) return;
  var bar = box.querySelector("[data-job-bar]");
  function text(name, value) {
    var node = box.querySelector("[data-job-" + name + "]");
    if (node) node.textContent = value;
  }
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        text("status", data.status_label);
        text("phase", data.phase ? "，" + data.phase : "");
        text("done", data.rows_done);
        text("total", data.rows_total === null ? "—" : data.rows_total);
        if (data.rows_total) { bar.max = data.rows_total; bar.value = data.rows_done; }
        if (data.finished) { window.location.href = data.next || window.location.href; return; }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
