package browserid

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"sync"
	"testing"
)

// RSA-2048 keygen costs ~60 ms, so the package's tests share keys made once.
var (
	testKeysOnce sync.Once
	testIssuer   *rsa.PrivateKey // stands for the FxA server key (RS256)
	testOther    *rsa.PrivateKey // another 2048-bit issuer
	testRSA1024  *rsa.PrivateKey // an RS128 key
	testKeysErr  error
)

func testKeys(tb testing.TB) (issuer, other, rsa1024 *rsa.PrivateKey) {
	tb.Helper()
	testKeysOnce.Do(func() {
		if testIssuer, testKeysErr = rsa.GenerateKey(rand.Reader, 2048); testKeysErr != nil {
			return
		}
		if testOther, testKeysErr = rsa.GenerateKey(rand.Reader, 2048); testKeysErr != nil {
			return
		}
		testRSA1024, testKeysErr = rsa.GenerateKey(rand.Reader, 1024)
	})
	if testKeysErr != nil {
		tb.Fatalf("test keys: %v", testKeysErr)
	}
	return testIssuer, testOther, testRSA1024
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
