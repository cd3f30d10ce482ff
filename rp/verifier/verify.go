package verifier

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mozidsim/mozidsim/internal/browserid"
)

// KeyLookup stands for the /.well-known/browserid fetch: the public key of issuer,
// asked for on behalf of principalDomain ("?domain=" in the historic URL; empty when
// the assertion names no email). A returned error's message becomes the failure reason.
type KeyLookup func(issuer, principalDomain string) (*browserid.PublicKey, error)

// Verifier verifies backed assertions like browserid-local-verify.
type Verifier struct {
	Now             func() time.Time // required; the simulator's virtual clock
	LookupIssuerKey KeyLookup        // required
	// TrustedIssuers may vouch for any email domain (browserid-local-verify's
	// trustedIssuers); others must be the principal domain's own authority.
	TrustedIssuers []string
	// CertCacheSize is how many verified certificates are remembered
	// (certcache.go); 0 means DefaultCertCacheSize, negative none.
	CertCacheSize int

	cacheOnce sync.Once
	cache     *certCache // nil when off
}

func (v *Verifier) certs() *certCache {
	v.cacheOnce.Do(func() {
		switch {
		case v.CertCacheSize == 0:
			v.cache = newCertCache(DefaultCertCacheSize)
		case v.CertCacheSize > 0:
			v.cache = newCertCache(v.CertCacheSize)
		}
	})
	return v.cache
}

// Result is a successful verification. Fields are in the order browserid-verifier
// wrote them: browserid-local-verify's object (audience, expires, issuer, email,
// idpClaims, userClaims) extended with status last by lib/v2.js.
type Result struct {
	Audience   string         `json:"audience"` // echoed as the RP supplied it
	Expires    int64          `json:"expires"`  // assertion exp in ms
	Issuer     string         `json:"issuer"`
	Email      string         `json:"email,omitempty"`      // last certificate's principal.email
	IdpClaims  map[string]any `json:"idpClaims,omitempty"`  // fxa-generation, fxa-lastAuthAt, fxa-verifiedEmail ...
	UserClaims map[string]any `json:"userClaims,omitempty"` // extra assertion claims (Gecko sends none)
	Status     string         `json:"status"`               // "okay"
}

// VerifiedEmail is IdpClaims["fxa-verifiedEmail"] (the account's real email for FxA
// certificates, whose principal is "<uid>@<issuer>"), or "".
func (r *Result) VerifiedEmail() string {
	if r == nil {
		return ""
	}
	s, _ := r.IdpClaims["fxa-verifiedEmail"].(string)
	return s
}

// Failure is a verification failure; Reason is exactly the string
// browserid-local-verify reports (and browserid-verifier returns as "reason").
type Failure struct {
	Reason string
	Err    error // the underlying error, when there is one
}

func (f *Failure) Error() string { return f.Reason }
func (f *Failure) Unwrap() error { return f.Err }

var errMisconfigured = errors.New("verifier: Now and LookupIssuerKey are required")

func fail(reason string) error { return &Failure{Reason: reason} }

// failFrom turns a crypto or lookup error into a Failure carrying its message, the
// way browserid-local-verify surfaces err.message.
func failFrom(err error) error {
	var f *Failure
	if errors.As(err, &f) {
		return f
	}
	return &Failure{Reason: err.Error(), Err: err}
}

// Reasons of browserid-local-verify that are not browserid-crypto's.
const (
	ReasonChaining       = "certificate chaining is not yet allowed"
	ReasonNoEmailNoTrust = "untrusted assertion, doesn't contain an email, and issuer is untrusted "
	reasonNoRootKey      = "no public keys found for root issuer"
)

// Claims that are part of the protocol, never reported as idpClaims/userClaims.
var reservedClaims = map[string]bool{
	"iss": true, "sub": true, "aud": true, "exp": true, "nbf": true, "iat": true, "jti": true,
	"public-key": true, "pubkey": true, "principal": true,
}

// Verify checks a backed assertion for audience. It returns the result, or an error
// that is a *Failure whose Error() is browserid-local-verify's reason. Any other
// error means the Verifier itself is misconfigured.
func (v *Verifier) Verify(assertion, audience string) (*Result, error) {
	if v == nil {
		return nil, errMisconfigured
	}
	return v.verify(assertion, audience, true, v.TrustedIssuers)
}

// verify is Verify with the /v2 extras: an audience that was not a JSON string
// (checked only once the crypto passed, as url.parse threw there historically) and
// per-request trusted issuers.
func (v *Verifier) verify(assertion, audience string, audienceIsString bool, trusted []string) (*Result, error) {
	if v == nil || v.Now == nil || v.LookupIssuerKey == nil {
		return nil, errMisconfigured
	}
	now := float64(v.Now().UnixMilli())

	certs, signedAssertion, err := browserid.Unbundle(assertion)
	if err != nil {
		return nil, failFrom(err)
	}
	// Each certificate is parsed once, when first needed; a failure is reported
	// when the chain walk reaches that certificate, as before.
	cache := v.certs()
	parsed := make([]*browserid.JWT, len(certs))
	parseErrs := make([]error, len(certs))
	parse := func(i int) (*browserid.JWT, error) {
		if parsed[i] == nil && parseErrs[i] == nil && cache != nil {
			parsed[i] = cache.parsed(certs[i])
		}
		if parsed[i] == nil && parseErrs[i] == nil {
			parsed[i], parseErrs[i] = browserid.ParseJWT(certs[i])
		}
		return parsed[i], parseErrs[i]
	}

	// Pre-parse: the principal's domain, needed for the key lookup and the trust
	// rule. Any failure here only means "no email"; the crypto below reports errors.
	var principalDomain string
	if last, err := parse(len(certs) - 1); err == nil {
		principalDomain = principalDomainOf(last)
	}

	// verifyChain: the root issuer comes from the first certificate.
	first, err := parse(0)
	if err != nil {
		return nil, failFrom(err)
	}
	issuer, ok := first.Payload["iss"].(string)
	if !ok || issuer == "" {
		return nil, fail("malformed input: the first certificate has no issuer (iss)")
	}
	key, err := v.LookupIssuerKey(issuer, principalDomain)
	if err != nil {
		return nil, failFrom(err)
	}
	if key == nil {
		return nil, fail(reasonNoRootKey)
	}

	var lastCert *browserid.JWT
	for i := range certs {
		cert, err := parse(i)
		if err != nil {
			return nil, failFrom(err)
		}
		if cache != nil {
			if certKey, ok := cache.verified(certs[i], key); ok {
				// Verified under this very key before: only the dates can
				// have changed.
				if err := checkDates(cert, now); err != nil {
					return nil, err
				}
				key, lastCert = certKey, cert
				continue
			}
		}
		if err := checkSignedObject(cert, key, now); err != nil {
			return nil, err
		}
		pkObj, ok := cert.Payload["public-key"].(map[string]any)
		if !ok {
			return nil, fail("malformed input: certificate has no public-key object")
		}
		issuerKey := key
		if key, err = browserid.PublicKeyFromObject(pkObj); err != nil {
			return nil, failFrom(err)
		}
		if cache != nil {
			cache.add(certs[i], cert, issuerKey, key)
		}
		lastCert = cert
	}

	// The assertion is signed by the last certificate's key.
	signed, err := browserid.ParseJWT(signedAssertion)
	if err != nil {
		return nil, failFrom(err)
	}
	if err := checkSignedObject(signed, key, now); err != nil {
		return nil, err
	}

	if len(certs) > 1 {
		return nil, fail(ReasonChaining)
	}

	if !audienceIsString {
		return nil, fail("audience mismatch: audience must be a string")
	}
	want, ok := signed.Payload["aud"].(string)
	if !ok {
		return nil, fail("audience mismatch: the assertion has no aud string")
	}
	if reason := compareAudiences(want, audience); reason != "" {
		return nil, fail("audience mismatch: " + reason)
	}

	res := &Result{Status: "okay", Audience: audience, Issuer: issuer}
	if exp, ok := jsDate(signed.Payload["exp"]); ok && !math.IsNaN(exp) {
		res.Expires = int64(exp)
	}
	principal, _ := lastCert.Payload["principal"].(map[string]any)
	if email, ok := principal["email"].(string); ok {
		res.Email = email
	}
	res.IdpClaims = extraClaims(lastCert.Payload, principal)
	res.UserClaims = extraClaims(signed.Payload, nil)

	switch {
	case slices.Contains(trusted, issuer):
	case principalDomain != "":
		// The principal domain's authority is the domain itself in this simulation
		// (no authority delegation); FxA's principal domain is its issuer.
		if principalDomain != issuer {
			return nil, fail(fmt.Sprintf("untrusted issuer, expected '%s', got '%s'", principalDomain, issuer))
		}
	default:
		return nil, fail(ReasonNoEmailNoTrust)
	}
	return res, nil
}

// checkSignedObject is browserid-crypto's assertion.verify for one JWS: signature
// with the expected key, then iat not after now and exp not before now (ms, no leeway).
func checkSignedObject(t *browserid.JWT, key *browserid.PublicKey, now float64) error {
	if err := t.VerifySignature(key); err != nil {
		return failFrom(err)
	}
	return checkDates(t, now)
}

// checkDates is the date half of checkSignedObject.
func checkDates(t *browserid.JWT, now float64) error {
	if iat, ok := jsDate(t.Payload["iat"]); ok && iat > now {
		return fail(browserid.ReasonIssuedLater)
	}
	if exp, ok := jsDate(t.Payload["exp"]); ok && exp < now {
		return fail(browserid.ReasonExpired)
	}
	return nil
}

// jsDate is browserid-crypto's getDate: a falsy value means "absent"; anything else
// goes through Date#setTime (ToNumber, then TimeClip: NaN beyond ±8.64e15 ms,
// otherwise truncated). NaN never compares, so it never fails a check.
func jsDate(v any) (float64, bool) {
	var f float64
	switch x := v.(type) {
	case nil:
		return 0, false
	case bool:
		if !x {
			return 0, false
		}
		f = 1
	case float64:
		if x == 0 || math.IsNaN(x) {
			return 0, false
		}
		f = x
	case string:
		if x == "" {
			return 0, false
		}
		s := strings.TrimSpace(x)
		n, err := strconv.ParseFloat(s, 64)
		switch {
		case s == "":
			f = 0
		case err != nil && !errors.Is(err, strconv.ErrRange):
			f = math.NaN()
		default:
			f = n
		}
	default: // objects and arrays: treated as NaN
		f = math.NaN()
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 8.64e15 {
		return math.NaN(), true
	}
	return math.Trunc(f) + 0, true
}

// extraClaims collects the non-reserved top-level claims plus the principal's
// members other than email; nil when there are none.
func extraClaims(payload, principal map[string]any) map[string]any {
	var out map[string]any
	add := func(k string, v any) {
		if out == nil {
			out = make(map[string]any)
		}
		out[k] = v
	}
	for k, v := range payload {
		if !reservedClaims[k] {
			add(k, v)
		}
	}
	for k, v := range principal {
		if k != "email" {
			add(k, v)
		}
	}
	return out
}

// principalDomainOf is verify.js's first step: the email of the last
// certificate (principal.email, else sub) and the part after its first '@',
// lowercased and validated as an authority; "" when any of that fails.
func principalDomainOf(last *browserid.JWT) string {
	var email string
	if p, ok := last.Payload["principal"].(map[string]any); ok {
		email, _ = p["email"].(string)
	}
	if email == "" {
		email, _ = last.Payload["sub"].(string)
	}
	at := strings.IndexByte(email, '@')
	if at <= 0 || len(email) < 3 || len(email) > 254 {
		return ""
	}
	domain := strings.ToLower(email[at+1:])
	if !validAuthority(domain) {
		return ""
	}
	return domain
}

// validAuthority accepts "host" or "host:port" with DNS-style host characters,
// standing for validation.js validateAuthority.
func validAuthority(a string) bool {
	host, port, hasPort := strings.Cut(a, ":")
	if host == "" || len(host) > 253 {
		return false
	}
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	if hasPort {
		if port == "" || len(port) > 5 {
			return false
		}
		for i := 0; i < len(port); i++ {
			if port[i] < '0' || port[i] > '9' {
				return false
			}
		}
	}
	return true
}
