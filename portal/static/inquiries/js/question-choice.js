// Private inquiry or public question (the radios at the top of the contact form). A question may
// leave organisation, sector, type and size of the project empty: with JavaScript they are hidden
// while it is chosen. Without it every field shows and the page says which ones are optional; the
// server decides either way (portal/inquiries/forms.py).
const form = document.querySelector("form.inquiry-form");
if (form) {
  // Texts that differ for a question (the submit button, the legend of the project's fieldset).
  const relabelled = [...form.querySelectorAll("[data-question-label]")];
  for (const element of relabelled) {
    element.dataset.inquiryLabel = element.textContent;
  }
  const update = () => {
    const question = form.querySelector('input[name="kind"]:checked')?.value === "question";
    for (const input of form.querySelectorAll("[data-inquiry-only]")) {
      input.closest(".field").hidden = question;
      input.required = !question;
    }
    for (const element of relabelled) {
      element.textContent = question ? element.dataset.questionLabel : element.dataset.inquiryLabel;
    }
  };
  for (const radio of form.querySelectorAll('input[name="kind"]')) {
    radio.addEventListener("change", update);
  }
  update();
}
