/* mozidsim navigator.mozId shim: the page side of a simulated Firefox OS phone.
 *
 * A port of dom/identity/nsDOMIdentity.js as mozidsim's Go package identity
 * implements it: the page-side checks run here, synchronously, and throw or call
 * back exactly as the Go nsDOMIdentity does. Two versions, by the phone's era:
 *
 * - 2015 ("D-late"): the options first pass through the WebIDL dictionaries of
 *   dom/webidl/Identity.webidl (unknown members dropped, DOMString and long
 *   conversions, a TypeError for a callback that is not callable), and an Error
 *   nsDOMIdentity.js threw reaches the page only as the generic
 *   NS_ERROR_UNEXPECTED ("Unexpected error"); its message goes to the console.
 * - 2014 ("D-early", XPCOM): the options are read as the page wrote them, the
 *   Error's message reaches the page, the window itself refuses Firefox Accounts
 *   to apps that are neither privileged nor certified
 *   (ERROR_NOT_AUTHORIZED_FOR_FIREFOX_ACCOUNTS), only certified apps skip the
 *   user-input rule of request(), and onerror gets the parent's error object as
 *   it is (e.g. {error: "OFFLINE"}) instead of a JSON string.
 *
 * The phone (mozidsim serve) replays every call through the Go nsDOMIdentity and
 * records any difference as a shim-fidelity fault. Test vectors generated from Go
 * keep the two in step (webphone/testdata/shim-vectors.json, both eras).
 *
 * Classic script, no build step: <script src="http://127.0.0.1:8090/mozid-shim.js"></script>
 */
(function (root) {
  "use strict";

  var MAX_STRING_LENGTH = 2048;
  var MAX_RP_CALLS = 100;
  var WANT_ISSUER_FXA = "firefox-accounts";
  // What Cu.reportError printed for each child-side error code.
  var ERRORS = {
    ERROR_NOT_AUTHORIZED_FOR_FIREFOX_ACCOUNTS: "Only privileged and certified apps may use Firefox Accounts",
    ERROR_INVALID_ASSERTION_AUDIENCE: "Assertion audience may not differ from origin",
    ERROR_REQUEST_WHILE_NOT_HANDLING_USER_INPUT: "The request() method may only be invoked when handling user input"
  };
  var APP_CERTIFIED = 3, APP_PRIVILEGED = 2;
  var UNEXPECTED_ERROR = "Unexpected error"; // xpc.msg's text for NS_ERROR_UNEXPECTED
  // Request options that are not copied as "extra": the ones with their own
  // checks, the callback, and what DOMIdentityMessage overwrites.
  var NAMED_REQUEST_OPTIONS = ["audience", "refreshAuthentication", "privacyPolicy", "termsOfService", "oncancel", "id", "origin", "errors"];

  // describe writes a JS value as JSON the Go side reads (webphone/values.go).
  function describe(v) {
    if (v === undefined) return { $: "undefined" };
    if (v === null) return null;
    switch (typeof v) {
      case "function": return { $: "function" };
      case "string": case "boolean": return v;
      case "number":
        if (v !== v) return { $: "number", value: "NaN" };
        if (v === Infinity) return { $: "number", value: "Infinity" };
        if (v === -Infinity) return { $: "number", value: "-Infinity" };
        return v;
    }
    if (Array.isArray(v)) return { $: "array", value: v.map(describe) };
    return { $: "object" };
  }

  function ownProps(o) {
    var out = [];
    if (o === null || typeof o !== "object") return out;
    Object.keys(o).forEach(function (k) { out.push([k, describe(o[k])]); });
    return out;
  }

  function isFn(v) { return typeof v === "function"; }

  // ---- The WebIDL binding (dom/webidl/Identity.webidl, 2015) ----
  // Every member is non-nullable; dictionary members convert in sorted order.
  function webidlString(v) { return v === undefined ? undefined : String(v); }
  function webidlLong(v) { return v === undefined ? undefined : (Number(v) | 0); } // ToInt32
  // notCallable is the binding's TypeError for a callback member (Errors.msg
  // MSG_NOT_OBJECT / MSG_NOT_CALLABLE), or null when the member is fine.
  function notCallable(o, name, dictionary) {
    var v = o[name];
    if (v === undefined || isFn(v)) return null;
    var what = "'" + name + "' member of " + dictionary;
    return (v !== null && typeof v === "object") ? what + " is not callable." : what + " is not an object.";
  }
  var WATCH_CALLBACKS = ["onerror", "onlogin", "onlogout", "onready"];
  var REQUEST_STRINGS = ["backgroundColor", "origin", "privacyPolicy", "returnTo", "siteLogo", "siteName", "termsOfService"];
  function defined(v) { return typeof v !== "undefined"; }

  // createMozId is one window's navigator.mozId. env: {origin, status (0-3),
  // era ("2014" or "2015", the default), send(call), userInput() -> bool, console}.
  function createMozId(env) {
    var watcher = null;      // _rpWatcher: the page's callbacks and its audience
    var onCancel = null;
    var rpCalls = 0;
    var callbackDepth = 0;
    var con = env.console || { error: function () {} };
    var early = env.era === "2014"; // D-early: XPCOM, no WebIDL binding

    function message(audience, wantIssuer) {
      var msg = { audience: env.origin, errors: [] };
      // D-early's DOMIdentityMessage authorises Firefox Accounts in the window,
      // before the audience check.
      if (early && wantIssuer === WANT_ISSUER_FXA && env.status !== APP_PRIVILEGED && env.status !== APP_CERTIFIED) {
        msg.errors.push("ERROR_NOT_AUTHORIZED_FOR_FIREFOX_ACCOUNTS");
      }
      // `audience != origin` with JS's own loose equality, as nsDOMIdentity wrote it.
      if (audience && audience != env.origin) {
        if (env.status === APP_CERTIFIED) msg.audience = String(audience);
        else msg.errors.push("ERROR_INVALID_ASSERTION_AUDIENCE");
      }
      return msg;
    }

    function report(call, options, userInput, result) {
      env.send({ call: call, options: options, userInput: userInput, result: result });
    }

    function deliver(fn, args) {
      callbackDepth++;
      try { fn.apply(null, args); } finally { callbackDepth--; }
    }

    // reportErrors calls onerror with each bare code, during the call.
    function reportErrors(codes) {
      codes.forEach(function (code) {
        con.error(ERRORS[code]);
        if (watcher && watcher.onerror) deliver(watcher.onerror, [code]);
      });
    }

    // delivered is a call's result when it reports errors: the codes the page's
    // onerror receives (none without an onerror).
    function delivered(codes) {
      return watcher && watcher.onerror ? { onerror: codes } : {};
    }

    // thrown is nsDOMIdentity.js throwing new Error(msg): a chrome Error that
    // 2015's JS-implemented WebIDL reports to the console and replaces with
    // NS_ERROR_UNEXPECTED (CallbackObject::CallSetup::ShouldRethrowException).
    function thrown(call, options, userInput, msg) {
      if (early) {
        // XPCOM: the page catches nsDOMIdentity.js's Error with its message.
        report(call, options, userInput, { throws: msg });
        return new Error(msg);
      }
      con.error("Error: " + msg);
      report(call, options, userInput, { throws: UNEXPECTED_ERROR });
      var e = new Error(UNEXPECTED_ERROR);
      e.name = "NS_ERROR_UNEXPECTED";
      e.result = 0x8000ffff;
      return e;
    }

    // bindingError is the binding's own TypeError: the page sees it as it is.
    function bindingError(call, options, userInput, msg) {
      report(call, options, userInput, { throws: msg });
      return new TypeError(msg);
    }

    function sent(name, msg, extra) {
      var s = { name: name, audience: msg.audience };
      if (msg.wantIssuer) s.wantIssuer = msg.wantIssuer;
      s.loggedInUser = defined(msg.loggedInUser) ? msg.loggedInUser : null;
      if (extra) {
        if (extra.refreshAuthentication !== undefined && extra.refreshAuthentication !== null) s.refreshAuthentication = extra.refreshAuthentication;
        if (extra.silent) s.silent = true;
        if (extra.props.length) s.extra = extra.props;
      }
      return s;
    }

    function watch(o) {
      if (o === null || typeof o !== "object") throw new TypeError("navigator.mozId.watch: the argument must be an options object");
      var props = ownProps(o), ui = env.userInput() && callbackDepth === 0;
      if (!early) {
        // IdentityWatchOptions: audience, loggedInUser, onerror, onlogin, onlogout,
        // onready, wantIssuer; anything else (loggedInEmail) is dropped.
        for (var c = 0; c < WATCH_CALLBACKS.length; c++) {
          var bad = notCallable(o, WATCH_CALLBACKS[c], "IdentityWatchOptions");
          if (bad) throw bindingError("watch", props, ui, bad);
        }
        o = { audience: webidlString(o.audience), loggedInUser: webidlString(o.loggedInUser),
          onerror: o.onerror, onlogin: o.onlogin, onlogout: o.onlogout, onready: o.onready,
          wantIssuer: webidlString(o.wantIssuer) };
      }
      if (watcher) throw thrown("watch", props, ui, "navigator.id.watch was already called");
      // assertCorrectCallbacks: FxA needs onlogin, onlogout and onready.
      var required = ["onlogin"], optional = ["onlogout", "onready", "onerror"];
      if (o.wantIssuer === WANT_ISSUER_FXA) { required = ["onlogin", "onlogout", "onready"]; optional = ["onerror"]; }
      var i;
      for (i = 0; i < required.length; i++) {
        if (!isFn(o[required[i]])) throw thrown("watch", props, ui, required[i] + " callback is required.");
      }
      for (i = 0; i < optional.length; i++) {
        var cb = o[optional[i]];
        if (cb && !isFn(cb)) throw thrown("watch", props, ui, optional[i] + " must be a function");
      }
      var issuer = typeof o.wantIssuer === "string" ? o.wantIssuer : "";
      var msg = message(o.audience, issuer);
      msg.wantIssuer = issuer;
      // checkRenamed(options, "loggedInEmail", "loggedInUser"): null counts as defined.
      var user = o.loggedInUser, email = o.loggedInEmail;
      if (defined(email) && defined(user)) throw thrown("watch", props, ui, "You cannot provide both loggedInEmail and loggedInUser");
      if (defined(email)) user = email;
      // "Bad IPC or IDL converts null and undefined" to strings: D-late maps
      // them back; D-early only skips the string "undefined" in the checks.
      if (!early && (user === "null" || user === "undefined")) user = undefined;
      if (user && user !== "undefined") {
        if (typeof user !== "string") throw thrown("watch", props, ui, "loggedInUser must be a String or null");
        if (user.indexOf("@") < 0 || user.length > MAX_STRING_LENGTH) throw thrown("watch", props, ui, "loggedInUser is not valid");
      }
      if (typeof user === "string") msg.loggedInUser = user;
      watcher = {
        onlogin: o.onlogin, onlogout: isFn(o.onlogout) ? o.onlogout : null,
        onready: isFn(o.onready) ? o.onready : null, onerror: isFn(o.onerror) ? o.onerror : null,
        audience: msg.audience
      };
      if (msg.errors.length) {
        // The watcher is kept: the broken page can never watch again, never gets onready.
        report("watch", props, ui, delivered(msg.errors));
        reportErrors(msg.errors);
        return;
      }
      report("watch", props, ui, { sent: sent("Identity:RP:Watch", msg) });
    }

    function request(o) {
      if (o === undefined) o = {};
      if (o === null || typeof o !== "object") throw new TypeError("navigator.mozId.request: the argument must be an options object");
      var props = ownProps(o).filter(function (p) { return !(p[1] && p[1].$ === "function" && NAMED_REQUEST_OPTIONS.indexOf(p[0]) < 0); });
      var ui = env.userInput() && callbackDepth === 0;
      if (!early) {
        // IdentityRequestOptions: the DOMStrings, oncancel and the long
        // refreshAuthentication; audience, silent, wantIssuer and the rest dropped.
        var badCancel = notCallable(o, "oncancel", "IdentityRequestOptions");
        if (badCancel) throw bindingError("request", props, ui, badCancel);
        var d = {};
        REQUEST_STRINGS.forEach(function (k) { if (o[k] !== undefined) d[k] = webidlString(o[k]); });
        if (o.oncancel !== undefined) d.oncancel = o.oncancel;
        if (o.refreshAuthentication !== undefined) d.refreshAuthentication = webidlLong(o.refreshAuthentication);
        o = d;
      }
      if (!watcher) throw thrown("request", props, ui, "navigator.id.request called before navigator.id.watch");
      if (rpCalls > MAX_RP_CALLS) throw thrown("request", props, ui, "navigator.id.request called too many times");
      var msg = message(o.audience, typeof o.wantIssuer === "string" ? o.wantIssuer : "");
      // Bug 982460 exempted privileged apps from the user-input rule; D-early
      // exempts certified apps only.
      var exempt = env.status === APP_CERTIFIED || (!early && env.status === APP_PRIVILEGED);
      if (!exempt && !ui && !env.syntheticEventsOK) {
        msg.errors.push("ERROR_REQUEST_WHILE_NOT_HANDLING_USER_INPUT");
      }
      if (msg.errors.length) {
        // Nothing sent, the counter untouched, oncancel not stored.
        report("request", props, ui, delivered(msg.errors));
        reportErrors(msg.errors);
        return;
      }
      var named = [["privacyPolicy", o.privacyPolicy], ["termsOfService", o.termsOfService]];
      for (var i = 0; i < named.length; i++) {
        var v = named[i][1];
        if (!v || v === "undefined") continue;
        if (typeof v !== "string") throw thrown("request", props, ui, named[i][0] + " must be a string representing a URL.");
        if (v.length > MAX_STRING_LENGTH) throw thrown("request", props, ui, named[i][0] + " is invalid.");
      }
      if (o.oncancel && !isFn(o.oncancel)) throw thrown("request", props, ui, "oncancel is not a function");
      onCancel = isFn(o.oncancel) ? o.oncancel : null; // a request() without oncancel clears the previous one

      // The options copied into the message, as objectCopy does: present ones
      // only, underscore names skipped; silent read, wantIssuer also routed.
      var extra = { refreshAuthentication: describe(o.refreshAuthentication), silent: false, props: [] };
      if (o.refreshAuthentication === undefined) extra.refreshAuthentication = undefined;
      named.forEach(function (p) { if (p[1] !== undefined) extra.props.push([p[0], describe(p[1])]); });
      Object.keys(o).forEach(function (k) {
        var v = o[k];
        if (NAMED_REQUEST_OPTIONS.indexOf(k) >= 0 || isFn(v) || v === undefined || k.charAt(0) === "_") return;
        if (k === "silent") { extra.silent = !!v; return; }
        if (k === "wantIssuer" && typeof v === "string") msg.wantIssuer = v;
        extra.props.push([k, describe(v)]);
      });
      rpCalls++;
      report("request", props, ui, { sent: sent("Identity:RP:Request", msg, extra) });
    }

    function logout() {
      var ui = env.userInput() && callbackDepth === 0;
      if (!watcher) throw thrown("logout", [], ui, "navigator.id.logout called before navigator.id.watch");
      if (rpCalls > MAX_RP_CALLS) throw thrown("logout", [], ui, "navigator.id.logout called too many times");
      rpCalls++; // before error processing, unlike request()
      report("logout", [], ui, { sent: sent("Identity:RP:Logout", message(undefined, "")) });
    }

    // receive is the parent's Identity:RP:Watch:On* message for this window.
    function receive(m) {
      var w = watcher;
      if (!w) { con.error("WARNING: Received " + m.name.replace("Identity:RP:Watch:", "") + " message, but there is no RP watcher"); return; }
      switch (m.name) {
        case "Identity:RP:Watch:OnLogin": deliver(w.onlogin, [m.assertion === undefined ? null : m.assertion]); break;
        case "Identity:RP:Watch:OnLogout": if (w.onlogout) deliver(w.onlogout, []); break;
        case "Identity:RP:Watch:OnReady": if (w.onready) deliver(w.onready, []); break;
        case "Identity:RP:Watch:OnCancel": if (onCancel) deliver(onCancel, []); break;
        case "Identity:RP:Watch:OnError": if (w.onerror) deliver(w.onerror, [m.message]); break;
      }
    }

    var api = {};
    // Methods are the page's own functions: what they throw is the exception a
    // page caught (2015: the binding's TypeError, or NS_ERROR_UNEXPECTED; 2014:
    // nsDOMIdentity.js's Error).
    api.watch = function (options) { return watch(options); };
    api.request = function (options) { return request(options); };
    api.logout = function () { return logout(); };
    return { api: api, receive: receive };
  }

  if (typeof module === "object" && module.exports) {
    module.exports = { createMozId: createMozId, describe: describe };
    return;
  }

  // ---- In a page: the socket to the phone, and user input tracking ----
  var script = document.currentScript;
  var base = new URL(script ? script.src : "/mozid-shim.js", location.href);
  var APPS = /*APPS*/{}/*END*/;
  var ERA = /*ERA*/"2015"/*END*/;
  var app = APPS[location.origin.toLowerCase()];
  if (!app) {
    console.error("mozidsim: " + location.origin + " is not an app of this phone; start it with mozidsim serve --app NAME=" + location.origin);
  }
  var status = app ? app.status : 0;

  // Gecko allowed request() "while a trusted event is being handled". A capture
  // listener marks the dispatch of a trusted click/key/touch; the window's bubble
  // listener, or the next task if propagation was stopped, ends it.
  var handling = 0;
  ["click", "keydown", "keyup", "mousedown", "mouseup", "touchend"].forEach(function (type) {
    root.addEventListener(type, function (e) {
      if (!e.isTrusted) return;
      handling++;
      var ended = false;
      function end() { if (!ended) { ended = true; handling--; } }
      root.addEventListener(type, end, { once: true });
      setTimeout(end, 0);
    }, true);
  });

  var socket = null, id = null, queue = [], closedReason = null;
  var mozId = createMozId({
    origin: location.origin, status: status, era: ERA, console: console,
    userInput: function () { return handling > 0; },
    send: function (call) {
      if (closedReason) { console.error("mozidsim: the phone is not connected (" + closedReason + "); call not delivered"); return; }
      if (id === null) queue.push(call);
      else socket.send(JSON.stringify({ type: "call", id: id, call: call }));
    }
  });

  function connect() {
    var u = new URL("ws", base);
    u.protocol = base.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(u.href);
    socket.onmessage = function (ev) {
      var m;
      try { m = JSON.parse(ev.data); } catch (e) { console.error("mozidsim: bad message from the phone", e); return; }
      if (m.type === "hello") {
        id = m.id;
        var q = queue; queue = [];
        q.forEach(function (call) { socket.send(JSON.stringify({ type: "call", id: id, call: call })); });
        return;
      }
      if (m.type === "message" && m.id === id) mozId.receive(m);
    };
    socket.onclose = function (ev) {
      closedReason = "closed " + ev.code + (ev.reason ? ": " + ev.reason : "");
      console.error("mozidsim: connection to the phone " + closedReason);
    };
  }
  connect();

  // The page-side core, for the vector test in a real browser.
  root.mozidsimShim = { createMozId: createMozId, describe: describe };
  var nav = root.navigator;
  Object.defineProperty(nav, "mozId", { value: mozId.api, configurable: true, enumerable: true });
})(typeof window !== "undefined" ? window : this);
