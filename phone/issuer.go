package phone

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/fxaissuer"
)

// Issuer is the BrowserID issuer that certifies the phone's users: the FxA
// auth server's domain (api.accounts.firefox.com) and its public key (an
// *rsa.PublicKey), what an RP's own verifier library must trust to accept the
// phone's assertions.
func (p *Phone) Issuer() (domain string, key crypto.PublicKey) {
	// The phone's verifier trusts exactly this issuer's key: its lookup
	// cannot fail for it.
	k, _ := p.d.Verifier().LookupIssuerKey(fxaissuer.Name, fxaissuer.Name)
	if k.RSA != nil {
		return fxaissuer.Name, k.RSA
	}
	return fxaissuer.Name, k.DSA
}

// Defects are the ways Defective makes an assertion wrong, each a reason an
// RP's server must refuse it:
//
//	wrong-audience    issued for another host (same scheme and port)
//	expired           the assertion expired a minute ago
//	bad-signature     one character of the assertion's signature changed
//	untrusted-issuer  certified by fxa.evil.example, which no one trusts
//	unverified-email  the certificate lacks fxa-verifiedEmail: it verifies, but
//	                  names no verified email an RP may trust
var Defects = []string{"wrong-audience", "expired", "bad-signature", "untrusted-issuer", "unverified-email"}

// untrustedIssuer signs certificates no verifier of this phone trusts.
const untrustedIssuer = "fxa.evil.example"

// untrustedKey is made once: RSA-2048 generation costs tens of milliseconds.
var untrustedKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// Defective is a copy of assertion (one the phone gave a page) made wrong in
// the way defect (one of Defects) names, for the same user at the phone's
// time: hand it to an RP's server to check that it refuses it. Except for
// bad-signature, the copy is signed anew (a fresh user key, certified with the
// FxA server's key), so the defect is the only thing wrong with it. It needs
// the in-memory FxA server (not Config.FxAURL), whose key it signs with.
func (p *Phone) Defective(assertion, defect string) (string, error) {
	if !slices.Contains(Defects, defect) {
		return "", fmt.Errorf("defect %q is not one of %s", defect, strings.Join(Defects, ", "))
	}
	if p.d.Server() == nil {
		return "", errors.New("defective assertions are signed with the in-memory FxA server's key: this phone uses one at Config.FxAURL")
	}
	certs, signed, err := browserid.Unbundle(assertion)
	if err != nil {
		return "", fmt.Errorf("assertion: %w", err)
	}
	if defect == "bad-signature" {
		// Flip one character of the assertion's signature.
		i := strings.LastIndexByte(signed, '.') + 2
		if i <= 1 || i >= len(signed) {
			return "", fmt.Errorf("assertion has no signature")
		}
		c := byte('A')
		if signed[i] == 'A' {
			c = 'B'
		}
		return browserid.Bundle(certs, signed[:i]+string(c)+signed[i+1:]), nil
	}
	cert, err := browserid.ParseJWT(certs[len(certs)-1])
	if err != nil {
		return "", err
	}
	tok, err := browserid.ParseJWT(signed)
	if err != nil {
		return "", err
	}
	principal, _ := cert.Payload["principal"].(map[string]any)
	email, _ := principal["email"].(string)
	verified, _ := cert.Payload["fxa-verifiedEmail"].(string)
	audience, _ := tok.Payload["aud"].(string)
	now := p.Now()
	issuer, issuerKey := fxaissuer.Name, (*rsa.PrivateKey)(nil)
	if issuerKey, err = fxaissuer.Key(); err != nil {
		return "", err
	}
	expires := now.Add(2 * time.Minute)
	extra := []browserid.Claim{{Name: "fxa-verifiedEmail", Value: verified}}
	switch defect {
	case "wrong-audience":
		// The same scheme and port on another host: only the domain is wrong.
		if scheme, host, ok := strings.Cut(audience, "://"); ok {
			audience = scheme + "://not-" + host
		} else {
			audience = "not-" + audience
		}
	case "expired":
		expires = now.Add(-time.Minute)
	case "untrusted-issuer":
		issuer = untrustedIssuer
		if issuerKey, err = untrustedKey(); err != nil {
			return "", err
		}
		email = strings.SplitN(email, "@", 2)[0] + "@" + untrustedIssuer
	case "unverified-email":
		extra = nil
	}
	userKey, err := browserid.GenerateDSAKey(rand.Reader)
	if err != nil {
		return "", err
	}
	c, err := browserid.SignCertificate(browserid.CertParams{PublicKey: userKey.Public(), Email: email,
		IssuedAt: now.Add(-10 * time.Second), ExpiresAt: now.Add(time.Hour), Issuer: issuer, Extra: extra}, issuerKey)
	if err != nil {
		return "", err
	}
	a, err := browserid.SignAssertion(userKey, audience, expires)
	if err != nil {
		return "", err
	}
	return browserid.Bundle([]string{c}, a), nil
}
