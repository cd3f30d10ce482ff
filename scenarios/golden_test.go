package scenarios

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/trace"
	"github.com/mozidsim/mozidsim/trace/explain"
)

// Golden traces: testdata/golden/NAME.trace.jsonl is the recorded run of every
// shipped scenario. Replaying them proves that nothing in the flow changed; a
// deliberate change is recorded again with
//
//	go test ./scenarios -run Golden -update
//
// which rewrites only the goldens that no longer replay (or whose scenario file
// changed), so that keys and signatures, fresh in every run, do not churn the
// others, and deletes goldens of scenarios that are gone.
var update = flag.Bool("update", false, "rewrite the golden traces in testdata/golden that no longer replay (go test ./scenarios -run Golden -update)")

// goldenVersion is the mozidsim version the goldens' headers carry.
const goldenVersion = "0.1.0"

var goldenDir = filepath.Join("testdata", "golden")

// goldenFile is a 2015 golden: testdata/golden/NAME.trace.jsonl.
func goldenFile(name string) string { return filepath.Join(goldenDir, name+".trace.jsonl") }

// goldenRun is one recorded run: a shipped scenario in one era. Goldens are
// per era: 2015 runs in testdata/golden, 2014 runs in testdata/golden/2014.
type goldenRun struct {
	s   Shipped
	era era.Era
}

func (g goldenRun) file() string {
	if g.era == era.Default {
		return goldenFile(g.s.Name)
	}
	return filepath.Join(goldenDir, string(g.era), g.s.Name+".trace.jsonl")
}

func (g goldenRun) label() string { return g.s.Name + "@" + string(g.era) }

// goldenRuns: each scenario in its own era, or in the default one when its
// file names none; the seed walkthroughs in every era.
func goldenRuns(lib []Shipped) []goldenRun {
	var runs []goldenRun
	for _, s := range lib {
		if s.Era == "" && slices.Contains(SeedWalkthroughs, s.Name) {
			for _, e := range era.All {
				runs = append(runs, goldenRun{s, e})
			}
			continue
		}
		runs = append(runs, goldenRun{s, era.Of(s.Era)})
	}
	return runs
}

// inRepo names a file of this package as seen from the repository's root, where
// the commands in the messages are typed.
func inRepo(file string) string { return filepath.Join("scenarios", file) }

const regenerate = "If the change is intended, record the goldens again with\n\tgo test ./scenarios -run Golden -update\nand read `git diff scenarios/testdata/golden` before committing it."

func TestGoldenTracesReplay(t *testing.T) {
	t.Parallel()
	lib, err := Library()
	require.NoError(t, err)
	require.NotEmpty(t, lib, "no shipped scenario")
	tl := TraceLibrary(goldenVersion)
	shipped := map[string]bool{}
	for _, g := range goldenRuns(lib) {
		s, file := g.s, g.file()
		if s.Kind == KindContacts {
			for _, f := range contactsGoldens(t, tl, s) {
				shipped[f] = true
			}
			continue
		}
		shipped[file] = true
		t.Run(g.label(), func(t *testing.T) {
			source, err := s.Source()
			require.NoError(t, err)
			// The scenario as shipped now, run afresh: what a golden must record.
			fresh, err := tl.RecordSource(s.Name, s.File, source, 0, string(g.era))
			require.NoError(t, err)

			recorded, err := trace.ReadFile(file)
			if errors.Is(err, fs.ErrNotExist) {
				if *update {
					writeGolden(t, file, fresh)
					return
				}
				t.Fatal(missingGolden(g))
			}
			require.NoError(t, err)

			problem, headerOnly, err := goldenProblem(tl, g, recorded, fresh)
			require.NoError(t, err)
			if problem == "" {
				return
			}
			if *update {
				updateGolden(t, file, recorded, fresh, headerOnly, problem)
				return
			}
			t.Fatalf("%s\n%s", problem, regenerate)
		})
	}

	var files []string
	for _, pattern := range []string{filepath.Join(goldenDir, "*.trace.jsonl"), filepath.Join(goldenDir, "*", "*.trace.jsonl"),
		filepath.Join(contactsGoldenDir, "*.trace.jsonl")} {
		matches, err := filepath.Glob(pattern)
		require.NoError(t, err)
		files = append(files, matches...)
	}
	for _, f := range files {
		if shipped[f] {
			continue
		}
		if *update {
			require.NoError(t, os.Remove(f))
			t.Logf("removed %s: no shipped scenario records it", inRepo(f))
			continue
		}
		t.Errorf("%s is the golden of no shipped scenario: delete it (go test ./scenarios -run Golden -update does)", inRepo(f))
	}
}

// contactsGoldenDir holds the contacts scenarios' goldens, one file per phone:
// SCENARIO.PHONE.trace.jsonl. A contacts run's trace holds every phone's
// events (Scenario.DeviceEvents splits them); each phone's are recorded on
// their own, with roles (uids, tokens, keys) numbered per phone.
var contactsGoldenDir = filepath.Join("contacts", "testdata", "golden")

// contactsGoldens runs a contacts scenario once and compares each phone's part
// of the trace with its golden; it returns the golden files it stands for.
func contactsGoldens(t *testing.T, tl trace.Library, s Shipped) []string {
	source, err := s.Source()
	require.NoError(t, err)
	fresh := contactsTraces(t, tl, s, source)
	var files []string
	for _, p := range slices.Sorted(maps.Keys(fresh)) {
		base := strings.TrimSuffix(path.Base(s.File), ".yaml") + "." + p
		file := filepath.Join(contactsGoldenDir, base+".trace.jsonl")
		files = append(files, file)
		t.Run(s.Name+"/"+p, func(t *testing.T) {
			problem, headerOnly := contactsGoldenProblem(t, file, fresh[p])
			switch {
			case problem == "":
			case *update:
				recorded, err := trace.ReadFile(file)
				if err != nil {
					headerOnly = false
				}
				updateGolden(t, file, recorded, fresh[p], headerOnly, problem)
			default:
				t.Fatalf("%s\n%s", problem, regenerate)
			}
		})
	}
	return files
}

// contactsTraces runs a contacts scenario's text and returns each phone's trace.
func contactsTraces(t *testing.T, tl trace.Library, s Shipped, source []byte) map[string]trace.Trace {
	t.Helper()
	sc, err := Parse(s.File, source)
	require.NoError(t, err)
	rec := &sim.MemRecorder{}
	_, _, err = tl.Run(s.File, source, 0, "", rec)
	require.NoError(t, err)
	out := map[string]trace.Trace{}
	for p, events := range sc.DeviceEvents(rec.Events()) {
		tr := trace.NewTrace(sc.Name+"/"+p, s.File, source, sc.Seed, events)
		tr.Header.Version = goldenVersion
		out[p] = tr
	}
	return out
}

// contactsGoldenProblem says why a phone's golden no longer stands for the
// fresh run, or ""; headerOnly as goldenProblem's.
func contactsGoldenProblem(t *testing.T, file string, fresh trace.Trace) (problem string, headerOnly bool) {
	t.Helper()
	recorded, err := trace.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Sprintf("%s does not exist yet", inRepo(file)), false
	}
	require.NoError(t, err)
	if d := trace.Compare(recorded.Lines, fresh.Lines); d != nil {
		return fmt.Sprintf("%s no longer matches the run:\n%s", inRepo(file), d), false
	}
	return headerProblem(inRepo(file), fresh.Header.File, recorded.Header, fresh.Header), true
}

func missingGolden(g goldenRun) string {
	s, file := g.s, inRepo(g.file())
	return fmt.Sprintf("scenario %s (%s, era %s) has no golden trace %s.\nCreate it with\n\tgo test ./scenarios -run Golden -update\nthen read it (go run ./cmd/mozidsim explain %s) and commit it.", s.Name, s.File, g.era, file, file)
}

// goldenProblem says why a golden no longer stands for its scenario, or "".
// The replay runs the scenario text the golden carries, so a golden must also
// carry the scenario as shipped: otherwise an edited scenario file would never
// be compared with anything.
//
// headerOnly is true when the recorded events still stand and only the header
// (the scenario's text, its seed) is out of date: -update then rewrites the
// header alone, so that keys and signatures fresh in every run do not churn.
func goldenProblem(tl trace.Library, g goldenRun, recorded, fresh trace.Trace) (problem string, headerOnly bool, err error) {
	s, h := g.s, recorded.Header
	if h.Scenario != s.Name || h.File != s.File {
		return fmt.Sprintf("%s records scenario %q of %s, not %q of %s", inRepo(g.file()), h.Scenario, h.File, s.Name, s.File), false, nil
	}
	if h.Era != string(g.era) {
		return fmt.Sprintf("%s records era %q, not %s", inRepo(g.file()), h.Era, g.era), false, nil
	}
	diff, _, err := tl.Replay(recorded)
	if err != nil {
		return "", false, err
	}
	if diff != nil {
		return fmt.Sprintf("scenario %s no longer replays its golden trace %s:\n%s", s.Name, inRepo(g.file()), diff), false, nil
	}
	// The replay ran the text the golden carries; the shipped text must run the same.
	if d := trace.Compare(recorded.Lines, fresh.Lines); d != nil {
		return fmt.Sprintf("%s as shipped no longer runs as its golden trace %s records:\n%s", s.File, inRepo(g.file()), d), false, nil
	}
	return headerProblem(inRepo(g.file()), s.File, h, fresh.Header), true, nil
}

// headerProblem compares a golden's header with a fresh run's: the scenario's
// text (without its prose) and its seed.
func headerProblem(golden, file string, h, fresh trace.Header) string {
	if h.Source != fresh.Source {
		return fmt.Sprintf("%s changed since %s was recorded; first different line:\n%s", file, golden, firstLineDiff(h.Source, fresh.Source))
	}
	if h.Seed != fresh.Seed {
		return fmt.Sprintf("%s recorded seed %d; %s now runs with seed %d", golden, h.Seed, file, fresh.Seed)
	}
	return ""
}

// updateGolden records a golden again: only its header when its events still
// stand.
func updateGolden(t *testing.T, file string, recorded, fresh trace.Trace, headerOnly bool, problem string) {
	t.Helper()
	if headerOnly {
		fresh = trace.Trace{Header: fresh.Header, Lines: recorded.Lines}
	}
	writeGolden(t, file, fresh)
	t.Logf("rewrote %s: %s", inRepo(file), strings.SplitN(problem, "\n", 2)[0])
}

func firstLineDiff(recorded, now string) string {
	a, b := strings.Split(recorded, "\n"), strings.Split(now, "\n")
	for i := 0; i < max(len(a), len(b)); i++ {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			return fmt.Sprintf("  line %d recorded: %q\n  line %d now:      %q", i+1, x, i+1, y)
		}
	}
	return "  (none)"
}

func writeGolden(t *testing.T, file string, tr trace.Trace) {
	t.Helper()
	require.NoError(t, trace.WriteFile(file, tr))
}

// TestGoldenTracesCarryNoClearPassword: a golden is a file in the repository,
// so every password its scenario types or creates must be masked in it.
func TestGoldenTracesCarryNoClearPassword(t *testing.T) {
	t.Parallel()
	lib, err := Library()
	require.NoError(t, err)
	for _, g := range goldenRuns(lib) {
		s := g.s
		source, err := s.Source()
		require.NoError(t, err)
		sc, err := Parse(s.File, source)
		require.NoError(t, err)
		secrets := scenarioSecrets(sc)
		files := []string{g.file()}
		if s.Kind == KindContacts {
			files, err = filepath.Glob(filepath.Join(contactsGoldenDir, strings.TrimSuffix(path.Base(s.File), ".yaml")+".*.trace.jsonl"))
			require.NoError(t, err)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if errors.Is(err, fs.ErrNotExist) {
				continue // TestGoldenTracesReplay says how to make it
			}
			require.NoError(t, err)
			for _, p := range secrets {
				// Shorter strings could turn up by chance inside base64 "$raw" bytes.
				if len(p) >= 6 {
					require.NotContains(t, string(data), p, "%s carries a password of %s in clear", f, s.File)
				}
			}
		}
	}
}

// scenarioSecrets are the passwords a scenario creates or types: its
// accounts', its password steps', a contacts device's own CardDAV server's.
func scenarioSecrets(sc *Scenario) []string {
	var secrets []string
	for _, a := range sc.Accounts {
		secrets = append(secrets, a.Password)
	}
	for _, st := range sc.Steps {
		secrets = append(secrets, st.Password)
		if st.Action == "type-password" {
			secrets = append(secrets, st.Value)
		}
	}
	if sc.Contacts != nil {
		for _, d := range sc.Contacts.Devices {
			if d.CardDAV != nil {
				secrets = append(secrets, d.CardDAV.Password)
			}
		}
	}
	return secrets
}

// TestGoldenReplayNamesTheFirstDivergingHop changes one hop of a golden, as if
// the code that recorded it had sent a different message: the replay must fail
// and its report must name that hop, what differs in it, and what came before.
func TestGoldenReplayNamesTheFirstDivergingHop(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(goldenFile("request-sign-in"))
	require.NoError(t, err)
	// II.6: FxAccountsUIGlue asks the System app to open the FxA dialog.
	const hop = `"from":"FxAccountsUIGlue","to":"System/FxAccountsManager","name":"mozFxAccountsUnsolChromeEvent","payload":{"eventName":"openFlow"`
	require.Equal(t, 1, bytes.Count(data, []byte(hop)), "request-sign-in's golden has one openFlow hop")
	altered := bytes.Replace(data, []byte(hop), []byte(strings.Replace(hop, `"openFlow"`, `"openDialog"`, 1)), 1)
	recorded, err := trace.ReadJSONL(bytes.NewReader(altered))
	require.NoError(t, err)

	diff, _, err := TraceLibrary(goldenVersion).Replay(recorded)
	require.NoError(t, err)
	require.NotNil(t, diff, "the replay did not notice the changed hop")
	i := diff.Index
	at := recorded.Lines[i]
	require.Equal(t, "mozFxAccountsUnsolChromeEvent", at.Name)

	report := strings.Split(diff.String(), "\n")
	require.Equal(t, []string{
		fmt.Sprintf("replay diverges from the recording at event %d (seq %d, T+%s)", i+1, at.Seq, at.At),
		"  recorded: " + trace.Summary(at),
		"  replayed: " + trace.Summary(*diff.Got),
		"  first difference in payload.eventName:",
		`    recorded "openDialog"`,
		`    replayed "openFlow"`,
		"before it (identical in both):",
		"  " + trace.Summary(recorded.Lines[i-3]),
		"  " + trace.Summary(recorded.Lines[i-2]),
		"  " + trace.Summary(recorded.Lines[i-1]),
	}, report[:10])
	require.Contains(t, report[1], "hop      FxAccountsUIGlue -> System/FxAccountsManager mozFxAccountsUnsolChromeEvent {eventName:")
	require.Contains(t, report[2], `{eventName:"openFlow",`)
}

// TestReplayOfAChangedFlowNamesTheFirstDivergingHop replays the signed-out
// watch golden on a phone that behaves differently for real: alice is already
// signed in on it, so FxAccounts answers getSignedInUser with her instead of
// null and the page hears onlogin. The report names that answer as the first
// difference.
func TestReplayOfAChangedFlowNamesTheFirstDivergingHop(t *testing.T) {
	t.Parallel()
	recorded, err := trace.ReadFile(goldenFile("watch-signed-out"))
	require.NoError(t, err)
	changed := TraceLibrary(goldenVersion)
	run := changed.Run
	changed.Run = func(name string, source []byte, seed uint64, era string, rec sim.Recorder) (uint64, string, error) {
		return run(name, append(source, "device: {user: alice@example.com}\n"...), seed, era, rec)
	}

	diff, _, err := changed.Replay(recorded)
	require.NoError(t, err)
	require.NotNil(t, diff, "a phone with alice signed in replayed the signed-out watch unchanged")
	at := recorded.Lines[diff.Index]
	report := strings.Split(diff.String(), "\n")
	require.Equal(t, []string{
		fmt.Sprintf("replay diverges from the recording at event %d (seq %d, T+%s)", diff.Index+1, at.Seq, at.At),
		"  recorded: " + trace.Summary(at),
		"  replayed: " + trace.Summary(*diff.Got),
		"  first difference in payload.value:",
		"    recorded null",
	}, report[:5])
	require.Equal(t, "getSignedInUser:resolved", at.Name)
	require.Contains(t, report[1], "hop      FxAccounts -> FxAccountsManager getSignedInUser:resolved {call:1,value:null}")
	require.Contains(t, report[5], `    replayed {"email":"alice@example.com"`)
}

// TestGoldenProblemsAreNamed: the other ways a golden stops standing for its
// scenario are reported in words that say what to do.
func TestGoldenProblemsAreNamed(t *testing.T) {
	s := goldenRun{Shipped{Name: "request-sign-in", File: "scenarios/request-sign-in.yaml"}, era.Y2015}
	require.Equal(t, "scenario request-sign-in (scenarios/request-sign-in.yaml, era 2015) has no golden trace scenarios/testdata/golden/request-sign-in.trace.jsonl.\n"+
		"Create it with\n\tgo test ./scenarios -run Golden -update\n"+
		"then read it (go run ./cmd/mozidsim explain scenarios/testdata/golden/request-sign-in.trace.jsonl) and commit it.", missingGolden(s))
	old := goldenRun{s.s, era.Spring2014}
	require.Contains(t, missingGolden(old), "era 2014) has no golden trace scenarios/testdata/golden/2014/request-sign-in.trace.jsonl.")

	tl := TraceLibrary(goldenVersion)
	recorded, err := trace.ReadFile(goldenFile(s.s.Name))
	require.NoError(t, err)
	fresh := recorded
	problem, _, err := goldenProblem(tl, s, recorded, fresh)
	require.NoError(t, err)
	require.Empty(t, problem)

	// A 2015 golden does not stand for the same scenario's 2014 run.
	problem, _, err = goldenProblem(tl, old, recorded, fresh)
	require.NoError(t, err)
	require.Equal(t, `scenarios/testdata/golden/2014/request-sign-in.trace.jsonl records era "2015", not 2014`, problem)

	// An edited scenario file still replays its old golden (the golden carries
	// the old text), so the text itself is compared.
	fresh.Header.Source = recorded.Header.Source + "# edited\n"
	problem, _, err = goldenProblem(tl, s, recorded, fresh)
	require.NoError(t, err)
	lines := strings.Count(recorded.Header.Source, "\n") + 1
	require.Equal(t, fmt.Sprintf("scenarios/request-sign-in.yaml changed since scenarios/testdata/golden/request-sign-in.trace.jsonl was recorded; first different line:\n"+
		"  line %d recorded: \"\"\n  line %d now:      \"# edited\"", lines, lines), problem)

	fresh = recorded
	fresh.Header.Seed = 7
	problem, _, err = goldenProblem(tl, s, recorded, fresh)
	require.NoError(t, err)
	require.Equal(t, "scenarios/testdata/golden/request-sign-in.trace.jsonl recorded seed 1; scenarios/request-sign-in.yaml now runs with seed 7", problem)

	problem, _, err = goldenProblem(tl, goldenRun{Shipped{Name: "request-sign-in", File: "scenarios/other.yaml"}, era.Y2015}, recorded, recorded)
	require.NoError(t, err)
	require.Equal(t, `scenarios/testdata/golden/request-sign-in.trace.jsonl records scenario "request-sign-in" of scenarios/request-sign-in.yaml, not "request-sign-in" of scenarios/other.yaml`, problem)
}

// A refresh-auth chrome event is explained as FxAccountsUIGlue.refreshAuthentication,
// a sign-in one as signInFlow (server-invalid-token-cancel's step 16 once said signInFlow).
func TestExplainNamesTheGlueMethodOfEachUIRequest(t *testing.T) {
	tl := TraceLibrary(goldenVersion)
	for name, want := range map[string]string{
		"server-invalid-token-cancel": "FxAccountsUIGlue.refreshAuthentication → fxa_manager.handleEvent",
		"request-sign-in":             "FxAccountsUIGlue.signInFlow → fxa_manager.handleEvent",
	} {
		tr, err := tl.Record(name)
		require.NoError(t, err)
		var labels []string
		for _, st := range explain.ExplainLines(tr.Lines) {
			if st.Name == "mozFxAccountsUnsolChromeEvent" && strings.Contains(st.Label, "FxAccountsUIGlue") {
				labels = append(labels, st.Label)
			}
		}
		require.NotEmpty(t, labels, name)
		for _, l := range labels {
			require.Equal(t, want, l, name)
		}
	}
}

// TestRewordingAboutLeavesTheGoldensStanding: a golden carries the scenario
// without its prose, so rewording `about:` (of either kind of scenario)
// invalidates no golden, while any other edit still does.
func TestRewordingAboutLeavesTheGoldensStanding(t *testing.T) {
	t.Parallel()
	lib, err := Library()
	require.NoError(t, err)
	tl := TraceLibrary(goldenVersion)
	byName := map[string]Shipped{}
	for _, s := range lib {
		byName[s.Name] = s
	}
	// reword replaces the first line of the about text.
	reword := func(t *testing.T, s Shipped) []byte {
		source, err := s.Source()
		require.NoError(t, err)
		lines := strings.SplitAfter(string(source), "\n")
		i := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "about:") })
		require.GreaterOrEqual(t, i, 0, "%s has an about", s.File)
		const words = "Reworded: nothing here changes how the scenario runs."
		if block := strings.TrimSpace(strings.TrimPrefix(lines[i], "about:")); block == ">" || block == "|" {
			lines[i+1] = "  " + words + "\n"
		} else {
			lines[i] = "about: " + words + "\n"
		}
		edited := []byte(strings.Join(lines, ""))
		sc, err := Parse(s.File, edited)
		require.NoError(t, err)
		require.Contains(t, sc.About, "Reworded")
		return edited
	}

	s := byName["logout"]
	g := goldenRun{s, era.Default}
	recorded, err := trace.ReadFile(g.file())
	require.NoError(t, err)
	fresh, err := tl.RecordSource(s.Name, s.File, reword(t, s), 0, string(era.Default))
	require.NoError(t, err)
	problem, _, err := goldenProblem(tl, g, recorded, fresh)
	require.NoError(t, err)
	require.Empty(t, problem)
	fresh.Header.Source = strings.Replace(fresh.Header.Source, "logout: {}", "logout: {} # an edit that is not prose", 1)
	problem, headerOnly, err := goldenProblem(tl, g, recorded, fresh)
	require.NoError(t, err)
	require.True(t, headerOnly)
	require.Contains(t, problem, "scenarios/logout.yaml changed since scenarios/testdata/golden/logout.trace.jsonl was recorded")

	s = byName["first-backup"]
	phones := contactsTraces(t, tl, s, reword(t, s))
	require.Len(t, phones, 1)
	problem, _ = contactsGoldenProblem(t, filepath.Join(contactsGoldenDir, "first-backup.phone.trace.jsonl"), phones["phone"])
	require.Empty(t, problem)
}
