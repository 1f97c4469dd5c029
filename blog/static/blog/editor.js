/* Broadsheet's rich-text editor for the admin: a toolbar and an editable area over the body
 * textarea (templates/blog/widgets/rich_text.html). No dependencies. The textarea stays the
 * form field: the editor copies its HTML there on every change and on submit. The server
 * sanitises whatever arrives, so this file does not try to. */
(function () {
  "use strict";

  var t = function (text) { return window.gettext ? window.gettext(text) : text; };

  // [name, label, face, how]: how is [command, value], or a special action.
  var BUTTONS = [
    ["p", t("Paragraph"), "¶", ["formatBlock", "p"]],
    ["h2", t("Heading 2"), "H2", ["formatBlock", "h2"]],
    ["h3", t("Heading 3"), "H3", ["formatBlock", "h3"]],
    ["bold", t("Bold"), "B", ["bold"]],
    ["italic", t("Italic"), "I", ["italic"]],
    ["link", t("Link"), "Link", "link"],
    ["ul", t("Bulleted list"), "• List", ["insertUnorderedList"]],
    ["ol", t("Numbered list"), "1. List", ["insertOrderedList"]],
    ["blockquote", t("Quote"), "“ ”", ["formatBlock", "blockquote"]],
    ["clear", t("Remove formatting"), "Clear", "clear"],
    ["html", t("HTML"), "HTML", "html"],
  ];
  var STATES = { bold: "bold", italic: "italic", ul: "insertUnorderedList", ol: "insertOrderedList" };

  // Content loaded into the live editor is parsed inertly first and stripped of anything that
  // would run on insertion (scripts, on* handlers, javascript: links), even in unsaved HTML.
  function inertHTML(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    doc.querySelectorAll("script, style, object, embed").forEach(function (el) { el.remove(); });
    doc.body.querySelectorAll("*").forEach(function (el) {
      Array.prototype.slice.call(el.attributes).forEach(function (attr) {
        var value = attr.value.replace(/\s+/g, "").toLowerCase();
        if (/^on/i.test(attr.name) || value.indexOf("javascript:") === 0) el.removeAttribute(attr.name);
      });
    });
    return doc.body.innerHTML;
  }

  function setUp(wrapper) {
    var textarea = wrapper.querySelector("textarea");
    if (!textarea || wrapper.dataset.ready || !document.execCommand) return;
    wrapper.dataset.ready = "1";
    var required = textarea.required;
    var label = textarea.id && document.querySelector('label[for="' + textarea.id + '"]');

    var toolbar = document.createElement("div");
    toolbar.className = "rich-text__toolbar";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", t("Formatting"));
    toolbar.setAttribute("aria-controls", textarea.id);

    var area = document.createElement("div");
    area.className = "rich-text__area";
    area.contentEditable = "true";
    area.setAttribute("role", "textbox");
    area.setAttribute("aria-multiline", "true");
    area.setAttribute("aria-label", label ? label.textContent.replace(/[:*]/g, "").trim() : t("Body"));
    if (textarea.getAttribute("aria-describedby")) {
      area.setAttribute("aria-describedby", textarea.getAttribute("aria-describedby"));
    }
    area.innerHTML = inertHTML(textarea.value) || "<p><br></p>";

    var buttons = {};
    BUTTONS.forEach(function (spec, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "rich-text__button rich-text__button--" + spec[0];
      button.textContent = spec[2];
      button.title = spec[1];
      button.setAttribute("aria-label", spec[1]);
      button.tabIndex = index === 0 ? 0 : -1;
      if (spec[0] in STATES || spec[3][0] === "formatBlock" || spec[3] === "html") {
        button.setAttribute("aria-pressed", "false");
      }
      // Keep the selection in the editable area when a button is clicked with the mouse.
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
      button.addEventListener("click", function () { run(spec); });
      buttons[spec[0]] = button;
      toolbar.appendChild(button);
    });

    wrapper.insertBefore(toolbar, textarea);
    wrapper.insertBefore(area, textarea);
    wrapper.classList.add("rich-text--visual");
    textarea.required = false; // a hidden required field would block the submit silently
    document.execCommand("defaultParagraphSeparator", false, "p");

    function sync() { textarea.value = area.innerHTML; }

    function exec(command, value) {
      area.focus();
      document.execCommand("styleWithCSS", false, false);
      document.execCommand(command, false, value);
      sync();
      refresh();
    }

    function run(spec) {
      var how = spec[3];
      if (how === "html") return toggleSource();
      if (how === "link") return makeLink();
      if (how === "clear") {
        exec("removeFormat");
        return exec("unlink");
      }
      if (how[0] === "formatBlock") {
        // A second click on the active block style turns the block back into a paragraph.
        var current = document.queryCommandValue("formatBlock").toLowerCase();
        return exec("formatBlock", "<" + (current === how[1] ? "p" : how[1]) + ">");
      }
      exec(how[0], how[1]);
    }

    function makeLink() {
      var selection = window.getSelection();
      var range = selection.rangeCount ? selection.getRangeAt(0).cloneRange() : null;
      var url = window.prompt(t("Link address (leave empty to remove the link):"), "https://");
      if (url === null) return;
      area.focus();
      if (range) { selection.removeAllRanges(); selection.addRange(range); }
      url = url.trim();
      if (!url || url === "https://") return exec("unlink");
      if (selection.isCollapsed) return exec("insertHTML", '<a href="' + url.replace(/"/g, "&quot;") + '">' + url.replace(/</g, "&lt;") + "</a>");
      exec("createLink", url);
    }

    function toggleSource() {
      var toSource = !wrapper.classList.contains("rich-text--source");
      if (toSource) {
        sync();
      } else {
        area.innerHTML = inertHTML(textarea.value) || "<p><br></p>";
        sync();
      }
      wrapper.classList.toggle("rich-text--source", toSource);
      wrapper.classList.toggle("rich-text--visual", !toSource);
      textarea.required = toSource && required;
      buttons.html.setAttribute("aria-pressed", String(toSource));
      Object.keys(buttons).forEach(function (name) {
        if (name !== "html") buttons[name].disabled = toSource;
      });
      (toSource ? textarea : area).focus();
    }

    function refresh() {
      if (wrapper.classList.contains("rich-text--source")) return;
      var block = (document.queryCommandValue("formatBlock") || "").toLowerCase();
      Object.keys(buttons).forEach(function (name) {
        var button = buttons[name];
        if (name in STATES) button.setAttribute("aria-pressed", String(document.queryCommandState(STATES[name])));
        else if (button.hasAttribute("aria-pressed") && name !== "html") button.setAttribute("aria-pressed", String(block === name));
      });
    }

    // The toolbar is one tab stop; arrow keys, Home and End move between its buttons.
    toolbar.addEventListener("keydown", function (event) {
      var list = Array.prototype.filter.call(toolbar.children, function (b) { return !b.disabled; });
      var index = list.indexOf(document.activeElement);
      var moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: list.length - 1 };
      if (!(event.key in moves) || index < 0) return;
      event.preventDefault();
      var next = list[(moves[event.key] + list.length) % list.length];
      list.forEach(function (b) { b.tabIndex = -1; });
      next.tabIndex = 0;
      next.focus();
    });

    area.addEventListener("keydown", function (event) {
      var mod = event.ctrlKey || event.metaKey;
      if (mod && event.key.toLowerCase() === "k") { event.preventDefault(); makeLink(); }
      if (event.altKey && event.key === "F10") { event.preventDefault(); toolbar.querySelector("[tabindex='0']").focus(); }
    });
    area.addEventListener("input", sync);
    area.addEventListener("keyup", refresh);
    area.addEventListener("mouseup", refresh);
    area.addEventListener("focus", refresh);
    if (textarea.form) {
      textarea.form.addEventListener("submit", function () {
        if (!wrapper.classList.contains("rich-text--source")) sync();
      });
    }
  }

  function init() {
    document.querySelectorAll("[data-rich-text]").forEach(setUp);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
