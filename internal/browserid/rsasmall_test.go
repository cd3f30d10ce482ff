package browserid

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSmallRSAKeysVerifyLikeBrowseridCrypto(t *testing.T) {
	t.Parallel()
	// Sign with a 2048-bit key through crypto/rsa, check the textbook path agrees,
	// and that it refuses a changed message or signature.
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	h := sha256.Sum256([]byte("header.payload"))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, h[:])
	require.NoError(t, err)
	require.True(t, verifyPKCS1v15Small(&key.PublicKey, sha256DigestInfo, h[:], sig))
	other := sha256.Sum256([]byte("header.other"))
	require.False(t, verifyPKCS1v15Small(&key.PublicKey, sha256DigestInfo, other[:], sig))
	sig[10] ^= 1
	require.False(t, verifyPKCS1v15Small(&key.PublicKey, sha256DigestInfo, h[:], sig))
	require.False(t, verifyPKCS1v15Small(&key.PublicKey, sha256DigestInfo, h[:], sig[1:]))
}
