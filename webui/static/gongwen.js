/* Gongwen's one script: nothing on a page depends on it, it only keeps typed work safe.

   1. A form marked data-autosave="<url>" is posted there (its text fields, never its files)
      2 seconds after the last keystroke and when the page is hidden, so that what is typed is
      kept on the server (webui.autosave), not only in the browser. Pressing the form's own
      button first waits for that save, so a refusal of the post (a file too large, the session
      ended) cannot lose the last words typed.
   2. The idle warning (#idle-warning, from base.html): shown a while before the server would
      log the person out for inactivity; 继续使用 asks the server to note activity. Any answer
      from the server (a page, an autosave) restarts the count.
   No framework, no request to anywhere but this site. */
(function () {
  "use strict";

  var DELAY = 2000;
  var banner = document.getElementById("idle-warning");
  var form = document.querySelector("form[data-autosave]");
  var warnTimer = null;
  var endTimer = null;

  function post(url, body) {
    return fetch(url, {method: "POST", body: body, credentials: "same-origin",
                       headers: {"Accept": "application/json"}, redirect: "manual"});
  }

  /* ---- the idle warning ---- */

  function ended() {
    if (!banner) { return; }
    var text = document.getElementById("idle-warning-text");
    text.textContent = form ? text.dataset.endedKept : text.dataset.ended;
    document.getElementById("idle-stay").hidden = true;
    document.getElementById("idle-login").hidden = false;
    banner.hidden = false;
  }

  function seen() {
    // The server has just noted this browser's activity: count again from now.
    if (!banner) { return; }
    var idle = Number(banner.dataset.idleSeconds) * 1000;
    var warn = Number(banner.dataset.warnSeconds) * 1000;
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    banner.hidden = true;
    warnTimer = setTimeout(function () { banner.hidden = false; }, Math.max(idle - warn, 0));
    endTimer = setTimeout(ended, idle);
  }

  if (banner) {
    document.getElementById("idle-stay").addEventListener("click", function () {
      var body = new FormData();
      body.append("csrf_token", banner.dataset.csrf);
      post(banner.dataset.keepAlive, body).then(function (answer) {
        if (answer.ok) { seen(); } else { ended(); }
      }, ended);
    });
    seen();
  }

  /* ---- the autosave of a typed form ---- */

  if (!form) { return; }
  var url = form.dataset.autosave;
  var status = document.getElementById("autosave-status");
  var timer = null;
  var dirty = false;
  var saving = null;
  var submitting = false;

  function say(text) { if (status) { status.textContent = text; } }

  function fields() {
    var all = new FormData(form);
    var kept = new FormData();
    all.forEach(function (value, name) {
      if (typeof value === "string") { kept.append(name, value); }
    });
    return kept;
  }

  function clock() {
    var now = new Date();
    return String(now.getHours()).padStart(2, "0") + ":" + String(now.getMinutes()).padStart(2, "0");
  }

  // Resolves to where to log in when the session has ended, else to null.
  function save() {
    clearTimeout(timer);
    timer = null;
    if (saving) { return saving.then(function (login) { return dirty ? save() : login; }); }
    if (!dirty) { return Promise.resolve(null); }
    dirty = false;
    say("正在自动保存…");
    saving = post(url, fields()).then(function (answer) {
      if (answer.ok) {
        seen();
        say("已自动保存（" + clock() + "）");
        return null;
      }
      if (answer.status === 401 || answer.type === "opaqueredirect") {
        ended();
        say("已退出登录，填写的内容已自动保存");
        return answer.json().then(function (body) { return body.login; },
                                  function () { return banner ? banner.dataset.login : null; });
      }
      return answer.json().then(function (body) { say("未能自动保存：" + body.message); },
                                function () { say("未能自动保存，请及时保存"); })
        .then(function () { return null; });
    }, function () {
      dirty = true;  // the network failed: try again with the next keystroke or on leaving
      say("未能自动保存（网络中断），请及时保存");
      return null;
    }).then(function (login) { saving = null; return login; });
    return saving;
  }

  function typed() {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(save, DELAY);
  }

  form.addEventListener("input", typed);
  form.addEventListener("change", typed);

  form.addEventListener("submit", function (event) {
    if (submitting) { return; }
    if (!dirty && !saving) { submitting = true; clearTimeout(timer); return; }
    event.preventDefault();
    var button = event.submitter;
    save().then(function (login) {
      if (login) { window.location.assign(login); return; }
      submitting = true;
      form.requestSubmit(button && button.form === form ? button : undefined);
    });
  });

  function leaving() {
    if (dirty && !submitting && navigator.sendBeacon) {
      dirty = false;
      navigator.sendBeacon(url, fields());
    }
  }
  window.addEventListener("pagehide", leaving);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { leaving(); }
  });
}());
