package explain

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
	"github.com/mozidsim/mozidsim/trace/internal/tracetest"
)

func tags(steps []Step) []string {
	out := make([]string, len(steps))
	for i, st := range steps {
		out[i] = st.Tag
	}
	return out
}

func TestExplainTagsHandBuiltWalkthroughs(t *testing.T) {
	evs := append(tracetest.SignedOutWatch(), tracetest.SignedInRequest(t)...)
	for i := range evs {
		evs[i].Seq = uint64(i + 1)
	}
	steps := Explain(evs)
	require.Equal(t, []string{
		"I.1", "I.3", "I.4", "I.5", "I.6", "I.6", "I.6", "I.7", "I.7", "I.7", "I.7", "I.8", "I.8",
		"II.1", "II.2", "II.3", "II.4", "II.5", "II.5", "II.12", "II.12", "II.12", "II.12", "II.13", "II.13", "II.13", "II.14",
	}, tags(steps))
	for i, st := range steps {
		require.Equal(t, i+1, st.N)
		require.True(t, st.Known, "step %d %s", st.N, st.Name)
		require.NotEmpty(t, st.File)
		require.NotEmpty(t, st.Why)
	}
	require.Equal(t, []string{"FxAccountsManager: getAssertion resolved (no-user-silent)"}, steps[5].Notes, "notes hang on the step they follow")
	require.Equal(t, "page[shop]", steps[0].From, "a call is drawn from the page")
	require.Equal(t, "nsDOMIdentity[shop]", steps[0].To)
	require.Equal(t, "{value:<backedAssertion#1> (aud https://shop.example.com, uid1@api.accounts.firefox.com)}", steps[22].Detail)
}

func TestExplainUnknownHop(t *testing.T) {
	steps := Explain(tracetest.Events(tracetest.Hop("Mystery", wire.DOMIdentity, "Identity:RP:Teleport", nil)))
	require.Len(t, steps, 1)
	require.False(t, steps[0].Known)
	require.Equal(t, "", steps[0].Tag)
	require.Equal(t, "(not in the explanation table)", steps[0].Why)
	require.Equal(t, "1. — Mystery → DOMIdentity: Identity:RP:Teleport\n   (not in the explanation table)\n", FormatStep(steps[0]))
}

func TestGlob(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"page[*]", "page[shop]", true},
		{"page[*]", "nsDOMIdentity[shop]", false},
		{"Identity:RP:Watch:On*", "Identity:RP:Watch:OnLogin", true},
		{"Identity:RP:Watch:On*", "Identity:RP:Watch", false},
		{"*:resolved", "signIn:resolved", true},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXcYYb", false},
		{"", "anything", true},
		{"exact", "exact", true},
		{"exact", "exactly", false},
	} {
		require.Equal(t, tc.want, glob(tc.pattern, tc.s), "%s ~ %s", tc.pattern, tc.s)
	}
}

func TestMermaidShape(t *testing.T) {
	evs := tracetest.Events(
		sim.Event{Kind: sim.KindCall, From: wire.NSDOMIdentity(tracetest.Shop), To: wire.Page(tracetest.Shop), Name: wire.CallRequest},
		tracetest.Hop(wire.NSDOMIdentity(tracetest.Shop), wire.DOMIdentity, wire.MsgRPRequest, nil),
		tracetest.Hop(wire.FxAccountsManager, wire.FxAccountsUIGlue, wire.SignInFlow, wire.PlainCall{Call: 1}),
		tracetest.Hop(wire.FxAccountsUIGlue, wire.SystemFxAccountsManager, wire.MozFxAccountsUnsolChromeEvent, wire.UnsolChromeEvent{EventName: "openFlow", ID: tracetest.UIID}),
		sim.Event{Kind: sim.KindNote, From: wire.SystemFxAccountsManager, To: wire.SystemFxAccountsManager, Name: "the end; #1 <b>"},
		tracetest.Hop(wire.FxAccountsUIGlue, wire.FxAccountsManager, "signInFlow:rejected", wire.Rejected{Call: 1, Reason: wire.DialogClosedByUser}),
		sim.Event{Kind: sim.KindDropped, From: wire.DOMIdentity, To: wire.NSDOMIdentity("gone"), Name: wire.MsgOnCancel},
		sim.Event{Kind: sim.KindTimer, From: wire.FxAccounts, To: wire.FxAccounts, Name: "pollEmailStatus"},
		sim.Event{Kind: sim.KindCallback, From: wire.NSDOMIdentity(tracetest.Shop), To: wire.Page(tracetest.Shop), Name: wire.CbCancel},
	)
	require.Equal(t, `sequenceDiagram
    autonumber
    box rgb(232,240,254) content process
        participant A1 as page[shop]
        participant A2 as nsDOMIdentity[shop]
        participant A7 as nsDOMIdentity[gone]
    end
    box rgb(254,243,224) Gecko parent process
        participant A3 as DOMIdentity
        participant A4 as FxAccountsManager
        participant A5 as FxAccountsUIGlue
        participant A8 as FxAccounts
    end
    box rgb(232,245,233) Gaia System app
        participant A6 as System/FxAccountsManager
    end
    A1->>A2: II.1 navigator.mozId.request
    A2-)A3: II.2 Identity:RP:Request
    A4->>A5: II.6 signInFlow
    A5-)A6: II.6 mozFxAccountsUnsolChromeEvent {eventName:'openFlow',id:'#lt;uuid#35;1#gt;'}
    Note over A6: the #101;nd#59; #35;1 #lt;b#gt;
    A5-->>A4: II.11 signInFlow:rejected {reason:'DIALOG_CLOSED_BY_USER'}
    A3-xA7: Identity:RP:Watch:OnCancel
    A8-)A8: pollEmailStatus
    rect rgb(255,224,130)
        A2-)A1: II.14 oncancel
        Note over A1: the run ends with oncancel
    end
`, Mermaid(evs))
	steps := Explain(evs)
	require.Len(t, steps, 8, "one step per arrow: the note is not numbered")
	require.Len(t, mermaidArrow.FindAllString(Mermaid(evs), -1), 8, "Mermaid's autonumber counts the same arrows")
}

// mermaidArrow matches one message line of a sequenceDiagram.
var mermaidArrow = regexp.MustCompile(`(?m)^\s+A\d+(->>|-->>|-\)|-x)A\d+: `)

func TestEscapeMermaid(t *testing.T) {
	require.Equal(t, "#69;nd of the #101;nd#59; friend ending #35;3 #lt;x#gt; #quot;q#quot;", escapeMermaid("End of the end; friend ending #3 <x> \"q\""))
}
