package verifier

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/browserid"
)

// A cached certificate gives the same answers as a fresh verifier: its dates
// are checked on every use, a new issuer key verifies it afresh, and assertions
// by another key are still refused after its table is built.
func TestCertCacheAnswersAsWithout(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	fresh := func() *Verifier { return &Verifier{Now: f.v.Now, LookupIssuerKey: f.look.lookup, CertCacheSize: -1} }
	for i := range 2 * precomputeAfter {
		res, err := f.v.Verify(f.backed, testAud)
		require.NoError(t, err, "use %d", i)
		want, err := fresh().Verify(f.backed, testAud)
		require.NoError(t, err)
		require.Equal(t, want, res, "use %d", i)
	}
	c := f.v.certs()
	require.Equal(t, 1, c.lru.Len())
	require.True(t, c.lru.Front().Value.(*certEntry).hasTable, "a certificate used often gets its key's table")

	// Another user key presenting this certificate: the signature check still
	// uses the certificate's key (with its table) and fails.
	other := userKey(t)
	forged, err := browserid.SignAssertion(other, testAud, testNow.Add(2*time.Minute))
	require.NoError(t, err)
	res, err := f.v.Verify(browserid.Bundle([]string{f.cert}, forged), testAud)
	requireFailure(t, res, err, "invalid signature")

	// Dates are checked on a cache hit: the certificate expired.
	f.v.Now = func() time.Time { return testNow.Add(7 * time.Hour) }
	res, err = f.v.Verify(f.backed, testAud)
	requireFailure(t, res, err, "expired")
	f.v.Now = func() time.Time { return testNow }

	// The issuer's key changed: the cached verification does not carry over.
	_, otherIssuer := testKeys(t)
	f.look.mu.Lock()
	f.look.keys[fxaIssuer] = &browserid.PublicKey{RSA: &otherIssuer.PublicKey}
	f.look.mu.Unlock()
	res, err = f.v.Verify(f.backed, testAud)
	requireFailure(t, res, err, "invalid signature")
}

// The cache holds at most its size, least recently used out first.
func TestCertCacheIsBounded(t *testing.T) {
	t.Parallel()
	issuer, _ := testKeys(t)
	v := &Verifier{Now: func() time.Time { return testNow }, CertCacheSize: 3,
		LookupIssuerKey: func(string, string) (*browserid.PublicKey, error) {
			return &browserid.PublicKey{RSA: &issuer.PublicKey}, nil // a fresh object each time
		}}
	var certs []string
	for range 5 {
		u := userKey(t)
		cert, err := browserid.SignCertificate(fxaCert(u.Public()), issuer)
		require.NoError(t, err)
		a, err := browserid.SignAssertion(u, testAud, testNow.Add(time.Minute))
		require.NoError(t, err)
		_, err = v.Verify(browserid.Bundle([]string{cert}, a), testAud)
		require.NoError(t, err)
		certs = append(certs, cert)
	}
	c := v.certs()
	require.Equal(t, 3, c.lru.Len())
	require.Len(t, c.byCert, 3)
	for i, cert := range certs {
		_, held := c.byCert[cert]
		require.Equal(t, i >= 2, held, "certificate %d", i)
	}
}
