/* Goal Workbooks: the site menu behind a button on small screens.
   The button shows and hides the menu in place (no page load); Escape closes it
   and gives the focus back to the button. Wide screens show the menu always
   (site.css), and without JavaScript assets/no-script.css does. */
(function () {
  "use strict";
  var toggle = document.querySelector(".menu-button");
  var menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  if (!menu) return;
  function set(open) {
    toggle.setAttribute("aria-expanded", String(open));
    menu.classList.toggle("open", open);
  }
  toggle.addEventListener("click", function () {
    set(toggle.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      set(false);
      toggle.focus();
    }
  });
})();
