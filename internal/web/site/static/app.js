// A little help where JavaScript runs; every page works without it.
document.addEventListener("click", function (ev) {
  var el = ev.target.closest("[data-confirm]");
  if (el && !window.confirm(el.getAttribute("data-confirm"))) {
    ev.preventDefault();
  }
});
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
  var sel = document.getElementById("soa-sel");
  if (sel) sel.addEventListener("change", function () { sel.form.submit(); });
});
/* == web-views == */
// A destructive button that asks for confirmation on a page of its own
// without JavaScript: once the dialog above has been accepted, the form
// says so and the server acts at once.
document.addEventListener("click", function (ev) {
  var el = ev.target.closest("[data-confirmed]");
  if (!el || ev.defaultPrevented || !el.form) return;
  var input = document.createElement("input");
  input.type = "hidden";
  input.name = "confirmed";
  input.value = el.getAttribute("data-confirmed");
  el.form.appendChild(input);
});
/* == daily == */
// Copies a field's text (a calendar feed's URL) and says so on the button.
document.addEventListener("click", function (ev) {
  var el = ev.target.closest("[data-copy]");
  if (!el) return;
  var field = document.getElementById(el.getAttribute("data-copy"));
  if (!field) return;
  field.select();
  var done = function () { el.textContent = el.getAttribute("data-copied"); };
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
  } else {
    document.execCommand("copy");
    done();
  }
});
/* == risk level while editing == */
// The risk form shows the level its values give; the server computed it
// when the page was drawn, and this recomputes it as a select changes
// (likelihood × impact, or asset value × threat × vulnerability, the
// asset value being the largest of the chosen assets').
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("risk-level");
  if (!box) return;
  box.classList.add("js");
  var form = box.closest("form");
  var acceptance = parseInt(box.dataset.acceptance, 10);
  var assets = JSON.parse(box.dataset.assets || "{}");
  var factors = box.dataset.method === "asset-threat-vulnerability" ? ["asset_value", "threat", "vulnerability"] : ["likelihood", "impact"];
  function val(name) {
    var el = form.elements[name];
    if (!el || el.value === "") return null;
    var n = parseInt(el.value, 10);
    return isNaN(n) ? null : n;
  }
  function assetValue() {
    var v = null;
    form.querySelectorAll('input[name="assets"]:checked').forEach(function (c) {
      var a = assets[c.value];
      if (a && (v === null || a > v)) v = a;
    });
    return v;
  }
  function show(out, level) {
    out.textContent = "";
    if (level === null) {
      var m = document.createElement("span");
      m.className = "chip";
      m.textContent = box.dataset.tMissing;
      out.appendChild(m);
      return;
    }
    out.appendChild(document.createTextNode(box.dataset.tLevel.replace("{n}", level) + " "));
    var c = document.createElement("span");
    var ok = level <= acceptance;
    c.className = "chip " + (ok ? "ok" : "warn");
    c.textContent = ok ? box.dataset.tWithin : box.dataset.tOver;
    out.appendChild(c);
  }
  function update() {
    var before = 1, after = 1, complete = true;
    factors.forEach(function (f) {
      var v = f === "asset_value" ? assetValue() : val(f);
      if (v === null) { complete = false; return; }
      before *= v;
      var r = val("residual." + f);
      after *= (r === null ? v : r);
    });
    show(document.getElementById("level-now"), complete ? before : null);
    var out = document.getElementById("level-after");
    if (complete) show(out, after); else out.textContent = "";
  }
  form.addEventListener("change", update);
});
/* == bulk == */
// A box that checks or clears every box of a name in its form (bulk work on
// SoA rows); without JavaScript each row is chosen by its own box.
document.addEventListener("change", function (ev) {
  var all = ev.target.closest("[data-check-all]");
  if (!all || !all.form) return;
  var boxes = all.form.querySelectorAll('input[type=checkbox][name="' + all.getAttribute("data-check-all") + '"]');
  for (var i = 0; i < boxes.length; i++) boxes[i].checked = all.checked;
});
/* == SoA row editing == */
// The SoA page shows its rows read-only; a row's edit link fetches that
// row's form into the row, below the link (the link again closes it).
// Without JavaScript, or when the fetch fails, the link opens the row's
// edit page.
document.addEventListener("click", function (ev) {
  var link = ev.target.closest("a.row-edit");
  if (!link || ev.defaultPrevented || ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) return;
  ev.preventDefault();
  var slot = link.nextElementSibling;
  if (slot && slot.classList.contains("row-edit-slot")) {
    slot.remove();
    link.setAttribute("aria-expanded", "false");
    return;
  }
  fetch(link.href + "&part=form", { credentials: "same-origin" }).then(function (res) {
    if (!res.ok) throw new Error("row form: " + res.status);
    return res.text();
  }).then(function (html) {
    var box = document.createElement("div");
    box.className = "row-edit-slot";
    box.innerHTML = html;
    link.after(box);
    link.setAttribute("aria-expanded", "true");
    var first = box.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  }).catch(function () { window.location.href = link.href; });
});
// The form's close link, fetched into a row, closes it there.
document.addEventListener("click", function (ev) {
  var close = ev.target.closest("a[data-row-close]");
  if (!close) return;
  var slot = close.closest(".row-edit-slot");
  if (!slot) return;
  ev.preventDefault();
  var link = slot.previousElementSibling;
  slot.remove();
  if (link) {
    link.setAttribute("aria-expanded", "false");
    link.focus();
  }
});
/* == passkeys == */
// Passkeys need the browser's WebAuthn API, so their buttons appear only
// where it exists; signing in with a password works without any of this.
// The server hands out options with binary fields in base64url and takes
// the browser's answer back the same way.
(function () {
  if (!window.PublicKeyCredential || !navigator.credentials) return;
  function bytes(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }
  function b64url(buf) {
    var b = new Uint8Array(buf), s = "";
    for (var i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function descriptors(list) {
    return (list || []).map(function (c) { return Object.assign({}, c, { id: bytes(c.id) }); });
  }
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) throw new Error(data.error || String(res.status));
        return data;
      });
    });
  }
  // The browser's own errors (cancelled, timed out) become the page's
  // message; the server's come with their text.
  function failure(el, box) {
    return function (err) {
      box.textContent = err && err.name && /NotAllowedError|AbortError|InvalidStateError/.test(err.name)
        ? el.getAttribute("data-cancelled") : (err && err.message) || el.getAttribute("data-cancelled");
      box.hidden = false;
    };
  }
  document.addEventListener("DOMContentLoaded", function () {
    var login = document.getElementById("passkey-login");
    if (login) {
      document.getElementById("passkey-login-box").hidden = false;
      var needsJS = document.getElementById("passkey-needs-js");
      if (needsJS) needsJS.hidden = true;
      var loginErr = document.getElementById("passkey-login-error");
      login.addEventListener("click", function () {
        loginErr.hidden = true;
        login.disabled = true;
        var token;
        post("/login/passkey/options", {}).then(function (o) {
          token = o.token;
          var pk = o.publicKey;
          pk.challenge = bytes(pk.challenge);
          pk.allowCredentials = descriptors(pk.allowCredentials);
          return navigator.credentials.get({ publicKey: pk });
        }).then(function (cred) {
          var r = cred.response;
          return post("/login/passkey", {
            token: token, next: login.getAttribute("data-next"),
            credential: {
              id: cred.id, rawId: b64url(cred.rawId), type: cred.type,
              clientExtensionResults: cred.getClientExtensionResults(),
              response: {
                clientDataJSON: b64url(r.clientDataJSON), authenticatorData: b64url(r.authenticatorData),
                signature: b64url(r.signature), userHandle: r.userHandle ? b64url(r.userHandle) : ""
              }
            }
          });
        }).then(function (done) {
          window.location.assign(done.next);
        }).catch(failure(login, loginErr)).then(function () { login.disabled = false; });
      });
    }
    var add = document.getElementById("passkey-add");
    if (add) {
      add.hidden = false;
      document.getElementById("passkey-needs-js").hidden = true;
      var addErr = document.getElementById("passkey-add-error");
      add.addEventListener("submit", function (ev) {
        ev.preventDefault();
        addErr.hidden = true;
        var button = add.querySelector("button[type=submit]");
        button.disabled = true;
        var name = add.elements.name.value, token;
        post("/account/passkeys/options", { password: add.elements.password.value }).then(function (o) {
          token = o.token;
          var pk = o.publicKey;
          pk.challenge = bytes(pk.challenge);
          pk.user = Object.assign({}, pk.user, { id: bytes(pk.user.id) });
          pk.excludeCredentials = descriptors(pk.excludeCredentials);
          return navigator.credentials.create({ publicKey: pk });
        }).then(function (cred) {
          var r = cred.response;
          return post("/account/passkeys", {
            token: token, name: name,
            credential: {
              id: cred.id, rawId: b64url(cred.rawId), type: cred.type,
              clientExtensionResults: cred.getClientExtensionResults(),
              response: {
                clientDataJSON: b64url(r.clientDataJSON), attestationObject: b64url(r.attestationObject),
                transports: r.getTransports ? r.getTransports() : []
              }
            }
          });
        }).then(function () {
          window.location.assign(add.getAttribute("data-back") + "?passkey=added");
        }).catch(failure(add, addErr)).then(function () { button.disabled = false; });
      });
    }
  });
})();
