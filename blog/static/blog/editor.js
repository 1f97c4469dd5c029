/* The article desk around django-prose-editor: images pasted or dropped into the body are
   uploaded to the library (never kept as data: URLs), unsaved changes are autosaved every
   ~30 seconds and offered back after a closed tab, and the word count and reading time follow
   the text. The editor itself, its toolbar and its undo history are django-prose-editor's. */
(function () {
  "use strict";

  const WORDS_PER_MINUTE = 230;
  const desk = () => document.getElementById("article-desk");
  const form = () => document.querySelector("#content-main form[method=post]");
  const csrf = () => document.querySelector("input[name=csrfmiddlewaretoken]").value;
  let bodyEditor = null;
  let uploadUrl = null;

  function say(selector, text) {
    const place = document.querySelector(selector);
    if (place) place.textContent = text;
  }

  /* Word count and reading time ------------------------------------------------------------ */

  function countWords() {
    const text = bodyEditor ? bodyEditor.getText() : "";
    const words = (text.match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu) || []).length;
    const minutes = Math.max(1, Math.round(words / WORDS_PER_MINUTE));
    say("[data-word-count]", words === 0 ? "" :
      interpolate(ngettext("%s word", "%s words", words), [words]) + " · " +
      interpolate(ngettext("%s minute to read", "%s minutes to read", minutes), [minutes]));
  }

  /* Images by paste and drop --------------------------------------------------------------- */

  async function upload(file, alt) {
    const data = new FormData();
    data.append("file", file);
    data.append("alt_text", alt);
    const response = await fetch(uploadUrl, {
      method: "POST", body: data, headers: { "X-CSRFToken": csrf() }, credentials: "same-origin",
    });
    const answer = await response.json().catch(() => ({ error: gettext("The upload failed.") }));
    if (!response.ok) throw new Error(answer.error || gettext("The upload failed."));
    return answer;
  }

  async function insertImages(files) {
    for (const file of files) {
      // The library keeps no image without alt text: asked for before it is uploaded.
      const question = gettext("Describe “%s” for readers who cannot see it (alt text, required):");
      const alt = (window.prompt(interpolate(question, [file.name]), "") || "").trim();
      if (!alt) {
        say("[data-autosave-status]", interpolate(gettext("%s was not added: an image needs alt text."), [file.name]));
        continue;
      }
      say("[data-autosave-status]", interpolate(gettext("Uploading %s…"), [file.name]));
      try {
        const image = await upload(file, alt);
        bodyEditor.chain().focus().insertContent({
          type: "figure",
          content: [{ type: "image", attrs: { src: image.src, alt: image.alt, file: String(image.id) } }],
        }).run();
        say("[data-autosave-status]", gettext("Image uploaded."));
      } catch (error) {
        say("[data-autosave-status]", error.message);
      }
    }
  }

  function imageFiles(transfer) {
    return Array.from((transfer && transfer.files) || []).filter((f) => f.type.startsWith("image/"));
  }

  function catchImages(editor) {
    const dom = editor.view.dom;
    dom.addEventListener("paste", (event) => {
      const files = imageFiles(event.clipboardData);
      if (!files.length) return;
      event.preventDefault();
      event.stopPropagation();
      insertImages(files);
    }, true);
    dom.addEventListener("drop", (event) => {
      const files = imageFiles(event.dataTransfer);
      if (!files.length) return;
      event.preventDefault();
      event.stopPropagation();
      insertImages(files);
    }, true);
  }

  /* Autosave -------------------------------------------------------------------------------- */

  const FIELDS = ["title", "slug", "byline", "body", "excerpt", "seo_description"];
  let lastSent = null;
  let submitting = false;  // once the form is sent, its text is saved for real

  function snapshot() {
    const data = new FormData();
    for (const name of FIELDS) {
      const field = form().elements.namedItem(name);
      if (field) data.append(name, field.value);
    }
    return data;
  }

  function fingerprint(data) {
    return JSON.stringify(Array.from(data.entries()));
  }

  async function autosave() {
    if (submitting) return;
    const data = snapshot();
    const print = fingerprint(data);
    if (print === lastSent) return;
    data.append("csrfmiddlewaretoken", csrf());
    try {
      const response = await fetch(desk().dataset.autosaveUrl, {
        method: "POST", body: data, credentials: "same-origin",
      });
      if (!response.ok) throw new Error(String(response.status));
      const answer = await response.json();
      lastSent = print;
      say("[data-autosave-status]", interpolate(gettext("Draft kept at %s."), [answer.saved_at]));
    } catch (error) {
      say("[data-autosave-status]", gettext("Could not keep a draft copy just now; will try again."));
    }
  }

  function leaving() {
    if (submitting) return;
    const data = snapshot();
    if (fingerprint(data) === lastSent) return;
    data.append("csrfmiddlewaretoken", csrf());
    navigator.sendBeacon(desk().dataset.autosaveUrl, data);
  }

  function offerAutosave() {
    const kept = document.getElementById("autosave-data");
    const restore = document.querySelector("[data-autosave-restore]");
    const discard = document.querySelector("[data-autosave-discard]");
    if (!kept || !restore) return;
    const fields = JSON.parse(kept.textContent);
    restore.addEventListener("click", () => {
      for (const name of FIELDS) {
        const field = form().elements.namedItem(name);
        if (!field || !(name in fields)) continue;
        if (name === "body" && bodyEditor) bodyEditor.commands.setContent(fields.body, { emitUpdate: true });
        else field.value = fields[name];
      }
      restore.closest(".autosave-offer").replaceChildren(
        document.createTextNode(gettext("Your unsaved changes are back in the form. Save to keep them.")));
      countWords();
    });
    discard.addEventListener("click", async () => {
      const data = new FormData();
      data.append("discard", "1");
      data.append("csrfmiddlewaretoken", csrf());
      await fetch(desk().dataset.autosaveUrl, { method: "POST", body: data, credentials: "same-origin" });
      lastSent = fingerprint(snapshot());
      discard.closest(".autosave-offer").replaceChildren(
        document.createTextNode(gettext("The unsaved changes are discarded.")));
    });
  }

  function startAutosave() {
    if (!desk() || !form()) return;
    lastSent = fingerprint(snapshot());  // what the page opened with needs no copy
    offerAutosave();
    const seconds = Number(desk().dataset.autosaveSeconds) || 30;
    window.setInterval(autosave, seconds * 1000);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") leaving();
    });
    form().addEventListener("submit", () => { submitting = true; });
    window.addEventListener("pagehide", leaving);
  }

  /* Names for the admin's select2 boxes --------------------------------------------------- */

  // Django's autocomplete fields are select2 boxes that screen readers cannot name: point each
  // one at its field's label.
  function nameComboboxes() {
    for (const select of document.querySelectorAll("select.admin-autocomplete")) {
      const label = document.querySelector(`label[for="${select.id}"]`);
      const box = select.nextElementSibling;
      if (!label || !box) continue;
      label.id = label.id || `${select.id}-label`;
      const combobox = box.querySelector(".select2-selection");
      if (combobox) combobox.setAttribute("aria-labelledby", label.id);
      for (const named of box.querySelectorAll(".select2-search__field, [role=textbox]")) {
        named.setAttribute("aria-labelledby", label.id);
      }
    }
  }

  /* Wiring ------------------------------------------------------------------------------------ */

  // Django's autocomplete.js draws the boxes when the document is ready; name them right after,
  // and again once everything has loaded.
  document.addEventListener("DOMContentLoaded", () => window.setTimeout(nameComboboxes, 0));
  window.addEventListener("load", () => {
    nameComboboxes();
    // select2 draws a multiple box's search field again after each choice.
    document.addEventListener("change", nameComboboxes);
  });

  document.addEventListener("prose-editor:ready", (event) => {
    const { editor, textarea } = event.detail;
    if (textarea.name !== "body") return;
    bodyEditor = editor;
    // The editable area is the field people type in: name it after the field's label.
    const label = document.querySelector(`label[for="${textarea.id}"]`);
    editor.view.dom.setAttribute("role", "textbox");
    editor.view.dom.setAttribute("aria-multiline", "true");
    if (label) editor.view.dom.setAttribute("aria-label", label.textContent.replace(/:$/, "").trim());
    uploadUrl = textarea.dataset.uploadUrl;
    catchImages(editor);
    editor.on("update", countWords);
    countWords();
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startAutosave);
  else startAutosave();
})();
