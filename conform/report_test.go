package conform

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// sample is a finished run of three modules: one passed, one failed on two
// conditions, one skipped.
func sample() (*Summary, []ModuleResult) {
	mods := []ModuleResult{
		{Module: "watch-at-load", Seconds: 0.5, Conditions: []ConditionLog{
			{Module: "watch-at-load", Condition: cWatchCalled, Outcome: Success, Rule: "r1", Cite: "c1"},
		}},
		{Module: "rejects-expired", Seconds: 1.25, Conditions: []ConditionLog{
			{Module: "rejects-expired", Condition: cRejectsBad, Outcome: Failure, Rule: "r2", Cite: "c2", Message: "the page showed alice@example.com after /v2 answered failure: expired"},
			{Module: "rejects-expired", Condition: cPageErrorsSeen, Outcome: Info, Rule: "r3", Cite: "c3", Message: "1: uncaught TypeError"},
		}},
		{Module: "logout-button", Result: Skipped, Why: "RP.yaml has no logout selector", Conditions: []ConditionLog{
			{Module: "logout-button", Condition: cModuleRan, Outcome: SkippedOut, Message: "RP.yaml has no logout selector"},
		}},
	}
	for i := range mods {
		settle(&mods[i])
	}
	sum := &Summary{RP: "shop", Plan: "mozid-rp", Era: "2015", Seconds: 3.04, Started: time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC),
		Counts: map[Result]int{Passed: 1, Failed: 1, Skipped: 1}, Unexpected: 1}
	return sum, mods
}

func TestSettle(t *testing.T) {
	_, mods := sample()
	require.Equal(t, Passed, mods[0].Result)
	require.Equal(t, "", mods[0].Why)
	require.Equal(t, Failed, mods[1].Result)
	require.Equal(t, "the page showed alice@example.com after /v2 answered failure: expired", mods[1].Why)
	require.Equal(t, Skipped, mods[2].Result)
	w := ModuleResult{Conditions: []ConditionLog{{Outcome: Success}, {Outcome: ReviewOut, Message: "look"}, {Outcome: WarningOut, Message: "hmm"}}}
	settle(&w)
	require.Equal(t, Warning, w.Result)
	require.Equal(t, "hmm", w.Why)
	w.Conditions = w.Conditions[:2]
	settle(&w)
	require.Equal(t, Review, w.Result)
}

func TestConsoleReport(t *testing.T) {
	sum, mods := sample()
	var b bytes.Buffer
	c := Console{W: &b}
	for i := range mods {
		require.NoError(t, c.Module(&mods[i]))
	}
	sum.Unused = []string{"offline/no-request-loop"}
	require.NoError(t, c.Summary(sum))
	require.Equal(t, `PASSED watch-at-load
FAILED rejects-expired: the page showed alice@example.com after /v2 answered failure: expired
SKIPPED logout-button: RP.yaml has no logout selector
note: expected failure offline/no-request-loop did not happen; remove it from the expected-failures file
shop: 3 modules: 1 PASSED, 1 FAILED, 1 SKIPPED in 3.0 s; 1 unexpected failure(s)
`, b.String())

	mods[1].Expected = true
	sum.Unexpected = 0
	require.Equal(t, "FAILED rejects-expired (expected): the page showed alice@example.com after /v2 answered failure: expired", ConsoleLine(&mods[1]))
	require.Equal(t, "shop: 3 modules: 1 PASSED, 1 FAILED, 1 SKIPPED (1 expected) in 3.0 s", SummaryLine(sum))
}

func TestJSONLinesReport(t *testing.T) {
	sum, mods := sample()
	var b bytes.Buffer
	j := JSONLines{W: &b}
	for i := range mods {
		require.NoError(t, j.Module(&mods[i]))
	}
	require.NoError(t, j.Summary(sum))
	var types []string
	var lines []map[string]any
	sc := bufio.NewScanner(&b)
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), sc.Text())
		mod, _ := m["module"].(string)
		rp, _ := m["rp"].(string)
		types = append(types, m["type"].(string)+":"+mod+rp)
		lines = append(lines, m)
	}
	require.Equal(t, []string{"condition:watch-at-load", "module:watch-at-load", "condition:rejects-expired", "condition:rejects-expired",
		"module:rejects-expired", "condition:logout-button", "module:logout-button", "summary:shop"}, types)
	require.Equal(t, map[string]any{"type": "condition", "module": "rejects-expired", "condition": "rejects-bad-assertion", "result": "FAILURE",
		"rule": "r2", "cite": "c2", "message": "the page showed alice@example.com after /v2 answered failure: expired", "t": 0.0}, lines[2])
	require.Equal(t, map[string]any{"type": "module", "module": "rejects-expired", "result": "FAILED",
		"why": "the page showed alice@example.com after /v2 answered failure: expired", "seconds": 1.25, "conditions": 2.0}, lines[4])
	require.Equal(t, map[string]any{"type": "summary", "rp": "shop", "plan": "mozid-rp", "era": "2015",
		"counts": map[string]any{"PASSED": 1.0, "FAILED": 1.0, "SKIPPED": 1.0}, "unexpectedFailures": 1.0, "seconds": 3.04,
		"started": "2026-12-05T03:00:00Z"}, lines[7])
}

func TestJUnitReport(t *testing.T) {
	sum, mods := sample()
	var b bytes.Buffer
	j := &JUnit{W: &b}
	for i := range mods {
		require.NoError(t, j.Module(&mods[i]))
	}
	require.NoError(t, j.Summary(sum))
	require.True(t, strings.HasPrefix(b.String(), `<?xml version="1.0" encoding="UTF-8"?>`+"\n"))
	var got junitSuites
	require.NoError(t, xml.Unmarshal(b.Bytes(), &got))
	require.Equal(t, 3, got.Tests)
	require.Equal(t, 1, got.Fail)
	require.Equal(t, 1, got.Skip)
	s := got.Suites[0]
	require.Equal(t, "mozidsim conform mozid-rp: shop", s.Name)
	require.Equal(t, []string{"watch-at-load", "rejects-expired", "logout-button"}, []string{s.Cases[0].Name, s.Cases[1].Name, s.Cases[2].Name})
	require.Nil(t, s.Cases[0].Failure)
	require.Equal(t, "1.250", s.Cases[1].Time)
	require.Equal(t, "the page showed alice@example.com after /v2 answered failure: expired", s.Cases[1].Failure.Message)
	require.Equal(t, "FAILURE  rejects-bad-assertion [r2; c2]: the page showed alice@example.com after /v2 answered failure: expired\n"+
		"INFO     page-errors-seen [r3; c3]: 1: uncaught TypeError\n", s.Cases[1].Failure.Text)
	require.Equal(t, "RP.yaml has no logout selector", s.Cases[2].Skipped.Message)

	// An expected failure passes, with its conditions in system-out.
	b.Reset()
	mods[1].Conditions[0].Expected, mods[1].Conditions[0].Comment = true, "ticket 12"
	settle(&mods[1])
	j = &JUnit{W: &b}
	for i := range mods {
		require.NoError(t, j.Module(&mods[i]))
	}
	require.NoError(t, j.Summary(sum))
	got = junitSuites{}
	require.NoError(t, xml.Unmarshal(b.Bytes(), &got))
	require.Equal(t, 0, got.Fail)
	c := got.Suites[0].Cases[1]
	require.Nil(t, c.Failure)
	require.Contains(t, c.SystemOut.Text, "FAILED rejects-expired (expected): ")
	require.Contains(t, c.SystemOut.Text, "(expected: ticket 12)")
}
