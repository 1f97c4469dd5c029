/* The moderation queue from the keyboard, as on WordPress's Comments screen:
   j / k move between comments, a approve, s spam, n not spam, d trash, u unapprove,
   r reply, e edit, z undo, ? shows the keys. The row in hand is outlined and announced to screen readers;
   after a decision the page reloads and the next comment is in hand. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var form = document.getElementById("changelist-form");
  if (!form) return;
  var table = document.getElementById("result_list");  // none when the queue is empty
  var rows = table ? Array.prototype.slice.call(table.querySelectorAll("tbody tr")) : [];
  var KEY = "broadsheet:queue-row";
  var DECISIONS = { a: "approve", s: "spam", n: "ham", d: "trash", u: "unapprove" };

  var status = document.createElement("p");
  status.className = "queue-status";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  status.textContent = "Press ? for keyboard shortcuts; j and k move between comments.";
  form.parentNode.insertBefore(status, form);

  var help = document.createElement("div");
  help.className = "queue-help";
  help.id = "queue-help";
  help.hidden = true;
  help.setAttribute("role", "region");
  help.setAttribute("aria-label", "Keyboard shortcuts");
  help.innerHTML =
    "<h2>Keyboard shortcuts</h2><dl>" +
    "<dt>j / k</dt><dd>next / previous comment</dd>" +
    "<dt>a</dt><dd>approve</dd><dt>s</dt><dd>spam</dd><dt>n</dt><dd>not spam</dd>" +
    "<dt>d</dt><dd>trash</dd><dt>u</dt><dd>unapprove</dd><dt>r</dt><dd>reply (approving)</dd>" +
    "<dt>e</dt><dd>edit</dd><dt>z</dt><dd>undo the last decision</dd>" +
    "<dt>?</dt><dd>show or hide this list</dd></dl>";
  form.parentNode.insertBefore(help, form);

  var current = -1;

  /* With JavaScript, a decision applies in place: the row leaves the queue (or shows its new
     status on the "All" view), and the message offers Undo. Without it, the button posts
     the form and the page comes back. */
  var notice = document.createElement("div");
  notice.className = "queue-notice";
  notice.setAttribute("role", "status");
  form.parentNode.insertBefore(notice, form);
  var showingAll = /[?&]status__exact=all(&|$)/.test(window.location.search);

  function post(url) {
    return fetch(url, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    });
  }

  function announce(text, undoUrl) {
    notice.textContent = text + " ";
    if (!undoUrl) return;
    var undo = document.createElement("button");
    undo.type = "button";
    undo.className = "button queue-undo";
    undo.textContent = "Undo";
    undo.addEventListener("click", function () {
      post(undoUrl).then(function () { window.location.reload(); },
                         function () { form.action = undoUrl; form.submit(); });
    });
    notice.appendChild(undo);
  }

  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || !/\/decide\//.test(button.getAttribute("formaction") || "")) return;
    event.preventDefault();
    var row = button.closest("tr");
    post(button.getAttribute("formaction")).then(function (data) {
      announce(data.message, data.undo);
      if (showingAll) {
        var cell = row.querySelector(".field-status");
        if (cell) cell.textContent = data.status;
        return;
      }
      var index = rows.indexOf(row);
      row.remove();
      rows.splice(index, 1);
      if (current >= rows.length) current = rows.length - 1;
      if (current >= 0) { var keep = current; current = -1; select(keep); }
    }, function () {
      form.action = button.getAttribute("formaction");  /* fall back to a plain POST */
      form.submit();
    });
  });

  function describe(row) {
    var excerpt = row.querySelector(".field-excerpt");
    var author = row.querySelector(".field-author bdi");
    return (excerpt ? excerpt.textContent.trim() : "") +
      (author ? " — " + author.textContent.trim() : "");
  }

  function select(index) {
    if (!rows.length) return;
    index = Math.max(0, Math.min(rows.length - 1, index));
    if (current >= 0) rows[current].classList.remove("queue-current");
    current = index;
    var row = rows[current];
    row.classList.add("queue-current");
    row.setAttribute("tabindex", "-1");
    row.focus();
    status.textContent = "Comment " + (current + 1) + " of " + rows.length + ": " + describe(row);
    try { window.sessionStorage.setItem(KEY, String(current)); } catch (e) { /* private mode */ }
  }

  function typing(target) {
    return target && (target.isContentEditable ||
      /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var key = event.key;
    if (key === "?") { help.hidden = !help.hidden; event.preventDefault(); return; }
    if (key === "j") { select(current + 1); event.preventDefault(); return; }
    if (key === "k") { select(current - 1); event.preventDefault(); return; }
    if (key === "z") {
      var undo = document.querySelector(".queue-notice button.queue-undo, " +
                                        ".messagelist button.queue-undo");
      if (undo) { undo.click(); event.preventDefault(); }
      return;
    }
    if (current < 0) return;
    var row = rows[current];
    if (key === "r") {
      var reply = row.querySelector("a.decide-reply");
      if (reply) { reply.click(); event.preventDefault(); }
      return;
    }
    if (key === "e") {
      var link = row.querySelector("th a, td a");
      if (link) { link.click(); event.preventDefault(); }
      return;
    }
    var decision = DECISIONS[key];
    if (!decision) return;
    var button = row.querySelector("button.decide-" + decision);
    if (button) { event.preventDefault(); button.click(); }
  });

  var kept = null;
  try { kept = window.sessionStorage.getItem(KEY); } catch (e) { /* private mode */ }
  if (kept !== null && rows.length) select(Number(kept) || 0);
});
