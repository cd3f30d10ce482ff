package scenarios

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/era"
)

func TestMatch(t *testing.T) {
	got := "onlogin aud=https://shop.example.com email=alice@example.com"
	for _, tc := range []struct {
		want string
		ok   bool
	}{
		{got, true},
		{"onlogin", true},
		{"onlogin aud=https://shop.example.com", true},
		{"onlogin email=alice@example.com aud=https://shop.example.com", true},
		{"onlogin aud=https://shop.example.com:443", false},
		{"onlogin email=bob@example.com", false},
		{"onlogin null", false},
		{"onlogout", false},
		{"onlogin aud", false},
	} {
		require.Equal(t, tc.ok, Match(tc.want, got), tc.want)
	}
	require.True(t, Match("onerror", `onerror {"name":"OFFLINE"}`))
	require.True(t, Match(`onerror {"name":"OFFLINE"}`, `onerror {"name":"OFFLINE"}`))
	require.False(t, Match(`onerror {"name":"UI_ERROR"}`, `onerror {"name":"OFFLINE"}`), "only onlogin matches by key=value")
	require.False(t, Match("onerror OFFLINE", `onerror {"name":"OFFLINE"}`))
	require.True(t, Match("throws", "throws onready callback is required."))
	require.True(t, Match("onlogin null", "onlogin null"))
	require.False(t, Match("onlogin null", "onlogin aud=x email=y"))
}

func TestDiffLinesMarksTheFirstDifference(t *testing.T) {
	require.Empty(t, DiffLines([]string{"onlogout", "onready"}, []string{"onlogout", "onready"}))
	require.Equal(t, ""+
		"       1 ok    onlogout\n"+
		"    >  2 want  onlogin\n"+
		"         got   onready\n"+
		"       3 extra onerror {}",
		DiffLines([]string{"onlogout", "onlogin"}, []string{"onlogout", "onready", "onerror {}"}))
	require.Equal(t, ""+
		"      received nothing; want 1 callback(s)\n"+
		"    >  1 want  onlogout\n"+
		"         got   (nothing)",
		DiffLines([]string{"onlogout"}, nil))
	require.Equal(t, ""+
		"      want nothing; received 1 callback(s)\n"+
		"    >  1 extra onready",
		DiffLines([]string{}, []string{"onready"}))
}

func TestEveryShippedScenarioPasses(t *testing.T) {
	lib, err := Library()
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(lib), 20)
	for _, s := range lib {
		t.Run(s.Name, func(t *testing.T) {
			require.NotEmpty(t, s.About, "every shipped scenario explains itself")
			file, src, err := Load(s.Name)
			require.NoError(t, err)
			sc, err := Parse(file, src)
			require.NoError(t, err)
			require.True(t, sc.HasExpect, "shipped scenarios state what they expect")
			res, err := Run(sc, Options{})
			require.NoError(t, err)
			require.Empty(t, res.Problems)
		})
	}
}

func run(t *testing.T, src string) *Result {
	t.Helper()
	sc, err := Parse("s.yaml", []byte(src))
	require.NoError(t, err)
	res, err := Run(sc, Options{})
	require.NoError(t, err)
	return res
}

func TestAFailedExpectationIsReportedWithTheDiff(t *testing.T) {
	res := run(t, header+"steps:\n  - {app: shop, watch: {}}\n  - {dialog: ENTER_EMAIL}\nexpect:\n  shop: [onlogout, onlogin]\n")
	require.False(t, res.Pass())
	require.Equal(t, []string{
		"line 8: dialog shows closed, want ENTER_EMAIL",
		"shop:\n       1 ok    onlogout\n    >  2 want  onlogin\n         got   onready",
	}, res.Problems)
}

func TestStepsThatCannotBeCarriedOutAreScenarioErrors(t *testing.T) {
	for _, tc := range []struct{ steps, want string }{
		{"  - {user: next}\n", "s.yaml:7: step 1 {user: next}: user next: no FxA dialog is open"},
		{"  - {user: sign-in, email: alice@example.com, password: pw}\n", "s.yaml:7: step 1 {user: sign-in, email: alice@example.com, password: pw}: user sign-in: no FxA dialog is open"},
		{"  - {app: shop, close: {}}\n  - {app: shop, watch: {}}\n", "s.yaml:8: step 2 {app: shop, watch: {}}: app shop is not open (closed by an earlier step; reopen it with {app: shop, open: {}})"},
		{"  - {app: shop, open: {}}\n", "s.yaml:7: step 1 {app: shop, open: {}}: app shop is already open"},
		{"  - {server: verify, email: nobody@example.com}\n", "s.yaml:7: step 1 {server: verify, email: nobody@example.com}: no account nobody@example.com"},
		{"  - {app: shop, watch: {}}\n  - {app: shop, request: {}}\n  - {user: refresh-auth, password: x}\n",
			"s.yaml:9: step 3 {user: refresh-auth, password: x}: user refresh-auth: the dialog shows ENTER_EMAIL, where this flow does not start (screens: REFRESH_AUTH)"},
	} {
		sc, err := Parse("s.yaml", []byte(header+"steps:\n"+tc.steps))
		require.NoError(t, err)
		_, err = Run(sc, Options{})
		require.EqualError(t, err, tc.want)
	}
}

func TestAnAssertionThatDoesNotVerifyFailsTheRun(t *testing.T) {
	r := &runner{res: &Result{}}
	r.verifyLogin("shop", "not-an-assertion")
	require.Equal(t, []string{"shop: onlogin assertion does not verify: no certificate (expected <cert>~<assertion>)"}, r.res.Problems)
}

func TestSameScenarioSameLog(t *testing.T) {
	a := run(t, header+"steps:\n  - {app: shop, watch: {}}\n  - {app: shop, request: {}}\n  - {user: sign-in, email: alice@example.com, password: \"correct horse battery\"}\n")
	b := run(t, header+"steps:\n  - {app: shop, watch: {}}\n  - {app: shop, request: {}}\n  - {user: sign-in, email: alice@example.com, password: \"correct horse battery\"}\n")
	require.Equal(t, a.Lines("shop"), b.Lines("shop"))
	require.Equal(t, len(a.Events), len(b.Events))
	for i := range a.Events {
		require.Equal(t, a.Events[i].Name, b.Events[i].Name)
		require.Equal(t, a.Events[i].At, b.Events[i].At)
	}
}

func TestRunMainExitCodesAndOutput(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, ExitPass, RunMain([]string{"watch-signed-out", "-v"}, &out, &errOut))
	require.Equal(t, "PASS watch-signed-out\n    shop: onlogout\n          onready\n", out.String())
	out.Reset()
	require.Equal(t, ExitInvalid, RunMain([]string{"no-such-scenario"}, &out, &errOut))
	require.Contains(t, out.String(), "FAIL no-such-scenario\n    no-such-scenario: no such file, and no shipped scenario of that name (mozidsim list shows them)\n")
	out.Reset()
	require.Equal(t, ExitInvalid, RunMain(nil, &out, &errOut))
	require.Equal(t, ExitInvalid, RunMain([]string{"--record", "x", "watch-signed-in", "watch-signed-out"}, &out, &errOut))
	require.Contains(t, errOut.String(), "mozidsim run: --record takes one scenario, got 2\n")
	out.Reset()
	require.Equal(t, ExitInvalid, RunMain([]string{"--record", filepath.Join(t.TempDir(), "x.jsonl"), "contacts/first-backup.yaml"}, &out, &errOut))
	require.Equal(t, "FAIL contacts/first-backup.yaml\n    a contacts scenario: --record, --fxa-url, --seed and --era do not apply to it\n", out.String())
}

// run --era runs a file that names no era in that era, says so, and refuses
// an era that is not one.
func TestRunMainEra(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, ExitPass, RunMain([]string{"--era", "2014", "-v", "watch-signed-out"}, &out, &errOut), errOut.String())
	require.Equal(t, "PASS watch-signed-out (era 2014)\n    shop: onlogout\n          onready\n", out.String())
	out.Reset()
	require.Equal(t, ExitPass, RunMain([]string{"--era", "2015", "watch-signed-out"}, &out, &errOut))
	require.Equal(t, "PASS watch-signed-out\n", out.String())
	out.Reset()
	require.Equal(t, ExitInvalid, RunMain([]string{"--era", "2016", "watch-signed-out"}, &out, &errOut))
	require.Equal(t, "mozidsim run: --era: era \"2016\" is not one of 2014, 2015\n", errOut.String())
	require.Empty(t, out.String())
}

// A file's own era wins over Options.Era; a file without one takes it.
func TestTheFileEraWinsOverTheRunEra(t *testing.T) {
	sc, err := Parse("s.yaml", []byte("name: t\nera: 2015\napps: [{name: a, origin: \"https://a.example\"}]\n"))
	require.NoError(t, err)
	require.Equal(t, era.Y2015, sc.Era)
	res, err := Run(sc, Options{Era: era.Spring2014})
	require.NoError(t, err)
	require.Equal(t, era.Y2015, res.Era)

	sc, err = Parse("s.yaml", []byte("name: t\napps: [{name: a, origin: \"https://a.example\"}]\n"))
	require.NoError(t, err)
	require.Equal(t, era.Era(""), sc.Era, "no era: in the file")
	res, err = Run(sc, Options{Era: era.Spring2014})
	require.NoError(t, err)
	require.Equal(t, era.Spring2014, res.Era)
	res, err = Run(sc, Options{})
	require.NoError(t, err)
	require.Equal(t, era.Y2015, res.Era, "the default era")
}

// The seed's walkthroughs run in every era and pass in each.
func TestSeedWalkthroughsPassInEveryEra(t *testing.T) {
	for _, name := range SeedWalkthroughs {
		for _, e := range era.All {
			t.Run(name+"@"+string(e), func(t *testing.T) {
				file, src, err := Load(name)
				require.NoError(t, err)
				sc, err := Parse(file, src)
				require.NoError(t, err)
				require.Equal(t, era.Era(""), sc.Era, "a walkthrough names no era")
				res, err := Run(sc, Options{Era: e})
				require.NoError(t, err)
				require.Equal(t, e, res.Era)
				require.Empty(t, res.Problems)
			})
		}
	}
}

func TestListShowsEveryScenarioWithASummary(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, ExitPass, ListMain(nil, &out, &errOut))
	lib, err := Library()
	require.NoError(t, err)
	width := 0
	for _, s := range lib {
		require.Contains(t, out.String(), s.Name)
		width = max(width, len(s.Name))
	}
	// Names are padded to the longest shipped name, so adding a scenario may widen the column.
	require.Contains(t, out.String(), "  watch-signed-out"+strings.Repeat(" ", width-len("watch-signed-out"))+"  2015  Seed part I with nobody signed in (S2).\n")
	require.Contains(t, out.String(), "first-backup")
}
