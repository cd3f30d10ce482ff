/* Runs the shim against the vectors the Go nsDOMIdentity generated
 * (shim-vectors.json). Shared by the Node test (shim.test.js) and the Chromium
 * test (webphone/chromium_test.go): runCase returns the differences, [] when the
 * shim did exactly what Go did. */
(function (root) {
  "use strict";
  var STATUS = { certified: 3, privileged: 2, web: 1, browser: 0 };
  var ORIGIN = "http://127.0.0.1:1234";

  function toJS(d) {
    if (d === null || typeof d !== "object") return d;
    switch (d.$) {
      case "undefined": return undefined;
      case "object": return {};
      case "number": return Number(d.value);
      case "array": return d.value.map(toJS);
    }
    throw new Error("unknown described value " + JSON.stringify(d));
  }

  // shown is onerror's argument as the Go page's line shows it. A 2014 page
  // gets the parent's rejection itself (an object, or a string), written as
  // JSON.stringify would; the codes the window reports during a call are bare
  // strings in both eras.
  function shown(arg, fromParent, era) {
    if (era === "2014" && fromParent) return arg === undefined ? "undefined" : JSON.stringify(arg);
    return arg;
  }

  function same(a, b) { return JSON.stringify(canon(a)) === JSON.stringify(canon(b)); }
  function canon(v) {
    if (Array.isArray(v)) return v.map(canon);
    if (v && typeof v === "object") {
      var out = {};
      Object.keys(v).sort().forEach(function (k) { out[k] = canon(v[k]); });
      return out;
    }
    return v;
  }

  function runCase(createMozId, vc) {
    var problems = [];
    var userInput = false, reports = [], got = [], inner = null, innerDone = null, fromParent = false;
    var mozId = createMozId({
      origin: ORIGIN, status: STATUS[vc.kind], era: vc.era || "2015", console: { error: function () {} },
      send: function (c) { reports.push(c); },
      userInput: function () { return userInput; }
    });
    function callback(name) {
      return function (arg) {
        got.push(name === "onlogin" ? "onlogin " + (arg === null ? "null" : arg) : name === "onerror" ? "onerror " + shown(arg, fromParent, vc.era) : name);
        if (inner) { var c = inner; inner = null; innerDone = call(c); }
      };
    }
    function options(list) {
      var o = {};
      (list || []).forEach(function (p) {
        o[p[0]] = p[1] && p[1].$ === "function" ? callback(p[0]) : toJS(p[1]);
      });
      return o;
    }
    function call(c) {
      var before = reports.length, threw = null, parent = fromParent;
      fromParent = false; // a call from inside a callback reports its own codes
      try {
        if (c.call === "logout") mozId.api.logout();
        else mozId.api[c.call](options(c.options));
      } catch (e) { threw = e; }
      fromParent = parent;
      return { threw: threw, reports: reports.slice(before) };
    }
    function check(where, done, expect, wantUserInput) {
      if (done.reports.length !== 1) {
        problems.push(where + ": " + done.reports.length + " reports, want 1");
        return;
      }
      var r = done.reports[0];
      if (!same(r.result, expect)) problems.push(where + ": result " + JSON.stringify(r.result) + ", Go " + JSON.stringify(expect));
      if (r.userInput !== wantUserInput) problems.push(where + ": reported userInput " + r.userInput + ", want " + wantUserInput);
      var msg = done.threw ? done.threw.message : undefined;
      if (msg !== expect.throws) problems.push(where + ": threw " + msg + ", Go threw " + expect.throws);
      if (done.threw && !(done.threw instanceof Error)) problems.push(where + ": threw a non-Error");
    }
    vc.steps.forEach(function (st, i) {
      var where = "step " + (i + 1);
      got = [];
      if (st.call) {
        userInput = st.call.userInput;
        check(where, call(st.call), st.expect, st.call.userInput);
      } else if (st.deliver) {
        // A click being handled does not make a call from a callback user input.
        userInput = true;
        inner = st.inCallback || null;
        innerDone = null;
        fromParent = true;
        try {
          mozId.receive({ name: st.deliver.name, id: "w", assertion: st.deliver.assertion, message: st.deliver.message });
        } finally { fromParent = false; }
        if (st.inCallback) {
          if (!innerDone) problems.push(where + ": the callback never ran");
          else check(where + " (in the callback)", innerDone, st.expect, false);
        }
      }
      userInput = false;
      if (!same(got, st.callbacks)) problems.push(where + ": callbacks " + JSON.stringify(got) + ", Go " + JSON.stringify(st.callbacks));
    });
    return problems;
  }

  var api = { runCase: runCase };
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.shimRunner = api;
})(this);
