// Package verifier is the relying party's side of the BrowserID exchange. It stands
// for mozilla/browserid-local-verify (lib/verify.js, lib/compare-audiences.js,
// lib/validation.js) as used behind the mozilla/browserid-verifier service
// (lib/v2.js, the POST /v2 API that FxA relying parties called in 2014–2015).
//
// Verify checks a backed assertion "cert~assertion" in the historic order: the
// certificate chain and the assertion cryptographically (signatures, iat/exp in
// milliseconds, no leeway), then that exactly one certificate was given, then the
// audience, then whether the issuer may speak for the principal's domain. Failures
// carry browserid-local-verify's reason strings byte for byte, and Handler serves
// them the way browserid-verifier did: HTTP 200 {"status":"failure","reason":...}.
package verifier
