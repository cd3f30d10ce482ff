// Package conform is `mozidsim conform`: a conformance suite that drives a real
// relying party (RP) in real Chromium against the simulated Firefox OS phone of
// package webphone, and says rule by rule whether the RP uses navigator.mozId
// correctly.
//
// It stands for no single historic component. Its checks come from the Gecko
// mochitests and xpcshell tests that pinned navigator.mozId's behaviour
// (dom/identity/tests, toolkit/identity/tests; gecko-identity.md §9 and the
// checklist of §10), from the RP pitfalls the Persona project collected
// (anchors-libs.md §C.2) and from browserid-verifier's rules (fxaccounts-crypto.md
// §10). Its shape is the OpenID Foundation conformance suite's (anchors-libs.md
// §C.1): a plan of test modules with stable ids; each module sets up a world,
// drives the RP and logs small named conditions, each tied to the rule it
// enforces; negative modules hand the RP something bad and pass when the RP does
// not accept it within a bounded wait; an expected-failures file keeps CI green
// on known deviations.
package conform
