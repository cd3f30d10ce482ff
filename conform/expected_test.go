package conform

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseExpectedFailures(t *testing.T) {
	ef, err := ParseExpectedFailures("ef.yaml", []byte(`# known deviations of our RP
- module: rejects-expired
  condition: rejects-bad-assertion
  result: FAILED
  comment: we accept 5 minutes of clock skew (ticket 12)
- {module: cancel-no-loop, condition: oncancel-received, result: WARNING, comment: we poll instead}
`), BuiltinPlan())
	require.NoError(t, err)
	require.Equal(t, []ExpectedFailure{
		{Module: "rejects-expired", Condition: "rejects-bad-assertion", Result: Failed, Comment: "we accept 5 minutes of clock skew (ticket 12)", Line: 2},
		{Module: "cancel-no-loop", Condition: "oncancel-received", Result: Warning, Comment: "we poll instead", Line: 6},
	}, ef.Entries)

	empty, err := ParseExpectedFailures("ef.yaml", []byte("# nothing expected\n"), BuiltinPlan())
	require.NoError(t, err)
	require.Empty(t, empty.Entries)
}

func TestParseExpectedFailuresErrors(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown module", "- {module: rejects-everything, condition: x, result: FAILED, comment: c}\n",
			`ef.yaml:1: entry 1: no module "rejects-everything" in plan mozid-rp (modules: watch-at-load, signed-in-at-load, login-from-click, server-side-verification, rejects-wrong-audience, rejects-expired, rejects-forged-signature, rejects-untrusted-issuer, logout-button, logout-from-elsewhere, cancel-no-loop, no-request-without-click, no-reload-loop, onerror-unverified, offline, no-page-errors)`},
		{"condition of another module", "- {module: offline, condition: rejects-bad-assertion, result: FAILED, comment: c}\n",
			`ef.yaml:1: entry 1: module offline checks no condition "rejects-bad-assertion" (it checks: onerror-received, error-not-signed-in, no-request-loop, login-works-again)`},
		{"bad result", "- {module: offline, condition: no-request-loop, result: PASSED, comment: c}\n",
			`ef.yaml:1: entry 1: result "PASSED": want FAILED or WARNING`},
		{"no comment", "- {module: offline, condition: no-request-loop, result: FAILED}\n",
			"ef.yaml:1: entry 1: comment is required: say why this is expected (a ticket, a decision)"},
		{"no module", "- {condition: no-request-loop, result: FAILED, comment: c}\n", "ef.yaml:1: entry 1: module is required"},
		{"duplicate", "- {module: offline, condition: no-request-loop, result: FAILED, comment: c}\n- {module: offline, condition: no-request-loop, result: WARNING, comment: d}\n",
			"ef.yaml:2: entry 2: offline/no-request-loop is already listed on line 1"},
		{"unknown field", "- {module: offline, condition: no-request-loop, result: FAILED, comment: c, ticket: 3}\n", `ef.yaml:1: unknown field "ticket"`},
		{"not a list", "module: offline\n", "ef.yaml:1: cannot unmarshal !!map into []conform.ExpectedFailure"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseExpectedFailures("ef.yaml", []byte(tc.yaml), BuiltinPlan())
			require.Error(t, err)
			require.Equal(t, tc.want, err.Error())
		})
	}
}

func TestExpectedFailuresApply(t *testing.T) {
	ef := &ExpectedFailures{Entries: []ExpectedFailure{
		{Module: "offline", Condition: cNoRequestLoop, Result: Failed, Comment: "ticket 7"},
		{Module: "offline", Condition: cLoginWorksAgain, Result: Failed, Comment: "ticket 8"},
		{Module: "cancel-no-loop", Condition: cOncancelReceived, Result: Warning, Comment: "we poll"},
		{Module: "no-page-errors", Condition: cNoPageErrors, Result: Failed, Comment: "stale"},
	}}
	// Every failing condition listed: an expected failure.
	mr := ModuleResult{Module: "offline", Conditions: []ConditionLog{
		{Condition: cErrorNotSignedIn, Outcome: Success},
		{Condition: cNoRequestLoop, Outcome: Failure, Message: "loop"},
	}}
	require.Equal(t, []string{"offline/no-request-loop"}, ef.apply(&mr))
	require.Equal(t, Failed, mr.Result)
	require.True(t, mr.Expected)
	require.True(t, mr.Conditions[1].Expected)
	require.Equal(t, "ticket 7", mr.Conditions[1].Comment)

	// One failing condition not listed: the module fails unexpectedly.
	mr = ModuleResult{Module: "offline", Conditions: []ConditionLog{
		{Condition: cErrorNotSignedIn, Outcome: Failure, Message: "shown"},
		{Condition: cNoRequestLoop, Outcome: Failure, Message: "loop"},
	}}
	ef.apply(&mr)
	require.Equal(t, Failed, mr.Result)
	require.False(t, mr.Expected)
	require.Equal(t, "shown", mr.Why)

	// The listed result must match: a WARNING entry does not excuse a FAILURE.
	mr = ModuleResult{Module: "cancel-no-loop", Conditions: []ConditionLog{{Condition: cOncancelReceived, Outcome: Failure}}}
	require.Empty(t, ef.apply(&mr))
	require.False(t, mr.Expected)
	mr = ModuleResult{Module: "cancel-no-loop", Conditions: []ConditionLog{{Condition: cOncancelReceived, Outcome: WarningOut}}}
	ef.apply(&mr)
	require.Equal(t, Warning, mr.Result)
	require.True(t, mr.Expected)

	// Entries of modules that ran without the listed result are unused; those
	// of modules that did not run are not.
	used := map[string]bool{"offline/no-request-loop": true, "cancel-no-loop/oncancel-received": true}
	require.Equal(t, []string{"offline/login-works-again"}, ef.unused(map[string]bool{"offline": true, "cancel-no-loop": true}, used))
	require.Equal(t, []string{"no-page-errors/no-page-errors", "offline/login-works-again"},
		ef.unused(map[string]bool{"offline": true, "cancel-no-loop": true, "no-page-errors": true}, used))

	var none *ExpectedFailures
	require.Nil(t, none.apply(&mr))
	require.Nil(t, none.unused(nil, nil))
}
