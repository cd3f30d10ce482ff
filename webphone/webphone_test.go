package webphone

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/chromium"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/rp/verifier"
	"github.com/mozidsim/mozidsim/scenarios"
	"github.com/mozidsim/mozidsim/trace"
	"github.com/mozidsim/mozidsim/trace/explain"
)

// browser is one Chromium for every browser test of the package.
var browser chromium.Shared

func TestMain(m *testing.M) { os.Exit(browser.TestMain(m)) }

const rpOrigin = "http://127.0.0.1:1234"

// phone is a Server on an httptest socket.
type phone struct {
	t   *testing.T
	s   *Server
	srv *httptest.Server
}

func newPhone(t *testing.T, cfg Config) *phone {
	t.Helper()
	if cfg.Apps == nil {
		cfg.Apps = []App{{Name: "shop", Origin: rpOrigin}}
	}
	s, err := New(cfg)
	require.NoError(t, err)
	p := &phone{t: t, s: s, srv: httptest.NewServer(s.Handler())}
	t.Cleanup(func() {
		require.NoError(t, s.Close())
		p.srv.Close()
	})
	return p
}

// shimConn is a test's stand-in for the shim in one window.
type shimConn struct {
	t    *testing.T
	c    *websocket.Conn
	id   string
	page string
}

func (p *phone) dial(origin string) (*shimConn, *http.Response, error) {
	url := "ws" + strings.TrimPrefix(p.srv.URL, "http") + "/ws"
	c, resp, err := websocket.DefaultDialer.Dial(url, http.Header{"Origin": {origin}})
	if err != nil {
		return nil, resp, err
	}
	return &shimConn{t: p.t, c: c}, resp, nil
}

func (p *phone) open(origin string) *shimConn {
	p.t.Helper()
	sc, _, err := p.dial(origin)
	require.NoError(p.t, err)
	p.t.Cleanup(func() { sc.c.Close() })
	var hello helloFrame
	require.NoError(p.t, sc.c.ReadJSON(&hello))
	require.Equal(p.t, "hello", hello.Type)
	sc.id, sc.page = hello.ID, hello.Page
	return sc
}

func (sc *shimConn) call(c map[string]any) {
	sc.t.Helper()
	require.NoError(sc.t, sc.c.WriteJSON(map[string]any{"type": "call", "id": sc.id, "call": c}))
}

// next reads the next message frame's name (and its payload).
func (sc *shimConn) next() messageFrame {
	sc.t.Helper()
	require.NoError(sc.t, sc.c.SetReadDeadline(time.Now().Add(5*time.Second)))
	var m messageFrame
	require.NoError(sc.t, sc.c.ReadJSON(&m))
	return m
}

// closed waits for the server's close frame and returns its code and reason.
func (sc *shimConn) closed() (int, string) {
	sc.t.Helper()
	require.NoError(sc.t, sc.c.SetReadDeadline(time.Now().Add(5*time.Second)))
	for {
		_, _, err := sc.c.ReadMessage()
		if ce, ok := err.(*websocket.CloseError); ok {
			return ce.Code, ce.Text
		}
		require.NoError(sc.t, err, "want a close frame")
	}
}

var fxaWatch = map[string]any{
	"call":    "watch",
	"options": [][]any{{"wantIssuer", "firefox-accounts"}, {"onlogin", fn}, {"onlogout", fn}, {"onready", fn}, {"onerror", fn}},
	"result":  map[string]any{"sent": map[string]any{"name": "Identity:RP:Watch", "audience": rpOrigin, "wantIssuer": "firefox-accounts", "loggedInUser": nil}},
}

var fn = map[string]any{"$": "function"}

func (p *phone) state() State {
	p.t.Helper()
	resp, err := http.Get(p.srv.URL + "/__mozidsim/state")
	require.NoError(p.t, err)
	defer resp.Body.Close()
	require.Equal(p.t, 200, resp.StatusCode)
	var st State
	require.NoError(p.t, json.NewDecoder(resp.Body).Decode(&st))
	return st
}

func (p *phone) post(path, body string) (int, string) {
	p.t.Helper()
	resp, err := http.Post(p.srv.URL+path, "application/json", strings.NewReader(body))
	require.NoError(p.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// window waits until the window's log has n lines and returns it.
func (p *phone) window(id string, n int) WindowState {
	p.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		for _, w := range p.state().Windows {
			if w.ID == id && len(w.Log) >= n {
				return w
			}
		}
		require.True(p.t, time.Now().Before(deadline), "window %s never had %d log lines: %+v", id, n, p.state().Windows)
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSocketFromAnOriginThatIsNotAnAppIsRefused(t *testing.T) {
	p := newPhone(t, Config{})
	_, resp, err := p.dial("http://evil.example")
	require.Error(t, err)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	b, _ := io.ReadAll(resp.Body)
	require.Contains(t, string(b), `origin "http://evil.example" is not an app of this phone`)
}

func TestSignedOutWatchGetsOnlogoutThenOnready(t *testing.T) {
	p := newPhone(t, Config{})
	w := p.open(rpOrigin)
	require.Equal(t, "shop", w.page)
	w.call(fxaWatch)
	require.Equal(t, "Identity:RP:Watch:OnLogout", w.next().Name)
	require.Equal(t, "Identity:RP:Watch:OnReady", w.next().Name)
	st := p.window(w.id, 2)
	require.Equal(t, []string{"onlogout", "onready"}, st.Log)
	require.Equal(t, []CallRecord{{Name: "navigator.mozId.watch"}}, st.Calls)
	require.Empty(t, p.state().Faults)
}

func TestRequestSignInThroughTheDriverAndVerifyAtV2(t *testing.T) {
	p := newPhone(t, Config{})
	w := p.openDialog()
	require.Equal(t, &DialogState{Screen: "ENTER_EMAIL"}, p.state().Dialog)

	code, body := p.post("/__mozidsim/steps", `[{"user":"sign-in","email":"alice@example.com","password":"correct horse battery"}]`)
	require.Equal(t, 200, code, body)
	require.Equal(t, `{"ok":true}`, body)
	m := w.next()
	require.Equal(t, "Identity:RP:Watch:OnLogin", m.Name)
	require.NotNil(t, m.Assertion)

	st := p.state()
	require.Equal(t, "alice@example.com", *st.SignedIn)
	require.Nil(t, st.Dialog)
	require.Equal(t, []string{"onlogout", "onready", "onlogin aud=" + rpOrigin + " email=alice@example.com"}, p.window(w.id, 3).Log)

	req, _ := json.Marshal(map[string]string{"assertion": *m.Assertion, "audience": rpOrigin})
	code, body = p.post("/v2", string(req))
	require.Equal(t, 200, code)
	require.Contains(t, body, `"status":"okay"`)
	code, body = p.post("/v2", strings.Replace(string(req), rpOrigin, "http://localhost:1234", 1))
	require.Equal(t, 200, code)
	require.Equal(t, `{"status":"failure","reason":"audience mismatch: domain mismatch"}`, body)
	require.Equal(t, []Verification{
		{Audience: rpOrigin, Status: "okay", Email: "alice@example.com"},
		{Audience: "http://localhost:1234", Status: "failure", Reason: "audience mismatch: domain mismatch"},
	}, p.state().Verifications)
}

func TestTheTraceOfABrowserRunReadsLikeAnInMemoryOne(t *testing.T) {
	p := newPhone(t, Config{})
	w := p.open(rpOrigin)
	w.call(fxaWatch)
	w.next()
	w.next()
	resp, err := http.Get(p.srv.URL + "/__mozidsim/trace")
	require.NoError(t, err)
	defer resp.Body.Close()
	tr, err := trace.ReadJSONL(resp.Body)
	require.NoError(t, err)
	require.Equal(t, "serve", tr.Header.Scenario)
	var names []string
	for _, l := range tr.Lines {
		if l.From == "nsDOMIdentity[shop]" || l.To == "nsDOMIdentity[shop]" {
			names = append(names, l.Kind+" "+l.Name)
		}
	}
	require.Equal(t, []string{"call navigator.mozId.watch", "hop Identity:RP:Watch", "hop Identity:RP:Watch:OnLogout",
		"callback onlogout", "hop Identity:RP:Watch:OnReady", "callback onready"}, names)
}

func TestAShimThatDisagreesWithNSDOMIdentityIsAFidelityFault(t *testing.T) {
	p := newPhone(t, Config{})
	w := p.open(rpOrigin)
	// The shim claims watch() without onready went through; Go throws.
	w.call(map[string]any{"call": "watch",
		"options": [][]any{{"wantIssuer", "firefox-accounts"}, {"onlogin", fn}, {"onlogout", fn}},
		"result":  map[string]any{"sent": map[string]any{"name": "Identity:RP:Watch", "audience": rpOrigin, "wantIssuer": "firefox-accounts", "loggedInUser": nil}}})
	require.Eventually(t, func() bool { return len(p.state().Faults) > 0 }, 5*time.Second, 10*time.Millisecond)
	require.Equal(t, []Fault{{Kind: "shim-fidelity", Window: w.id,
		Message: `watch: the shim did {"sent":{"name":"Identity:RP:Watch","audience":"http://127.0.0.1:1234","wantIssuer":"firefox-accounts","loggedInUser":null}}, nsDOMIdentity does {"throws":"Unexpected error"}`}},
		p.state().Faults)
}

func TestBadFramesCloseOnlyTheirOwnSocket(t *testing.T) {
	for _, tc := range []struct {
		name   string
		send   func(*shimConn)
		code   int
		reason string
	}{
		{"oversize", func(w *shimConn) {
			_ = w.c.WriteMessage(websocket.TextMessage, bytes.Repeat([]byte("x"), 64<<20))
		}, websocket.CloseMessageTooBig, "frame larger than 65536 bytes"},
		{"malformed JSON", func(w *shimConn) { _ = w.c.WriteMessage(websocket.TextMessage, []byte("{nope")) },
			websocket.CloseInvalidFramePayloadData, "malformed JSON: invalid character 'n' looking for beginning of object key string"},
		{"unknown frame", func(w *shimConn) { _ = w.c.WriteJSON(map[string]any{"type": "eval", "id": w.id}) },
			websocket.ClosePolicyViolation, `unknown frame type "eval"`},
		{"unknown call", func(w *shimConn) {
			_ = w.c.WriteJSON(map[string]any{"type": "call", "id": w.id, "call": map[string]any{"call": "reset"}})
		}, websocket.ClosePolicyViolation, `unknown call "reset" (watch, request or logout)`},
		{"forged window id", func(w *shimConn) {
			_ = w.c.WriteJSON(map[string]any{"type": "call", "id": "someone-else", "call": fxaWatch})
		}, websocket.ClosePolicyViolation, `frame for window "someone-else" on the socket of window `},
		{"binary", func(w *shimConn) { _ = w.c.WriteMessage(websocket.BinaryMessage, []byte{1}) },
			websocket.CloseUnsupportedData, "binary frame: the shim sends JSON text"},
		{"flood", func(w *shimConn) {
			for i := 0; i < 400; i++ {
				if w.c.WriteJSON(map[string]any{"type": "call", "id": w.id, "call": map[string]any{"call": "logout", "result": map[string]any{"throws": "Unexpected error"}}}) != nil {
					return
				}
			}
		}, websocket.ClosePolicyViolation, "more than 50 frames a second"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPhone(t, Config{})
			other := p.open(rpOrigin)
			bad := p.open(rpOrigin)
			tc.send(bad)
			code, reason := bad.closed()
			require.Equal(t, tc.code, code)
			require.True(t, strings.HasPrefix(reason, tc.reason), "reason %q", reason)
			// The other window is untouched.
			other.call(fxaWatch)
			require.Equal(t, "Identity:RP:Watch:OnLogout", other.next().Name)
			require.Equal(t, "Identity:RP:Watch:OnReady", other.next().Name)
			var faults []string
			for _, f := range p.state().Faults {
				require.Equal(t, bad.id, f.Window)
				faults = append(faults, f.Kind)
			}
			require.Equal(t, []string{"bad-frame"}, faults)
		})
	}
}

func TestStepsAnswerWithTheRunnersWords(t *testing.T) {
	p := newPhone(t, Config{})
	code, body := p.post("/__mozidsim/steps", `[{"advance":"1m"},{"user":"next"}]`)
	require.Equal(t, 400, code)
	require.Equal(t, `{"error":"step 2: user next: no FxA dialog is open"}`, body)
	code, body = p.post("/__mozidsim/steps", `[{"app":"shop","watch":{}}]`)
	require.Equal(t, 400, code)
	require.Equal(t, `{"error":"step 1: app steps drive scenario pages; here the pages are real and call navigator.mozId themselves"}`, body)
	code, body = p.post("/__mozidsim/steps", `{"user":"next"}`)
	require.Equal(t, 400, code)
	require.Contains(t, body, "want an array")
	code, _ = p.post("/__mozidsim/steps", `[{"dialog":"closed"},{"network":"offline"}]`)
	require.Equal(t, 200, code)
	require.Equal(t, time.Date(2015, 6, 1, 12, 1, 0, 0, time.UTC), p.state().Now)
}

func TestClosingAWindowUnwatchesItsPage(t *testing.T) {
	p := newPhone(t, Config{})
	w := p.open(rpOrigin)
	w.call(fxaWatch)
	w.next()
	w.next()
	require.NoError(t, w.c.Close())
	require.Eventually(t, func() bool {
		ws := p.state().Windows
		return len(ws) == 1 && !ws[0].Open
	}, 5*time.Second, 10*time.Millisecond)
	require.Equal(t, []string{"onlogout", "onready"}, p.state().Windows[0].Log)
	second := p.open(rpOrigin)
	require.Equal(t, "shop#2", second.page)
}

// openDialog runs watch and a clicked request() on a fresh window and waits
// for the FxA dialog the request opens.
func (p *phone) openDialog() *shimConn {
	p.t.Helper()
	w := p.open(rpOrigin)
	w.call(fxaWatch)
	w.next()
	w.next()
	w.call(map[string]any{"call": "request", "options": [][]any{}, "userInput": true,
		"result": map[string]any{"sent": map[string]any{"name": "Identity:RP:Request", "audience": rpOrigin, "loggedInUser": nil}}})
	require.Eventually(p.t, func() bool { return p.state().Dialog != nil }, 5*time.Second, 10*time.Millisecond)
	return w
}

// signIn runs watch, request and the dialog sign-in on a fresh window and
// returns the window and the onlogin message it got.
func (p *phone) signIn() (*shimConn, messageFrame) {
	p.t.Helper()
	w := p.openDialog()
	code, body := p.post("/__mozidsim/steps", `[{"user":"sign-in","email":"alice@example.com","password":"correct horse battery"}]`)
	require.Equal(p.t, 200, code, body)
	m := w.next()
	require.Equal(p.t, "Identity:RP:Watch:OnLogin", m.Name)
	require.NotNil(p.t, m.Assertion)
	return w, m
}

func (p *phone) v2(assertion string) string {
	p.t.Helper()
	req, _ := json.Marshal(map[string]string{"assertion": assertion, "audience": rpOrigin})
	code, body := p.post("/v2", string(req))
	require.Equal(p.t, 200, code)
	return body
}

func TestNextAssertionDefectsAreRefusedByTheVerifier(t *testing.T) {
	for defect, want := range map[string]string{
		"wrong-audience":   `"reason":"audience mismatch: domain mismatch"`,
		"expired":          `"reason":"expired"`,
		"bad-signature":    `"reason":"invalid signature"`,
		"untrusted-issuer": `"reason":"no support document for fxa.evil.example"`,
		"unverified-email": `"status":"okay"`,
	} {
		t.Run(defect, func(t *testing.T) {
			p := newPhone(t, Config{})
			code, body := p.post("/__mozidsim/next-assertion", `{"app":"shop","defect":"`+defect+`"}`)
			require.Equal(t, 200, code, body)
			_, m := p.signIn()
			got := p.v2(*m.Assertion)
			require.Contains(t, got, want)
			v := p.state().Verifications[0]
			if defect == "unverified-email" {
				require.Equal(t, Verification{Audience: rpOrigin, Status: "okay"}, v, "no fxa-verifiedEmail: okay, but no email an RP may trust")
			} else {
				require.Equal(t, "failure", v.Status)
			}
		})
	}
}

func TestAnAssertionWithoutDefectVerifiesAndOnlyTheNextOneIsWrong(t *testing.T) {
	p := newPhone(t, Config{})
	code, body := p.post("/__mozidsim/next-assertion", `{"app":"shop","defect":"nope"}`)
	require.Equal(t, 400, code)
	require.Equal(t, `{"error":"defect \"nope\" is not one of wrong-audience, expired, bad-signature, untrusted-issuer, unverified-email"}`, body)
	code, body = p.post("/__mozidsim/next-assertion", `{"app":"nobody","defect":"expired"}`)
	require.Equal(t, 400, code)
	require.Equal(t, `{"error":"no app \"nobody\""}`, body)
	_, m := p.signIn()
	require.Contains(t, p.v2(*m.Assertion), `"status":"okay"`)
}

// With --wall-clock the assertions are good now, so an RP's own verifier that
// fetches the issuer key from the phone accepts them.
func TestWallClockAssertionsVerifyWithTheIssuerKeyFromWellKnown(t *testing.T) {
	p := newPhone(t, Config{WallClock: true})
	require.WithinDuration(t, time.Now(), p.state().Now, 2*time.Second)
	_, m := p.signIn()
	v := &verifier.Verifier{Now: time.Now, LookupIssuerKey: func(issuer, domain string) (*browserid.PublicKey, error) {
		require.Equal(t, "api.accounts.firefox.com", issuer)
		resp, err := http.Get(p.srv.URL + "/.well-known/browserid")
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		var doc struct {
			Key json.RawMessage `json:"public-key"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
			return nil, err
		}
		return browserid.ParsePublicKey(doc.Key)
	}}
	res, err := v.Verify(*m.Assertion, rpOrigin)
	require.NoError(t, err)
	require.Equal(t, "alice@example.com", res.VerifiedEmail())
}

// A browser run explains like a scenario run: the seed walkthrough's steps,
// watch (I.x) and request and sign-in (II.x), from the same trace rules.
func TestTheTraceOfABrowserSignInExplainsWithTheSeedsSteps(t *testing.T) {
	p := newPhone(t, Config{})
	p.signIn()
	resp, err := http.Get(p.srv.URL + "/__mozidsim/trace")
	require.NoError(t, err)
	defer resp.Body.Close()
	tr, err := trace.ReadJSONL(resp.Body)
	require.NoError(t, err)
	tags := func(lines []trace.Line) []string {
		seen := map[string]bool{}
		for _, st := range explain.ExplainLines(lines) {
			if st.Tag != "" {
				seen[st.Tag] = true
			}
		}
		return slices.Sorted(maps.Keys(seen))
	}
	// The same flow as a scenario: request-sign-in (watch, request, sign in).
	file, src, err := scenarios.Load("request-sign-in")
	require.NoError(t, err)
	sc, err := scenarios.Parse(file, src)
	require.NoError(t, err)
	res, err := scenarios.Run(sc, scenarios.Options{})
	require.NoError(t, err)
	require.Equal(t, tags(trace.Encode(sim.Epoch, res.Events)), tags(tr.Lines))
}

func TestTheDriverAPIIsNotForOtherPagesOrRebindingHosts(t *testing.T) {
	p := newPhone(t, Config{})
	do := func(method, path, body string, header map[string]string) (int, string) {
		req, err := http.NewRequest(method, p.srv.URL+path, strings.NewReader(body))
		require.NoError(t, err)
		for k, v := range header {
			if k == "Host" {
				req.Host = v
			} else {
				req.Header.Set(k, v)
			}
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, strings.TrimSpace(string(b))
	}
	steps := `[{"device":"sign-in","email":"alice@example.com","password":"correct horse battery"}]`
	code, body := do("POST", "/__mozidsim/steps", steps, map[string]string{"Content-Type": "text/plain"})
	require.Equal(t, 415, code, body)
	code, _ = do("POST", "/__mozidsim/steps", steps, nil)
	require.Equal(t, 415, code, "a body without a type (a Blob from a page) is refused too")
	code, body = do("POST", "/__mozidsim/steps", steps, map[string]string{"Content-Type": "application/json", "Origin": "http://evil.example"})
	require.Equal(t, 403, code)
	require.Equal(t, `{"error":"origin http://evil.example may not drive the phone (only the phone's own page and programs may)"}`, body)
	code, body = do("GET", "/__mozidsim/state", "", map[string]string{"Host": "rebound.example:8090"})
	require.Equal(t, 403, code)
	require.Equal(t, `{"error":"host \"rebound.example:8090\": the driver API answers to an IP address or localhost only"}`, body)
	require.Nil(t, p.state().SignedIn, "nothing refused ran")
	code, _ = do("POST", "/__mozidsim/steps", steps, map[string]string{"Content-Type": "application/json", "Origin": p.srv.URL})
	require.Equal(t, 200, code, "the phone's own page drives it")
	require.Equal(t, "alice@example.com", *p.state().SignedIn)
}

func TestARefusedDialogActionIsReportedWithItsReason(t *testing.T) {
	p := newPhone(t, Config{})
	p.openDialog()
	code, body := p.post("/__mozidsim/steps", `[{"user":"sign-in","email":"alice@example.com","password":"pw"}]`)
	require.Equal(t, 400, code)
	require.Equal(t, `{"error":"step 1: user sign-in: on ENTER_PASSWORD, user next was refused: Next is disabled: the password is shorter than 8 characters"}`, body)
}

// serve --era 2014: the phone runs the spring-2014 stack, the shim is told so,
// and an OnError frame carries the parent's rejection object itself ([D-early]
// receiveMessage), where a 2015 page gets JSON.stringify({name: error}).
func TestEra2014OnErrorCarriesTheObject(t *testing.T) {
	for _, c := range []struct {
		era  string
		want any
	}{
		{"2015", `{"name":{"error":"OFFLINE"}}`},
		{"2014", map[string]any{"error": "OFFLINE"}},
	} {
		t.Run(c.era, func(t *testing.T) {
			p := newPhone(t, Config{Era: c.era})
			require.Contains(t, p.s.shim, `var ERA = "`+c.era+`";`)
			require.NoError(t, p.s.Steps([]byte(`[{"device":"sign-in","email":"alice@example.com","password":"correct horse battery"},{"network":"offline"}]`)))
			w := p.open(rpOrigin)
			w.call(fxaWatch)
			m := w.next()
			require.Equal(t, "Identity:RP:Watch:OnError", m.Name)
			require.Equal(t, c.want, m.Message)
			st, err := p.s.State()
			require.NoError(t, err)
			require.Equal(t, c.era, st.Era)
			require.Empty(t, st.Faults)
			var buf bytes.Buffer
			require.NoError(t, p.s.WriteTrace(&buf))
			require.Contains(t, strings.SplitN(buf.String(), "\n", 2)[0], `"era":"`+c.era+`"`)
		})
	}
}

func TestEraChoice(t *testing.T) {
	dir := t.TempDir()
	world := dir + "/world.yaml"
	require.NoError(t, os.WriteFile(world, []byte("name: w\nera: 2014\naccounts:\n  - {email: alice@example.com, password: \"correct horse battery\"}\napps:\n  - {name: shop, origin: \""+rpOrigin+"\"}\nsteps: []\n"), 0o644))
	s, err := New(Config{World: world})
	require.NoError(t, err)
	require.Equal(t, "2014", s.Era().String(), "no --era: the world's")
	require.NoError(t, s.Close())
	s, err = New(Config{World: world, Era: "2014"})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	_, err = New(Config{World: world, Era: "2015"})
	require.EqualError(t, err, "world: "+world+" is a 2014 world (its era:) but the phone was asked for era 2015: drop one of the two")
	_, err = New(Config{Era: "1999"})
	require.EqualError(t, err, `era "1999" is not one of 2014, 2015`)
	s, err = New(Config{})
	require.NoError(t, err)
	require.Equal(t, "2015", s.Era().String())
	require.NoError(t, s.Close())
}
