/* The image library window of the body editor's figure button: a click on an image hands it
   to the editor that opened this window (django-prose-editor's CKEditor-style picker protocol),
   then closes the window. A fresh upload is handed over at once. */
(function () {
  "use strict";
  const picker = document.querySelector(".image-picker");
  if (!picker) return;
  const callback = picker.dataset.callback;

  function choose(button) {
    const opener = window.opener;
    if (!opener || !opener.CKEDITOR || !callback) return;
    opener.CKEDITOR.tools.callFunction(callback, button.dataset.src, {
      id: button.dataset.id,
      alternative_text: button.dataset.alt,
      caption: button.dataset.caption,
    });
    window.close();
  }

  picker.addEventListener("click", (event) => {
    const button = event.target.closest(".image-picker__choice");
    if (button) choose(button);
  });
  const fresh = picker.querySelector("[data-chosen]");
  if (fresh) choose(fresh);
})();
