package browserid

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Claim is one JSON member; a []Claim serialises as an object in slice order, so
// payloads come out in the fixed order the historic signers produced.
type Claim struct {
	Name  string
	Value any
}

// CertParams describes a BrowserID certificate as the FxA auth server signs it.
type CertParams struct {
	PublicKey *PublicKey // the user key being certified ("public-key")
	Email     string     // principal.email, "<uid>@<issuer>" for FxA
	// IssuedAt and ExpiresAt become "iat"/"exp" in JavaScript milliseconds; a zero
	// time leaves the claim out, as browserid-crypto does for absent params.
	IssuedAt, ExpiresAt time.Time
	Issuer              string  // "iss", e.g. "api.accounts.firefox.com"; empty leaves it out
	Extra               []Claim // e.g. fxa-generation, fxa-lastAuthAt, fxa-verifiedEmail
}

// CertPayload builds the certificate payload bytes in the 2015 fxa-jwtool order:
// public-key, principal, iat, exp, iss, then Extra in the order given. A name used
// twice fails with browserid-crypto's "certificate param '<x>' defined multiple times".
func CertPayload(p CertParams) ([]byte, error) {
	if p.PublicKey == nil {
		return nil, errors.New("browserid: certificate needs the public key it certifies")
	}
	if p.Email == "" {
		return nil, errors.New("browserid: certificate needs a principal email")
	}
	claims := []Claim{
		{"public-key", p.PublicKey},
		{"principal", []Claim{{"email", p.Email}}},
	}
	if !p.IssuedAt.IsZero() {
		claims = append(claims, Claim{"iat", p.IssuedAt.UnixMilli()})
	}
	if !p.ExpiresAt.IsZero() {
		claims = append(claims, Claim{"exp", p.ExpiresAt.UnixMilli()})
	}
	if p.Issuer != "" {
		claims = append(claims, Claim{"iss", p.Issuer})
	}
	seen := make(map[string]bool, len(claims)+len(p.Extra))
	for _, c := range claims {
		seen[c.Name] = true
	}
	for _, c := range p.Extra {
		if seen[c.Name] {
			return nil, malformed(fmt.Sprintf("certificate param '%s' defined multiple times", c.Name))
		}
		seen[c.Name] = true
		claims = append(claims, c)
	}
	return appendClaims(nil, claims)
}

// SignCertificate signs a certificate with the issuer's RSA key through go-jose
// RS256; the protected header is exactly {"alg":"RS256"} and the segments are
// unpadded base64url, as fxa-jwtool and browserid-crypto emit them.
func SignCertificate(p CertParams, issuerKey *rsa.PrivateKey) (string, error) {
	if issuerKey == nil {
		return "", errors.New("browserid: no issuer key to sign the certificate with")
	}
	payload, err := CertPayload(p)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: issuerKey}, nil)
	if err != nil {
		return "", fmt.Errorf("browserid: certificate signer: %w", err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("browserid: sign certificate: %w", err)
	}
	return obj.CompactSerialize()
}
