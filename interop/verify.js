// Verifies fixtures (from `gotool mint`) with mozilla's browserid-local-verify.
//   node verify.js FILE [--break] [--bench [--bench-ms N]]
// --break corrupts the first assertion that should verify: the run must then fail,
// which proves the harness can fail. --bench prints verifications per second.
'use strict';
var fs = require('fs');
var BrowserID = require('browserid-local-verify');

var args = process.argv.slice(2);
var fx = JSON.parse(fs.readFileSync(args[0], 'utf8'));
var breakOne = args.indexOf('--break') !== -1;
var bench = args.indexOf('--bench') !== -1;
// --bench-ms N: how long one throughput round lasts (default 3000).
var benchMS = args.indexOf('--bench-ms') !== -1 ? parseInt(args[args.indexOf('--bench-ms') + 1], 10) : 3000;

var supportDoc = JSON.stringify({
  'public-key': JSON.parse(JSON.stringify(fx.publicKey)),
  authentication: '/.well-known/browserid/sign_in.html',
  provisioning: '/.well-known/browserid/provision.html'
});
var verifier = new BrowserID({
  // Stands in for https://<issuer>/.well-known/browserid: everything stays offline.
  httpRequest: function (domain, path, cb) {
    if (domain !== fx.issuer) return cb(null, 404, {}, '');
    cb(null, 200, { 'content-type': 'application/json' }, supportDoc);
  }
});

function verifyOne(c, cb) {
  verifier.verify({ assertion: c.assertion, audience: c.audience, now: new Date(fx.now) }, function (err, r) {
    if (err) return cb({ status: 'failure', reason: String(err) });
    cb({ status: 'okay', email: r.email, verifiedEmail: (r.idpClaims || {})['fxa-verifiedEmail'] });
  });
}

if (breakOne) {
  for (var i = 0; i < fx.cases.length; i++) {
    if (fx.cases[i].expect.status === 'okay') {
      var a = fx.cases[i].assertion;
      var pos = a.length - 5; // inside the assertion's signature
      fx.cases[i].assertion = a.slice(0, pos) + (a[pos] === 'A' ? 'B' : 'A') + a.slice(pos + 1);
      break;
    }
  }
}

if (bench) {
  var c = fx.cases.filter(function (x) { return x.expect.status === 'okay'; })[0];
  var n = 0, start = Date.now();
  (function loop() {
    verifyOne(c, function (got) {
      if (got.status !== 'okay') { console.error('bench case failed:', got); process.exit(1); }
      n++;
      if (Date.now() - start < benchMS) return setImmediate(loop);
      console.log('js verify: ' + Math.round(n / ((Date.now() - start) / 1000)) + ' ops/s');
    });
  })();
} else {
  var passed = 0, failed = 0, idx = 0;
  (function next() {
    if (idx === fx.cases.length) {
      console.log('js-verify: ' + passed + ' passed, ' + failed + ' failed');
      process.exit(failed > 0 || passed === 0 ? 1 : 0);
    }
    var c = fx.cases[idx++];
    verifyOne(c, function (got) {
      var want = c.expect, same = got.status === want.status &&
        (got.status === 'okay' ? got.email === want.email && got.verifiedEmail === want.verifiedEmail : got.reason === want.reason);
      if (same) { passed++; console.log('ok   ' + c.name); }
      else { failed++; console.log('FAIL ' + c.name + ': want ' + JSON.stringify(want) + ', got ' + JSON.stringify(got)); }
      next();
    });
  })();
}
