package webphone

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/chromium"
)

// browserPhone serves a phone and test pages from one origin, which is an app
// of the phone (kind given).
func browserPhone(t *testing.T, kind string, pages map[string]string) (*Server, string) {
	t.Helper()
	return eraPhone(t, "", kind, pages)
}

// eraPhone is browserPhone for a phone of era e ("" is the default).
func eraPhone(t *testing.T, e, kind string, pages map[string]string) (*Server, string) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	origin := "http://" + srv.Listener.Addr().String()
	s, err := New(Config{Apps: []App{{Name: "page", Origin: origin, Kind: kind}}, Era: e})
	require.NoError(t, err)
	mux := http.NewServeMux()
	for path, body := range pages {
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", map[bool]string{true: "text/html", false: "application/javascript"}[strings.HasSuffix(path, "/")])
			fmt.Fprint(w, body)
		})
	}
	mux.Handle("/", s.Handler())
	srv.Config.Handler = mux
	srv.Start()
	t.Cleanup(func() {
		srv.CloseClientConnections()
		require.NoError(t, s.Close())
		srv.Close()
	})
	return s, origin
}

func TestShimPassesTheVectorsInChromium(t *testing.T) {
	b := browser.Get(t)
	runner, err := os.ReadFile("testdata/shim-runner.js")
	require.NoError(t, err)
	vectors, err := os.ReadFile(vectorsFile)
	require.NoError(t, err)
	_, origin := browserPhone(t, "privileged", map[string]string{
		"/vectors/":   `<!doctype html><script src="/mozid-shim.js"></script><script src="/runner.js"></script><script src="/vectors.js"></script>`,
		"/runner.js":  string(runner),
		"/vectors.js": "var vectors = " + string(vectors) + ";",
	})
	ctx, cancel := chromedp.NewContext(b.Ctx)
	defer cancel()
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(origin+"/vectors/")))
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify(vectors.map(function (vc) {
		return [(vc.era || "2015") + " " + vc.kind + ": " + vc.name, shimRunner.runCase(mozidsimShim.createMozId, vc)];
	}))`))
	require.NoError(t, err)
	var results [][2]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(out), &results))
	require.Len(t, results, len(vectorCases()))
	for _, r := range results {
		require.Equal(t, "[]", string(r[1]), "%s", r[0])
	}
}

const signInPage = `<!doctype html>
<title>shim test page</title>
<script>var t0 = performance.now();</script>
<script src="/mozid-shim.js"></script>
<script>
var shimLoaded = performance.now() - t0;
var log = [], watchAt = performance.now(), readyAfter = null, assertion = null;
navigator.mozId.watch({
  wantIssuer: "firefox-accounts",
  onlogin: function (a) { log.push("onlogin"); assertion = a; },
  onlogout: function () { log.push("onlogout"); },
  onready: function () { log.push("onready"); readyAfter = performance.now() - watchAt; },
  onerror: function (e) { log.push("onerror " + e); }
});
</script>
<button id="login" onclick="navigator.mozId.request()">Sign in</button>`

// waitFor polls a JS condition without a user gesture (chromedp.Poll would
// evaluate with one and make a scripted request() look like a click).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		require.True(t, time.Now().Before(deadline), "timed out")
		time.Sleep(20 * time.Millisecond)
	}
}

// tabOn opens a fresh tab on url and returns its context and a reader of the
// page's log variable.
func tabOn(t *testing.T, b *chromium.Browser, url string) (context.Context, func() []string) {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.Ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(url)))
	return ctx, func() []string {
		out, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`log`))
		require.NoError(t, err)
		return out
	}
}

// Gecko let a web app (or a Browser page) call request() only while a trusted
// event was being handled; certified and privileged apps were exempt. A web
// app's watch itself gets nothing back (its permission is DENY).
func TestOnlyAClickLetsAWebAppRequest(t *testing.T) {
	b := browser.Get(t)
	s, origin := browserPhone(t, "web", map[string]string{"/app/": signInPage})
	ctx, logOf := tabOn(t, b, origin+"/app/")
	_, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`navigator.mozId.request()`))
	require.NoError(t, err)
	require.Equal(t, []string{"onerror ERROR_REQUEST_WHILE_NOT_HANDLING_USER_INPUT"}, logOf())
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#login"))))
	waitFor(t, func() bool {
		st, err := s.State()
		return err == nil && len(st.Windows) == 1 && len(st.Windows[0].Calls) == 3
	})
	st, err := s.State()
	require.NoError(t, err)
	require.Equal(t, []CallRecord{{Name: "navigator.mozId.watch"}, {Name: "navigator.mozId.request"}, {Name: "navigator.mozId.request", UserInput: true}}, st.Windows[0].Calls)
	require.Equal(t, []string{"onerror ERROR_REQUEST_WHILE_NOT_HANDLING_USER_INPUT"}, logOf(), "the click's request went to the parent, which denies a web app")
	require.Empty(t, st.Faults)
}

// The same page signs in on a 2015 and on a 2014 phone (serve --era 2014: the
// shim is then [D-early]'s nsDOMIdentity).
func TestARealPageSignsInThroughTheShim(t *testing.T) {
	for _, e := range []string{"2015", "2014"} {
		t.Run(e, func(t *testing.T) { signInThroughTheShim(t, e) })
	}
}

func signInThroughTheShim(t *testing.T, e string) {
	b := browser.Get(t)
	s, origin := eraPhone(t, e, "privileged", map[string]string{"/app/": signInPage})
	ctx, logOf := tabOn(t, b, origin+"/app/")
	waitFor(t, func() bool { return len(logOf()) == 2 })
	require.Equal(t, []string{"onlogout", "onready"}, logOf())
	figures, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`[shimLoaded, readyAfter]`))
	require.NoError(t, err)
	t.Logf("shim: %d bytes, loaded and run in %.1f ms; watch -> onready round trip %.1f ms", len(s.shim), figures[0], figures[1])

	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#login"))))
	waitFor(t, func() bool { st, err := s.State(); return err == nil && st.Dialog != nil })
	st, err := s.State()
	require.NoError(t, err)
	require.Equal(t, "ENTER_EMAIL", st.Dialog.Screen)
	require.NoError(t, s.Steps([]byte(`[{"user":"sign-in","email":"alice@example.com","password":"correct horse battery"}]`)))
	waitFor(t, func() bool { return len(logOf()) == 3 })
	require.Equal(t, "onlogin", logOf()[2])
	assertion, err := chromedp.Run(ctx, chromedp.Evaluate[string](`assertion`))
	require.NoError(t, err)
	email, err := s.p.Verify(assertion, origin)
	require.NoError(t, err)
	require.Equal(t, "alice@example.com", email)
	st, err = s.State()
	require.NoError(t, err)
	require.Empty(t, st.Faults, "the shim and the Go nsDOMIdentity agreed on every call")
	require.Equal(t, []string{"onlogout", "onready", "onlogin aud=" + origin + " email=alice@example.com"}, st.Windows[0].Log)
}

const page2014 = `<!doctype html>
<script src="/mozid-shim.js"></script>
<script>
var log = [];
function watch() {
  navigator.mozId.watch({
    wantIssuer: "firefox-accounts",
    onlogin: function (a) { log.push("onlogin"); },
    onlogout: function () { log.push("onlogout"); },
    onready: function () { log.push("onready"); },
    onerror: function (e) { log.push("onerror " + typeof e + " " + JSON.stringify(e)); }
  });
}
function again() {
  try { watch(); } catch (e) { log.push("threw " + e.name + ": " + e.message); }
}
</script>`

// What a 2014 page saw that a 2015 page did not ([D-early], README "serve
// --era 2014"): the parent's rejection object itself in onerror, the Error
// nsDOMIdentity.js threw with its own message, and the window's own refusal of
// Firefox Accounts to a web app.
func TestA2014PageSeesTheEarlyNavigatorMozId(t *testing.T) {
	b := browser.Get(t)
	t.Run("onerror gets the OFFLINE object", func(t *testing.T) {
		s, origin := eraPhone(t, "2014", "privileged", map[string]string{"/app/": page2014})
		require.NoError(t, s.Steps([]byte(`[{"device":"sign-in","email":"alice@example.com","password":"correct horse battery"},{"network":"offline"}]`)))
		ctx, logOf := tabOn(t, b, origin+"/app/")
		_, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`watch()`))
		require.NoError(t, err)
		waitFor(t, func() bool { return len(logOf()) == 1 })
		require.Equal(t, []string{`onerror object {"error":"OFFLINE"}`}, logOf())
		_, err = chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`again()`))
		require.NoError(t, err)
		require.Equal(t, []string{`onerror object {"error":"OFFLINE"}`, "threw Error: navigator.id.watch was already called"}, logOf())
		st, err := s.State()
		require.NoError(t, err)
		require.Equal(t, "2014", st.Era)
		require.Empty(t, st.Faults, "the shim and the Go [D-early] nsDOMIdentity agreed")
		require.Equal(t, []string{`onerror {"error":"OFFLINE"}`, "throws navigator.id.watch was already called"}, st.Windows[0].Log)
	})
	t.Run("a web app is refused in the window", func(t *testing.T) {
		s, origin := eraPhone(t, "2014", "web", map[string]string{"/app/": page2014})
		ctx, logOf := tabOn(t, b, origin+"/app/")
		_, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`watch()`))
		require.NoError(t, err)
		require.Equal(t, []string{`onerror string "ERROR_NOT_AUTHORIZED_FOR_FIREFOX_ACCOUNTS"`}, logOf(), "during the call, before any message")
		st, err := s.State()
		require.NoError(t, err)
		require.Empty(t, st.Faults)
	})
}
