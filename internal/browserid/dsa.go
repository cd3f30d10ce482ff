package browserid

// crypto/dsa is deprecated, but BrowserID user keys are DSA (Gecko's
// IdentityCryptoService only makes DS160 keys for FxA) and go-jose has no DSA, so
// this file does the DSA maths (pubkey.go only names the key type).
//lint:file-ignore SA1019 DSA is the historic BrowserID user-key algorithm being simulated.

import (
	"crypto/dsa"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/big"
)

// The fixed 1024/160 group (FIPS 186-3 test vector) that IdentityCryptoService and
// browserid-crypto's DS128/DS160 keys share; other BrowserID parts expect exactly it.
const (
	groupPHex = "ff600483db6abfc5b45eab78594b3533d550d9f1bf2a992a7a8daa6dc34f8045ad4e6e0c429d334eeeaaefd7e23d4810be00e4cc1492cba325ba81ff2d5a5b305a8d17eb3bf4a06a349d392e00d329744a5179380344e82a18c47933438f891e22aeef812d69c8f75e326cb70ea000c3f776dfdbd604638c2ef717fc26d02e17"
	groupQHex = "e21e04f911d1ed7991008ecaab3bf775984309c3"
	groupGHex = "c52a4a0ff3b7e61fdf1867ce84138369a6154f4afa92966e3c827e25cfa6cf508b90e5de419e1337e07a2e9e2a3cd5dea704d175f8ebf6af397d69e110b96afb17c7a03259329e4829b0d03bbc7896b15b4ade53e130858cc34d96269aa89041f409136c7242a38895c9d5bccad4f389af1d7a4bd1398bd072dffa896233397a"
)

func mustHex(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("browserid: bad built-in DSA group constant")
	}
	return n
}

// DS128Group returns a copy of the fixed 1024/160 DSA group (p, q, g).
func DS128Group() (p, q, g *big.Int) {
	return mustHex(groupPHex), mustHex(groupQHex), mustHex(groupGHex)
}

// DSAKey is a DS128 user key pair on the fixed 1024/160 group (the key Gecko makes
// with IdentityCryptoService.GenerateKeyPair("DS160") for FxAccounts).
type DSAKey struct {
	priv *dsa.PrivateKey
}

// GenerateDSAKey makes a new user key pair. r supplies the private exponent
// (crypto/rand when nil).
func GenerateDSAKey(r io.Reader) (*DSAKey, error) {
	if r == nil {
		r = rand.Reader
	}
	p, q, g := DS128Group()
	for range 64 {
		priv := &dsa.PrivateKey{PublicKey: dsa.PublicKey{Parameters: dsa.Parameters{P: p, Q: q, G: g}}}
		if err := dsa.GenerateKey(priv, r); err != nil {
			return nil, fmt.Errorf("generate DSA key: %w", err)
		}
		// browserid-crypto names a DSA key by the bit length of y; about one key in
		// 2^30 has a y too short to be recognised as DS128, so draw again.
		if dsaKeySize(priv.Y) == "128" {
			return &DSAKey{priv: priv}, nil
		}
	}
	return nil, errors.New("generate DSA key: no usable key after 64 draws (broken random source?)")
}

// Public returns the public half.
func (k *DSAKey) Public() *PublicKey {
	pub := k.priv.PublicKey
	return &PublicKey{DSA: &pub}
}

// signSHA1 signs input with DSA-SHA1 and returns raw r||s, each left-padded to the
// byte length of q (20+20 bytes), the PKCS#11 form Gecko base64url-encodes.
func (k *DSAKey) signSHA1(input string) ([]byte, error) {
	h := sha1.Sum([]byte(input))
	r, s, err := dsa.Sign(rand.Reader, k.priv, h[:])
	if err != nil {
		return nil, fmt.Errorf("DSA sign: %w", err)
	}
	n := (k.priv.Q.BitLen() + 7) / 8
	sig := make([]byte, 2*n)
	r.FillBytes(sig[:n])
	s.FillBytes(sig[n:])
	return sig, nil
}

// dsaKeySize is browserid-crypto's keysize lookup: the first known group whose p is
// at most 30 bits longer than y ("128" for 1024-bit, "256" for 2048-bit), or "".
func dsaKeySize(y *big.Int) string {
	for _, ks := range []struct {
		name  string
		pBits int
	}{{"128", 1024}, {"256", 2048}} {
		if diff := ks.pBits - y.BitLen(); diff >= 0 && diff < 30 {
			return ks.name
		}
	}
	return ""
}

// verifyDSA checks a browserid-crypto hex signature (r||s, each q-bits/4 nibbles,
// left-padded because encoding may have dropped leading zeros).
func verifyDSA(pub *dsa.PublicKey, ytab *fixedBase, alg, input, sigHex string) error {
	half := pub.Q.BitLen() / 4
	if half == 0 {
		return verification(ReasonInvalidSignature)
	}
	for len(sigHex) < 2*half {
		sigHex = "0" + sigHex
	}
	if len(sigHex) != 2*half {
		return malformed(ReasonMalformedSignature)
	}
	r, ok1 := new(big.Int).SetString(sigHex[:half], 16)
	s, ok2 := new(big.Int).SetString(sigHex[half:], 16)
	if !ok1 || !ok2 {
		return malformed(ReasonMalformedSignature)
	}
	var digest []byte
	if alg == "DS256" {
		h := sha256.Sum256([]byte(input))
		digest = h[:]
	} else {
		h := sha1.Sum([]byte(input))
		digest = h[:]
	}
	if !dsaVerify(pub, ytab, digest, r, s) {
		return verification(ReasonInvalidSignature)
	}
	return nil
}
