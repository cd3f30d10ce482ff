package browserid

//lint:file-ignore SA1019 DSA is the historic BrowserID user-key algorithm being simulated.

import (
	"bytes"
	"crypto/dsa"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
)

// PublicKey is a BrowserID public key in the deployed "old" JSON format:
// {"algorithm":"DS","y","p","q","g"} (hex) or {"algorithm":"RS","n","e"} (decimal).
// Exactly one of DSA and RSA is set.
type PublicKey struct {
	DSA *dsa.PublicKey
	RSA *rsa.PublicKey

	yTable *fixedBase // Precompute's powers of DSA.Y, or nil
}

// Bounds that keep a hostile key from costing unbounded CPU in big-number maths.
// The historic formats never exceed them (DS256 has a 2048-bit p, RS256 a 2048-bit n).
const (
	maxDSAPBits = 4096
	maxDSAQBits = 512
)

// Algorithm is browserid-crypto's getAlgorithm(): the first two letters of the
// algorithm plus the keysize derived from the key ("DS128", "DS256", "RS64",
// "RS128", "RS256"), or "" when the size is not one browserid-crypto knows.
func (p *PublicKey) Algorithm() string {
	switch {
	case p == nil:
		return ""
	case p.DSA != nil:
		if p.DSA.Y == nil {
			return ""
		}
		if ks := dsaKeySize(p.DSA.Y); ks != "" {
			return "DS" + ks
		}
	case p.RSA != nil:
		if p.RSA.N == nil {
			return ""
		}
		if ks := rsaKeySize(p.RSA.N.BitLen()); ks != "" {
			return "RS" + ks
		}
	}
	return ""
}

// rsaKeySize is rs.js's lookup: 512/1024/2048-bit moduli, one bit of tolerance.
func rsaKeySize(bits int) string {
	for _, ks := range []struct {
		name string
		bits int
	}{{"64", 512}, {"128", 1024}, {"256", 2048}} {
		if d := ks.bits - bits; d >= -1 && d <= 1 {
			return ks.name
		}
	}
	return ""
}

// Equal reports whether both keys are the same key.
func (p *PublicKey) Equal(o *PublicKey) bool {
	if p == nil || o == nil {
		return p == o
	}
	switch {
	case p.DSA != nil && o.DSA != nil:
		a, b := p.DSA, o.DSA
		return a.Y.Cmp(b.Y) == 0 && a.P.Cmp(b.P) == 0 && a.Q.Cmp(b.Q) == 0 && a.G.Cmp(b.G) == 0
	case p.RSA != nil && o.RSA != nil:
		return p.RSA.N.Cmp(o.RSA.N) == 0 && p.RSA.E == o.RSA.E
	}
	return false
}

// MarshalJSON writes the key as browserid-crypto serialises it: DS fields in lowercase
// hex without leading zeros, RS fields in decimal, "algorithm" first.
func (p *PublicKey) MarshalJSON() ([]byte, error) {
	return p.appendJSON(nil)
}

func (p *PublicKey) appendJSON(b []byte) ([]byte, error) {
	switch {
	case p == nil:
		return nil, errors.New("browserid: nil public key")
	case p.DSA != nil:
		k := p.DSA
		if k.Y == nil || k.P == nil || k.Q == nil || k.G == nil {
			return nil, errors.New("browserid: DS public key with missing y, p, q or g")
		}
		b = append(b, `{"algorithm":"DS","y":"`...)
		b = k.Y.Append(b, 16)
		b = append(b, `","p":"`...)
		b = k.P.Append(b, 16)
		b = append(b, `","q":"`...)
		b = k.Q.Append(b, 16)
		b = append(b, `","g":"`...)
		b = k.G.Append(b, 16)
		return append(b, `"}`...), nil
	case p.RSA != nil:
		if p.RSA.N == nil {
			return nil, errors.New("browserid: RS public key with missing n")
		}
		b = append(b, `{"algorithm":"RS","n":"`...)
		b = p.RSA.N.Append(b, 10)
		b = append(b, `","e":"`...)
		b = big.NewInt(int64(p.RSA.E)).Append(b, 10)
		return append(b, `"}`...), nil
	}
	return nil, errors.New("browserid: public key has neither DSA nor RSA part")
}

// ParsePublicKey reads the JSON form of a key (what a certificate's "public-key", an
// IdP's /.well-known/browserid "public-key" or Gecko's serializedPublicKey holds).
func ParsePublicKey(data []byte) (*PublicKey, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, malformed("public key: invalid JSON: " + err.Error())
	}
	if dec.More() {
		return nil, malformed("public key: trailing data after the JSON object")
	}
	if m == nil {
		return nil, malformed("public key: not a JSON object")
	}
	return PublicKeyFromObject(m)
}

// PublicKeyFromObject reads a key from decoded JSON (e.g. the publicKey object of a
// /certificate/sign request body). DS fields are hex in any case (Gecko sends
// uppercase), RS fields decimal. Unknown algorithms and key sizes fail with
// browserid-crypto's messages ("no such algorithm: X", "bad key size: N").
func PublicKeyFromObject(m map[string]any) (*PublicKey, error) {
	if m == nil {
		return nil, malformed("public key: not a JSON object")
	}
	raw, present := m["algorithm"]
	alg, ok := raw.(string)
	if !ok {
		name := "undefined"
		if present {
			name = jsString(raw)
		}
		return nil, &Error{Kind: NotImplemented, Reason: "no such algorithm: " + name}
	}
	switch alg {
	case "DS":
		var f [4]*big.Int
		for i, name := range []string{"y", "p", "q", "g"} {
			n, err := keyNumber(m, name, 16)
			if err != nil {
				return nil, err
			}
			f[i] = n
		}
		y, p, q, g := f[0], f[1], f[2], f[3]
		if p.BitLen() > maxDSAPBits || g.BitLen() > maxDSAPBits || q.BitLen() > maxDSAQBits {
			return nil, &Error{Kind: KeySizeNotSupported, Reason: fmt.Sprintf("bad key size: DS group too large (p %d bits, q %d bits)", p.BitLen(), q.BitLen())}
		}
		if dsaKeySize(y) == "" {
			return nil, &Error{Kind: KeySizeNotSupported, Reason: fmt.Sprintf("bad key size: %d", y.BitLen())}
		}
		return &PublicKey{DSA: &dsa.PublicKey{Parameters: dsa.Parameters{P: p, Q: q, G: g}, Y: y}}, nil
	case "RS":
		n, err := keyNumber(m, "n", 10)
		if err != nil {
			return nil, err
		}
		e, err := keyNumber(m, "e", 10)
		if err != nil {
			return nil, err
		}
		if rsaKeySize(n.BitLen()) == "" {
			return nil, &Error{Kind: KeySizeNotSupported, Reason: fmt.Sprintf("bad key size: %d", n.BitLen())}
		}
		if !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1 || e.Bit(0) == 0 {
			return nil, malformed("public key: unsupported RSA exponent e=" + e.String())
		}
		return &PublicKey{RSA: &rsa.PublicKey{N: n, E: int(e.Int64())}}, nil
	}
	return nil, &Error{Kind: NotImplemented, Reason: "no such algorithm: " + alg}
}

// keyNumber reads a non-empty string of digits in the given base.
func keyNumber(m map[string]any, name string, base int) (*big.Int, error) {
	s, ok := m[name].(string)
	if !ok {
		return nil, malformed(fmt.Sprintf("public key: field %q must be a string", name))
	}
	what := "decimal"
	if base == 16 {
		what = "hex"
	}
	if s == "" || len(s) > 2048 {
		return nil, malformed(fmt.Sprintf("public key: field %q is not a %s number of sane length", name, what))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		digit := c >= '0' && c <= '9'
		if base == 16 {
			digit = digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
		}
		if !digit {
			return nil, malformed(fmt.Sprintf("public key: field %q is not a %s number", name, what))
		}
	}
	n, ok := new(big.Int).SetString(s, base)
	if !ok || n.Sign() <= 0 {
		return nil, malformed(fmt.Sprintf("public key: field %q must be a positive %s number", name, what))
	}
	return n, nil
}

// jsString renders a decoded JSON value roughly the way JavaScript string
// concatenation would in an error message.
func jsString(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
