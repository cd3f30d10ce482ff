package authserver

import (
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mozidsim/mozidsim/internal/simtest"
	"github.com/stretchr/testify/require"
)

type nsClient struct {
	t   *testing.T
	url string
}

// do sends a JSON request as run (none when empty) and returns the status and
// the decoded body.
func (c nsClient) do(run, method, path, body string) (int, map[string]any) {
	c.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.url+path, rd)
	require.NoError(c.t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set(AdminTokenHeader, "tok")
	if run != "" {
		req.Header.Set(RunHeader, run)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(c.t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}

func newNamespaces(t *testing.T, opt NamespaceOptions) (*Namespaces, nsClient) {
	t.Helper()
	mk := func() *Server {
		return New(Config{Issuer: "api.accounts.firefox.com", Key: simtest.IssuerKey(), Clock: time.Now, Rand: rand.Reader})
	}
	opt.New = mk
	opt.Handler = HandlerOptions{Admin: true, AdminToken: "tok", ClockFromHeader: true}
	ns := NewNamespaces(mk(), opt)
	srv := httptest.NewServer(ns)
	t.Cleanup(srv.Close)
	return ns, nsClient{t: t, url: srv.URL}
}

const alice = `{"email":"alice@example.com","password":"correct horse battery","verified":true}`

// One run cannot see, change or reset another's accounts and faults, nor can
// the default namespace.
func TestNamespacesIsolateRuns(t *testing.T) {
	t.Parallel()
	ns, c := newNamespaces(t, NamespaceOptions{})
	for _, run := range []string{"a", "b"} {
		code, _ := c.do(run, "POST", "/__mozidsim/reset", "{}")
		require.Equal(t, 200, code)
	}
	require.Equal(t, 2, ns.Runs())
	code, body := c.do("a", "POST", "/__mozidsim/accounts", alice)
	require.Equal(t, 200, code, body)
	uidA := body["uid"]

	// b does not see a's account, and makes its own under the same email.
	code, body = c.do("b", "POST", "/__mozidsim/verify", `{"email":"alice@example.com"}`)
	require.Equal(t, 400, code)
	require.Equal(t, "no account alice@example.com", body["message"])
	code, body = c.do("", "POST", "/__mozidsim/verify", `{"email":"alice@example.com"}`)
	require.Equal(t, 400, code, "the default namespace does not see it either")
	code, body = c.do("b", "POST", "/__mozidsim/accounts", alice)
	require.Equal(t, 200, code, body)
	require.NotEqual(t, uidA, body["uid"])

	// A fault injected in b fails b's logins only.
	code, _ = c.do("b", "POST", "/__mozidsim/fault", `{"endpoint":"/v1/account/login","status":503}`)
	require.Equal(t, 200, code)
	code, body = c.do("b", "GET", "/v1/account/status?uid="+body["uid"].(string), "")
	require.Equal(t, 200, code, body)
	login := `{"email":"alice@example.com","authPW":"0000000000000000000000000000000000000000000000000000000000000000"}`
	code, _ = c.do("b", "POST", "/v1/account/login", login)
	require.Equal(t, 503, code)
	code, body = c.do("a", "POST", "/v1/account/login", login)
	require.Equal(t, 400, code, "a's login reaches a's server (wrong password), not b's fault")
	require.Equal(t, 103.0, body["errno"])

	// b resetting, and the default namespace resetting, leave a's account.
	code, _ = c.do("b", "POST", "/__mozidsim/reset", "{}")
	require.Equal(t, 200, code)
	code, _ = c.do("", "POST", "/__mozidsim/reset", "{}")
	require.Equal(t, 200, code)
	code, body = c.do("a", "POST", "/__mozidsim/verify", `{"email":"alice@example.com"}`)
	require.Equal(t, 200, code, body)
	require.Equal(t, uidA, body["uid"])

	// Dropped, a run is gone: its id names nothing until opened again.
	code, _ = c.do("a", "POST", "/__mozidsim/drop", "{}")
	require.Equal(t, 200, code)
	code, body = c.do("a", "POST", "/__mozidsim/verify", `{"email":"alice@example.com"}`)
	require.Equal(t, 400, code)
	require.Equal(t, `X-Mozidsim-Run "a": no such run (never opened, dropped, or idle for 10m0s): a run starts with POST /__mozidsim/reset`, body["message"])
	require.Equal(t, 1, ns.Runs())
}

func TestNamespacesNeedTheTokenAndAGoodID(t *testing.T) {
	t.Parallel()
	_, c := newNamespaces(t, NamespaceOptions{})
	for _, path := range []string{"/__mozidsim/reset", "/v1/account/status?uid=00"} {
		method := "POST"
		if strings.HasPrefix(path, "/v1") {
			method = "GET"
		}
		req, _ := http.NewRequest(method, c.url+path, strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(RunHeader, "a")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		var body map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
		resp.Body.Close()
		require.Equal(t, 401, resp.StatusCode, path)
		require.Contains(t, body["message"], "is an admin power: send the token serve-fxa printed at start in X-Mozidsim-Admin-Token", path)
	}
	code, body := c.do("a b", "POST", "/__mozidsim/reset", "{}")
	require.Equal(t, 400, code)
	require.Equal(t, `X-Mozidsim-Run "a b": want 1 to 64 letters, digits, '.', '_' or '-'`, body["message"])
	code, _ = c.do(strings.Repeat("x", 65), "POST", "/__mozidsim/reset", "{}")
	require.Equal(t, 400, code)
}

// At most MaxRuns at once; an idle run frees its place.
func TestNamespacesAreBounded(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ns, c := newNamespaces(t, NamespaceOptions{MaxRuns: 2, IdleTime: time.Minute, Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	for _, run := range []string{"a", "b"} {
		code, _ := c.do(run, "POST", "/__mozidsim/reset", "{}")
		require.Equal(t, 200, code)
	}
	code, body := c.do("c", "POST", "/__mozidsim/reset", "{}")
	require.Equal(t, 503, code)
	require.Equal(t, "this server holds 2 runs, its limit (serve-fxa --max-runs): wait for one to end or idle out (1m0s)", body["message"])
	code, _ = c.do("a", "POST", "/__mozidsim/reset", "{}")
	require.Equal(t, 200, code, "reopening a held run needs no new place")

	advance(40 * time.Second)
	code, _ = c.do("a", "GET", "/.well-known/browserid", "") // a stays busy, b idles
	require.Equal(t, 200, code)
	advance(40 * time.Second)
	code, _ = c.do("c", "POST", "/__mozidsim/reset", "{}")
	require.Equal(t, 200, code, "b idled out, so c has its place")
	require.Equal(t, 2, ns.Runs())
	code, _ = c.do("b", "GET", "/.well-known/browserid", "")
	require.Equal(t, 400, code)
}
