package trace

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
	"github.com/mozidsim/mozidsim/trace/internal/tracetest"
)

func TestCompareReportsTheFirstDifferenceWithContext(t *testing.T) {
	want := Encode(sim.Epoch, tracetest.SignedOutWatch())
	require.Nil(t, Compare(want, Encode(sim.Epoch, tracetest.SignedOutWatch())))

	changed := tracetest.SignedOutWatch()
	changed[7].Payload = wire.Resolved{Call: 1, Value: "not-an-assertion"}
	d := Compare(want, Encode(sim.Epoch, changed))
	require.NotNil(t, d)
	require.Equal(t, 7, d.Index)
	require.Equal(t, "payload.value", d.Field)
	require.Equal(t, `replay diverges from the recording at event 8 (seq 8, T+0s)
  recorded: #8 T+0s hop      FxAccountsManager -> FirefoxAccounts getAssertion:resolved {call:1,value:null}
  replayed: #8 T+0s hop      FxAccountsManager -> FirefoxAccounts getAssertion:resolved {call:1,value:"not-an-assertion"}
  first difference in payload.value:
    recorded null
    replayed "not-an-assertion"
before it (identical in both):
  #5 T+0s hop      FxAccountsManager -> FxAccounts getSignedInUser {call:1}
  #6 T+0s hop      FxAccounts -> FxAccountsManager getSignedInUser:resolved {call:1,value:null}
  #7 T+0s note     FxAccountsManager -> FxAccountsManager getAssertion resolved (no-user-silent)
the recording went on with:
  #9 T+0s hop      FirefoxAccounts -> DOMIdentity doLogout {id:"<uuid#1>",assertion:null,message:null}
  #10 T+0s hop      FirefoxAccounts -> DOMIdentity doReady {id:"<uuid#1>",assertion:null,message:null}
  #11 T+0s hop      DOMIdentity -> nsDOMIdentity[shop] Identity:RP:Watch:OnLogout {id:"<uuid#1>",assertion:null,message:null}
the replay went on with:
  #9 T+0s hop      FirefoxAccounts -> DOMIdentity doLogout {id:"<uuid#1>",assertion:null,message:null}
  #10 T+0s hop      FirefoxAccounts -> DOMIdentity doReady {id:"<uuid#1>",assertion:null,message:null}
  #11 T+0s hop      DOMIdentity -> nsDOMIdentity[shop] Identity:RP:Watch:OnLogout {id:"<uuid#1>",assertion:null,message:null}
`, d.String())
}

func TestCompareFields(t *testing.T) {
	base := Encode(sim.Epoch, tracetest.SignedOutWatch())
	for _, tc := range []struct {
		name            string
		change          func(evs []sim.Event) []sim.Event
		index           int
		field, wv, gv   string
		wantNil, gotNil bool
	}{
		{"name", func(evs []sim.Event) []sim.Event { evs[8].Name = wire.DoLogin; return evs }, 8, "name", `"doLogout"`, `"doLogin"`, false, false},
		{"kind", func(evs []sim.Event) []sim.Event { evs[6].Kind = sim.KindHop; return evs }, 6, "kind", `"note"`, `"hop"`, false, false},
		{"receiver", func(evs []sim.Event) []sim.Event { evs[2].To = wire.MinimalIdentity; return evs }, 2, "to", `"FirefoxAccounts"`, `"MinimalIdentity"`, false, false},
		{"virtual time", func(evs []sim.Event) []sim.Event { evs[12].At = 5e9; return evs }, 12, "at", `"0s"`, `"5s"`, false, false},
		{"a different window", func(evs []sim.Event) []sim.Event {
			evs[8].Payload = wire.RPCallback{ID: tracetest.UIID}
			return evs
		}, 8, "payload.id", `"<uuid#1>"`, `"<uuid#2>"`, false, false},
		{"members", func(evs []sim.Event) []sim.Event { evs[4].Payload = wire.EmailCall{Call: 1}; return evs }, 4, "payload", "keys [call]", "keys [call, email]", false, false},
		{"stops early", func(evs []sim.Event) []sim.Event { return evs[:12] }, 12, "", "", "", false, true},
		{"goes on", func(evs []sim.Event) []sim.Event {
			return append(evs, sim.Event{Seq: 15, Kind: sim.KindNote, From: wire.DOMIdentity, To: wire.DOMIdentity, Name: "extra"})
		}, 14, "", "", "", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Compare(base, Encode(sim.Epoch, tc.change(tracetest.SignedOutWatch())))
			require.NotNil(t, d)
			require.Equal(t, tc.index, d.Index)
			require.Equal(t, tc.field, d.Field)
			require.Equal(t, tc.wv, d.WantValue)
			require.Equal(t, tc.gv, d.GotValue)
			require.Equal(t, tc.wantNil, d.Want == nil)
			require.Equal(t, tc.gotNil, d.Got == nil)
		})
	}
}

func TestCompareSkipsRawBytesOnly(t *testing.T) {
	a := []Line{{Seq: 1, Kind: "hop", Payload: Object{{"v", Object{{"$role", "<assertion#1>"}, {"$raw", "AAAA"}}}}}}
	b := []Line{{Seq: 1, Kind: "hop", Payload: Object{{"v", Object{{"$role", "<assertion#1>"}, {"$raw", "BBBB"}}}}}}
	require.Nil(t, Compare(a, b))
	c := []Line{{Seq: 1, Kind: "hop", Payload: Object{{"v", Object{{"$role", "<assertion#1>"}, {"$raw", "AAAA"}, {"extra", true}}}}}}
	d := Compare(a, c)
	require.NotNil(t, d)
	require.Equal(t, "payload.v", d.Field)
	require.Equal(t, "keys [$role]", d.WantValue)
	require.Equal(t, "keys [$role, extra]", d.GotValue)
}

func TestDiffStringForLengthChanges(t *testing.T) {
	base := Encode(sim.Epoch, tracetest.SignedOutWatch())
	short := Compare(base, base[:13])
	require.Equal(t, `replay stopped early: recorded event 14 never happened
  recorded: #14 T+0s callback nsDOMIdentity[shop] -> page[shop] onready
before it (identical in both):
  #11 T+0s hop      DOMIdentity -> nsDOMIdentity[shop] Identity:RP:Watch:OnLogout {id:"<uuid#1>",assertion:null,message:null}
  #12 T+0s hop      DOMIdentity -> nsDOMIdentity[shop] Identity:RP:Watch:OnReady {id:"<uuid#1>",assertion:null,message:null}
  #13 T+0s callback nsDOMIdentity[shop] -> page[shop] onlogout
`, short.String())
	long := Compare(base[:13], base)
	require.Equal(t, `replay has more events than the recording: event 14 is new
  replayed: #14 T+0s callback nsDOMIdentity[shop] -> page[shop] onready
before it (identical in both):
  #11 T+0s hop      DOMIdentity -> nsDOMIdentity[shop] Identity:RP:Watch:OnLogout {id:"<uuid#1>",assertion:null,message:null}
  #12 T+0s hop      DOMIdentity -> nsDOMIdentity[shop] Identity:RP:Watch:OnReady {id:"<uuid#1>",assertion:null,message:null}
  #13 T+0s callback nsDOMIdentity[shop] -> page[shop] onlogout
`, long.String())
	require.Equal(t, "no difference", (*Diff)(nil).String())
}
