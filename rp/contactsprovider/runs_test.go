package contactsprovider

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/simtest/fxastub"
	"github.com/mozidsim/mozidsim/rp/verifier"
)

const runToken = "run-test-token"

var seed42 = uint64(42)

// newRunServer is serve-contacts with runs on: its default namespace trusts
// no issuer key (as one fetching api.accounts.firefox.com's would, here), so
// only a run naming the FxA stand-in's key accepts its assertions.
func newRunServer(t *testing.T, opt RunOptions) (*Server, *fxastub.Server) {
	t.Helper()
	fxa, err := fxastub.NewServer(7)
	require.NoError(t, err)
	for _, email := range []string{"alice@example.com", "bob@example.com"} {
		_, err := fxa.AddAccount(email, true)
		require.NoError(t, err)
	}
	opt.AdminToken = runToken
	noKey := func(iss, _ string) (*browserid.PublicKey, error) { return nil, nil }
	srv, err := Listen(Config{Dir: t.TempDir(), Issuer: fxastub.Issuer, Clock: time.Now, NoSync: true, Runs: &opt,
		Verifier: &verifier.Verifier{Now: time.Now, LookupIssuerKey: func(iss, kid string) (*browserid.PublicKey, error) {
			if iss == fxastub.Issuer {
				return fxa.PublicKey(), nil
			}
			return noKey(iss, kid)
		}}}, "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, srv.Close()) })
	return srv, fxa
}

func openRun(t *testing.T, srv *Server, fxa *fxastub.Server, id string, now func() time.Time) *RunClient {
	t.Helper()
	c, err := OpenRun(RunConfig{URL: "https://" + srv.Addr(), AdminToken: runToken, CertPEM: srv.CertificatePEM(), ID: id,
		Seed: &seed42, Origin: "https://moz.fruux.net", IssuerKey: fxa.PublicKey(), Now: now})
	require.NoError(t, err)
	t.Cleanup(func() { c.tr.CloseIdleConnections() })
	return c
}

// login trades an assertion for credentials through client, as a phone does.
func login(t *testing.T, client *http.Client, fxa *fxastub.Server, origin, email string, at time.Time) (int, string) {
	t.Helper()
	a, err := fxa.Assertion(email, origin, at)
	require.NoError(t, err)
	resp, err := client.Post(origin+LoginPath, "application/json", strings.NewReader(`{"assertion":"`+a+`"}`))
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(data)
}

// One run cannot see, change or reset another's accounts, cards and faults;
// the default namespace sees none of them, and a run none of its.
func TestRunsAreIsolated(t *testing.T) {
	srv, fxa := newRunServer(t, RunOptions{})
	at := func() time.Time { return sim.Epoch }
	a, b := openRun(t, srv, fxa, "a", at), openRun(t, srv, fxa, "b", at)
	require.Equal(t, "https://moz.fruux.net", a.URL())
	require.Equal(t, 2, srv.Runs())

	code, body := login(t, a.Client(), fxa, a.URL(), "alice@example.com", sim.Epoch)
	require.Equal(t, 200, code, body)
	require.Contains(t, body, `"userName":"fxa-`)
	require.NoError(t, a.PutRawCard("alice@example.com", "x.vcf", []byte("BEGIN:VCARD\r\nVERSION:4.0\r\nUID:x\r\nFN:X\r\nEND:VCARD\r\n")))
	info, ok, err := a.Account("alice@example.com")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, 1, info.Passwords)
	require.Equal(t, sim.Epoch, info.Created.UTC(), "the run's clock is the client's virtual time")
	cards, err := a.Cards("alice@example.com")
	require.NoError(t, err)
	require.Len(t, cards, 1)
	require.Equal(t, sim.Epoch, cards[0].ModTime.UTC())

	// b sees nothing of a's, and the same seed gives b the same user name.
	_, ok, err = b.Account("alice@example.com")
	require.NoError(t, err)
	require.False(t, ok)
	_, err = b.Cards("alice@example.com")
	require.ErrorIs(t, err, ErrNoAccount)
	require.Equal(t, "contactsprovider: no such account", b.DeleteAccount("alice@example.com").Error())
	code, bodyB := login(t, b.Client(), fxa, b.URL(), "alice@example.com", sim.Epoch)
	require.Equal(t, 200, code)
	require.Equal(t, userName(body), userName(bodyB), "seeded the same")

	// The default namespace knows neither run's account.
	require.Empty(t, srv.Provider().Accounts())

	// b's fault, reset, restart and drop leave a alone.
	require.NoError(t, b.InjectFault(FaultLoginError, -1))
	code, _ = login(t, b.Client(), fxa, b.URL(), "bob@example.com", sim.Epoch)
	require.Equal(t, 503, code)
	code, _ = login(t, a.Client(), fxa, a.URL(), "bob@example.com", sim.Epoch)
	require.Equal(t, 200, code, "a's login reaches a's provider, not b's fault")
	require.NoError(t, b.Restart())
	_, err = OpenRun(RunConfig{URL: "https://" + srv.Addr(), AdminToken: runToken, CertPEM: srv.CertificatePEM(), ID: "b"})
	require.NoError(t, err, "b reopened: a fresh provider")
	require.NoError(t, b.Close())
	_, ok, err = a.Account("alice@example.com")
	require.NoError(t, err)
	require.True(t, ok)
	st, err := a.Stats()
	require.NoError(t, err)
	require.Equal(t, 2, st.Requests["POST /browserid/login"])

	// Dropped, a run names nothing.
	require.NoError(t, a.Close())
	_, _, err = a.Account("alice@example.com")
	require.EqualError(t, err, `contacts provider run a: GET /__mozidsim/account?email=alice%40example.com: X-Mozidsim-Run "a": no such run (never opened, dropped, or idle for 10m0s): a run starts with POST /__mozidsim/reset`)
	require.Equal(t, 0, srv.Runs())
}

func userName(loginBody string) string {
	_, rest, _ := strings.Cut(loginBody, `"userName":"`)
	name, _, _ := strings.Cut(rest, `"`)
	return name
}

// Plain clients (vdirsyncer, Thunderbird) send no run header: they reach the
// default namespace as before runs, and cannot reach a run without the token.
func TestRunsNeedTheTokenAndLeaveTheDefaultNamespace(t *testing.T) {
	srv, fxa := newRunServer(t, RunOptions{})
	client := srv.Client()
	defer client.CloseIdleConnections()
	code, body := login(t, client, fxa, srv.URL(), "alice@example.com", time.Now())
	require.Equal(t, 200, code, body)
	require.Len(t, srv.Provider().Accounts(), 1)

	_, err := OpenRun(RunConfig{URL: "https://" + srv.Addr(), AdminToken: "wrong", CertPEM: srv.CertificatePEM(), ID: "a"})
	require.EqualError(t, err, "contacts provider run a: POST /__mozidsim/reset: X-Mozidsim-Run (a run of its own) is an admin power: "+
		"send the token serve-contacts printed at start in X-Mozidsim-Admin-Token (mozidsim run --admin-token or MOZIDSIM_ADMIN_TOKEN)")
	_, err = OpenRun(RunConfig{URL: "https://" + srv.Addr(), AdminToken: runToken, CertPEM: srv.CertificatePEM(), ID: "a b"})
	require.EqualError(t, err, `contacts provider run a b: POST /__mozidsim/reset: X-Mozidsim-Run "a b": want 1 to 64 letters, digits, '.', '_' or '-'`)
	_, err = OpenRun(RunConfig{URL: "https://" + srv.Addr(), AdminToken: runToken, CertPEM: srv.CertificatePEM(), Origin: "http://x"})
	require.ErrorContains(t, err, `origin "http://x" is not an https origin like https://moz.fruux.net`)

	// The admin paths do not exist in the default namespace: nobody resets it.
	req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/__mozidsim/reset", strings.NewReader("{}"))
	req.Header.Set(AdminTokenHeader, runToken)
	resp, err := client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 404, resp.StatusCode)
	require.Len(t, srv.Provider().Accounts(), 1)
}

// At most Max runs at once; an idle run frees its place and its files.
func TestRunsAreBoundedAndIdleOnesDropped(t *testing.T) {
	var mu sync.Mutex
	wall := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return wall }
	advance := func(d time.Duration) { mu.Lock(); wall = wall.Add(d); mu.Unlock() }
	srv, fxa := newRunServer(t, RunOptions{Max: 2, Idle: time.Minute, Now: now})
	at := func() time.Time { return sim.Epoch }
	a, _ := openRun(t, srv, fxa, "a", at), openRun(t, srv, fxa, "b", at)
	_, err := OpenRun(RunConfig{URL: "https://" + srv.Addr(), AdminToken: runToken, CertPEM: srv.CertificatePEM(), ID: "c"})
	require.EqualError(t, err, "contacts provider run c: POST /__mozidsim/reset: this server holds 2 runs, its limit (serve-contacts --max-runs): wait for one to end or idle out (1m0s)")

	advance(40 * time.Second)
	_, err = a.Stats() // a stays busy, b idles
	require.NoError(t, err)
	advance(40 * time.Second)
	openRun(t, srv, fxa, "c", at)
	require.Equal(t, 2, srv.Runs())
	runDirs, err := filepathGlob(srv, "runs/*")
	require.NoError(t, err)
	require.Len(t, runDirs, 2, "b's files went with it")
}

func filepathGlob(srv *Server, pattern string) ([]string, error) {
	return filepath.Glob(filepath.Join(srv.cfg.Dir, pattern))
}

// Over HTTP a run refuses what the in-process provider refuses, in the same
// words; a bad clock or an unknown admin path is named.
func TestRunAdminRefusalsAndClock(t *testing.T) {
	srv, fxa := newRunServer(t, RunOptions{})
	a := openRun(t, srv, fxa, "a", func() time.Time { return sim.Epoch })
	require.EqualError(t, a.InjectFault("nope", 1), `contactsprovider: unknown fault "nope" (known: [unauthorized server-error garbage-login login-error])`)
	require.EqualError(t, a.PutRawCard("alice@example.com", "../x", nil), `contactsprovider: "../x" is not a valid resource name`)
	require.ErrorIs(t, a.PutRawCard("nobody@example.com", "x.vcf", nil), ErrNoAccount)
	_, err := a.RevokeAllPasswords("nobody@example.com")
	require.ErrorIs(t, err, ErrNoAccount)

	for _, c := range []struct {
		method, path, header, want string
		status                     int
	}{
		{"GET", "/__mozidsim/stats", "soon", `X-Mozidsim-Now "soon" is not milliseconds since the epoch`, 400},
		{"POST", "/__mozidsim/nothing", "", "POST /__mozidsim/nothing: no such admin request in a run", 404},
	} {
		req, _ := http.NewRequest(c.method, "https://"+srv.Addr()+c.path, strings.NewReader("{}"))
		req.Header.Set(RunHeader, "a")
		req.Header.Set(AdminTokenHeader, runToken)
		if c.header != "" {
			req.Header.Set(ClockHeader, c.header)
		}
		resp, err := (&http.Client{Transport: a.tr}).Do(req)
		require.NoError(t, err)
		var e errorBody
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&e))
		resp.Body.Close()
		require.Equal(t, c.want, e.Error)
		require.Equal(t, c.status, resp.StatusCode)
	}
}

// BenchmarkRunOpenDrop is the fixed cost of a run: POST /__mozidsim/reset (a
// bbolt database of its own, made and checked) and /__mozidsim/drop (closed
// and deleted), over TLS on one kept-alive connection.
func BenchmarkRunOpenDrop(b *testing.B) {
	fxa, err := fxastub.NewServer(7)
	require.NoError(b, err)
	srv, err := Listen(Config{Dir: b.TempDir(), Issuer: fxastub.Issuer, Clock: time.Now, NoSync: true, Runs: &RunOptions{AdminToken: runToken},
		Verifier: &verifier.Verifier{Now: time.Now, LookupIssuerKey: func(string, string) (*browserid.PublicKey, error) { return fxa.PublicKey(), nil }}}, "127.0.0.1:0")
	require.NoError(b, err)
	defer srv.Close()
	c, err := OpenRun(RunConfig{URL: "https://" + srv.Addr(), AdminToken: runToken, CertPEM: srv.CertificatePEM(), ID: "bench"})
	require.NoError(b, err)
	defer c.tr.CloseIdleConnections()
	for b.Loop() {
		require.NoError(b, c.do(http.MethodPost, "/__mozidsim/reset", OpenRequest{}, nil))
		require.NoError(b, c.do(http.MethodPost, "/__mozidsim/drop", struct{}{}, nil))
	}
}
