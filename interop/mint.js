// Mints FxA-style certificates and backed assertions with mozilla's browserid-crypto
// (RS256 issuer key, DS128 user keys) for mozidsim's verifier: node mint.js > FILE
'use strict';
var jwcrypto = require('browserid-crypto');
require('browserid-crypto/lib/algs/rs');
require('browserid-crypto/lib/algs/ds');

var issuer = 'api.accounts.firefox.com', audience = 'app://rp.gaiamobile.org';
var uid = '0123456789abcdef0123456789abcdef', email = uid + '@' + issuer;
var now = Date.now();

function keypair(alg, size) {
  return new Promise(function (ok, ko) {
    jwcrypto.generateKeypair({ algorithm: alg, keysize: size }, function (e, kp) { e ? ko(e) : ok(kp); });
  });
}
function cert(userPub, exp, issuerSecret) {
  return new Promise(function (ok, ko) {
    jwcrypto.cert.sign({ publicKey: userPub, principal: { email: email } },
      { issuer: issuer, issuedAt: new Date(now - 10000), expiresAt: new Date(exp) },
      { 'fxa-generation': now - 3600000, 'fxa-lastAuthAt': Math.floor(now / 1000) - 60, 'fxa-verifiedEmail': 'bob@example.com' },
      issuerSecret, function (e, c) { e ? ko(e) : ok(c); });
  });
}
function assertion(aud, exp, secret) {
  return new Promise(function (ok, ko) {
    jwcrypto.assertion.sign({}, { audience: aud, expiresAt: new Date(exp) }, secret, function (e, a) { e ? ko(e) : ok(a); });
  });
}

(async function () {
  var idp = await keypair('RS', 256);
  var user = await keypair('DS', 128);
  var other = await keypair('DS', 128);
  var good = await cert(user.publicKey, now + 6 * 3600000, idp.secretKey);
  var expiredCert = await cert(user.publicKey, now - 60000, idp.secretKey);
  var a = await assertion(audience, now + 120000, user.secretKey);
  // A real two-link chain: the IdP certifies an intermediate key, which certifies the user key.
  // RS128: Go's crypto/rsa refuses the 512-bit RS64 keys browserid-crypto allows "for testing".
  var mid = await keypair('RS', 128);
  var viaMid = await cert(mid.publicKey, now + 3600000, idp.secretKey);
  var leaf = await cert(user.publicKey, now + 3600000, mid.secretKey);
  var evil = await assertion('app://evil.gaiamobile.org', now + 120000, user.secretKey);
  var p = a.split('.'), tampered = p[0] + '.' + evil.split('.')[1] + '.' + p[2];
  var okay = { status: 'okay', email: email, verifiedEmail: 'bob@example.com' };
  var fail = function (r) { return { status: 'failure', reason: r }; };
  var cases = [
    { name: 'valid (app: audience)', assertion: jwcrypto.cert.bundle([good], a), audience: audience, expect: okay },
    { name: 'wrong audience', assertion: jwcrypto.cert.bundle([good], a), audience: 'app://other.gaiamobile.org', expect: fail('audience mismatch: domain mismatch') },
    { name: 'wrong scheme', assertion: jwcrypto.cert.bundle([good], a), audience: 'https://rp.gaiamobile.org', expect: fail('audience mismatch: scheme mismatch') },
    { name: 'expired assertion', assertion: jwcrypto.cert.bundle([good], await assertion(audience, now - 1000, user.secretKey)), audience: audience, expect: fail('expired') },
    { name: 'expired certificate', assertion: jwcrypto.cert.bundle([expiredCert], a), audience: audience, expect: fail('expired') },
    { name: 'tampered assertion', assertion: jwcrypto.cert.bundle([good], tampered), audience: audience, expect: fail('invalid signature') },
    { name: 'signed by another key', assertion: jwcrypto.cert.bundle([good], await assertion(audience, now + 60000, other.secretKey)), audience: audience, expect: fail('invalid signature') },
    // [good, good] is a broken chain: the 2nd cert is not signed by the 1st cert's (DS) key.
    { name: 'two certificates, broken chain', assertion: jwcrypto.cert.bundle([good, good], a), audience: audience, expect: fail('algorithms do not match') },
    { name: 'two certificates, valid chain', assertion: jwcrypto.cert.bundle([viaMid, leaf], a), audience: audience, expect: fail('certificate chaining is not yet allowed') }
  ];
  process.stdout.write(JSON.stringify({ issuer: issuer, publicKey: JSON.parse(idp.publicKey.serialize()), now: now, cases: cases }, null, 2) + '\n');
})().catch(function (e) { console.error(e); process.exit(1); });
