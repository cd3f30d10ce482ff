// Package trace is the trace file format of mozidsim runs: encoding events
// (secrets masked to role tokens, assertions decoded), reading and writing
// mozidsim-trace/1 files, and replaying a recording against a fresh run. It
// stands for no Gecko or Gaia file. Package trace/explain turns a trace into
// numbered, explained steps and Mermaid diagrams; trace/live plays it in a
// browser.
//
// The trace (sim.Event, from internal/sim) is the single source of everything
// built on it: nothing re-derives the flow.
//
// # Trace files (format mozidsim-trace/1)
//
// JSON Lines, UTF-8, one object per line. Line 1 is the header:
//
//	{"format":"mozidsim-trace/1","mozidsim":"0.1.0","scenario":"request-sign-in",
//	 "file":"scenarios/request-sign-in.yaml","seed":1,"start":"2015-06-01T12:00:00Z",
//	 "source":"<the scenario file, passwords masked>"}
//
// Every other line is one event, members always in this order:
//
//	{"seq":12,"at":"0s","kind":"hop","from":"FxAccountsUIGlue",
//	 "to":"System/FxAccountsManager","name":"mozFxAccountsUnsolChromeEvent",
//	 "payload":{"eventName":"openFlow","id":"<uuid#2>"}}
//
// kind is hop (a message between actors), timer, call (a page calling its
// navigator.mozId; from is nsDOMIdentity[app], to the page), callback (what the
// page received), note (what an actor logged), dropped (a message to an actor that
// is gone) or fault. at is the virtual time since start. payload is the message's
// Go value as JSON: struct fields in lowerCamel case in declaration order, JS
// objects (wire.Obj) in their own key order, undefined and NaN as {"$js":...},
// JavaScript Error objects as {"$error":"Error: ..."}. A Gecko <-> Gaia custom
// event (wire.JSShaped) is its detail object as the historic code built it, with
// JSON.stringify's rules: openFlow's data, undefined, is left out above.
//
// Values that must not or cannot be compared byte for byte are written as role
// tokens "<kind#n>", n counting distinct values of that kind in order of first
// appearance: passwords (<password#n>), session and key-fetch tokens
// (<sessionToken#n>), key material (<key#n>), FxA uids (<uid#n>), UUIDs anywhere
// in a string (<uuid#n>), public keys ({"algorithm":"DS","key":"<publicKey#n>"}),
// signatures (<signature#n>). Secrets never appear in clear, not even in the
// header: the scenario text carries same-length placeholders ("pw1xxxxx"), which
// behave exactly like the originals.
//
// A certificate or assertion (any JWS, or "cert~assertion" bundle) is written
// decoded, with its raw form kept under "$raw":
//
//	{"$role":"<backedAssertion#1>",
//	 "certificates":[{"$role":"<certificate#1>","header":{"alg":"RS256"},
//	   "claims":{"public-key":{"algorithm":"DS","key":"<publicKey#1>"},
//	             "principal":{"email":"..."},"iat":...,"exp":...,"iss":"..."},
//	   "signature":"<signature#1>","$virtual":{"iat":"T+0s","exp":"T+6h0m0s"}}],
//	 "assertion":{"$role":"<assertion#1>","header":{"alg":"DS128"},
//	   "claims":{"exp":...,"aud":"https://shop.example.com"},"signature":"<signature#2>",...},
//	 "$raw":"eyJhbGciOiJSUzI1NiJ9...~eyJhbGciOiJEUzEyOCJ9..."}
//
// "$virtual" shows time claims as offsets from the run's start.
//
// # Replay
//
// Replay re-runs the header's scenario with its seed and compares line by line:
// every member must be equal except "$raw", so keys, signatures and UUIDs count
// only by role. The first difference is reported with the lines around it.
//
// A reader refuses any format other than mozidsim-trace/1; a change to what a
// line means bumps the version.
//
// # Golden traces
//
// scenarios/testdata/golden holds the trace of every shipped scenario, and `go
// test ./scenarios` replays each one through Library.Replay: a behaviour change
// fails with the Diff's report. `go test ./scenarios -run Golden -update`
// records again the goldens that no longer replay or whose scenario file
// changed, leaving the others (whose keys and signatures would churn) alone.
package trace
