// Sandbox identity provider: choosing a test identity fills the sign-in form. Without this script
// the link reloads the page with the national ID filled in (login_hint).
document.addEventListener("click", (event) => {
  const person = event.target.closest("a.idp-person");
  if (!person) return;
  const form = document.getElementById("sign-in");
  if (!form) return;
  event.preventDefault();
  form.elements.national_id.value = person.dataset.nationalId;
  form.elements.password.value = person.dataset.password;
  form.elements.password.focus();
});

document.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
});
