package browserid

import (
	"encoding/base64"
	"encoding/hex"
)

// encodeGecko is IdentityCryptoService's base64url: standard alphabet swapped to
// '-' '_' with the '=' padding kept.
func encodeGecko(b []byte) string { return base64.URLEncoding.EncodeToString(b) }

// b64Value maps a character of either base64 alphabet to its 6-bit value, or -1.
// Node's Buffer decoder (what browserid-crypto's atob is in Node) accepts both.
func b64Value(c byte) int {
	switch {
	case c >= 'A' && c <= 'Z':
		return int(c - 'A')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 26
	case c >= '0' && c <= '9':
		return int(c-'0') + 52
	case c == '+' || c == '-':
		return 62
	case c == '/' || c == '_':
		return 63
	}
	return -1
}

// decodeSegment decodes a header or payload segment the way browserid-crypto does:
// the length decides the re-padding (length ≡ 1 mod 4 is illegal), then Node's
// lenient decoder skips characters outside the alphabet ('=' included) and drops
// trailing bits that do not make a whole byte. Garbage therefore decodes to garbage
// and fails later as invalid JSON, as it did historically.
func decodeSegment(name, seg string) ([]byte, error) {
	if len(seg)%4 == 1 {
		return nil, malformed(name + " segment: Illegal base64url string!")
	}
	out := make([]byte, 0, len(seg)*3/4+2)
	var acc uint32
	var bits uint
	for i := 0; i < len(seg); i++ {
		v := b64Value(seg[i])
		if v < 0 {
			continue
		}
		acc = acc<<6 | uint32(v)
		bits += 6
		if bits >= 8 {
			bits -= 8
			out = append(out, byte(acc>>bits))
			acc &= 1<<bits - 1
		}
	}
	return out, nil
}

// signatureHex turns a signature segment into the hex string browserid-crypto
// verifies (utils.js b64urltohex): only base64url characters count (so '=' padding
// and stray characters are skipped), a trailing lone character contributes its two
// low bits as one more nibble, a trailing pair loses its last nibble, and one
// leading '0' nibble is dropped. Keys left-pad the result to their own length.
func signatureHex(seg string) string {
	nibbles := make([]byte, 0, len(seg)*3/2+1)
	var acc uint32
	var bits uint
	chars := 0
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		if c == '+' || c == '/' { // not in the base64url map
			continue
		}
		v := b64Value(c)
		if v < 0 {
			continue
		}
		chars++
		acc = acc<<6 | uint32(v)
		bits += 6
		for bits >= 4 {
			bits -= 4
			nibbles = append(nibbles, hexDigits[(acc>>bits)&0xf])
		}
		acc &= 1<<bits - 1
	}
	switch chars % 4 {
	case 1:
		nibbles = append(nibbles, hexDigits[(acc<<2)&0xf])
	case 2:
		nibbles = nibbles[:len(nibbles)-1]
	}
	if len(nibbles) > 0 && nibbles[0] == '0' {
		nibbles = nibbles[1:]
	}
	return string(nibbles)
}

// hexToBytes decodes a hex string of any length (odd lengths get a leading zero).
func hexToBytes(h string) []byte {
	if len(h)%2 == 1 {
		h = "0" + h
	}
	b, err := hex.DecodeString(h)
	if err != nil { // cannot happen: signatureHex only emits hex digits
		return nil
	}
	return b
}
