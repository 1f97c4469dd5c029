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
})();
