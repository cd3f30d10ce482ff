package browserid

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"testing"

	"github.com/mozidsim/mozidsim/internal/simtest"
)

// testKeys stand for the FxA server key (RS256), another 2048-bit issuer and
// an RS128 key; shared with every package's tests (simtest), as RSA-2048
// keygen costs tens of milliseconds.
func testKeys(tb testing.TB) (issuer, other, rsa1024 *rsa.PrivateKey) {
	tb.Helper()
	return simtest.IssuerKey(), simtest.OtherIssuerKey(), simtest.RSA1024Key()
}

func newDSA(tb testing.TB) *DSAKey {
	tb.Helper()
	k, err := GenerateDSAKey(nil)
	if err != nil {
		tb.Fatalf("GenerateDSAKey: %v", err)
	}
	return k
}

// rsaSignSHA256 signs an arbitrary signing input with PKCS#1 v1.5 SHA-256; go-jose
// only signs its own serialisation, so padded RS256 tokens are made here.
func rsaSignSHA256(key *rsa.PrivateKey, input string) ([]byte, error) {
	h := sha256.Sum256([]byte(input))
	return rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, h[:])
}

func sha1Sum(input string) []byte {
	h := sha1.Sum([]byte(input))
	return h[:]
}
