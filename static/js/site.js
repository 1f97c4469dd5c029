/* Broadsheet reading pages: progressive enhancement only. Everything works without it. */
(function () {
  "use strict";

  /* The like form: post with fetch and update the count in place, instead of reloading. */
  function likeText(form, count) {
    if (count === 1) return form.dataset.textOne;
    return form.dataset.textOther.replace("{count}", String(count));
  }

  /* Anonymous readers share one cached page, so their browser remembers what they liked. */
  var LIKED_KEY = "broadsheet:liked";

  function likedUrls() {
    try {
      return JSON.parse(window.localStorage.getItem(LIKED_KEY)) || [];
    } catch (error) {
      return [];
    }
  }

  function rememberLiked(url) {
    try {
      var urls = likedUrls().filter(function (known) { return known !== url; });
      urls.push(url);
      window.localStorage.setItem(LIKED_KEY, JSON.stringify(urls.slice(-500)));
    } catch (error) {
      /* Storage full or refused: the like itself is saved. */
    }
  }

  function showLiked(form, status, button, label, countText) {
    var you = document.createElement("span");
    you.className = "likes__you";
    you.textContent = form.dataset.textLiked;
    var count = status.querySelector("[data-like-count]");
    if (countText) {
      count = document.createElement("span");
      count.setAttribute("data-like-count", "");
      count.textContent = countText;
    }
    status.replaceChildren(you, " ", count);
    button.disabled = true;
    button.setAttribute("aria-pressed", "true");
    if (label && form.dataset.textButtonLiked) label.textContent = form.dataset.textButtonLiked;
    form.classList.add("is-liked");
  }

  function enhanceLikeForm(form) {
    var button = form.querySelector("button[type=submit]");
    var status = form.querySelector("[data-like-status]");
    var label = form.querySelector("[data-like-label]");
    /* Only a signed-in reader's form carries a token; anonymous posts are checked by origin. */
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (!button || !status || !window.fetch) return;
    if (!button.disabled && likedUrls().indexOf(form.action) !== -1) {
      showLiked(form, status, button, label, "");
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (button.disabled) return;
      button.disabled = true;
      form.setAttribute("aria-busy", "true");
      fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: token
          ? { Accept: "application/json", "X-CSRFToken": token.value }
          : { Accept: "application/json" },
        body: new FormData(form),
      })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (data) {
          rememberLiked(form.action);
          showLiked(form, status, button, label, likeText(form, Number(data.count) || 1));
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
