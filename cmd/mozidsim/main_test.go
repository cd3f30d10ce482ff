package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mozidsim/mozidsim/scenarios"
)

// The servers run goroutines and the scenarios run actors: all must be gone
// when the tests end.
func TestMain(m *testing.M) {
	// The test binary doubles as the mozidsim command, so tests can start it
	// as a process without building it (TestEightRunsShareOneServer).
	if os.Getenv(asCommandEnv) == "1" {
		os.Exit(Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	goleak.VerifyTestMain(m)
}

const asCommandEnv = "MOZIDSIM_TEST_AS_COMMAND"

// lockedBuffer is an io.Writer a server goroutine may write while the test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// mainOut runs one command line through Main.
func mainOut(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Main(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	return p
}

const passingScenario = `name: tmp-signed-out
accounts:
  - {email: alice@example.com, password: "correct horse battery"}
apps:
  - {name: shop, origin: "https://shop.example.com"}
steps:
  - {app: shop, watch: {}}
expect:
  shop: [onlogout, onready]
`

// A signed-in watch expected to see nobody: the first line differs.
const failingScenario = `name: tmp-wrong-expectation
accounts:
  - {email: alice@example.com, password: "correct horse battery"}
device: {user: alice@example.com}
apps:
  - {name: shop, origin: "https://shop.example.com"}
steps:
  - {app: shop, watch: {}}
expect:
  shop: [onlogout, onready]
`

const invalidScenario = `name: tmp-invalid
apps:
  - {name: shop, origin: "https://shop.example.com"}
steps:
  - {app: shop, watch: {}}
  - {app: shop, wave: {}}
`

func TestRunPassing(t *testing.T) {
	t.Parallel()
	file := writeFile(t, t.TempDir(), "pass.yaml", passingScenario)
	code, out, errOut := mainOut(t, "run", file)
	require.Equal(t, 0, code)
	require.Equal(t, "PASS tmp-signed-out\n", out)
	require.Empty(t, errOut)

	// -v (also after the file name) prints each app's callback log.
	code, out, errOut = mainOut(t, "run", file, "-v")
	require.Equal(t, 0, code)
	require.Equal(t, "PASS tmp-signed-out\n"+
		"    shop: onlogout\n"+
		"          onready\n", out)
	require.Empty(t, errOut)
}

func TestRunFailing(t *testing.T) {
	t.Parallel()
	file := writeFile(t, t.TempDir(), "fail.yaml", failingScenario)
	code, out, errOut := mainOut(t, "run", file)
	require.Equal(t, 1, code)
	require.Equal(t, "FAIL tmp-wrong-expectation\n"+
		"    shop:\n"+
		"        >  1 want  onlogout\n"+
		"             got   onlogin aud=https://shop.example.com email=alice@example.com\n"+
		"           2 want  onready\n"+
		"             got   onready\n", out)
	require.Empty(t, errOut)
}

func TestRunInvalid(t *testing.T) {
	t.Parallel()
	file := writeFile(t, t.TempDir(), "bad.yaml", invalidScenario)
	code, out, errOut := mainOut(t, "run", file)
	require.Equal(t, 2, code)
	require.Equal(t, "FAIL "+file+"\n"+
		"    "+file+":6: step 2: unknown field \"wave\" for an app step (want one of watch, request, logout, close, open)\n", out)
	require.Empty(t, errOut)

	missing := filepath.Join(t.TempDir(), "nowhere.yaml")
	code, out, _ = mainOut(t, "run", missing)
	require.Equal(t, 2, code)
	require.Equal(t, "FAIL "+missing+"\n"+
		"    "+missing+": no such file, and no shipped scenario of that name (mozidsim list shows them)\n", out)
}

// Several files: each gets its line, and the exit status is the worst.
func TestRunSeveralExitsWithTheWorst(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pass := writeFile(t, dir, "a-pass.yaml", passingScenario)
	fail := writeFile(t, dir, "b-fail.yaml", failingScenario)
	code, out, _ := mainOut(t, "run", pass, fail)
	require.Equal(t, 1, code)
	require.True(t, strings.HasPrefix(out, "PASS tmp-signed-out\nFAIL tmp-wrong-expectation\n"), out)

	writeFile(t, dir, "c-bad.yaml", invalidScenario)
	code, out, _ = mainOut(t, "run", dir) // a directory runs every *.yaml in it, in name order
	require.Equal(t, 2, code)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Equal(t, "PASS tmp-signed-out", lines[0])
	require.Equal(t, "FAIL tmp-wrong-expectation", lines[1])
	require.Contains(t, lines, "FAIL "+filepath.Join(dir, "c-bad.yaml"))
}

func TestRunUsage(t *testing.T) {
	t.Parallel()
	code, out, errOut := mainOut(t, "run")
	require.Equal(t, 2, code)
	require.Empty(t, out)
	require.Equal(t, "mozidsim run: no scenario given\nusage: mozidsim run [flags] FILE|DIR|NAME...\n(mozidsim help run explains every flag)\n", errOut)

	code, _, errOut = mainOut(t, "run", "--no-such-flag", "x.yaml")
	require.Equal(t, 2, code)
	require.True(t, strings.HasPrefix(errOut, "mozidsim run: flag provided but not defined: -no-such-flag\n"), errOut)

	code, _, errOut = mainOut(t, "run", "--record", "x", "watch-signed-in", "watch-signed-out")
	require.Equal(t, 2, code)
	require.True(t, strings.HasPrefix(errOut, "mozidsim run: --record takes one scenario, got 2\n"), errOut)

	code, out, _ = mainOut(t, "run", "--fxa-url", "http://127.0.0.1:1", "--admin-token", "x", "first-backup")
	require.Equal(t, 2, code)
	require.Equal(t, "FAIL first-backup\n    scenarios/contacts/first-backup.yaml: a contacts scenario's phones share one in-memory FxA server: --fxa-url does not apply to it\n", out)
}

// Every trace command takes a contacts scenario: its run is recorded like any
// other, its phones' actors drawn apart when it has several.
func TestEveryCommandTakesAContactsScenario(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "conflict.trace.jsonl")
	code, out, errOut := mainOut(t, "run", "--record", file, "--seed", "3", "conflict")
	require.Equal(t, 0, code, out+errOut)
	require.Equal(t, "PASS conflict\n", out)
	code, out, errOut = mainOut(t, "replay", file)
	require.Equal(t, 0, code, errOut)
	require.Regexp(t, `^PASS .*conflict.trace.jsonl \(scenario conflict, \d+ events\)\n$`, out)

	// A contacts golden is one phone's part of its world's run: replay compares that part.
	golden := "../../scenarios/contacts/testdata/golden/conflict.two.trace.jsonl"
	code, out, errOut = mainOut(t, "replay", golden)
	require.Equal(t, 0, code, errOut)
	require.Regexp(t, `^PASS .*conflict.two.trace.jsonl \(scenario conflict/two, \d+ events\)\n$`, out)

	code, out, errOut = mainOut(t, "explain", "first-backup")
	require.Equal(t, 0, code, errOut)
	require.Regexp(t, `^first-backup \(era 2015\): \d+ steps`, out)
	require.Contains(t, out, "backup.js provision → FxAccountsManager.getAssertion: getAssertion {audience:\"https://moz.fruux.net\"}")
	require.NotContains(t, out, "not in the explanation table")

	code, out, errOut = mainOut(t, "diagram", "conflict")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "participant A1 as one/System/ContactsBackup")
	require.Contains(t, out, "two/System/ContactsBackup")

	code, out, errOut = mainOut(t, "run", "-v", "--trace", "first-backup")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "step 2: contacts add on phone\n")
	require.Contains(t, out, "== first-backup: trace\n")
	require.Contains(t, out, "System/ContactsBackup -> FxAccountsManager getAssertion")
	require.Contains(t, out, "PASS first-backup\n    -- phone log (virtual time since the start)\n")
	require.Contains(t, out, "POST /browserid/login -> 200 OK\n")

	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan int, 1)
	var liveOut, liveErr bytes.Buffer
	go func() {
		done <- liveCmd(ctx, scenarios.TraceLibrary(version), []string{"--addr", "127.0.0.1:0", "sign-out"}, &liveOut, &liveErr, ready)
	}()
	<-ready
	cancel()
	require.Equal(t, 0, <-done, liveErr.String())
	require.True(t, strings.HasPrefix(liveOut.String(), "live view of sign-out (era 2015) ("), liveOut.String())
}

// serve builds one phone from a world file: a contacts world is refused by name.
func TestServeRefusesAContactsWorld(t *testing.T) {
	t.Parallel()
	code, out, errOut := mainOut(t, "serve", "--world", "../../scenarios/contacts/first-backup.yaml")
	require.Equal(t, 2, code)
	require.Empty(t, out)
	require.Equal(t, "mozidsim serve: world: ../../scenarios/contacts/first-backup.yaml: a kind: contacts scenario is a world of several phones; serve takes a mozId scenario\n", errOut)
}

// A shipped scenario runs by name.
func TestRunShippedByName(t *testing.T) {
	t.Parallel()
	code, out, errOut := mainOut(t, "run", "watch-signed-out")
	require.Equal(t, 0, code)
	require.Equal(t, "PASS watch-signed-out\n", out)
	require.Empty(t, errOut)
}

func TestList(t *testing.T) {
	t.Parallel()
	code, out, errOut := mainOut(t, "list")
	require.Equal(t, 0, code)
	require.Empty(t, errOut)
	lines := strings.Split(out, "\n")
	require.Equal(t, "mozId scenarios (mozidsim run NAME, mozidsim explain NAME), with the era each runs in:", lines[0])

	all, err := scenarios.Library()
	require.NoError(t, err)
	width := 0
	var lib, contacts []scenarios.Shipped
	for _, s := range all {
		width = max(width, len(s.Name))
		if s.Kind == scenarios.KindContacts {
			contacts = append(contacts, s)
		} else {
			lib = append(lib, s)
		}
	}
	// One line per shipped scenario, in file order, names in one column, then
	// the era it runs in (its file's, else 2015), then the summaries aligned.
	eras := map[string]bool{}
	for i, s := range lib {
		line := lines[1+i]
		want := "2015"
		if s.Era != "" {
			want = string(s.Era)
		}
		eras[want] = true
		require.Equal(t, "  "+s.Name+strings.Repeat(" ", width-len(s.Name))+"  "+want+"  ", line[:2+width+2+6], "line %d", 1+i)
		require.NotEmpty(t, strings.TrimSpace(line[2+width+6:]), "%s has a summary", s.Name)
	}
	require.True(t, eras["2014"] && eras["2015"], "the library has scenarios of both eras: %v", eras)
	require.Equal(t, "", lines[1+len(lib)])
	require.Equal(t, "contacts backup scenarios (kind: contacts; every command takes them too):", lines[2+len(lib)])
	require.True(t, strings.HasPrefix(lines[3+len(lib)], "  bad-network-input "), lines[3+len(lib)])
	require.Len(t, lines, 3+len(lib)+len(contacts)+1, "one line per contacts scenario, then the end")

	code, _, errOut = mainOut(t, "list", "extra")
	require.Equal(t, 2, code)
	require.Equal(t, "mozidsim list: unexpected argument \"extra\"\nusage: mozidsim list\n(mozidsim help list explains every flag)\n", errOut)
}

func TestUsageAndVersion(t *testing.T) {
	t.Parallel()
	code, out, errOut := mainOut(t)
	require.Equal(t, 2, code)
	require.Empty(t, out)
	require.Equal(t, usage, errOut)

	code, out, errOut = mainOut(t, "frobnicate")
	require.Equal(t, 2, code)
	require.Empty(t, out)
	require.Equal(t, "mozidsim: unknown command \"frobnicate\"\n\n"+usage, errOut)

	code, _, errOut = mainOut(t, "rnu")
	require.Equal(t, 2, code)
	require.Equal(t, "mozidsim: unknown command \"rnu\"; did you mean \"run\"?\n\n"+usage, errOut)

	code, out, _ = mainOut(t, "help")
	require.Equal(t, 0, code)
	require.Equal(t, usage, out)

	code, out, _ = mainOut(t, "version")
	require.Equal(t, 0, code)
	require.Equal(t, "mozidsim 0.1.0\n", out)
}

// run --era runs a file that names no era in that era, says so, and refuses
// an era that is not one; list shows each scenario's era.
func TestRunEraAndListShowTheEra(t *testing.T) {
	code, out, errOut := mainOut(t, "run", "--era", "2014", "-v", "watch-signed-out")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, "PASS watch-signed-out (era 2014)\n    shop: onlogout\n          onready\n", out)
	code, out, _ = mainOut(t, "run", "--era", "2015", "watch-signed-out")
	require.Equal(t, 0, code)
	require.Equal(t, "PASS watch-signed-out\n", out)
	code, out, errOut = mainOut(t, "run", "--era", "2016", "watch-signed-out")
	require.Equal(t, 2, code)
	require.Equal(t, "mozidsim run: --era: era \"2016\" is not one of 2014, 2015\n", errOut)
	require.Empty(t, out)
	code, out, _ = mainOut(t, "list")
	require.Equal(t, 0, code)
	require.Regexp(t, `\n  watch-signed-out +2015  Seed part I`, out)
}
