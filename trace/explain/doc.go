// Package explain turns a mozidsim trace into something to learn from: numbered
// steps, each tagged with the seed walkthrough's step (MozillaWiki
// "Marketplace/FirefoxAccounts/FxOS Control Flow", 2015: I.1–I.8 for watch,
// II.1–II.14 for request and sign-in), the historic file that takes it
// (dom/identity/nsDOMIdentity.js, services/fxaccounts/FxAccountsManager.jsm,
// apps/system/js/fxa_manager.js, ...) and a sentence of why; Mermaid sequence
// diagrams grouped by process; and the state machines as state diagrams. It
// stands for no historic component: it is the teaching companion of that
// walkthrough. Tags are defined in docs/REFERENCES.md.
package explain
