package browserid

import (
	"crypto/dsa"
	"math/big"
	"sync"
)

// Verifying a DS128 signature is two 160-bit exponentiations modulo the 1024-bit
// p: g^u1 and y^u2. Every FxA user key lives on the same fixed group, so g is
// always the same base, and g^u1 can come from a table of precomputed powers
// (fixed-base windowing): 20 multiplications instead of about 200 Montgomery
// steps. That roughly halves the cost of checking an assertion, which is what
// an RP's verifier does all day. Keys on any other group take crypto/dsa.Verify.

// windowBits is the window of the fixed-base table: 8 bits, so a 160-bit
// exponent is 20 table lookups and the table holds 20×255 powers (about 650 KiB).
const windowBits = 8

type fixedBase struct {
	p, q, g *big.Int
	bits    uint // window width
	// pow[i][j-1] = g^(j·2^(bits·i)) mod p, for j in 1..2^bits-1.
	pow [][]*big.Int
}

var ds128Base = sync.OnceValue(func() *fixedBase {
	p, q, g := DS128Group()
	return newFixedBase(p, q, g, windowBits)
})

// newFixedBase tabulates the powers of g (mod p) for exponents below q.
func newFixedBase(p, q, g *big.Int, bits uint) *fixedBase {
	fb := &fixedBase{p: p, q: q, g: g, bits: bits}
	windows := (uint(q.BitLen()) + bits - 1) / bits
	base := new(big.Int).Set(g)
	for range windows {
		row := make([]*big.Int, 1<<bits-1)
		row[0] = new(big.Int).Set(base)
		for j := 1; j < len(row); j++ {
			row[j] = new(big.Int).Mul(row[j-1], base)
			row[j].Mod(row[j], p)
		}
		fb.pow = append(fb.pow, row)
		base = new(big.Int).Mul(row[len(row)-1], base) // base^(2^bits)
		base.Mod(base, p)
	}
	return fb
}

// exp is g^e mod p for 0 <= e < 2^(bits·len(pow)).
func (fb *fixedBase) exp(e *big.Int) *big.Int {
	acc := big.NewInt(1)
	tmp := new(big.Int)
	if fb.bits == 8 {
		b := e.Bytes() // big-endian
		for i := range b {
			digit := b[len(b)-1-i]
			if digit == 0 {
				continue
			}
			tmp.Mul(acc, fb.pow[i][digit-1])
			acc.Mod(tmp, fb.p)
		}
		return acc
	}
	n := e.BitLen()
	for i := 0; uint(i)*fb.bits < uint(n); i++ {
		var digit uint
		for k := fb.bits; k > 0; k-- {
			digit = digit<<1 | e.Bit(i*int(fb.bits)+int(k)-1)
		}
		if digit == 0 {
			continue
		}
		tmp.Mul(acc, fb.pow[i][digit-1])
		acc.Mod(tmp, fb.p)
	}
	return acc
}

// yWindowBits is the window of a user key's own table (PublicKey.Precompute):
// 4 bits, 40 lookups for a 160-bit exponent, 600 powers (about 77 KiB), so a
// verifier can keep tables for many users' keys.
const yWindowBits = 4

// onGroup reports whether pub uses the fixed DS128 group.
func (fb *fixedBase) onGroup(pub *dsa.PublicKey) bool {
	return pub.P != nil && pub.Q != nil && pub.G != nil &&
		pub.P.Cmp(fb.p) == 0 && pub.Q.Cmp(fb.q) == 0 && pub.G.Cmp(fb.g) == 0
}

// dsaVerify is crypto/dsa.Verify, step for step (FIPS 186-3 §4.7), with g^u1
// taken from the fixed-base table when the key is on the DS128 group.
func dsaVerify(pub *dsa.PublicKey, ytab *fixedBase, hash []byte, r, s *big.Int) bool {
	fb := ds128Base()
	if !fb.onGroup(pub) || pub.Y == nil {
		return dsa.Verify(pub, hash, r, s)
	}
	q := pub.Q
	if r.Sign() < 1 || r.Cmp(q) >= 0 || s.Sign() < 1 || s.Cmp(q) >= 0 {
		return false
	}
	w := new(big.Int).ModInverse(s, q)
	if w == nil {
		return false
	}
	n := q.BitLen()
	if n%8 != 0 {
		return false
	}
	z := new(big.Int).SetBytes(hash) // untruncated, as crypto/dsa does
	u1 := new(big.Int).Mul(z, w)
	u1.Mod(u1, q)
	u2 := w.Mul(r, w)
	u2.Mod(u2, q)
	v := fb.exp(u1)
	var yu2 *big.Int
	if ytab != nil {
		yu2 = ytab.exp(u2)
	} else {
		yu2 = new(big.Int).Exp(pub.Y, u2, pub.P)
	}
	v.Mul(v, yu2)
	v.Mod(v, pub.P)
	v.Mod(v, q)
	return v.Cmp(r) == 0
}

// Precompute returns the key with a table of its own powers (y^e), which
// makes y^u2 in each later DS128 verification about three times cheaper. It
// costs about as much as three verifications, so it pays for a key that
// verifies many assertions (one user's certificate, cached by a verifier). Any
// key but a DS128 one is returned as it is.
func (p *PublicKey) Precompute() *PublicKey {
	if p == nil || p.DSA == nil || p.DSA.Y == nil || p.yTable != nil || !ds128Base().onGroup(p.DSA) {
		return p
	}
	if p.DSA.Y.Sign() <= 0 || p.DSA.Y.Cmp(p.DSA.P) >= 0 {
		return p // an invalid y: let verification reject it the ordinary way
	}
	fb := ds128Base()
	return &PublicKey{DSA: p.DSA, yTable: newFixedBase(fb.p, fb.q, p.DSA.Y, yWindowBits)}
}
