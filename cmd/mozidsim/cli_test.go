package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/scenarios"
	"github.com/mozidsim/mozidsim/trace"
	"github.com/mozidsim/mozidsim/trace/explain"
)

// One convention for every command: -h, --help and `help CMD` print the same
// usage with a description to stdout and exit 0.
func TestEveryCommandHasTheSameHelp(t *testing.T) {
	t.Parallel()
	for _, cmd := range []string{"run", "list", "replay", "explain", "diagram", "live", "serve-fxa", "verify-server", "serve-contacts"} {
		t.Run(cmd, func(t *testing.T) {
			code, out, errOut := mainOut(t, cmd, "-h")
			require.Equal(t, 0, code)
			require.Empty(t, errOut)
			require.True(t, strings.HasPrefix(out, "usage: "+helpOf(cmd).synopsis+"\n\n"+helpOf(cmd).about+"\n"), out)
			if cmd != "list" {
				require.Contains(t, out, "\nflags:\n  -")
			}
			for _, other := range [][]string{{cmd, "--help"}, {"help", cmd}} {
				code, same, errOut := mainOut(t, other...)
				require.Equal(t, 0, code, other)
				require.Empty(t, errOut, other)
				require.Equal(t, out, same, other)
			}
		})
	}
	// serve and conform keep their own usage texts, with the same convention.
	for _, cmd := range []string{"serve", "conform"} {
		code, out, errOut := mainOut(t, "help", cmd)
		require.Equal(t, 0, code)
		require.Empty(t, errOut)
		require.True(t, strings.HasPrefix(out, "usage: mozidsim "+cmd+" "), out)
		code, same, _ := mainOut(t, cmd, "-h")
		require.Equal(t, 0, code)
		require.Equal(t, out, same)
	}

	code, _, errOut := mainOut(t, "help", "explian")
	require.Equal(t, 2, code)
	require.True(t, strings.HasPrefix(errOut, "mozidsim help: unknown command \"explian\"; did you mean \"explain\"?\n"), errOut)
}

// A misspelled scenario name gets the nearest shipped one.
func TestMisspelledScenarioSuggestsTheNearest(t *testing.T) {
	t.Parallel()
	code, out, _ := mainOut(t, "run", "request-sgin-in")
	require.Equal(t, 2, code)
	require.Equal(t, "FAIL request-sgin-in\n    request-sgin-in: no such file, and no shipped scenario of that name; did you mean \"request-sign-in\"? (mozidsim list shows them)\n", out)

	code, _, errOut := mainOut(t, "explain", "frist-backup")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, `did you mean "first-backup"?`)

	// A contacts scenario runs by name, as `list` shows it.
	code, out, _ = mainOut(t, "run", "first-backup")
	require.Equal(t, 0, code, out)
	require.Equal(t, "PASS first-backup\n", out)

	code, out, _ = mainOut(t, "run", "zzzzzzzzzzzz")
	require.Equal(t, 2, code)
	require.NotContains(t, out, "did you mean", "nothing is near")
}

// URLs and durations are checked when parsed, with an example of a good one.
func TestURLsAndDurationsAreValidated(t *testing.T) {
	t.Parallel()
	code, _, errOut := mainOut(t, "run", "--fxa-url", "127.0.0.1:8089", "watch-signed-out")
	require.Equal(t, 2, code)
	require.True(t, strings.HasPrefix(errOut, `mozidsim run: invalid value "127.0.0.1:8089" for flag -fxa-url: "127.0.0.1:8089" is not an http(s) URL with a host; write it like http://127.0.0.1:8081`+"\n"), errOut)

	code, _, errOut = mainOut(t, "verify-server", "--fxa-url", "localhost")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "write it like http://127.0.0.1:8081\n")

	code, _, errOut = mainOut(t, "serve-contacts", "--origin", "contacts.example.com")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "write it like https://contacts.example.com\n")

	for _, bad := range []string{"7", "0s", "-1s", "soon"} {
		code, _, errOut = mainOut(t, "live", "--pace", bad, "watch-signed-out")
		require.Equal(t, 2, code, bad)
		require.True(t, strings.HasPrefix(errOut, `mozidsim live: invalid value "`+bad+`" for flag -pace: "`+bad+`" is not a positive duration; write it like 700ms (units ns, us, ms, s, m, h)`+"\n"), errOut)
	}
}

// Recording, replaying, explaining and drawing a shipped scenario.
func TestRecordReplayExplainDiagram(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "sign-in.trace.jsonl")
	code, out, errOut := mainOut(t, "run", "--record", file, "watch-signed-out")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, "PASS watch-signed-out\n", out)
	tr, err := trace.ReadFile(file)
	require.NoError(t, err)
	require.Equal(t, version, tr.Header.Version)

	code, out, errOut = mainOut(t, "replay", file)
	require.Equal(t, 0, code, errOut)
	require.Equal(t, "PASS "+file+" (scenario watch-signed-out, "+itoa(len(tr.Lines))+" events)\n", out)

	// A scenario file is not a trace: say so, and what to do.
	yaml := writeFile(t, t.TempDir(), "x.yaml", passingScenario)
	code, _, errOut = mainOut(t, "replay", yaml)
	require.Equal(t, 2, code)
	require.Equal(t, "mozidsim replay: "+yaml+": "+trace.ErrNotATrace.Error()+"\n", errOut)

	code, _, errOut = mainOut(t, "replay")
	require.Equal(t, 2, code)
	require.True(t, strings.HasPrefix(errOut, "mozidsim replay: no trace file given\nusage: mozidsim replay"), errOut)

	code, out, errOut = mainOut(t, "explain", file)
	require.Equal(t, 0, code, errOut)
	require.True(t, strings.HasPrefix(out, "watch-signed-out (era 2015): 13 steps"), out)

	// --step after the name: two Enters, then q.
	var o, e strings.Builder
	require.Equal(t, 0, Main(context.Background(), []string{"explain", "watch-signed-out", "--step"}, strings.NewReader("\n\nq\n"), &o, &e))
	require.Equal(t, 3, strings.Count(o.String(), "-- Enter: next, q: quit -- "))

	md := filepath.Join(t.TempDir(), "w.md")
	code, _, errOut = mainOut(t, "explain", "--markdown", md, "watch-signed-out")
	require.Equal(t, 0, code, errOut)
	doc, err := os.ReadFile(md)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(doc), "# watch-signed-out\n"))

	code, out, errOut = mainOut(t, "diagram", "watch-signed-out")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, "---\ntitle: watch-signed-out (era 2015)\n---\n"+explain.MermaidLines(tr.Lines), out) // diagram titles the run with its era

	dir := t.TempDir()
	code, _, errOut = mainOut(t, "diagram", "--states", "-o", dir)
	require.Equal(t, 0, code, errOut)
	written, err := filepath.Glob(filepath.Join(dir, "*.mmd"))
	require.NoError(t, err)
	for i, f := range written {
		written[i] = filepath.Base(f)
	}
	require.Equal(t, []string{"contacts-backup.mmd", "fxa-module-screens.mmd", "fxaccountsmanager-getassertion-2014.mmd",
		"fxaccountsmanager-getassertion.mmd", "page-lifecycle.mmd"}, written) // every registered machine, the backup's included
	machines, err := explain.StateMachines()
	require.NoError(t, err)
	for _, m := range machines {
		b, err := os.ReadFile(filepath.Join(dir, m.Name+".mmd"))
		require.NoError(t, err)
		require.Equal(t, m.Mermaid, string(b))
	}
	code, _, errOut = mainOut(t, "diagram", "--states", "watch-signed-out")
	require.Equal(t, 2, code)
	require.True(t, strings.HasPrefix(errOut, "mozidsim diagram: --states takes no scenario\n"), errOut)
}

// live serves a recorded trace file until its context ends.
func TestLiveServesATraceFileUntilCancelled(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "w.trace.jsonl")
	code, _, errOut := mainOut(t, "run", "--record", file, "watch-signed-out")
	require.Equal(t, 0, code, errOut)

	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	var out, errs lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- liveCmd(ctx, scenarios.TraceLibrary(version), []string{"--addr", "127.0.0.1:0", "--pace", "5ms", file}, &out, &errs, ready)
	}()
	addr := <-ready
	cancel()
	require.Equal(t, 0, <-done)
	require.Equal(t, "live view of watch-signed-out (era 2015) (13 steps): open http://"+addr+"/ (http://"+addr+"/?step=N opens step N)\n", out.String())
	require.Empty(t, errs.String())
}

func itoa(n int) string { return strconv.Itoa(n) }
