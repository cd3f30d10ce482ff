package browserid

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// JWT is a decoded BrowserID JWS (certificate or assertion), kept next to the
// original segments because signatures are checked over the segments as received.
type JWT struct {
	Raw                     string
	Header, Payload         map[string]any
	HeaderJSON, PayloadJSON []byte
	// Signature holds the signature bytes as browserid-crypto reads them (lenient
	// decoding, see signatureHex); a DSA signature may come out shorter than 40 bytes
	// when r starts with zero bits.
	Signature    []byte
	SigningInput string // header segment + "." + payload segment, verbatim
	sigHex       string
}

// ParseJWT splits and decodes a JWS like browserid-crypto's extractComponents:
// exactly three '.'-separated parts; header and payload base64url with or without
// '=' padding (length ≡ 1 mod 4 is illegal) holding JSON objects. Errors carry
// browserid-crypto's reasons, including its missing space in "headersegment: invalid
// json". Numbers decode as float64 (JavaScript numbers; 1e400 becomes +Inf).
func ParseJWT(s string) (*JWT, error) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return nil, malformed(fmt.Sprintf("signed object must have three parts, this one has %d", len(parts)))
	}
	t := &JWT{Raw: s, SigningInput: parts[0] + "." + parts[1]}
	var err error
	if t.HeaderJSON, t.Header, err = decodeJSONSegment("header", parts[0]); err != nil {
		return nil, err
	}
	if t.PayloadJSON, t.Payload, err = decodeJSONSegment("payload", parts[1]); err != nil {
		return nil, err
	}
	t.sigHex = signatureHex(parts[2])
	t.Signature = hexToBytes(t.sigHex)
	return t, nil
}

func decodeJSONSegment(name, seg string) ([]byte, map[string]any, error) {
	raw, err := decodeSegment(name, seg)
	if err != nil {
		return nil, nil, err
	}
	v, err := decodeJSValue(raw)
	if err != nil {
		// browserid-crypto builds this message as name + "segment: invalid json".
		return nil, nil, malformed(name + "segment: invalid json")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, nil, malformed(name + "segment: malformed object")
	}
	return raw, m, nil
}

// decodeJSValue parses JSON like JSON.parse: one value, numbers as float64 (out of
// range numbers become ±Inf rather than an error).
func decodeJSValue(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("trailing data after JSON value")
	}
	return numbersToFloat(v), nil
}

func numbersToFloat(v any) any {
	switch x := v.(type) {
	case json.Number:
		f, _ := strconv.ParseFloat(string(x), 64) // ±Inf on overflow, like JS
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = numbersToFloat(e)
		}
	case []any:
		for i, e := range x {
			x[i] = numbersToFloat(e)
		}
	}
	return v
}

// VerifySignature checks the JWS signature with pub, as browserid-crypto's
// jwcrypto.verify: the header "alg" must equal pub.Algorithm() exactly
// ("algorithms do not match"), then the signature over the original segments must
// hold ("invalid signature"; a DSA signature longer than r||s is "malformed
// signature"). RSA accepts PKCS#1 v1.5 with a SHA-256 or SHA-1 DigestInfo.
func (t *JWT) VerifySignature(pub *PublicKey) error {
	if t == nil {
		return malformed(ReasonMalformedSignature)
	}
	alg := pub.Algorithm()
	if alg == "" {
		if pub == nil || (pub.DSA == nil && pub.RSA == nil) {
			return errors.New("browserid: no public key to verify with")
		}
		return &Error{Kind: KeySizeNotSupported, Reason: "bad key size: the public key has a size browserid-crypto does not support"}
	}
	if hdrAlg, ok := t.Header["alg"].(string); !ok || hdrAlg != alg {
		return malformed(ReasonAlgorithmsDoNotMatch)
	}
	sigHex := t.sigHex
	if sigHex == "" && len(t.Signature) > 0 { // a JWT built by hand
		sigHex = hex.EncodeToString(t.Signature)
	}
	if pub.DSA != nil {
		return verifyDSA(pub.DSA, pub.yTable, alg, t.SigningInput, sigHex)
	}
	return verifyRSA(pub.RSA, t.SigningInput, sigHex)
}

func verifyRSA(pub *rsa.PublicKey, input, sigHex string) error {
	sigInt, ok := new(big.Int).SetString(sigHex, 16)
	if sigHex == "" || !ok {
		return verification(ReasonInvalidSignature)
	}
	k := (pub.N.BitLen() + 7) / 8
	if len(sigInt.Bytes()) > k {
		return verification(ReasonInvalidSignature)
	}
	// The hex form may have lost leading zeros; crypto/rsa wants exactly k bytes.
	sig := sigInt.FillBytes(make([]byte, k))
	h256 := sha256.Sum256([]byte(input))
	if rsa.VerifyPKCS1v15(pub, crypto.SHA256, h256[:], sig) == nil {
		return nil
	}
	h1 := sha1.Sum([]byte(input))
	if rsa.VerifyPKCS1v15(pub, crypto.SHA1, h1[:], sig) == nil {
		return nil
	}
	if pub.N.BitLen() < 1024 && (verifyPKCS1v15Small(pub, sha256DigestInfo, h256[:], sig) || verifyPKCS1v15Small(pub, sha1DigestInfo, h1[:], sig)) {
		return nil
	}
	return verification(ReasonInvalidSignature)
}
