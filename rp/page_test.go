package rp_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/identity"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
	"github.com/mozidsim/mozidsim/rp"
)

func TestOpenRejectsBadInput(t *testing.T) {
	sys := newSystem(t, nil, nil)
	_, err := rp.Open(nil, app("a", wire.AppCertified))
	require.EqualError(t, err, "rp: Open needs a system")
	_, err = rp.Open(sys, rp.App{Origin: "https://a"})
	require.EqualError(t, err, "identity: page needs an app name")
	_, err = rp.Open(sys, rp.App{Name: "a"})
	require.EqualError(t, err, `identity: page "a" needs an origin`)
	_, err = rp.Open(sys, rp.App{Name: "a", Origin: "https://a", Status: 9})
	require.EqualError(t, err, `identity: page "a" has unknown app status 9 (want 0..3)`)

	p := open(t, sys, app("a", wire.AppCertified))
	require.Equal(t, wire.NSDOMIdentity("a"), p.Addr())
	require.Equal(t, app("a", wire.AppCertified), p.App())
	_, err = rp.Open(sys, app("a", wire.AppCertified))
	require.EqualError(t, err, `rp: open "a": sim: actor "nsDOMIdentity[a]" already exists`)

	// Opening from inside a callback would re-enter the scheduler.
	var inner error
	p = open(t, sys, app("priv", wire.AppPrivileged))
	require.NoError(t, p.Watch(rp.WatchOptions{OnLogin: func(string) {}, OnError: func(string) { _, inner = rp.Open(sys, app("b", wire.AppCertified)) },
		Audience: "https://not-mine.example.com"}))
	require.EqualError(t, inner, `rp: open "b" from the driver, not from inside an actor`)
}

func TestPageAfterSystemClosed(t *testing.T) {
	t.Parallel()
	sys := sim.New(sim.Options{})
	require.NoError(t, sys.Spawn(wire.DOMIdentity, identity.NewDOMIdentity()))
	p, err := rp.Open(sys, app("a", wire.AppCertified))
	require.NoError(t, err)
	require.NoError(t, sys.Close())
	require.EqualError(t, p.Logout(), `rp: page "a": sim: system is closed`)
	require.EqualError(t, p.Close(), `rp: page "a": sim: system is closed`)
	require.Empty(t, p.Log())
}

// The log keeps what the RP's callbacks received: the assertion itself, null
// as "" with Null set, and error strings.
func TestLogEntries(t *testing.T) {
	t.Parallel()
	fxa := newFxAStub()
	fxa.signedIn = true
	sys := newSystem(t, fxa, nil)
	p := open(t, sys, app("c", wire.AppCertified))
	var assertions []string
	o := fxaWatch()
	o.OnLogin = func(a string) { assertions = append(assertions, a) }
	require.NoError(t, p.Watch(o))
	require.NoError(t, sys.RunUntilIdle())
	requireThrows(t, p.Watch(o), "navigator.id.watch was already called")
	want := backedAssertion("app://c.example.com", "alice@example.com")
	require.Equal(t, []string{want}, assertions)
	require.Equal(t, []rp.Entry{
		{Callback: "onlogin", Assertion: want, Line: "onlogin aud=app://c.example.com email=alice@example.com"},
		{Callback: "onready", Line: "onready"},
		{Callback: "throws", Error: "navigator.id.watch was already called", Line: "throws navigator.id.watch was already called"},
	}, p.Log())
}
