package conform

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakePhone answers the driver API the way the serve contract says, from
// canned values, and records what it was asked.
type fakePhone struct {
	app    App
	era    string
	mu     sync.Mutex
	asked  []string
	closed bool
}

func (f *fakePhone) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.asked = append(f.asked, r.Method+" "+r.URL.Path+" "+string(body))
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/__mozidsim/state":
			io.WriteString(w, `{"now":"2015-06-01T12:00:00Z","era":"2015","signedIn":null,"dialog":{"screen":"ENTER_EMAIL","overlay":""},
"windows":[{"id":"w1","app":"`+f.app.Name+`","origin":"`+f.app.Origin+`","open":true,
  "calls":[{"name":"navigator.mozId.watch","userInput":false},{"name":"navigator.mozId.request","userInput":true}],
  "log":["onlogout","onready"]}],
"verifications":[{"audience":"`+f.app.Origin+`","status":"failure","reason":"expired"}],
"faults":[{"kind":"shim-fidelity","window":"w1","message":"watch: the shim threw, Go did not"}]}`)
		case "/__mozidsim/steps":
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"step 1: no dialog is open"}`)
		case "/__mozidsim/next-assertion":
			io.WriteString(w, `{"ok":true}`)
		default:
			http.NotFound(w, r)
		}
	})
}

func (f *fakePhone) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return nil
}

// browserless is a Suite whose modules get a tab with no browser behind it.
func browserless(t *testing.T, opts Options) (*Suite, *[]*fakePhone) {
	t.Helper()
	var phones []*fakePhone
	opts.Phone = func(app App, era string) (Phone, error) {
		p := &fakePhone{app: app, era: era}
		phones = append(phones, p)
		return p, nil
	}
	opts.Chromium = "/bin/sh" // found, never started
	s, err := NewSuite(context.Background(), opts)
	require.NoError(t, err)
	s.exe = ""
	s.newTab = func() (*tab, error) { return &tab{}, nil }
	t.Cleanup(s.Close)
	return s, &phones
}

func TestSuiteRunWithFakePhone(t *testing.T) {
	var console, jsonl bytes.Buffer
	ef := &ExpectedFailures{Entries: []ExpectedFailure{{Module: "stepper", Condition: cModuleRan, Result: Failed, Comment: "known"}}}
	s, phones := browserless(t, Options{Era: "2015", Expected: ef, Reporters: []Reporter{Console{W: &console}, JSONLines{W: &jsonl}}})
	var during int
	plan := &Plan{Name: "test", Modules: []*Module{
		{ID: "reader", Conditions: []string{cWatchCalled, cSignedOutAtLoad}, run: func(r *run) {
			st := r.state()
			r.check(cWatchCalled, r.calls(st, "watch", nil) == 1, "no watch")
			r.check(cRequestOnClick, r.calls(st, "request", yes) == 1 && r.calls(st, "request", no) == 0, "no click")
			r.check(cSignedOutAtLoad, st.SignedIn == nil && dialogName(st.Dialog) == "ENTER_EMAIL", "state")
			r.check(cRejectsBad, verificationsNote(verifs(st)) == "/v2 answered failure: expired", "%s", verificationsNote(verifs(st)))
			require.NoError(t, r.d.NextAssertion(r.ctx, r.rp.Name, "expired"))
			resp, err := http.Get(s.ServeURL() + "/__mozidsim/state")
			require.NoError(t, err)
			resp.Body.Close()
			during = resp.StatusCode
		}},
		{ID: "stepper", Conditions: []string{cModuleRan}, run: func(r *run) {
			r.steps(map[string]any{"user": "close"})
			t.Error("steps did not end the module")
		}},
		{ID: "needs-logout", NeedsLogout: true, run: func(r *run) { t.Error("ran without a logout selector") }},
	}}
	rp := &RP{Name: "shop", Kind: "privileged", Login: "#login", SignedIn: "#email"}
	sum, err := s.Run(context.Background(), rp, "http://127.0.0.1:8000/index.html", plan)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, during, "the running module's phone answers at the base URL")
	resp, err := http.Get(s.ServeURL() + "/__mozidsim/state")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "no module runs any more")

	require.Len(t, *phones, 2, "a fresh phone per module that runs")
	for _, p := range *phones {
		require.True(t, p.closed)
		require.Equal(t, App{Name: "shop", Origin: "http://127.0.0.1:8000", Kind: "privileged"}, p.app)
		require.Equal(t, "2015", p.era)
	}
	require.Contains(t, (*phones)[0].asked, `POST /__mozidsim/next-assertion {"app":"shop","defect":"expired"}`)
	require.Contains(t, (*phones)[1].asked, `POST /__mozidsim/steps [{"user":"close"}]`)

	require.Equal(t, map[Result]int{Warning: 1, Failed: 1, Skipped: 1}, sum.Counts)
	require.Equal(t, 0, sum.Unexpected)
	require.Equal(t, "WARNING reader: shim-fidelity: watch: the shim threw, Go did not\n"+
		"FAILED stepper (expected): phone POST /__mozidsim/steps: step 1: no dialog is open\n"+
		"SKIPPED needs-logout: RP.yaml has no logout selector\n", console.String()[:len(console.String())-len(SummaryLine(sum))-1])

	var lines []map[string]any
	dec := json.NewDecoder(&jsonl)
	for dec.More() {
		var m map[string]any
		require.NoError(t, dec.Decode(&m))
		lines = append(lines, m)
	}
	require.Equal(t, "SUCCESS", lines[0]["result"])
	require.Equal(t, "phone-faults", lines[4]["condition"])
	require.Equal(t, "summary", lines[len(lines)-1]["type"])
}

func TestRunRPStopsTheRPWhenItDoesNotAnswer(t *testing.T) {
	dir := t.TempDir()
	rp := &RP{Name: "slow", Start: `echo $$ > pids; sleep 300 & echo $! >> pids; echo "compiling..."; wait`,
		URL: "http://127.0.0.1:${PORT}/", Login: "#l", SignedIn: "#e", Dir: dir}
	_, err := RunRP(context.Background(), rp, BuiltinPlan(), Options{Chromium: "/bin/sh", StartTimeout: 500 * time.Millisecond}, nil)
	require.ErrorContains(t, err, "the RP (start: "+rp.Start+") is not answering: http://127.0.0.1:")
	require.ErrorContains(t, err, "did not answer within 500ms")
	require.ErrorContains(t, err, "its last output:\n    compiling...")
	for _, pid := range readPids(t, filepath.Join(dir, "pids"), 2) {
		require.False(t, alive(pid), "pid %d outlived the run", pid)
	}
}

func TestRunRPStopsTheRPOnCtrlC(t *testing.T) {
	dir := t.TempDir()
	rp := &RP{Name: "slow", Start: `echo $$ > pids; sleep 300 & echo $! >> pids; wait`,
		URL: "http://127.0.0.1:${PORT}/", Login: "#l", SignedIn: "#e", Dir: dir}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		readPids(t, filepath.Join(dir, "pids"), 2)
		cancel() // what Ctrl-C does to the command's context
	}()
	_, err := RunRP(ctx, rp, BuiltinPlan(), Options{Chromium: "/bin/sh"}, nil)
	require.ErrorIs(t, err, context.Canceled)
	for _, pid := range readPids(t, filepath.Join(dir, "pids"), 2) {
		require.False(t, alive(pid), "pid %d outlived the run", pid)
	}
}

func TestRunRPWithoutStartNamesTheServeURL(t *testing.T) {
	port, err := FreePort()
	require.NoError(t, err)
	rp := &RP{Name: "manual", URL: "http://127.0.0.1:" + itoa(port) + "/", Login: "#l", SignedIn: "#e", Dir: t.TempDir()}
	addrPort, err := FreePort()
	require.NoError(t, err)
	_, err = RunRP(context.Background(), rp, BuiltinPlan(), Options{Chromium: "/bin/sh", Addr: "127.0.0.1:" + itoa(addrPort), StartTimeout: 300 * time.Millisecond}, nil)
	require.ErrorContains(t, err, "the RP is not answering: ")
	require.ErrorContains(t, err, "; start it with MOZIDSIM_URL=http://127.0.0.1:"+itoa(addrPort)+", or give RP.yaml a start command")
}

func TestNoChromium(t *testing.T) {
	_, err := NewSuite(context.Background(), Options{Chromium: filepath.Join(t.TempDir(), "chromium")})
	require.ErrorContains(t, err, "chromium (--chromium): stat ")
	if _, err := os.Stat(DefaultChromium); err != nil {
		_, err := FindChromium("")
		require.EqualError(t, err, "no Chromium found: install it (Debian: apt-get install -y chromium) or pass --chromium PATH")
	}
}
