package browserid

import (
	"bytes"
	"crypto/rsa"
	"crypto/subtle"
	"math/big"
)

// DigestInfo prefixes of EMSA-PKCS1-v1_5 (RFC 8017 §9.2, note 1).
var (
	sha256DigestInfo = []byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}
	sha1DigestInfo   = []byte{0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14}
)

// verifyPKCS1v15Small checks an RSASSA-PKCS1-v1_5 signature with plain big-integer
// arithmetic. It exists because browserid-crypto happily makes RS64 (512-bit) and
// 1023-bit "RS128" keys, which Go's crypto/rsa refuses to use at all; a verifier
// must still judge what the historic library produced. Verification only: nothing
// here signs.
func verifyPKCS1v15Small(pub *rsa.PublicKey, prefix, hashed, sig []byte) bool {
	k := (pub.N.BitLen() + 7) / 8
	if len(sig) != k || pub.E < 2 {
		return false
	}
	s := new(big.Int).SetBytes(sig)
	if s.Cmp(pub.N) >= 0 {
		return false
	}
	em := new(big.Int).Exp(s, big.NewInt(int64(pub.E)), pub.N).FillBytes(make([]byte, k))
	tLen := len(prefix) + len(hashed)
	if k < tLen+11 {
		return false
	}
	want := make([]byte, 0, k)
	want = append(want, 0x00, 0x01)
	want = append(want, bytes.Repeat([]byte{0xff}, k-tLen-3)...)
	want = append(want, 0x00)
	want = append(want, prefix...)
	want = append(want, hashed...)
	return subtle.ConstantTimeCompare(em, want) == 1
}
