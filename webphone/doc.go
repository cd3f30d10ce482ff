// Package webphone is `mozidsim serve`: the simulated Firefox OS phone, of 2015
// or (Config.Era "2014") of spring 2014, offered to real web pages. A page adds
// one script, /mozid-shim.js, and gets a navigator.mozId whose page-side checks
// run synchronously in the page, a port of dom/identity/nsDOMIdentity.js
// ([D-late], or [D-early] in 2014); everything behind it (DOMIdentity,
// FirefoxAccounts, FxAccountsManager, FxAccounts, FxAccountsUIGlue, the Gaia
// System app and its FxA dialog, the FxA auth server) is the simulator's own
// actors.
//
// Each browser window is one websocket, the message-manager wall of the real
// phone: the shim reports each call with what it did, and receives the
// Identity:RP:Watch:On* messages. The Go nsDOMIdentity (package identity) stays
// the one source of truth: every call the shim reports is replayed through it,
// so the trace of a browser run reads exactly like an in-memory one, and any
// difference between the shim and Go is recorded as a shim-fidelity fault.
//
// The package also serves the phone's screens for a person (/), a verifier on
// the phone's clock (POST /v2), the issuer's key (/.well-known/browserid) and a
// JSON driver API for automation (/__mozidsim/...). See Server.Handler.
//
// The phone is package phone's, driven through its public API as an RP's own
// Go test drives one; internal/phoneinternal adds only what no RP needs (a
// world file's phone with serve's seed, era and clock, and the recorder a
// call's message is read back from).
package webphone
