package rp_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/rp"
)

func TestLoginLineDecodesWithAndWithoutPadding(t *testing.T) {
	t.Parallel()
	padded := backedAssertion("https://shop.example.com", "bob@example.com")
	require.Contains(t, padded, "=", "the fixture must exercise Gecko's '=' padding")
	require.Equal(t, "onlogin aud=https://shop.example.com email=bob@example.com", rp.LoginLine(padded))
	unpadded := strings.ReplaceAll(padded, "=", "")
	require.Equal(t, "onlogin aud=https://shop.example.com email=bob@example.com", rp.LoginLine(unpadded))

	// Several certificates: the email comes from the last one.
	other := backedAssertion("x", "first@example.com")
	chain := strings.SplitN(other, "~", 2)[0] + "~" + padded
	require.Equal(t, "onlogin aud=https://shop.example.com email=bob@example.com", rp.LoginLine(chain))
}

func TestLoginLineMalformed(t *testing.T) {
	t.Parallel()
	good := backedAssertion("https://a.example.com", "a@example.com")
	parts := strings.Split(good, "~")
	certSegs := strings.Split(parts[0], ".")
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	cases := []struct {
		assertion string
		want      string
	}{
		{"", "onlogin malformed=no certificate (expected <cert>~<assertion>)"},
		{"just-one-part", "onlogin malformed=no certificate (expected <cert>~<assertion>)"},
		{"here~you.go.dude", "onlogin malformed=certificate: not a JWT (1 segments, want 3)"},
		{parts[0] + "~a.b", "onlogin malformed=assertion: not a JWT (2 segments, want 3)"},
		{certSegs[0] + ".!!!." + certSegs[2] + "~" + parts[1], "onlogin malformed=certificate: payload is not base64url: illegal base64 data at input byte 0"},
		{certSegs[0] + "." + b64("[1,2]") + "." + certSegs[2] + "~" + parts[1], "onlogin malformed=certificate: payload is not a JSON object"},
		{certSegs[0] + "." + b64(`{"principal":{"email":"u@x"}}`) + ".s~" + parts[1], "onlogin malformed=certificate: no fxa-verifiedEmail string"},
		{parts[0] + "~h." + b64(`{"aud":7}`) + ".s", "onlogin malformed=assertion: no aud string"},
	}
	for _, c := range cases {
		require.Equal(t, c.want, rp.LoginLine(c.assertion), c.assertion)
	}
}
