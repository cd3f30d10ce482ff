package scenarios

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/era"
)

func TestMatch(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
			require.True(t, sc.HasExpect || (sc.Contacts != nil && sc.Contacts.Expect != nil), "shipped scenarios state what they expect")
			res, err := Run(sc, Options{})
			require.NoError(t, err)
			require.Empty(t, res.Problems)
		})
	}
}

func run(t *testing.T, src string) *Result {
	t.Helper()
	return runText(t, "s.yaml", src)
}

// runText parses and runs a scenario of either kind.
func runText(t *testing.T, file, src string) *Result {
	t.Helper()
	sc, err := Parse(file, []byte(src))
	require.NoError(t, err)
	res, err := Run(sc, Options{})
	require.NoError(t, err)
	return res
}

func TestAFailedExpectationIsReportedWithTheDiff(t *testing.T) {
	t.Parallel()
	res := run(t, header+"steps:\n  - {app: shop, watch: {}}\n  - {dialog: ENTER_EMAIL}\nexpect:\n  shop: [onlogout, onlogin]\n")
	require.False(t, res.Pass())
	require.Equal(t, []string{
		"line 8: dialog shows closed, want ENTER_EMAIL",
		"shop:\n       1 ok    onlogout\n    >  2 want  onlogin\n         got   onready",
	}, res.Problems)
}

func TestStepsThatCannotBeCarriedOutAreScenarioErrors(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
	r := &runner{res: &Result{}}
	r.verifyLogin("shop", "not-an-assertion")
	require.Equal(t, []string{"shop: onlogin assertion does not verify: no certificate (expected <cert>~<assertion>)"}, r.res.Problems)
}

func TestSameScenarioSameLog(t *testing.T) {
	t.Parallel()
	a := run(t, header+"steps:\n  - {app: shop, watch: {}}\n  - {app: shop, request: {}}\n  - {user: sign-in, email: alice@example.com, password: \"correct horse battery\"}\n")
	b := run(t, header+"steps:\n  - {app: shop, watch: {}}\n  - {app: shop, request: {}}\n  - {user: sign-in, email: alice@example.com, password: \"correct horse battery\"}\n")
	require.Equal(t, a.Lines("shop"), b.Lines("shop"))
	require.Equal(t, len(a.Events), len(b.Events))
	for i := range a.Events {
		require.Equal(t, a.Events[i].Name, b.Events[i].Name)
		require.Equal(t, a.Events[i].At, b.Events[i].At)
	}
}

// Issue 13 (1): a composite step names the single action the dialog refused, and why.
func TestACompositeStepNamesTheRefusedAction(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ steps, want string }{
		{"  - {app: shop, watch: {}}\n  - {app: shop, request: {}}\n  - {user: sign-in, email: alice@example.com, password: pw}\n",
			"s.yaml:9: step 3 {user: sign-in, email: alice@example.com, password: pw}: user sign-in: on ENTER_PASSWORD, user next was refused: Next is disabled: the password is shorter than 8 characters"},
		{"  - {app: shop, watch: {}}\n  - {app: shop, request: {}}\n  - {user: sign-up, email: bob@example.com, password: short, yearOfBirth: 1990}\n",
			"s.yaml:9: step 3 {user: sign-up, email: bob@example.com, password: short, yearOfBirth: 1990}: user sign-up: on SET_PASSWORD, user next was refused: Next is disabled: the password is shorter than 8 characters"},
		{"  - {app: shop, watch: {}}\n  - {app: shop, request: {}}\n  - {user: sign-in, email: not-an-email, password: pw}\n",
			"s.yaml:9: step 3 {user: sign-in, email: not-an-email, password: pw}: user sign-in: on ENTER_EMAIL, user next was refused: Next is disabled: the e-mail is not a valid address"},
	} {
		sc, err := Parse("s.yaml", []byte(header+"steps:\n"+tc.steps))
		require.NoError(t, err)
		_, err = Run(sc, Options{})
		require.EqualError(t, err, tc.want)
	}
}

// Issue 13 (1): a single action the dialog refused is a problem on its own line.
func TestARefusedSingleActionIsReported(t *testing.T) {
	t.Parallel()
	res := run(t, header+"steps:\n  - {app: shop, watch: {}}\n  - {app: shop, request: {}}\n  - {user: type-email, value: alice@example.com}\n  - {user: next}\n  - {user: type-password, value: pw}\n  - {user: next}\n  - {user: done}\n")
	require.Equal(t, []string{
		"line 12: user next was refused: Next is disabled: the password is shorter than 8 characters",
		"line 13: user done was refused: there is no Done button on ENTER_PASSWORD",
	}, res.Problems)
}

// Issue 13 (2): a failed check is reported before the later step that could not run.
func TestAnEarlierFailedCheckIsReportedFirst(t *testing.T) {
	t.Parallel()
	sc, err := Parse("s.yaml", []byte(header+"steps:\n  - {app: shop, watch: {}}\n  - {app: shop, request: {}}\n  - {dialog: closed}\n  - {server: verify, email: bob@example.com}\n"))
	require.NoError(t, err)
	_, err = Run(sc, Options{})
	require.EqualError(t, err, "line 9: dialog shows ENTER_EMAIL, want closed\n"+
		"s.yaml:10: step 4 {server: verify, email: bob@example.com}: no account bob@example.com")
}

// Issue 13 (4): overlay keys are checked like screens.
func TestOverlayKeysAreValidated(t *testing.T) {
	t.Parallel()
	_, err := Parse("s.yaml", []byte(header+"steps:\n  - {dialog: ENTER_PASSWORD, overlay: NOPE}\n"))
	require.EqualError(t, err, `s.yaml:7: step 1: overlay "NOPE": want one of CONNECTION_ERROR, INVALID_EMAIL, INVALID_PASSWORD, COPPA_ERROR, COPPA_FTU_ERROR, OFFLINE, RESET_PASSWORD_ERROR, UNKNOWN (or leave overlay out for none)`)
	_, err = Parse("s.yaml", []byte(header+"steps:\n  - {dialog: closed, overlay: UNKNOWN}\n"))
	require.EqualError(t, err, `s.yaml:7: step 1: a closed dialog shows no overlay (leave overlay out)`)
	_, err = Parse("s.yaml", []byte(header+"steps:\n  - {dialog: ENTER_PASSWORD, overlay: INVALID_PASSWORD}\n"))
	require.NoError(t, err)
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
