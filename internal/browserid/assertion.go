package browserid

import (
	"errors"
	"strings"
	"time"
)

// geckoAssertionHeader is hard-coded in jwcrypto.jsm whatever the key (bug 769851):
// a loaded 1024-bit DSA key is always named DS128 by verifiers, never DS160.
const geckoAssertionHeader = `{"alg":"DS128"}`

// SignAssertion makes the assertion Gecko's jwcrypto.generateAssertion produces:
// header {"alg":"DS128"}, payload {"exp":<ms>,"aud":audience} in that order, both
// base64url with '=' padding kept, signed with DSA-SHA1 as raw r||s (20+20 bytes,
// left-padded), also base64url with padding.
func SignAssertion(k *DSAKey, audience string, expiresAt time.Time) (string, error) {
	if k == nil || k.priv == nil {
		return "", errors.New("browserid: no key to sign the assertion with")
	}
	payload, err := appendClaims(nil, []Claim{{"exp", expiresAt.UnixMilli()}, {"aud", audience}})
	if err != nil {
		return "", err
	}
	return SignJWS(k, []byte(geckoAssertionHeader), payload)
}

// Bundle makes a backed assertion "cert~...~assertion" (Gecko always sends exactly
// one certificate).
func Bundle(certs []string, assertion string) string {
	return strings.Join(append(append(make([]string, 0, len(certs)+1), certs...), assertion), "~")
}

// Unbundle splits a backed assertion on '~' like browserid-crypto: the last part is
// the assertion, the others certificates. No certificate at all is
// "no certificates provided".
func Unbundle(backed string) (certs []string, assertion string, err error) {
	parts := strings.Split(backed, "~")
	assertion = parts[len(parts)-1]
	certs = parts[:len(parts)-1]
	if len(certs) == 0 {
		return nil, assertion, malformed(ReasonNoCertificates)
	}
	return certs, assertion, nil
}

// SignJWS signs arbitrary header and payload JSON with the user key the way Gecko
// encodes (padded base64url, DSA-SHA1 raw r||s). Gecko itself only ever signs what
// SignAssertion builds; this exists to craft unusual tokens for tests and traces
// (a "DS160" header, an iat claim, a second certificate in a chain).
func SignJWS(k *DSAKey, headerJSON, payloadJSON []byte) (string, error) {
	if k == nil || k.priv == nil {
		return "", errors.New("browserid: no key to sign with")
	}
	input := encodeGecko(headerJSON) + "." + encodeGecko(payloadJSON)
	sig, err := k.signSHA1(input)
	if err != nil {
		return "", err
	}
	return input + "." + encodeGecko(sig), nil
}
