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
/* == web-views == */
// A destructive button that asks for confirmation on a page of its own
// without JavaScript: once the dialog above has been accepted, the form
// says so and the server acts at once.
document.addEventListener("click", function (ev) {
  var el = ev.target.closest("[data-confirmed]");
  if (!el || ev.defaultPrevented || !el.form) return;
  var input = document.createElement("input");
  input.type = "hidden";
  input.name = "confirmed";
  input.value = el.getAttribute("data-confirmed");
  el.form.appendChild(input);
});
