// With JavaScript, "Reply" moves the comment form under the comment instead of reloading.
(function () {
  "use strict";
  var respond = document.getElementById("respond");
  var form = document.getElementById("commentform");
  if (!respond || !form) return;
  var home = document.createElement("div");
  home.id = "respond-home";
  respond.parentNode.insertBefore(home, respond);
  var cancel = document.getElementById("cancel-comment-reply-link");
  var parentField = form.querySelector("input[name=parent]");

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-reply-to]");
    if (!link) return;
    event.preventDefault();
    var id = link.getAttribute("data-reply-to");
    var body = document.querySelector("#comment-" + id + " > .comment__body");
    body.parentNode.insertBefore(respond, body.nextSibling);
    parentField.value = id;
    cancel.hidden = false;
    form.querySelector("textarea").focus();
  });

  cancel.addEventListener("click", function (event) {
    event.preventDefault();
    home.parentNode.insertBefore(respond, home.nextSibling);
    parentField.value = "";
    cancel.hidden = true;
  });

  // Signing in leaves the page: keep what the reader wrote, and give it back on return.
  var text = form.querySelector("textarea[name=content]");
  var article = form.querySelector("input[name=article]").value;
  var draftKey = "broadsheet:comment-draft:" + article;
  try {
    var kept = window.sessionStorage.getItem(draftKey);
    if (kept && !text.value) text.value = kept;
    window.sessionStorage.removeItem(draftKey);
  } catch (error) { /* storage off: nothing kept, nothing lost */ }
  document.addEventListener("click", function (event) {
    if (!event.target.closest(".comment-login a, .logged-in-as a, .logged-in-as button")) return;
    try {
      if (text.value) window.sessionStorage.setItem(draftKey, text.value);
    } catch (error) { /* storage off */ }
  });
})();
