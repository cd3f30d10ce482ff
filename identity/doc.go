// Package identity is Gecko's dom/identity as mozidsim actors, in its 2015 shape:
//
//   - NSDOMIdentity: dom/identity/nsDOMIdentity.js (WebIDL era, [D-late]), the
//     navigator.mozId object of one content window. All page-side validation and
//     the synchronous exceptions and onerror codes live here.
//   - DOMIdentity: dom/identity/DOMIdentity.jsm ([P-late]), the parent-process
//     router with the firefox-accounts permission check and the RPWatchContexts.
//   - MinimalIdentity: a stub for toolkit/identity/MinimalIdentity.jsm, the
//     BrowserID/Persona path, which is out of scope.
//
// The message-manager wall between child and parent is the sim message queue:
// NSDOMIdentity sends Identity:RP:* to wire.DOMIdentity, DOMIdentity answers with
// Identity:RP:Watch:On* to the page's own address (RPMessage.Target).
package identity
