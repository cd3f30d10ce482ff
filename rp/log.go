package rp

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/mozidsim/mozidsim/internal/wire"
)

// Entry is one thing the page saw: a callback it had passed, called, or an
// exception thrown out of a call. Line is the entry as a scenario line.
type Entry struct {
	Callback  string // wire.CbLogin, CbLogout, CbReady, CbCancel, CbError or CbThrows
	Assertion string // onlogin: the backed assertion ("" with Null for null)
	Null      bool   // onlogin received null
	Error     string // onerror: the exact string; throws: the exception message
	Line      string
}

func loginEntry(assertion *string) Entry {
	if assertion == nil {
		return Entry{Callback: wire.CbLogin, Null: true, Line: "onlogin null"}
	}
	// Line is rendered when the log is read (Page.Log, Page.Lines): decoding the
	// assertion is the log's business, not the callback's.
	return Entry{Callback: wire.CbLogin, Assertion: *assertion}
}

func errorEntry(s string) Entry {
	return Entry{Callback: wire.CbError, Error: s, Line: "onerror " + s}
}

func throwEntry(msg string) Entry {
	return Entry{Callback: wire.CbThrows, Error: msg, Line: "throws " + msg}
}

func plainEntry(cb string) Entry { return Entry{Callback: cb, Line: cb} }

// LoginLine is the scenario line for onlogin(assertion): the audience and the
// FxA-verified email read from the assertion without verifying it, or the reason
// it could not be read.
func LoginLine(assertion string) string {
	aud, email, err := DecodeAssertion(assertion)
	if err != nil {
		return "onlogin malformed=" + err.Error()
	}
	return "onlogin aud=" + aud + " email=" + email
}

// DecodeAssertion reads a backed assertion (<cert>~...~<assertion>) without
// verifying anything: "aud" from the assertion's JWT payload and
// "fxa-verifiedEmail" from the last certificate's. Gecko's base64url keeps '='
// padding, so padding is accepted (and so is its absence).
func DecodeAssertion(backed string) (aud, email string, err error) {
	parts := strings.Split(backed, "~")
	if len(parts) < 2 {
		return "", "", errors.New("no certificate (expected <cert>~<assertion>)")
	}
	email, err = stringClaim(parts[len(parts)-2], "fxa-verifiedEmail")
	if err != nil {
		return "", "", fmt.Errorf("certificate: %w", err)
	}
	aud, err = stringClaim(parts[len(parts)-1], "aud")
	if err != nil {
		return "", "", fmt.Errorf("assertion: %w", err)
	}
	return aud, email, nil
}

// stringClaim reads the "aud" or "fxa-verifiedEmail" claim of a JWT payload
// without verifying it; every onlogin is logged, so this stays cheap.
func stringClaim(jwt, name string) (string, error) {
	segments := strings.Split(jwt, ".")
	if len(segments) != 3 {
		return "", fmt.Errorf("not a JWT (%d segments, want 3)", len(segments))
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(segments[1], "="))
	if err != nil {
		return "", fmt.Errorf("payload is not base64url: %w", err)
	}
	// Unknown claims are skipped, not built: the certificate's big public-key
	// numbers never become Go values.
	var claims struct {
		Aud           json.RawMessage `json:"aud"`
		VerifiedEmail json.RawMessage `json:"fxa-verifiedEmail"`
	}
	if err := json.Unmarshal(raw, &claims); err != nil {
		return "", errors.New("payload is not a JSON object")
	}
	c := claims.Aud
	if name == "fxa-verifiedEmail" {
		c = claims.VerifiedEmail
	}
	var v string
	if len(c) == 0 || json.Unmarshal(c, &v) != nil {
		return "", fmt.Errorf("no %s string", name)
	}
	return v, nil
}
