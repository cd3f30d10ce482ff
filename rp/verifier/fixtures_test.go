package verifier

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/simtest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	fxaIssuer = "api.accounts.firefox.com"
	testAud   = "app://rp.gaiamobile.org"
	testEmail = "0123456789abcdef0123456789abcdef@api.accounts.firefox.com"
)

var testNow = time.UnixMilli(1425000000000)

// testKeys are the FxA server's key and some other issuer's (shared by every
// package's tests: RSA-2048 keygen costs tens of milliseconds).
func testKeys(tb testing.TB) (issuer, other *rsa.PrivateKey) {
	tb.Helper()
	return simtest.IssuerKey(), simtest.OtherIssuerKey()
}

func userKey(tb testing.TB) *browserid.DSAKey {
	tb.Helper()
	k, err := browserid.GenerateDSAKey(nil)
	if err != nil {
		tb.Fatalf("GenerateDSAKey: %v", err)
	}
	return k
}

func fxaCert(pub *browserid.PublicKey) browserid.CertParams {
	return browserid.CertParams{
		PublicKey: pub,
		Email:     testEmail,
		IssuedAt:  testNow.Add(-10 * time.Second),
		ExpiresAt: testNow.Add(6 * time.Hour),
		Issuer:    fxaIssuer,
		Extra: []browserid.Claim{
			{Name: "fxa-generation", Value: int64(1424999000000)},
			{Name: "fxa-lastAuthAt", Value: int64(1424999990)},
			{Name: "fxa-verifiedEmail", Value: "user@example.com"},
		},
	}
}

// lookupRecorder is a KeyLookup serving fixed keys per issuer and recording calls.
type lookupRecorder struct {
	mu    sync.Mutex
	keys  map[string]*browserid.PublicKey
	calls []string
}

func (l *lookupRecorder) lookup(issuer, principalDomain string) (*browserid.PublicKey, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, issuer+" for "+principalDomain)
	if k, ok := l.keys[issuer]; ok {
		return k, nil
	}
	return nil, fmt.Errorf("no support document for %s", issuer)
}

type fixture struct {
	user   *browserid.DSAKey
	cert   string
	signed string // the assertion alone
	backed string
	look   *lookupRecorder
	v      *Verifier
}

// newFixture builds a Gecko-style backed assertion for testAud, expiring in 2 min.
func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	issuer, _ := testKeys(tb)
	f := &fixture{user: userKey(tb)}
	var err error
	if f.cert, err = browserid.SignCertificate(fxaCert(f.user.Public()), issuer); err != nil {
		tb.Fatal(err)
	}
	if f.signed, err = browserid.SignAssertion(f.user, testAud, testNow.Add(2*time.Minute)); err != nil {
		tb.Fatal(err)
	}
	f.backed = browserid.Bundle([]string{f.cert}, f.signed)
	f.look = &lookupRecorder{keys: map[string]*browserid.PublicKey{fxaIssuer: {RSA: &issuer.PublicKey}}}
	f.v = &Verifier{Now: func() time.Time { return testNow }, LookupIssuerKey: f.look.lookup}
	return f
}

// signRS256 signs an arbitrary payload as an RS256 certificate (go-jose).
func signRS256(tb testing.TB, key *rsa.PrivateKey, payload string) string {
	tb.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	obj, err := s.Sign([]byte(payload))
	if err != nil {
		tb.Fatal(err)
	}
	out, err := obj.CompactSerialize()
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func pubJSON(tb testing.TB, k *browserid.DSAKey) string {
	tb.Helper()
	b, err := k.Public().MarshalJSON()
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func reasonOf(err error) (string, bool) {
	var f *Failure
	if errors.As(err, &f) {
		return f.Reason, true
	}
	return "", false
}
