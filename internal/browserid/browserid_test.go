package browserid

import (
	"crypto"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"
)

const (
	testGroupP = "ff600483db6abfc5b45eab78594b3533d550d9f1bf2a992a7a8daa6dc34f8045ad4e6e0c429d334eeeaaefd7e23d4810be00e4cc1492cba325ba81ff2d5a5b305a8d17eb3bf4a06a349d392e00d329744a5179380344e82a18c47933438f891e22aeef812d69c8f75e326cb70ea000c3f776dfdbd604638c2ef717fc26d02e17"
	testGroupQ = "e21e04f911d1ed7991008ecaab3bf775984309c3"
	testGroupG = "c52a4a0ff3b7e61fdf1867ce84138369a6154f4afa92966e3c827e25cfa6cf508b90e5de419e1337e07a2e9e2a3cd5dea704d175f8ebf6af397d69e110b96afb17c7a03259329e4829b0d03bbc7896b15b4ade53e130858cc34d96269aa89041f409136c7242a38895c9d5bccad4f389af1d7a4bd1398bd072dffa896233397a"
)

var (
	testNow   = time.UnixMilli(1425000000000)
	testEmail = "0123456789abcdef0123456789abcdef@api.accounts.firefox.com"
)

func fxaCertParams(pub *PublicKey) CertParams {
	return CertParams{
		PublicKey: pub,
		Email:     testEmail,
		IssuedAt:  testNow.Add(-10 * time.Second),
		ExpiresAt: testNow.Add(6 * time.Hour),
		Issuer:    "api.accounts.firefox.com",
		Extra: []Claim{
			{"fxa-generation", int64(1424999000000)},
			{"fxa-lastAuthAt", int64(1424999990)},
			{"fxa-verifiedEmail", "user@example.com"},
		},
	}
}

func dsJSON(k *DSAKey) string {
	return fmt.Sprintf(`{"algorithm":"DS","y":"%s","p":"%s","q":"%s","g":"%s"}`,
		k.priv.Y.Text(16), testGroupP, testGroupQ, testGroupG)
}

// signJWS signs arbitrary header/payload JSON with the user key, Gecko style.
func signJWS(t *testing.T, k *DSAKey, header, payload string) string {
	t.Helper()
	tok, err := SignJWS(k, []byte(header), []byte(payload))
	require.NoError(t, err)
	return tok
}

func requireReason(t *testing.T, err error, kind ErrorKind, reason string) {
	t.Helper()
	require.Error(t, err)
	var be *Error
	require.True(t, errors.As(err, &be), "want *browserid.Error, got %T: %v", err, err)
	require.Equal(t, reason, be.Reason)
	require.Equal(t, reason, err.Error())
	require.Equal(t, kind, be.Kind)
}

func TestSignAssertionGeckoFormat(t *testing.T) {
	t.Parallel()
	k := newDSA(t)
	// 54-byte payload: not a multiple of 3, so Gecko's encoding ends in '='.
	aud := "app://rp.gaiamobile.org"
	tok, err := SignAssertion(k, aud, testNow.Add(2*time.Minute))
	require.NoError(t, err)

	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3)
	require.Equal(t, "eyJhbGciOiJEUzEyOCJ9", parts[0]) // {"alg":"DS128"}, 15 bytes, no pad needed
	payload := `{"exp":1425000120000,"aud":"app://rp.gaiamobile.org"}`
	require.Equal(t, base64.URLEncoding.EncodeToString([]byte(payload)), parts[1])
	require.NotEqual(t, 0, len(payload)%3, "fixture must need padding")
	require.True(t, strings.HasSuffix(parts[1], "="), "payload segment keeps '=' padding: %s", parts[1])
	require.Len(t, parts[2], 56, "40-byte r||s, padded base64url")
	require.True(t, strings.HasSuffix(parts[2], "=="))
	raw, err := base64.URLEncoding.DecodeString(parts[2])
	require.NoError(t, err)
	require.Len(t, raw, 40)

	jwt, err := ParseJWT(tok)
	require.NoError(t, err)
	require.Equal(t, map[string]any{"alg": "DS128"}, jwt.Header)
	require.Equal(t, payload, string(jwt.PayloadJSON))
	require.Equal(t, map[string]any{"exp": float64(1425000120000), "aud": aud}, jwt.Payload)
	require.Equal(t, parts[0]+"."+parts[1], jwt.SigningInput)
	require.NoError(t, jwt.VerifySignature(k.Public()))
}

func TestSignAssertionRawSignatureIsRS(t *testing.T) {
	t.Parallel()
	k := newDSA(t)
	tok, err := SignAssertion(k, "https://rp.example", testNow)
	require.NoError(t, err)
	parts := strings.Split(tok, ".")
	raw, err := base64.URLEncoding.DecodeString(parts[2])
	require.NoError(t, err)
	r := new(big.Int).SetBytes(raw[:20])
	s := new(big.Int).SetBytes(raw[20:])
	q := k.priv.Q
	require.True(t, r.Sign() > 0 && r.Cmp(q) < 0)
	require.True(t, s.Sign() > 0 && s.Cmp(q) < 0)
}

func TestSignCertificateFxAFormat(t *testing.T) {
	t.Parallel()
	issuer, _, _ := testKeys(t)
	k := newDSA(t)
	cert, err := SignCertificate(fxaCertParams(k.Public()), issuer)
	require.NoError(t, err)
	require.NotContains(t, cert, "=", "go-jose/fxa-jwtool segments are unpadded")

	parts := strings.Split(cert, ".")
	require.Len(t, parts, 3)
	hdr, err := base64.RawURLEncoding.DecodeString(parts[0])
	require.NoError(t, err)
	require.Equal(t, `{"alg":"RS256"}`, string(hdr))

	want := `{"public-key":` + dsJSON(k) +
		`,"principal":{"email":"` + testEmail + `"}` +
		`,"iat":1424999990000,"exp":1425021600000,"iss":"api.accounts.firefox.com"` +
		`,"fxa-generation":1424999000000,"fxa-lastAuthAt":1424999990,"fxa-verifiedEmail":"user@example.com"}`
	jwt, err := ParseJWT(cert)
	require.NoError(t, err)
	require.Equal(t, want, string(jwt.PayloadJSON))
	require.NoError(t, jwt.VerifySignature(&PublicKey{RSA: &issuer.PublicKey}))

	// Interop: go-jose verifies the same token (B.4 of the anchors notes).
	obj, err := jose.ParseSignedCompact(cert, []jose.SignatureAlgorithm{jose.RS256})
	require.NoError(t, err)
	got, err := obj.Verify(&issuer.PublicKey)
	require.NoError(t, err)
	require.Equal(t, want, string(got))

	// The certified key round-trips through the payload.
	pk, err := PublicKeyFromObject(jwt.Payload["public-key"].(map[string]any))
	require.NoError(t, err)
	require.True(t, pk.Equal(k.Public()))
	require.Equal(t, "DS128", pk.Algorithm())
}

func TestCertPayloadErrors(t *testing.T) {
	k := newDSA(t)
	p := fxaCertParams(k.Public())
	p.Extra = append(p.Extra, Claim{"iss", "evil.example"})
	_, err := CertPayload(p)
	requireReason(t, err, Malformed, "certificate param 'iss' defined multiple times")

	p = fxaCertParams(k.Public())
	p.Extra = append(p.Extra, Claim{"fxa-generation", 1})
	_, err = CertPayload(p)
	requireReason(t, err, Malformed, "certificate param 'fxa-generation' defined multiple times")

	p = fxaCertParams(nil)
	_, err = CertPayload(p)
	require.EqualError(t, err, "browserid: certificate needs the public key it certifies")

	p = fxaCertParams(k.Public())
	p.Email = ""
	_, err = CertPayload(p)
	require.EqualError(t, err, "browserid: certificate needs a principal email")

	_, err = SignCertificate(fxaCertParams(k.Public()), nil)
	require.EqualError(t, err, "browserid: no issuer key to sign the certificate with")

	_, err = SignAssertion(nil, "https://x", testNow)
	require.EqualError(t, err, "browserid: no key to sign the assertion with")
}

func TestCertPayloadOmitsZeroTimesAndIssuer(t *testing.T) {
	t.Parallel()
	k := newDSA(t)
	b, err := CertPayload(CertParams{PublicKey: k.Public(), Email: "a@b.example"})
	require.NoError(t, err)
	require.Equal(t, `{"public-key":`+dsJSON(k)+`,"principal":{"email":"a@b.example"}}`, string(b))
}

func TestVerifySignatureFailures(t *testing.T) {
	t.Parallel()
	issuer, other, _ := testKeys(t)
	k := newDSA(t)
	assertion, err := SignAssertion(k, "https://rp.example", testNow)
	require.NoError(t, err)
	cert, err := SignCertificate(fxaCertParams(k.Public()), issuer)
	require.NoError(t, err)

	t.Run("tampered assertion payload", func(t *testing.T) {
		parts := strings.Split(assertion, ".")
		parts[1] = encodeGecko([]byte(`{"exp":1425000000000,"aud":"https://evil.example"}`))
		jwt, err := ParseJWT(strings.Join(parts, "."))
		require.NoError(t, err)
		requireReason(t, jwt.VerifySignature(k.Public()), Verification, "invalid signature")
	})
	t.Run("tampered assertion signature", func(t *testing.T) {
		parts := strings.Split(assertion, ".")
		sig, err := base64.URLEncoding.DecodeString(parts[2])
		require.NoError(t, err)
		sig[5] ^= 0x01
		parts[2] = encodeGecko(sig)
		jwt, err := ParseJWT(strings.Join(parts, "."))
		require.NoError(t, err)
		requireReason(t, jwt.VerifySignature(k.Public()), Verification, "invalid signature")
	})
	t.Run("assertion signed by another key", func(t *testing.T) {
		jwt, err := ParseJWT(assertion)
		require.NoError(t, err)
		requireReason(t, jwt.VerifySignature(newDSA(t).Public()), Verification, "invalid signature")
	})
	t.Run("DSA signature longer than r||s", func(t *testing.T) {
		parts := strings.Split(assertion, ".")
		sig, err := base64.URLEncoding.DecodeString(parts[2])
		require.NoError(t, err)
		parts[2] = encodeGecko(append([]byte{0x01}, sig...))
		jwt, err := ParseJWT(strings.Join(parts, "."))
		require.NoError(t, err)
		requireReason(t, jwt.VerifySignature(k.Public()), Malformed, "malformed signature")
	})
	t.Run("DS160 header", func(t *testing.T) {
		tok := signJWS(t, k, `{"alg":"DS160"}`, `{"exp":1425000120000,"aud":"https://rp.example"}`)
		jwt, err := ParseJWT(tok)
		require.NoError(t, err)
		requireReason(t, jwt.VerifySignature(k.Public()), Malformed, "algorithms do not match")
	})
	t.Run("header without alg", func(t *testing.T) {
		tok := signJWS(t, k, `{"typ":"JWT"}`, `{}`)
		jwt, err := ParseJWT(tok)
		require.NoError(t, err)
		requireReason(t, jwt.VerifySignature(k.Public()), Malformed, "algorithms do not match")
	})
	t.Run("assertion checked with an RSA key", func(t *testing.T) {
		jwt, err := ParseJWT(assertion)
		require.NoError(t, err)
		requireReason(t, jwt.VerifySignature(&PublicKey{RSA: &issuer.PublicKey}), Malformed, "algorithms do not match")
	})
	t.Run("certificate signed by another issuer", func(t *testing.T) {
		jwt, err := ParseJWT(cert)
		require.NoError(t, err)
		requireReason(t, jwt.VerifySignature(&PublicKey{RSA: &other.PublicKey}), Verification, "invalid signature")
	})
	t.Run("tampered certificate payload", func(t *testing.T) {
		parts := strings.Split(cert, ".")
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		require.NoError(t, err)
		parts[1] = base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), "user@example.com", "evil@example.com", 1)))
		jwt, err := ParseJWT(strings.Join(parts, "."))
		require.NoError(t, err)
		requireReason(t, jwt.VerifySignature(&PublicKey{RSA: &issuer.PublicKey}), Verification, "invalid signature")
	})
	t.Run("no key", func(t *testing.T) {
		jwt, err := ParseJWT(assertion)
		require.NoError(t, err)
		require.EqualError(t, jwt.VerifySignature(nil), "browserid: no public key to verify with")
	})
}

func TestParseJWTMalformed(t *testing.T) {
	t.Parallel()
	e30 := "e30" // {}
	cases := []struct{ name, in, reason string }{
		{"one part", "abc", "signed object must have three parts, this one has 1"},
		{"two parts", "eyJhbGciOiJEUzEyOCJ9.e30", "signed object must have three parts, this one has 2"},
		{"four parts", "a.b.c.d", "signed object must have three parts, this one has 4"},
		{"empty", "", "signed object must have three parts, this one has 1"},
		{"header length 1 mod 4", "abcde." + e30 + ".sig", "header segment: Illegal base64url string!"},
		{"payload length 1 mod 4", "e30.abcde.sig", "payload segment: Illegal base64url string!"},
		{"header bad base64", "!!!!." + e30 + ".sig", "headersegment: invalid json"},
		{"header not JSON", base64.RawURLEncoding.EncodeToString([]byte("not json")) + "." + e30 + ".sig", "headersegment: invalid json"},
		{"payload not JSON", e30 + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"exp":`)) + ".sig", "payloadsegment: invalid json"},
		{"header trailing data", base64.RawURLEncoding.EncodeToString([]byte(`{} {}`)) + "." + e30 + ".sig", "headersegment: invalid json"},
		{"header is an array", base64.RawURLEncoding.EncodeToString([]byte(`["DS128"]`)) + "." + e30 + ".sig", "headersegment: malformed object"},
		{"payload is a number", e30 + "." + base64.RawURLEncoding.EncodeToString([]byte(`42`)) + ".sig", "payloadsegment: malformed object"},
		{"empty header", "." + e30 + ".sig", "headersegment: invalid json"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			jwt, err := ParseJWT(c.in)
			require.Nil(t, jwt)
			requireReason(t, err, Malformed, c.reason)
		})
	}
}

func TestParseJWTPadding(t *testing.T) {
	t.Parallel()
	issuer, _, _ := testKeys(t)
	k := newDSA(t)

	t.Run("Gecko padded segments", func(t *testing.T) {
		tok, err := SignAssertion(k, "app://rp.gaiamobile.org", testNow)
		require.NoError(t, err)
		require.Contains(t, tok, "=")
		jwt, err := ParseJWT(tok)
		require.NoError(t, err)
		require.NoError(t, jwt.VerifySignature(k.Public()))

		// Padding on the signature segment is skipped when decoding, so stripping it
		// keeps the signature valid; header and payload are signed as sent, so
		// stripping their padding changes the signing input.
		parts := strings.Split(tok, ".")
		jwt, err = ParseJWT(parts[0] + "." + parts[1] + "." + strings.TrimRight(parts[2], "="))
		require.NoError(t, err)
		require.NoError(t, jwt.VerifySignature(k.Public()))

		jwt, err = ParseJWT(parts[0] + "." + strings.TrimRight(parts[1], "=") + "." + parts[2])
		require.NoError(t, err)
		require.Equal(t, `{"exp":1425000000000,"aud":"app://rp.gaiamobile.org"}`, string(jwt.PayloadJSON))
		requireReason(t, jwt.VerifySignature(k.Public()), Verification, "invalid signature")
	})
	t.Run("browserid-crypto unpadded DS128 token", func(t *testing.T) {
		// browserid-crypto's sign: unpadded segments, signature hex → unpadded base64url.
		input := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"DS128"}`)) + "." +
			base64.RawURLEncoding.EncodeToString([]byte(`{"exp":1425000120000,"aud":"http://localhost:8080"}`))
		sig, err := k.signSHA1(input)
		require.NoError(t, err)
		tok := input + "." + base64.RawURLEncoding.EncodeToString(sig)
		require.NotContains(t, tok, "=")
		jwt, err := ParseJWT(tok)
		require.NoError(t, err)
		require.Equal(t, "http://localhost:8080", jwt.Payload["aud"])
		require.NoError(t, jwt.VerifySignature(k.Public()))
	})
	t.Run("RS256 certificate with Gecko-style padding", func(t *testing.T) {
		payload, err := CertPayload(fxaCertParams(k.Public()))
		require.NoError(t, err)
		for len(payload)%3 == 0 { // make sure padding shows up
			payload = append(payload, ' ')
		}
		input := encodeGecko([]byte(`{"alg":"RS256"}`)) + "." + encodeGecko(payload)
		require.Contains(t, input, "=")
		sig, err := rsaSignSHA256(issuer, input)
		require.NoError(t, err)
		jwt, err := ParseJWT(input + "." + encodeGecko(sig))
		require.NoError(t, err)
		require.NoError(t, jwt.VerifySignature(&PublicKey{RSA: &issuer.PublicKey}))
	})
}

func TestSignatureHexMatchesBrowserIDCrypto(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 2, 3, 20, 39, 40, 41, 128, 256} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*37 + n)
		}
		want := hex.EncodeToString(b)
		if want[0] == '0' {
			want = want[1:]
		}
		require.Equal(t, want, signatureHex(base64.URLEncoding.EncodeToString(b)), "padded, n=%d", n)
		require.Equal(t, want, signatureHex(base64.RawURLEncoding.EncodeToString(b)), "unpadded, n=%d", n)
	}
	// Leading zero byte: only one '0' nibble is dropped.
	require.Equal(t, "0ff", signatureHex(base64.RawURLEncoding.EncodeToString([]byte{0x00, 0xff})))
	// Standard-alphabet characters are not in the base64url map and are skipped.
	require.Equal(t, signatureHex("AB-_"), signatureHex("A+B/-_"))
	// A lone trailing character contributes its low two bits as a nibble.
	require.Equal(t, "0000004", signatureHex("AAAAB"))
	require.Equal(t, "", signatureHex(""))
}

func TestDSASignatureLeadingZerosTolerated(t *testing.T) {
	t.Parallel()
	k := newDSA(t)
	input := "eyJhbGciOiJEUzEyOCJ9.e30"
	// Find a signature whose r starts with a zero nibble, then drop the zeros the way
	// a hex/bignum encoder would; verification left-pads them back.
	for range 2000 {
		sig, err := k.signSHA1(input)
		require.NoError(t, err)
		h := hex.EncodeToString(sig)
		if h[0] != '0' {
			continue
		}
		trimmed := strings.TrimLeft(h, "0")
		jwt := &JWT{Header: map[string]any{"alg": "DS128"}, SigningInput: input, sigHex: trimmed}
		require.NoError(t, jwt.VerifySignature(k.Public()))
		return
	}
	t.Fatal("no signature with a leading zero nibble in 2000 tries")
}

func TestPublicKeyJSON(t *testing.T) {
	t.Parallel()
	issuer, _, rsa1024 := testKeys(t)
	k := newDSA(t)

	b, err := k.Public().MarshalJSON()
	require.NoError(t, err)
	require.Equal(t, dsJSON(k), string(b))

	// Gecko serialises DS keys in uppercase hex (with NSS's leading zero bytes).
	gecko := fmt.Sprintf(`{"algorithm":"DS","y":"00%s","p":"%s","q":"%s","g":"%s"}`,
		strings.ToUpper(k.priv.Y.Text(16)), strings.ToUpper(testGroupP), strings.ToUpper(testGroupQ), strings.ToUpper(testGroupG))
	pk, err := ParsePublicKey([]byte(gecko))
	require.NoError(t, err)
	require.True(t, pk.Equal(k.Public()))
	b, err = pk.MarshalJSON()
	require.NoError(t, err)
	require.Equal(t, dsJSON(k), string(b), "re-serialised lowercase without leading zeros")

	rs := fmt.Sprintf(`{"algorithm":"RS","n":"%s","e":"65537"}`, issuer.N.String())
	b, err = (&PublicKey{RSA: &issuer.PublicKey}).MarshalJSON()
	require.NoError(t, err)
	require.Equal(t, rs, string(b))
	pk, err = ParsePublicKey([]byte(rs))
	require.NoError(t, err)
	require.Equal(t, "RS256", pk.Algorithm())
	require.True(t, pk.Equal(&PublicKey{RSA: &issuer.PublicKey}))

	pk, err = PublicKeyFromObject(map[string]any{"algorithm": "RS", "n": rsa1024.N.String(), "e": "65537"})
	require.NoError(t, err)
	require.Equal(t, "RS128", pk.Algorithm())
}

func TestPublicKeyErrors(t *testing.T) {
	t.Parallel()
	k := newDSA(t)
	y := k.priv.Y.Text(16)
	odd1000 := new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), 999), big.NewInt(1)).String()
	cases := []struct {
		name string
		in   string
		kind ErrorKind
		msg  string
	}{
		{"unknown algorithm", `{"algorithm":"EC","x":"1"}`, NotImplemented, "no such algorithm: EC"},
		{"missing algorithm", `{"n":"1","e":"3"}`, NotImplemented, "no such algorithm: undefined"},
		{"null algorithm", `{"algorithm":null}`, NotImplemented, "no such algorithm: null"},
		{"RS 1000-bit", `{"algorithm":"RS","n":"` + odd1000 + `","e":"65537"}`, KeySizeNotSupported, "bad key size: 1000"},
		{"RS n not decimal", `{"algorithm":"RS","n":"ff","e":"65537"}`, Malformed, `public key: field "n" is not a decimal number`},
		{"RS e missing", `{"algorithm":"RS","n":"` + odd1000 + `"}`, Malformed, `public key: field "e" must be a string`},
		{"DS y not hex", `{"algorithm":"DS","y":"xyz","p":"` + testGroupP + `","q":"` + testGroupQ + `","g":"` + testGroupG + `"}`, Malformed, `public key: field "y" is not a hex number`},
		{"DS negative", `{"algorithm":"DS","y":"-` + y + `","p":"` + testGroupP + `","q":"` + testGroupQ + `","g":"` + testGroupG + `"}`, Malformed, `public key: field "y" is not a hex number`},
		{"DS g missing", `{"algorithm":"DS","y":"` + y + `","p":"` + testGroupP + `","q":"` + testGroupQ + `"}`, Malformed, `public key: field "g" must be a string`},
		{"DS y too short", `{"algorithm":"DS","y":"ff","p":"` + testGroupP + `","q":"` + testGroupQ + `","g":"` + testGroupG + `"}`, KeySizeNotSupported, "bad key size: 8"},
		{"DS y zero", `{"algorithm":"DS","y":"0","p":"` + testGroupP + `","q":"` + testGroupQ + `","g":"` + testGroupG + `"}`, Malformed, `public key: field "y" must be a positive hex number`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pk, err := ParsePublicKey([]byte(c.in))
			require.Nil(t, pk)
			requireReason(t, err, c.kind, c.msg)
		})
	}
	_, err := ParsePublicKey([]byte(`[1]`))
	require.Error(t, err)
	require.Contains(t, err.Error(), "public key: invalid JSON")
	_, err = ParsePublicKey([]byte(`null`))
	requireReason(t, err, Malformed, "public key: not a JSON object")
	_, err = ParsePublicKey([]byte(`{"algorithm":"DS"} {}`))
	requireReason(t, err, Malformed, "public key: trailing data after the JSON object")
}

func TestAlgorithmNames(t *testing.T) {
	t.Parallel()
	issuer, _, rsa1024 := testKeys(t)
	k := newDSA(t)
	require.Equal(t, "DS128", k.Public().Algorithm())
	require.Equal(t, "RS256", (&PublicKey{RSA: &issuer.PublicKey}).Algorithm())
	require.Equal(t, "RS128", (&PublicKey{RSA: &rsa1024.PublicKey}).Algorithm())

	bits := func(n int) *big.Int {
		return new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), uint(n-1)), big.NewInt(1))
	}
	for n, want := range map[int]string{511: "RS64", 512: "RS64", 513: "RS64", 1023: "RS128", 2047: "RS256", 2049: "RS256", 2050: "", 4096: "", 1000: ""} {
		require.Equal(t, want, (&PublicKey{RSA: &rsa.PublicKey{N: bits(n), E: 65537}}).Algorithm(), "n of %d bits", n)
	}
	p, q, g := DS128Group()
	for n, want := range map[int]string{1024: "DS128", 995: "DS128", 994: "", 2048: "DS256", 2019: "DS256", 1025: "", 160: ""} {
		pub := k.Public()
		pub.DSA.Y = bits(n)
		pub.DSA.P, pub.DSA.Q, pub.DSA.G = p, q, g
		require.Equal(t, want, pub.Algorithm(), "y of %d bits", n)
	}
	require.Equal(t, "", (*PublicKey)(nil).Algorithm())
	require.Equal(t, "", (&PublicKey{}).Algorithm())
}

func TestGenerateDSAKeyUsesReader(t *testing.T) {
	t.Parallel()
	seed := strings.NewReader(strings.Repeat("\x42", 20) + strings.Repeat("\x17", 20))
	k, err := GenerateDSAKey(seed)
	require.NoError(t, err)
	x := new(big.Int).SetBytes([]byte(strings.Repeat("\x42", 20)))
	require.Equal(t, 0, k.priv.X.Cmp(x))
	p, q, g := DS128Group()
	require.Equal(t, 0, k.priv.P.Cmp(p))
	require.Equal(t, 0, k.priv.Q.Cmp(q))
	require.Equal(t, 0, k.priv.G.Cmp(g))
	require.Equal(t, 0, k.priv.Y.Cmp(new(big.Int).Exp(g, x, p)))

	_, err = GenerateDSAKey(strings.NewReader("short"))
	require.ErrorContains(t, err, "generate DSA key: ")
}

func TestBundleUnbundle(t *testing.T) {
	t.Parallel()
	require.Equal(t, "c1~a", Bundle([]string{"c1"}, "a"))
	require.Equal(t, "c1~c2~a", Bundle([]string{"c1", "c2"}, "a"))

	certs, a, err := Unbundle("c1~c2~a")
	require.NoError(t, err)
	require.Equal(t, []string{"c1", "c2"}, certs)
	require.Equal(t, "a", a)

	certs, a, err = Unbundle("~")
	require.NoError(t, err)
	require.Equal(t, []string{""}, certs)
	require.Equal(t, "", a)

	for _, in := range []string{"", "no-tilde", "a.b.c"} {
		certs, a, err = Unbundle(in)
		require.Nil(t, certs)
		require.Equal(t, in, a)
		requireReason(t, err, Malformed, "no certificates provided")
	}
}

func TestJSJSON(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   any
		want string
	}{
		{nil, `null`},
		{true, `true`},
		{"<a&b>\u2028\"\\\n\t\x01\x7f", `"<a&b>` + "\u2028" + `\"\\\n\t\u0001` + "\x7f" + `"`},
		{"bad\xffutf8", `"bad` + "\uFFFD" + `utf8"`},
		{1425000000000.0, `1425000000000`},
		{1e21, `1e+21`},
		{1.5e-7, `1.5e-7`},
		{0.5, `0.5`},
		{math.Copysign(0, -1), `0`},
		{int64(-12), `-12`},
		{[]any{1.0, "x", nil}, `[1,"x",null]`},
		{map[string]any{"b": 1.0, "a": []string{"x"}}, `{"a":["x"],"b":1}`},
		{[]Claim{{"z", 1}, {"a", []Claim{{"email", "e"}}}}, `{"z":1,"a":{"email":"e"}}`},
		{struct {
			B string `json:"b"`
			A int    `json:"a"`
		}{"<", 2}, `{"a":2,"b":"<"}`},
	}
	for _, c := range cases {
		b, err := appendJSJSON(nil, c.in)
		require.NoError(t, err)
		require.Equal(t, c.want, string(b), "%#v", c.in)
	}
	_, err := appendJSJSON(nil, []Claim{{"f", func() {}}})
	require.ErrorContains(t, err, `claim "f": cannot encode func()`)
}

func TestVerifyRSALeniency(t *testing.T) {
	issuer, _, _ := testKeys(t)
	pub := &PublicKey{RSA: &issuer.PublicKey}
	input := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256"}`)) + ".e30"

	// rsa-sign.js accepts a SHA-1 DigestInfo too.
	h1 := sha1Sum(input)
	sig1, err := rsa.SignPKCS1v15(nil, issuer, crypto.SHA1, h1)
	require.NoError(t, err)
	jwt, err := ParseJWT(input + "." + base64.RawURLEncoding.EncodeToString(sig1))
	require.NoError(t, err)
	require.NoError(t, jwt.VerifySignature(pub))

	// Leading zeros lost in a hex/bignum round trip are tolerated.
	sig, err := rsaSignSHA256(issuer, input)
	require.NoError(t, err)
	jwt = &JWT{Header: map[string]any{"alg": "RS256"}, SigningInput: input, sigHex: "000" + strings.TrimLeft(hex.EncodeToString(sig), "0")}
	require.NoError(t, jwt.VerifySignature(pub))

	// A value wider than the modulus is just an invalid signature.
	jwt.sigHex = "1" + hex.EncodeToString(sig)
	requireReason(t, jwt.VerifySignature(pub), Verification, "invalid signature")
	jwt.sigHex = ""
	requireReason(t, jwt.VerifySignature(pub), Verification, "invalid signature")
}
