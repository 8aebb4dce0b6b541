// A little help where JavaScript runs; every page works without it.
document.addEventListener("click", function (ev) {
  var el = ev.target.closest("[data-confirm]");
  if (el && !window.confirm(el.getAttribute("data-confirm"))) {
    ev.preventDefault();
  }
});
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
  var sel = document.getElementById("soa-sel");
  if (sel) sel.addEventListener("change", function () { sel.form.submit(); });
});
