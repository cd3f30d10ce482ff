// Package browserid stands for the BrowserID crypto layer of Firefox OS (2014–2015):
// Gecko's toolkit/identity/jwcrypto.jsm with its native helper
// toolkit/identity/IdentityCryptoService.cpp (DSA user keys, the assertion the phone
// signs), and the formats of mozilla/browserid-crypto (lib/jwcrypto.js, lib/cert.js,
// lib/assertion.js, lib/algs/ds.js, lib/algs/rs.js) that the FxA auth server signs
// certificates with and that verifiers parse.
//
// What it reproduces byte for byte:
//   - the Gecko assertion: header {"alg":"DS128"} (hard-coded by Gecko whatever the
//     key), payload {"exp":<ms>,"aud":<audience>}, base64url with '=' padding kept,
//     DSA-SHA1 signature as raw r||s;
//   - the FxA certificate: RS256 JWS whose payload carries "public-key" (the
//     "old" {"algorithm":"DS",...} key format), "principal", iat/exp in JS
//     milliseconds, "iss" and the fxa-* claims in a fixed order;
//   - the browserid-crypto parsing rules: three segments, base64url re-padded by
//     length, signatures decoded leniently, "algorithms do not match" when the header
//     alg differs from the name the key derives (so a "DS160" header fails), and the
//     exact reason strings of its errors.
package browserid
