package verifier

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/stretchr/testify/require"
)

func requireFailure(t *testing.T, res *Result, err error, reason string) {
	t.Helper()
	require.Nil(t, res)
	require.Error(t, err)
	got, ok := reasonOf(err)
	require.True(t, ok, "want *Failure, got %T: %v", err, err)
	require.Equal(t, reason, got)
	require.Equal(t, reason, err.Error())
}

func TestVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	res, err := f.v.Verify(f.backed, testAud)
	require.NoError(t, err)
	require.Equal(t, &Result{
		Audience: testAud,
		Expires:  1425000120000,
		Issuer:   fxaIssuer,
		Email:    testEmail,
		IdpClaims: map[string]any{
			"fxa-generation":    float64(1424999000000),
			"fxa-lastAuthAt":    float64(1424999990),
			"fxa-verifiedEmail": "user@example.com",
		},
		Status: "okay",
	}, res)
	require.Equal(t, "user@example.com", res.VerifiedEmail())
	require.Equal(t, []string{fxaIssuer + " for " + fxaIssuer}, f.look.calls)

	b, err := json.Marshal(res)
	require.NoError(t, err)
	require.Equal(t, `{"audience":"app://rp.gaiamobile.org","expires":1425000120000,"issuer":"api.accounts.firefox.com",`+
		`"email":"`+testEmail+`","idpClaims":{"fxa-generation":1424999000000,"fxa-lastAuthAt":1424999990,`+
		`"fxa-verifiedEmail":"user@example.com"},"status":"okay"}`, string(b))
}

func TestVerifyTimeBoundaries(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// exp == now is still valid (only exp < now fails); iat == now is fine.
	f.v.Now = func() time.Time { return testNow.Add(2 * time.Minute) }
	_, err := f.v.Verify(f.backed, testAud)
	require.NoError(t, err)

	f.v.Now = func() time.Time { return testNow.Add(2*time.Minute + time.Millisecond) }
	res, err := f.v.Verify(f.backed, testAud)
	requireFailure(t, res, err, "expired")

	// The cert was issued 10 s before testNow (FxA back-dating): 1 ms before that is early.
	f.v.Now = func() time.Time { return testNow.Add(-10*time.Second - time.Millisecond) }
	res, err = f.v.Verify(f.backed, testAud)
	requireFailure(t, res, err, "issued later than verification date")
	f.v.Now = func() time.Time { return testNow.Add(-10 * time.Second) }
	_, err = f.v.Verify(f.backed, testAud)
	require.NoError(t, err)
}

func TestVerifyFailures(t *testing.T) {
	t.Parallel()
	issuer, other := testKeys(t)
	f := newFixture(t)
	certParts := strings.Split(f.cert, ".")
	asParts := strings.Split(f.signed, ".")
	signCert := func(mod func(*browserid.CertParams), key any) string {
		p := fxaCert(f.user.Public())
		if mod != nil {
			mod(&p)
		}
		k := issuer
		if key != nil {
			k = key.(*rsaKey).PrivateKey
		}
		c, err := browserid.SignCertificate(p, k)
		require.NoError(t, err)
		return c
	}
	assertionWith := func(payload string) string {
		tok, err := browserid.SignJWS(f.user, []byte(`{"alg":"DS128"}`), []byte(payload))
		require.NoError(t, err)
		return tok
	}
	second := userKey(t)
	secondAssertion, err := browserid.SignAssertion(second, testAud, testNow.Add(time.Minute))
	require.NoError(t, err)
	chainCert := assertionWith(`{"public-key":` + pubJSON(t, second) + `,"principal":{"email":"` + testEmail +
		`"},"iat":1424999990000,"exp":1425021600000,"iss":"` + fxaIssuer + `"}`)

	cases := []struct {
		name, backed, audience, reason string
	}{
		{"tampered assertion payload",
			f.cert + "~" + asParts[0] + "." + base64.URLEncoding.EncodeToString([]byte(`{"exp":1425000120000,"aud":"app://evil.gaiamobile.org"}`)) + "." + asParts[2],
			"app://evil.gaiamobile.org", "invalid signature"},
		{"tampered assertion signature",
			f.cert + "~" + asParts[0] + "." + asParts[1] + "." + flipBit(t, asParts[2]), testAud, "invalid signature"},
		{"tampered certificate payload",
			certParts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(mustDecode(t, certParts[1]), "user@example.com", "evil@example.com", 1))) + "." + certParts[2] + "~" + f.signed,
			testAud, "invalid signature"},
		{"expired certificate",
			signCert(func(p *browserid.CertParams) { p.ExpiresAt = testNow.Add(-time.Millisecond) }, nil) + "~" + f.signed, testAud, "expired"},
		{"certificate issued in the future",
			signCert(func(p *browserid.CertParams) { p.IssuedAt = testNow.Add(time.Millisecond) }, nil) + "~" + f.signed, testAud, "issued later than verification date"},
		{"expired assertion",
			f.cert + "~" + assertionWith(`{"exp":1424999999999,"aud":"`+testAud+`"}`), testAud, "expired"},
		{"assertion issued in the future",
			f.cert + "~" + assertionWith(`{"iat":1425000000001,"exp":1425000120000,"aud":"`+testAud+`"}`), testAud, "issued later than verification date"},
		{"assertion signed by another key",
			f.cert + "~" + secondAssertion, testAud, "invalid signature"},
		{"certificate signed by another issuer key",
			signCert(nil, &rsaKey{other}) + "~" + f.signed, testAud, "invalid signature"},
		{"DS160 assertion header",
			f.cert + "~" + mustSignJWS(t, f.user, `{"alg":"DS160"}`, `{"exp":1425000120000,"aud":"`+testAud+`"}`), testAud, "algorithms do not match"},
		{"two valid certificates",
			f.cert + "~" + chainCert + "~" + secondAssertion, testAud, "certificate chaining is not yet allowed"},
		{"two certificates, second not signed by the first's key (crypto before chaining)",
			f.cert + "~" + f.cert + "~" + f.signed, testAud, "algorithms do not match"},
		{"scheme", f.backed, "https://rp.gaiamobile.org", "audience mismatch: scheme mismatch"},
		{"port", f.backed, "app://rp.gaiamobile.org:8080", "audience mismatch: port mismatch"},
		{"domain", f.backed, "app://other.gaiamobile.org", "audience mismatch: domain mismatch"},
		{"path", f.backed, "app://rp.gaiamobile.org/index.html", "audience mismatch: has non-empty path"},
		{"audience checked after crypto", f.cert + "~" + secondAssertion, "https://nowhere.example", "invalid signature"},
		{"no tilde", f.signed, testAud, "no certificates provided"},
		{"empty", "", testAud, "no certificates provided"},
		{"certificate with two parts", certParts[0] + "." + certParts[1] + "~" + f.signed, testAud, "signed object must have three parts, this one has 2"},
		{"assertion with two parts", f.cert + "~" + asParts[0] + "." + asParts[1], testAud, "signed object must have three parts, this one has 2"},
		{"certificate header bad base64", "!!!!." + certParts[1] + "." + certParts[2] + "~" + f.signed, testAud, "headersegment: invalid json"},
		{"certificate payload not JSON", certParts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte("hello")) + "." + certParts[2] + "~" + f.signed, testAud, "payloadsegment: invalid json"},
		{"assertion header illegal length", f.cert + "~abcde." + asParts[1] + "." + asParts[2], testAud, "header segment: Illegal base64url string!"},
		{"issuer unknown to the lookup",
			signRS256(t, issuer, `{"public-key":`+pubJSON(t, f.user)+`,"principal":{"email":"a@b.example"},"iss":"b.example"}`) + "~" + f.signed,
			testAud, "no support document for b.example"},
		{"certificate without iss",
			signRS256(t, issuer, `{"public-key":`+pubJSON(t, f.user)+`,"principal":{"email":"a@b.example"}}`) + "~" + f.signed,
			testAud, "malformed input: the first certificate has no issuer (iss)"},
		{"certificate without public-key",
			signRS256(t, issuer, `{"principal":{"email":"`+testEmail+`"},"iss":"`+fxaIssuer+`"}`) + "~" + f.signed,
			testAud, "malformed input: certificate has no public-key object"},
		{"certificate with an unknown key algorithm",
			signRS256(t, issuer, `{"public-key":{"algorithm":"EC"},"principal":{"email":"`+testEmail+`"},"iss":"`+fxaIssuer+`"}`) + "~" + f.signed,
			testAud, "no such algorithm: EC"},
		{"assertion without aud",
			f.cert + "~" + assertionWith(`{"exp":1425000120000}`), testAud, "audience mismatch: the assertion has no aud string"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := f.v.Verify(c.backed, c.audience)
			requireFailure(t, res, err, c.reason)
		})
	}
}

// rsaKey wraps a key so the table above can tell "default issuer" (nil) apart.
type rsaKey = struct{ *rsa.PrivateKey }

// flipBit flips one bit inside a padded base64url signature (in r, so it stays r||s).
func flipBit(t *testing.T, seg string) string {
	t.Helper()
	b, err := base64.URLEncoding.DecodeString(seg)
	require.NoError(t, err)
	b[7] ^= 0x10
	return base64.URLEncoding.EncodeToString(b)
}

func mustDecode(t *testing.T, seg string) string {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	require.NoError(t, err)
	return string(b)
}

func mustSignJWS(t *testing.T, k *browserid.DSAKey, header, payload string) string {
	t.Helper()
	tok, err := browserid.SignJWS(k, []byte(header), []byte(payload))
	require.NoError(t, err)
	return tok
}

func TestIssuerTrust(t *testing.T) {
	t.Parallel()
	issuer, other := testKeys(t)
	f := newFixture(t)
	f.look.keys["evil.example"] = &browserid.PublicKey{RSA: &other.PublicKey}

	evilCert, err := browserid.SignCertificate(browserid.CertParams{
		PublicKey: f.user.Public(), Email: testEmail, Issuer: "evil.example",
		IssuedAt: testNow.Add(-time.Second), ExpiresAt: testNow.Add(time.Hour),
	}, other)
	require.NoError(t, err)
	backed := evilCert + "~" + f.signed

	res, err := f.v.Verify(backed, testAud)
	requireFailure(t, res, err, "untrusted issuer, expected 'api.accounts.firefox.com', got 'evil.example'")
	require.Equal(t, []string{"evil.example for api.accounts.firefox.com"}, f.look.calls)

	f.v.TrustedIssuers = []string{"login.persona.org", "evil.example"}
	res, err = f.v.Verify(backed, testAud)
	require.NoError(t, err)
	require.Equal(t, "evil.example", res.Issuer)
	require.Equal(t, testEmail, res.Email)
	require.Nil(t, res.IdpClaims)
	require.Equal(t, "", res.VerifiedEmail())

	// A principal whose domain is the issuer itself needs no trust list (FxA's case),
	// and the principal domain is compared lowercased.
	mixed, err := browserid.SignCertificate(browserid.CertParams{
		PublicKey: f.user.Public(), Email: "uid@API.Accounts.Firefox.com", Issuer: fxaIssuer,
	}, issuer)
	require.NoError(t, err)
	f.v.TrustedIssuers = nil
	res, err = f.v.Verify(mixed+"~"+f.signed, testAud)
	require.NoError(t, err)
	require.Equal(t, "uid@API.Accounts.Firefox.com", res.Email)

	// No email at all, untrusted issuer.
	noEmail := signRS256(t, issuer, `{"public-key":`+pubJSON(t, f.user)+`,"principal":{"uuid":"u-1"},"iss":"`+fxaIssuer+`"}`)
	res, err = f.v.Verify(noEmail+"~"+f.signed, testAud)
	requireFailure(t, res, err, "untrusted assertion, doesn't contain an email, and issuer is untrusted ")
	f.v.TrustedIssuers = []string{fxaIssuer}
	res, err = f.v.Verify(noEmail+"~"+f.signed, testAud)
	require.NoError(t, err)
	require.Equal(t, "", res.Email)
	require.Equal(t, map[string]any{"uuid": "u-1"}, res.IdpClaims)

	// "sub" stands in for a missing principal email when finding the domain.
	subOnly := signRS256(t, issuer, `{"public-key":`+pubJSON(t, f.user)+`,"sub":"x@`+fxaIssuer+`","iss":"`+fxaIssuer+`"}`)
	f.v.TrustedIssuers = nil
	res, err = f.v.Verify(subOnly+"~"+f.signed, testAud)
	require.NoError(t, err)
	require.Equal(t, "", res.Email)
}

func TestExtraClaims(t *testing.T) {
	t.Parallel()
	issuer, _ := testKeys(t)
	f := newFixture(t)
	cert := signRS256(t, issuer, `{"fxa-generation":5,"public-key":`+pubJSON(t, f.user)+
		`,"principal":{"email":"`+testEmail+`","uuid":"0ee7"},"iat":1424999990000,"exp":1425021600000,"iss":"`+fxaIssuer+
		`","nbf":1,"jti":"j","sub":"s","aud":"a","pubkey":"p","custom":{"a":[1,2]}}`)
	as := mustSignJWS(t, f.user, `{"alg":"DS128"}`, `{"exp":1425000120000,"aud":"`+testAud+`","nonce":"n-1"}`)
	res, err := f.v.Verify(cert+"~"+as, testAud)
	require.NoError(t, err)
	require.Equal(t, map[string]any{"fxa-generation": float64(5), "uuid": "0ee7", "custom": map[string]any{"a": []any{float64(1), float64(2)}}}, res.IdpClaims)
	require.Equal(t, map[string]any{"nonce": "n-1"}, res.UserClaims)
}

func TestVerifierMisconfigured(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, v := range []*Verifier{nil, {LookupIssuerKey: f.look.lookup}, {Now: time.Now}} {
		res, err := v.Verify(f.backed, testAud)
		require.Nil(t, res)
		require.EqualError(t, err, "verifier: Now and LookupIssuerKey are required")
		_, isFailure := reasonOf(err)
		require.False(t, isFailure)
	}
}

func TestLookupErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.v.LookupIssuerKey = func(string, string) (*browserid.PublicKey, error) { return nil, nil }
	res, err := f.v.Verify(f.backed, testAud)
	requireFailure(t, res, err, "no public keys found for root issuer")

	cause := errors.New("support document lookup timed out")
	f.v.LookupIssuerKey = func(string, string) (*browserid.PublicKey, error) { return nil, cause }
	res, err = f.v.Verify(f.backed, testAud)
	requireFailure(t, res, err, "support document lookup timed out")
	require.ErrorIs(t, err, cause)

	f.v.LookupIssuerKey = func(string, string) (*browserid.PublicKey, error) {
		return nil, &Failure{Reason: "untrusted issuer, expected 'undefined', got 'x'"}
	}
	res, err = f.v.Verify(f.backed, testAud)
	requireFailure(t, res, err, "untrusted issuer, expected 'undefined', got 'x'")
}

func TestCompareAudiences(t *testing.T) {
	t.Parallel()
	cases := []struct{ want, got, reason string }{
		{"app://x", "app://x", ""},
		{"app://rp.gaiamobile.org", "app://rp.gaiamobile.org/", ""},
		{"https://x", "https://x:443", ""},
		{"https://x:443", "https://x", ""},
		{"http://x", "http://x:80", ""},
		{"http://x", "x", ""},
		{"http://x", "x:80", ""},
		{"http://localhost:8080", "localhost:8080", ""},
		{"http://x", "http://x/", ""},
		{"HTTPS://X.Example", "https://x.example", ""},
		{"https://x.example", "HTTPS://X.EXAMPLE", ""},
		{"http://x", "http://user:pw@x", ""},
		{"https://x", "x", "scheme mismatch"},
		{"https://x", "x:443", "scheme mismatch"},
		{"app://x", "x", "scheme mismatch"},
		{"app://x", "https://x", "scheme mismatch"},
		{"x", "http://x", "scheme mismatch"}, // a bare aud is not an origin
		{"https://x:8443", "https://x", "port mismatch"},
		{"https://x", "https://x:8443", "port mismatch"},
		{"http://localhost:8080", "localhost", "port mismatch"},
		{"app://x", "app://x:443", "port mismatch"},
		{"http://x", "http://y", "domain mismatch"},
		{"https://x.example", "https://x.example.evil", "domain mismatch"},
		{"http://x", "", "domain mismatch"},
		{"http://x", "http://x/p", "has non-empty path"},
		{"http://x", "x/p", "has non-empty path"},
		{"http://x", "http://x?q=1", "has non-empty path"},
		{"http://x", "http://x#frag", ""},
	}
	for _, c := range cases {
		require.Equal(t, c.reason, compareAudiences(c.want, c.got), "want %q got %q", c.want, c.got)
	}
}

func TestAudienceFormsThroughVerify(t *testing.T) {
	t.Parallel()
	issuer, _ := testKeys(t)
	f := newFixture(t)
	cert, err := browserid.SignCertificate(fxaCert(f.user.Public()), issuer)
	require.NoError(t, err)
	for _, c := range []struct{ aud, rp, reason string }{
		{"app://x", "app://x", ""},
		{"https://x", "https://x:443", ""},
		{"https://x:443", "https://x", ""},
		{"http://x:8080", "x:8080", ""},
		{"http://x", "x", ""},
		{"https://x", "x", "audience mismatch: scheme mismatch"},
	} {
		as, err := browserid.SignAssertion(f.user, c.aud, testNow.Add(time.Minute))
		require.NoError(t, err)
		res, err := f.v.Verify(cert+"~"+as, c.rp)
		if c.reason == "" {
			require.NoError(t, err, "aud %q rp %q", c.aud, c.rp)
			require.Equal(t, c.rp, res.Audience, "audience echoed as the RP supplied it")
		} else {
			requireFailure(t, res, err, c.reason)
		}
	}
}

func TestJSDate(t *testing.T) {
	t.Parallel()
	absent := []any{nil, false, 0.0, ""}
	for _, v := range absent {
		_, ok := jsDate(v)
		require.False(t, ok, "%#v", v)
	}
	for v, want := range map[any]float64{1425000000000.0: 1425000000000, 1.9: 1, -1.9: -1, "123": 123, " 7 ": 7, true: 1} {
		got, ok := jsDate(v)
		require.True(t, ok)
		require.Equal(t, want, got, "%#v", v)
	}
	for _, v := range []any{"abc", 9e15, math.Inf(1), []any{}, map[string]any{}} {
		got, ok := jsDate(v)
		require.True(t, ok)
		require.True(t, math.IsNaN(got), "%#v", v)
	}
}
