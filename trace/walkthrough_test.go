package trace_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/device"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
	"github.com/mozidsim/mozidsim/rp"
	"github.com/mozidsim/mozidsim/trace"
)

const (
	alice    = "alice@example.com"
	password = "correct horse battery"
)

var shop = rp.App{Name: "shop", Origin: "https://shop.example.com", Status: wire.AppCertified}

// walkthrough runs the seed's two parts on a fresh phone: part I is watch()
// with nobody signed in; part II adds request() and a sign-in in the dialog.
func walkthrough(t *testing.T, partII bool) []sim.Event {
	t.Helper()
	d, err := device.New(device.Config{Seed: 1, Accounts: []device.Account{{Email: alice, Password: password, Verified: true}}})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, d.Close()) })
	p, err := d.Open(shop)
	require.NoError(t, err)
	require.NoError(t, p.Watch(rp.WatchOptions{WantIssuer: wire.WantIssuerFxA, OnLogin: func(string) {}, OnLogout: func() {}, OnReady: func() {}, OnError: func(string) {}}))
	require.NoError(t, d.RunUntilIdle())
	if partII {
		require.NoError(t, p.Request(rp.RequestOptions{OnCancel: func() {}}))
		require.NoError(t, d.RunUntilIdle())
		for _, in := range []struct{ action, value string }{
			{wire.UserTypeEmail, alice}, {wire.UserNext, ""},
			{wire.UserTypePassword, password}, {wire.UserNext, ""},
			{wire.UserDone, ""},
		} {
			require.NoError(t, d.UserInput(in.action, in.value), in.action)
		}
		require.Equal(t, []string{"onlogout", "onready", "onlogin aud=https://shop.example.com email=alice@example.com"}, p.Lines())
	} else {
		require.Equal(t, []string{"onlogout", "onready"}, p.Lines())
	}
	require.Empty(t, d.Faults())
	return d.Sys.Trace()
}

// TestSeedWalkthroughsAreFullyExplained: every arrow of the seed's parts I and II
// has a seed step of its own part, a historic file and a sentence of why, and
// the steps the walkthrough names all occur.
func TestSeedWalkthroughsAreFullyExplained(t *testing.T) {
	partI := trace.Explain(walkthrough(t, false))
	seen := map[string]bool{}
	for _, st := range partI {
		require.True(t, st.Known && strings.HasPrefix(st.Tag, "I.") && st.File != "" && st.Why != "",
			"part I step has no explanation:\n%s", trace.FormatStep(st))
		seen[st.Tag] = true
	}
	for _, tag := range []string{"I.1", "I.3", "I.4", "I.5", "I.6", "I.7", "I.8"} {
		require.True(t, seen[tag], "no hop of part I is tagged %s", tag)
	}

	both := trace.Explain(walkthrough(t, true))
	require.Equal(t, len(partI), countPrefix(both[:len(partI)], "I."), "part II starts where part I ended")
	seen = map[string]bool{}
	for _, st := range both[len(partI):] {
		require.True(t, st.Known && strings.HasPrefix(st.Tag, "II.") && st.File != "" && st.Why != "",
			"part II step has no explanation:\n%s", trace.FormatStep(st))
		seen[st.Tag] = true
	}
	for _, tag := range []string{"II.1", "II.2", "II.3", "II.4", "II.5", "II.6", "II.8", "II.9", "II.10", "II.11", "II.12", "II.13", "II.14"} {
		require.True(t, seen[tag], "no hop of part II is tagged %s", tag)
	}
}

func countPrefix(steps []trace.Step, prefix string) int {
	n := 0
	for _, st := range steps {
		if strings.HasPrefix(st.Tag, prefix) {
			n++
		}
	}
	return n
}

// TestRunsRepeatByRole: two runs of the same walkthrough (fresh keys, fresh
// signatures, the server's key) are the same trace once roles replace bytes.
func TestRunsRepeatByRole(t *testing.T) {
	first := trace.Encode(sim.Epoch, walkthrough(t, true))
	second := trace.Encode(sim.Epoch, walkthrough(t, true))
	require.Nil(t, trace.Compare(first, second))
}
