/* Sending a form: one press sends it once, and the page shows that it is being sent.
   When a form is submitted, its submit buttons are marked disabled (aria-disabled, so that focus stays on
   the pressed one and its name and value are still sent), the pressed button reads its own
   data-sending label (or this script's data-sending, "Please wait…") beside a spinner, the form is
   aria-busy, and a status region tells screen readers. Every later submission of that form is refused
   until the browser shows the page again from its back/forward cache (pageshow), when all is undone.
   POST forms are guarded, and any form whose pressed button has data-sending; a form marked
   data-submit-guard="off" (one that answers with a download and stays on the page) is not.
   Without JavaScript, forms work as before. */
(() => {
  "use strict";
  const generic = (document.currentScript && document.currentScript.dataset.sending) || "";
  const status = document.createElement("div");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  document.body.append(status);
  const labels = new WeakMap();  // button -> its content before it said "sending"

  const buttons = (form) => Array.from(form.elements).filter((field) => field.type === "submit");

  const guarded = (form, pressed) =>
    form.dataset.submitGuard !== "off" &&
    !form.target &&
    (form.method === "post" || Boolean(pressed && pressed.hasAttribute("data-sending")));

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.hasAttribute("data-sending-now")) {
      event.preventDefault();  // the second click of a double click, or Enter pressed again
      return;
    }
    const pressed = event.submitter || buttons(form)[0] || null;
    if (event.defaultPrevented || !guarded(form, pressed)) return;
    form.setAttribute("data-sending-now", "");
    form.setAttribute("aria-busy", "true");
    for (const button of buttons(form)) {
      if (!button.disabled) button.setAttribute("aria-disabled", "true");
    }
    const label = (pressed && pressed.dataset.sending) || generic;
    if (pressed && label) {
      labels.set(pressed, pressed.tagName === "INPUT" ? pressed.value : pressed.innerHTML);
      if (pressed.tagName === "INPUT") pressed.value = label;
      else pressed.textContent = label;
      pressed.classList.add("is-sending");
    }
    status.textContent = label;
  });

  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    for (const form of document.querySelectorAll("form[data-sending-now]")) {
      form.removeAttribute("data-sending-now");
      form.removeAttribute("aria-busy");
      for (const button of buttons(form)) {
        button.removeAttribute("aria-disabled");
        button.classList.remove("is-sending");
        if (labels.has(button)) {
          if (button.tagName === "INPUT") button.value = labels.get(button);
          else button.innerHTML = labels.get(button);
          labels.delete(button);
        }
      }
    }
    status.textContent = "";
  });
})();
