package gaia

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/wire"
)

func TestValidEmailFollowsTypeEmail(t *testing.T) {
	for _, v := range []string{
		"a@b", "alice@example.com", "first.last+tag@sub.example.co.uk", "x@localhost",
		"a!#$%&'*+/=?^_`{|}~-@b-c.d", "a..b@c", ".a@b", "a@123.45",
		"a@" + strings.Repeat("x", 63) + ".com",
	} {
		require.True(t, validEmail(v), "%q is valid", v)
	}
	for _, v := range []string{
		"", "alice", "@b", "a@", "a b@c", "a@b c", "a@@b", "a@b@c", "a@-b", "a@b-", "a@b..c", "a@.b", "a@b.",
		"é@b.c", "a@bé.c", "a(b)@c", `"a"@b`, "a@b_c",
		"a@" + strings.Repeat("x", 64) + ".com",
	} {
		require.False(t, validEmail(v), "%q is invalid", v)
	}
	require.Equal(t, "a@b", sanitizeEmail(" \ta@\r\nb \n"))
	require.Equal(t, "a @b", sanitizeEmail("a @b"), "inner spaces stay (and make it invalid)")
}

func TestValidPasswordIsDotEightOrMore(t *testing.T) {
	require.False(t, validPassword(""))
	require.False(t, validPassword("1234567"))
	require.True(t, validPassword("12345678"))
	require.False(t, validPassword("ééééééé"), "7 code units")
	require.True(t, validPassword("🔑🔑🔑🔑"), "astral characters count twice in UTF-16")
	require.False(t, validPassword("abcd\u2028efgh"), "'.' does not match a line separator")
	require.Equal(t, "12345678", sanitizePassword("1234\r\n5678"))
}

func TestOverlayKeyUsesTheLaterTable(t *testing.T) {
	cases := []struct {
		resp any
		want string
	}{
		{&wire.FxAError{Error: "INVALID_PASSWORD"}, ErrInvalidPassword},
		{wire.NewError("OFFLINE", nil), ErrOffline},
		{wire.O("error", "COPPA_ERROR"), ErrCoppa},
		{wire.O("error", "INVALID_EMAIL"), ErrInvalidEmail},
		{&wire.FxAError{Error: "ACCOUNT_DOES_NOT_EXIST "}, ErrUnknown},
		{&wire.FxAError{Error: "ACCOUNT_DOES_NOT_EXIST"}, ErrUnknown}, // not in the 2015 table either
		{&wire.FxAError{Error: "ACCOUNT_ALREADY_EXISTS"}, ErrUnknown},
		{wire.O("error", ErrCannotCreateAccount), ErrUnknown},
		{&wire.FxAError{Error: &wire.FxAError{Error: "INVALID_PASSWORD"}}, ErrUnknown},
		{&wire.ServerError{Error: "Bad Request"}, ErrUnknown},
		{"INVALID_PASSWORD", ErrUnknown}, // a bare string has no .error: GENERIC_ERROR
		{nil, ErrUnknown},
		{wire.O("error", ""), ErrUnknown},
		{wire.O("error", "UNKNOWN"), ErrUnknown},
	}
	for _, c := range cases {
		require.Equal(t, c.want, OverlayKey(c.resp), "%#v", c.resp)
	}
}

func TestDialogMachineDiagram(t *testing.T) {
	d, err := DialogMachine.Mermaid()
	require.NoError(t, err)
	require.Equal(t, `stateDiagram-v2
    [*] --> LOADING
    CHECKING_EMAIL --> ENTER_EMAIL: failed
    CHECKING_EMAIL --> COPPA: not-registered
    CHECKING_EMAIL --> ENTER_PASSWORD: registered
    COPPA --> ENTER_EMAIL: back
    COPPA --> CLOSED: close
    COPPA --> SET_PASSWORD: next-13-or-older
    ENTER_EMAIL --> CLOSED: close
    ENTER_EMAIL --> CHECKING_EMAIL: next
    ENTER_PASSWORD --> ENTER_EMAIL: back
    ENTER_PASSWORD --> CLOSED: close
    ENTER_PASSWORD --> SIGNING_IN: next
    LOADING --> ENTER_EMAIL: load-login
    LOADING --> REFRESH_AUTH: load-refresh_auth
    REFRESHING --> REFRESH_AUTH: failed
    REFRESHING --> CLOSED: signed-in
    REFRESH_AUTH --> CLOSED: close
    REFRESH_AUTH --> REFRESHING: done
    SET_PASSWORD --> COPPA: back
    SET_PASSWORD --> CLOSED: close
    SET_PASSWORD --> SIGNING_UP: next
    SIGNING_IN --> ENTER_PASSWORD: failed
    SIGNING_IN --> SIGNUP_SUCCESS: unverified
    SIGNING_IN --> SIGNIN_SUCCESS: verified
    SIGNING_UP --> SIGNUP_SUCCESS: account-created
    SIGNING_UP --> SET_PASSWORD: failed
    SIGNIN_SUCCESS --> CLOSED: close
    SIGNIN_SUCCESS --> CLOSED: done
    SIGNUP_SUCCESS --> CLOSED: close
    SIGNUP_SUCCESS --> CLOSED: done
`, d)
}

func TestEveryWaitingStateShowsAScreen(t *testing.T) {
	for _, e := range DialogMachine.Events() {
		for _, s := range append(e.From, e.To) {
			_, waiting := waitingScreen[s]
			isScreen := false
			for _, sc := range screens {
				isScreen = isScreen || sc == s
			}
			require.True(t, waiting || isScreen || s == StLoading || s == StClosed, "state %s is accounted for", s)
		}
	}
}
