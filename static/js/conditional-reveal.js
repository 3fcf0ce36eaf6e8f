/* GOV.UK's conditional reveal: a radio that controls (aria-controls) a part of the form shows it only
   while it is chosen. Without this script every part shows, and the server reads the chosen one. */
(() => {
  "use strict";
  for (const group of document.querySelectorAll("[data-conditional-reveal]")) {
    const radios = Array.from(group.querySelectorAll('input[type="radio"][aria-controls]'));
    const sync = () => {
      for (const radio of radios) {
        const part = document.getElementById(radio.getAttribute("aria-controls"));
        if (part) part.hidden = !radio.checked;
      }
    };
    for (const radio of radios) radio.addEventListener("change", sync);
    sync();
  }
})();
