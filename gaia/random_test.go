package gaia

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/wire"
)

// TestRandomInputNeverBreaksTheDialog presses random buttons with random values
// (seeded, so failures repeat): no actor panics, the caller is answered at most
// once, and once answered the dialog is gone.
func TestRandomInputNeverBreaksTheDialog(t *testing.T) {
	actions := []string{wire.UserTypeEmail, wire.UserTypePassword, wire.UserChooseYear, wire.UserNext,
		wire.UserBack, wire.UserDone, wire.UserClose, wire.UserHome, wire.UserHoldHome}
	values := []string{"", alice, bob, newcomer, "nobody@", alicePass, bobPass, "short", "2015", "2002", "1990", "0", "x"}
	for seed := uint64(0); seed < 200; seed++ {
		h := newHarness(t)
		r := rand.New(rand.NewPCG(seed, 1))
		h.openFlow("flow")
		for step := 0; step < 30 && len(h.rp) == 0; step++ {
			h.user(actions[r.IntN(len(actions))], values[r.IntN(len(values))])
		}
		require.LessOrEqual(t, len(h.rp), 1, "seed %d", seed)
		if len(h.rp) == 1 {
			h.requireClosed()
		}
		require.Empty(t, h.sys.Faults(), "seed %d", seed)
	}
}

func BenchmarkSignInFlow(b *testing.B) {
	for b.Loop() {
		h := newHarness(b)
		h.openFlow("flow")
		h.signIn(alice, alicePass)
		h.user(wire.UserDone, "")
		if len(h.rp) != 1 {
			b.Fatalf("got %d answers", len(h.rp))
		}
		h.close()
	}
}
