/* Broadsheet reading pages: progressive enhancement only. Everything works without it. */
(function () {
  "use strict";

  /* The like form: post with fetch and update the count in place, instead of reloading. */
  function likeText(form, count) {
    if (count === 1) return form.dataset.textOne;
    return form.dataset.textOther.replace("{count}", String(count));
  }

  function enhanceLikeForm(form) {
    var button = form.querySelector("button[type=submit]");
    var status = form.querySelector("[data-like-status]");
    var label = form.querySelector("[data-like-label]");
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (!button || !status || !token || !window.fetch) return;

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (button.disabled) return;
      button.disabled = true;
      form.setAttribute("aria-busy", "true");
      fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": token.value },
        body: new FormData(form),
      })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (data) {
          var you = document.createElement("span");
          you.className = "likes__you";
          you.textContent = form.dataset.textLiked;
          var count = document.createElement("span");
          count.setAttribute("data-like-count", "");
          count.textContent = likeText(form, Number(data.count) || 1);
          status.replaceChildren(you, " ", count);
          button.setAttribute("aria-pressed", "true");
          if (label && form.dataset.textButtonLiked) label.textContent = form.dataset.textButtonLiked;
          form.classList.add("is-liked");
        })
        .catch(function () {
          button.disabled = false;
          status.textContent = form.dataset.textError;
        })
        .finally(function () {
          form.removeAttribute("aria-busy");
        });
    });
  }

  function init() {
    document.querySelectorAll("form[data-like-form]").forEach(enhanceLikeForm);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
