package live_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/chromium"
	"github.com/mozidsim/mozidsim/scenarios"
	"github.com/mozidsim/mozidsim/trace"
	"github.com/mozidsim/mozidsim/trace/explain"
	"github.com/mozidsim/mozidsim/trace/internal/tracetest"
	"github.com/mozidsim/mozidsim/trace/live"
)

// browser is one Chromium for the package's browser test.
var browser chromium.Shared

func TestMain(m *testing.M) { os.Exit(browser.TestMain(m)) }

// The run the page gets: lanes grouped by process, every explained step with
// the state machines' states after it, and what each page received.
func TestNewRunGroupsLanesAndFollowsTheStateMachines(t *testing.T) {
	tr := trace.NewTrace("seed part II", "", nil, 1, tracetest.Walkthrough(t, true))
	steps := explain.ExplainLines(tr.Lines)
	run := live.NewRun(tr, &live.Outcome{Pass: true})
	require.Len(t, run.Steps, len(steps))
	var procs []string
	for _, p := range run.Processes {
		procs = append(procs, p.Name)
	}
	require.Equal(t, []string{"content process", "Gecko parent process", "Gaia System app", "FxA server", "outside the phone"}, procs)
	require.Equal(t, []string{"page[shop]", "nsDOMIdentity[shop]"}, run.Processes[0].Actors)
	require.Contains(t, run.Processes[1].Actors, "FxAccountsMgmtService", "Gecko's management service sits with Gecko, not with Gaia")
	require.NotContains(t, run.Processes[2].Actors, "FxAccountsMgmtService")

	require.Equal(t, map[string]string{"nsDOMIdentity[shop]": "watching"}, run.Steps[0].States, "watch() called")
	states := func(actor string) []string {
		var out []string
		for _, st := range run.Steps {
			if s, ok := st.States[actor]; ok && (len(out) == 0 || out[len(out)-1] != s) {
				out = append(out, s)
			}
		}
		return out
	}
	require.Equal(t, []string{"watching", "ready", "requesting", "ready"}, states("nsDOMIdentity[shop]"))
	require.Equal(t, []string{"ENTER_EMAIL", "ENTER_PASSWORD", "SIGNIN_SUCCESS"}, states("fxa_module"))
	require.Equal(t, []string{"account", "resolved (no-user-silent)", "account", "ui-sign-in", "assertion", "resolved (got-assertion)"}, states("FxAccountsManager"))
	require.Equal(t, map[string]string{"nsDOMIdentity[shop]": "page lifecycle", "fxa_module": "the dialog's screens", "FxAccountsManager": "getAssertion"}, run.Machines)

	require.Len(t, run.Callbacks, 1)
	require.Equal(t, "page[shop]", run.Callbacks[0].Page)
	require.Equal(t, []string{"onlogout", "onready"}, run.Callbacks[0].Lines[:2])
	require.Equal(t, "onlogin <backedAssertion#1>", run.Callbacks[0].Lines[2])
}

func TestHandlerServesThePageWithTheRunInIt(t *testing.T) {
	tr := trace.NewTrace("part </script><b>I", "", nil, 1, tracetest.Walkthrough(t, false))
	srv := httptest.NewServer(live.Handler(live.NewRun(tr, nil), time.Second))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/")
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	require.Contains(t, string(page), "<title>mozidsim live: part &lt;/script&gt;&lt;b&gt;I</title>")
	require.NotContains(t, string(page), "</script><b>", "a name cannot end the embedded run")

	resp, err = http.Get(srv.URL + "/run.json")
	require.NoError(t, err)
	var run live.Run
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&run))
	resp.Body.Close()
	require.Equal(t, 13, len(run.Steps))
	require.Equal(t, "2015", run.Era, "a trace without an era is a 2015 one")
	require.Equal(t, 1000, run.PaceMS)

	resp, err = http.Get(srv.URL + "/ws")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}

// The page in a real browser: screenshots at three steps (written to
// $MOZIDSIM_LIVE_SHOTS when set) and the DOM a person reads at each.
func TestLiveViewInChromium(t *testing.T) {
	b := browser.Get(t)
	tr := trace.NewTrace("request-sign-in", "", nil, 1, tracetest.Walkthrough(t, true))
	run := live.NewRun(tr, &live.Outcome{Pass: true})
	srv := httptest.NewServer(live.Handler(run, time.Hour))
	defer srv.Close()
	total := len(run.Steps)
	shots := os.Getenv("MOZIDSIM_LIVE_SHOTS")
	if shots == "" {
		shots = t.TempDir()
	}

	ctx, cancel := chromedp.NewContext(b.Ctx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	defer cancelT()
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(1600, 1000)))

	type view struct {
		Counter, Current, Details, Summary string
		Visible, Arrows                    int
		SummaryHidden                      bool
		States                             map[string]string
		URL                                string
	}
	read := func() view {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[view](`(() => {
			const states = {};
			for (const c of document.querySelectorAll("#states .state")) states[c.dataset.actor] = c.textContent;
			const cur = document.querySelector(".row.current");
			return {
				Counter: document.getElementById("step-counter").textContent,
				Current: cur ? cur.dataset.n : "",
				Details: document.getElementById("details").textContent,
				Summary: document.getElementById("summary").textContent,
				SummaryHidden: document.getElementById("summary").hidden,
				Visible: document.querySelectorAll(".row:not(.future)").length,
				Arrows: document.querySelectorAll(".row:not(.future) .arrow").length,
				States: states,
				URL: location.search,
			};
		})()`))
		require.NoError(t, err)
		return v
	}
	open := func(step int) view {
		t.Helper()
		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/?step=%d", srv.URL, step))))
		_, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.dataset.ready`))
		require.NoError(t, err)
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(shots, fmt.Sprintf("live-step-%02d.png", step)), png, 0o644))
		return read()
	}

	// Step 1: watch() leaves the page; one arrow; the page machine is watching.
	v := open(1)
	require.Equal(t, fmt.Sprintf("step 1 of %d", total), v.Counter)
	require.Equal(t, "1", v.Current)
	require.Equal(t, 1, v.Visible)
	require.Equal(t, 1, v.Arrows)
	require.Equal(t, "watching", v.States["nsDOMIdentity[shop]"])
	require.Contains(t, v.Details, "I.1 ")
	require.Contains(t, v.Details, "dom/identity/nsDOMIdentity.js")
	require.True(t, v.SummaryHidden)

	// The step where the dialog asks for the password.
	pw := 0
	for i, st := range run.Steps {
		if st.States["fxa_module"] == "ENTER_PASSWORD" {
			pw = i + 1
			break
		}
	}
	require.NotZero(t, pw)
	v = open(pw)
	require.Equal(t, fmt.Sprintf("step %d of %d", pw, total), v.Counter)
	require.Equal(t, pw, v.Visible, "every arrow up to the current one")
	require.Equal(t, "ENTER_PASSWORD", v.States["fxa_module"])
	require.Equal(t, "requesting", v.States["nsDOMIdentity[shop]"])
	require.Equal(t, "ui-sign-in", v.States["FxAccountsManager"])
	require.True(t, v.SummaryHidden)

	// Back and forward, and the URL follows (a link to share).
	_, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("back").click()`))
	require.NoError(t, err)
	v = read()
	require.Equal(t, fmt.Sprint(pw-1), v.Current)
	require.Equal(t, fmt.Sprintf("?step=%d", pw-1), v.URL)
	_, err = chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("forward").click(); document.getElementById("forward").click()`))
	require.NoError(t, err)
	require.Equal(t, fmt.Sprint(pw+1), read().Current)
	_, err = chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`const j = document.getElementById("jump"); j.value = "5"; j.dispatchEvent(new Event("change"))`))
	require.NoError(t, err)
	require.Equal(t, "5", read().Current)

	// The last step: the summary with the verdict and each page's callbacks.
	v = open(total)
	require.Equal(t, fmt.Sprintf("step %d of %d", total, total), v.Counter)
	require.Equal(t, total, v.Arrows)
	require.False(t, v.SummaryHidden)
	require.Contains(t, v.Summary, fmt.Sprintf("PASS request-sign-in (%d steps)", total))
	require.Contains(t, v.Summary, "page[shop]: onlogout, onready, onlogin <backedAssertion#1>")
	require.Equal(t, "ready", v.States["nsDOMIdentity[shop]"])
	t.Logf("screenshots in %s", shots)
}

// A contacts world's live view follows each phone's backup machine, from
// the service's "state A -> B (event)" notes.
func TestNewRunFollowsTheBackupMachine(t *testing.T) {
	lib, err := scenarios.Library()
	require.NoError(t, err)
	var file string
	var src []byte
	for _, s := range lib {
		if s.Name == "two-devices" {
			file = s.File
			src, err = s.Source()
			require.NoError(t, err)
		}
	}
	require.NotEmpty(t, file)
	sc, err := scenarios.Parse(file, src)
	require.NoError(t, err)
	res, err := scenarios.Run(sc, scenarios.Options{})
	require.NoError(t, err)
	require.True(t, res.Pass(), res.Problems)
	run := live.NewRun(trace.NewTrace(sc.Name, "", nil, res.Seed, res.Events), &live.Outcome{Pass: true})
	require.Equal(t, "contacts backup", run.Machines["one/System/ContactsBackup"])
	require.Equal(t, "contacts backup", run.Machines["two/System/ContactsBackup"])
	var seen []string
	for _, st := range run.Steps {
		if s, ok := st.States["one/System/ContactsBackup"]; ok && (len(seen) == 0 || seen[len(seen)-1] != s) {
			seen = append(seen, s)
		}
	}
	require.Equal(t, "account", seen[0], "the service starts by looking for the FxA account")
	require.Contains(t, seen, "provisioning", "then gets its CardDAV credentials with an FxA assertion")
	require.Equal(t, "idle", seen[len(seen)-1])
}
