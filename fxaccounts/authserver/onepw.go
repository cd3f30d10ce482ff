package authserver

import (
	"crypto/hkdf"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/hex"
)

// onepw key-stretching contexts (FxA's onepw protocol).
const (
	quickStretchContext = "identity.mozilla.com/picl/v1/quickStretch:"
	authPWContext       = "identity.mozilla.com/picl/v1/authPW"
	quickStretchRounds  = 1000
)

// AuthPW is what the device sends instead of the password (onepw):
// quickStretchedPW = PBKDF2-SHA256(password, "…quickStretch:" + email, 1000, 32),
// authPW = HKDF-SHA256(quickStretchedPW, no salt, "…authPW", 32), in hex.
func AuthPW(email, password string) string {
	qs, err := pbkdf2.Key(sha256.New, password, []byte(quickStretchContext+email), quickStretchRounds, 32)
	if err != nil {
		panic(err) // only for impossible parameters
	}
	out, err := hkdf.Key(sha256.New, qs, nil, authPWContext, 32)
	if err != nil {
		panic(err)
	}
	return hex.EncodeToString(out)
}
