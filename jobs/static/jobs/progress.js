/* The job page's progress bar: polls the job's status URL (JSON) every 1.5 s while the job waits or
   runs, and shows the phase, rows done / total and the time left; when the job ends, the page is
   loaded again to show the download link, the import's counts or the reason it failed. */
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.dataset.state === "done" || box.dataset.state === "failed") { return; }
  var bar = box.querySelector("[data-job-bar]");
  var phase = box.querySelector("[data-job-phase]");
  var rows = box.querySelector("[data-job-rows]");
  var left = box.querySelector("[data-job-left]");
  var state = document.querySelector("[data-job-state]");
  var thai = document.documentElement.lang === "th";
  var fmt = new Intl.NumberFormat(thai ? "th-TH" : "en-GB");

  function timeLeft(seconds) {
    if (seconds === null || seconds === undefined) { return ""; }
    var m = Math.floor(seconds / 60), s = seconds % 60;
    var text = m > 0 ? m + (thai ? " นาที " : " min ") + s + (thai ? " วินาที" : " s") : s + (thai ? " วินาที" : " s");
    return (thai ? "เหลืออีกประมาณ " : "about ") + text + (thai ? "" : " left");
  }

  function show(st) {
    bar.value = st.percent;
    bar.textContent = st.percent + "%";
    phase.textContent = st.phase_label || "";
    rows.textContent = st.total ? fmt.format(st.done) + " / " + fmt.format(st.total) : "";
    left.textContent = timeLeft(st.seconds_left);
    state.textContent = st.state_label;
  }

  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (st) {
        if (!st) { window.setTimeout(poll, 5000); return; }
        show(st);
        if (st.state === "done" || st.state === "failed") { window.location.reload(); return; }
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 500);
})();
