// Shows that a proposal is being rendered, and stops a second submit meanwhile.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.hasAttribute("data-busy")) return;
  var busy = form.querySelector(".busy");
  if (busy) busy.hidden = false;
  var old = form.parentNode.querySelector(".error");  // the last attempt's problems no longer apply
  if (old) old.hidden = true;
  var button = form.querySelector("button[type=submit]");
  if (button) { button.disabled = true; }
});
