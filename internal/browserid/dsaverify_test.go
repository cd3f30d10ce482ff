package browserid

import (
	"crypto/dsa"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"
)

// The fixed-base verifier must agree with crypto/dsa.Verify on every input:
// valid signatures, tampered ones, out-of-range and degenerate r and s, other
// hashes, keys on another group.
func TestFixedBaseVerifyAgreesWithCryptoDSA(t *testing.T) {
	t.Parallel()
	for i := range 60 {
		key, err := GenerateDSAKey(nil)
		require.NoError(t, err)
		pub := &key.priv.PublicKey
		msg := []byte{byte(i), byte(i >> 8), 'm'}
		digest := sha1.Sum(msg)
		r, s, err := dsa.Sign(rand.Reader, key.priv, digest[:])
		require.NoError(t, err)
		q := pub.Q
		other := sha256.Sum256(msg)
		cases := []struct {
			hash []byte
			r, s *big.Int
		}{
			{digest[:], r, s},
			{other[:], r, s},
			{digest[:], new(big.Int).Add(r, big.NewInt(1)), s},
			{digest[:], r, new(big.Int).Sub(s, big.NewInt(1))},
			{digest[:], big.NewInt(0), s},
			{digest[:], r, big.NewInt(0)},
			{digest[:], q, s},
			{digest[:], r, q},
			{digest[:], randBelow(t, q), randBelow(t, q)},
			{nil, r, s},
		}
		ytab := (&PublicKey{DSA: pub}).Precompute().yTable
		require.NotNil(t, ytab)
		for j, c := range cases {
			want := dsa.Verify(pub, c.hash, c.r, c.s)
			require.Equal(t, want, dsaVerify(pub, nil, c.hash, c.r, c.s), "key %d case %d", i, j)
			require.Equal(t, want, dsaVerify(pub, ytab, c.hash, c.r, c.s), "key %d case %d, precomputed y", i, j)
		}
		require.True(t, dsaVerify(pub, nil, digest[:], r, s))
		require.True(t, dsaVerify(pub, ytab, digest[:], r, s))
	}
	// Another group goes to crypto/dsa.
	var params dsa.Parameters
	require.NoError(t, dsa.GenerateParameters(&params, rand.Reader, dsa.L1024N160))
	priv := &dsa.PrivateKey{PublicKey: dsa.PublicKey{Parameters: params}}
	require.NoError(t, dsa.GenerateKey(priv, rand.Reader))
	digest := sha1.Sum([]byte("x"))
	r, s, err := dsa.Sign(rand.Reader, priv, digest[:])
	require.NoError(t, err)
	require.False(t, ds128Base().onGroup(&priv.PublicKey))
	require.True(t, dsaVerify(&priv.PublicKey, nil, digest[:], r, s))
	other := &PublicKey{DSA: &priv.PublicKey}
	require.Same(t, other, other.Precompute(), "no table off the DS128 group")
}

func TestFixedBaseExpMatchesExp(t *testing.T) {
	t.Parallel()
	fb := ds128Base()
	for _, e := range []*big.Int{big.NewInt(0), big.NewInt(1), big.NewInt(255), big.NewInt(256), new(big.Int).Sub(fb.q, big.NewInt(1))} {
		require.Zero(t, new(big.Int).Exp(fb.g, e, fb.p).Cmp(fb.exp(e)), "g^%v", e)
	}
	for range 200 {
		e := randBelow(t, fb.q)
		require.Zero(t, new(big.Int).Exp(fb.g, e, fb.p).Cmp(fb.exp(e)))
	}
	// The 4-bit table of a user key, at the window edges and at random.
	key, err := GenerateDSAKey(nil)
	require.NoError(t, err)
	y := key.priv.PublicKey.Y
	yt := newFixedBase(fb.p, fb.q, y, yWindowBits)
	for _, e := range []*big.Int{big.NewInt(0), big.NewInt(1), big.NewInt(15), big.NewInt(16), big.NewInt(17), new(big.Int).Sub(fb.q, big.NewInt(1))} {
		require.Zero(t, new(big.Int).Exp(y, e, fb.p).Cmp(yt.exp(e)), "y^%v", e)
	}
	for range 200 {
		e := randBelow(t, fb.q)
		require.Zero(t, new(big.Int).Exp(y, e, fb.p).Cmp(yt.exp(e)))
	}
}

func BenchmarkDSAVerify(b *testing.B) {
	key, err := GenerateDSAKey(nil)
	require.NoError(b, err)
	digest := sha1.Sum([]byte("assertion"))
	r, s, err := dsa.Sign(rand.Reader, key.priv, digest[:])
	require.NoError(b, err)
	pub := &key.priv.PublicKey
	b.Run("crypto/dsa", func(b *testing.B) {
		for b.Loop() {
			dsa.Verify(pub, digest[:], r, s)
		}
	})
	b.Run("fixed-base", func(b *testing.B) {
		for b.Loop() {
			dsaVerify(pub, nil, digest[:], r, s)
		}
	})
	ytab := (&PublicKey{DSA: pub}).Precompute().yTable
	b.Run("fixed-base-y-precomputed", func(b *testing.B) {
		for b.Loop() {
			dsaVerify(pub, ytab, digest[:], r, s)
		}
	})
	b.Run("precompute", func(b *testing.B) {
		for b.Loop() {
			(&PublicKey{DSA: pub}).Precompute()
		}
	})
}

func randBelow(t *testing.T, n *big.Int) *big.Int {
	v, err := rand.Int(rand.Reader, n)
	require.NoError(t, err)
	return v
}
