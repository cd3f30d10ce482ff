package fxaccounts

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/machine"
)

// TestGetAssertionMachineOfEachEra: the 2014 rows check the network first and
// sign a stale session out; the 2015 rows test the permission. Both fault on
// a refused event.
func TestGetAssertionMachineOfEachEra(t *testing.T) {
	m2014, m2015 := GetAssertionMachineOf(era.Spring2014), GetAssertionMachineOf(era.Y2015)
	require.Equal(t, "fxaccountsmanager-getassertion-2014", m2014.Name())
	require.Same(t, GetAssertionMachine, m2015)
	require.Same(t, GetAssertionMachine, GetAssertionMachineOf(""))
	for _, tb := range []*machine.Table{m2014, m2015} {
		require.Equal(t, machine.Fault, tb.Refused(), tb.Name())
		require.Equal(t, stStart, tb.Initial(), tb.Name())
	}
	require.True(t, m2014.Knows(evOfflineFirst))
	require.True(t, m2014.Knows(evStaleSignOut))
	require.False(t, m2014.Knows(evPermPrompt))
	require.True(t, m2015.Knows(evPermPrompt))
	require.False(t, m2015.Knows(evOfflineFirst))

	// The shared rows: errno 110, then the refresh UI, in both eras.
	for _, tb := range []*machine.Table{m2014, m2015} {
		m := tb.New()
		for _, ev := range []string{evLookup, evAllowed, evInvalidToken, evAccountExists, evUIVerified, evGotAssertion} {
			require.NoError(t, m.Fire(nil, ev), "%s: %s", tb.Name(), ev)
		}
		require.Equal(t, stResolved, m.Current(), tb.Name())
		require.PanicsWithValue(t, `state machine `+tb.Name()+`: event "lookup" in state "resolved": event lookup inappropriate in current state resolved`,
			func() { _ = m.Fire(nil, evLookup) })
	}
}
