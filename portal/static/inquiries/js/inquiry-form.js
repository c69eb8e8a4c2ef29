// The contact form's proof of work: the vendored ALTCHA widget (../altcha/README.md), loaded
// before this module, gets its worker (a file of this site) and its texts in the page's language.
// Without JavaScript the form is sent all the same and held for review (portal/inquiries/spam.py).
const widget = document.querySelector("altcha-widget");
const strings = document.getElementById("altcha-strings");
if (widget && globalThis.$altcha) {
  const workerUrl = widget.dataset.worker;
  globalThis.$altcha.algorithms.set("PBKDF2/SHA-256", () => new Worker(workerUrl));
  if (strings) {
    globalThis.$altcha.i18n.set(widget.getAttribute("language"), JSON.parse(strings.textContent));
  }
}
