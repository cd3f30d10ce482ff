package fxaclient

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/fxaccounts/authserver"
	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// adminWorld is an auth server with the admin API, driven through Admin and
// used by a device Client, both over the in-memory transport.
const testToken = "test-admin-token"

var testHosts = []string{"api.accounts.firefox.com", "fxa.test"}

type adminWorld struct {
	server *authserver.Server
	clock  *fakeClock
	admin  *Admin
	client *Client
}

func newAdminWorld(t *testing.T) *adminWorld {
	t.Helper()
	w := &adminWorld{clock: &fakeClock{now: start}}
	w.server = newServer(w.clock, 3)
	hc := &http.Client{Transport: InMemoryTransport(w.server.Handler(authserver.HandlerOptions{Admin: true, AdminToken: testToken, AllowedHosts: testHosts}))}
	// The pref's form, with /v1 and a trailing slash: Admin strips both.
	w.admin = NewAdmin("https://api.accounts.firefox.com/v1/", hc)
	w.admin.Token = testToken
	w.client = New("https://api.accounts.firefox.com/v1", hc, w.clock.Now, seeded(4))
	return w
}

func (w *adminWorld) login(email, password string) *wire.ServerError {
	_, err := w.client.Do(wire.ServerRequest{Op: wire.OpAccountLogin, Email: email, Password: password})
	return err
}

func TestAdminAccounts(t *testing.T) {
	w := newAdminWorld(t)

	require.NoError(t, w.admin.CreateAccount("ann@example.com", "password1", false))
	info, ok := w.server.Account("ann@example.com")
	require.True(t, ok)
	require.False(t, info.Verified)
	require.Len(t, info.UID, 32)
	require.EqualError(t, w.admin.CreateAccount("ann@example.com", "password1", true),
		"fxa admin /__mozidsim/accounts: HTTP 400 errno 999: account ann@example.com already exists")

	// Unverified accounts sign in, but get no certificate (errno 104).
	v, err := w.client.Do(wire.ServerRequest{Op: wire.OpAccountLogin, Email: "ann@example.com", Password: "password1"})
	require.Nil(t, err)
	session := v.(wire.SignInResult)
	require.False(t, session.Verified)
	signCert := func(token string) *wire.ServerError {
		_, err := w.client.Do(wire.ServerRequest{Op: wire.OpCertSign, SessionToken: token, PublicKey: deviceKey(), Duration: 3600000})
		return err
	}
	require.Equal(t, 104, signCert(session.SessionToken).Errno)

	require.NoError(t, w.admin.Verify("ann@example.com"))
	info, _ = w.server.Account("ann@example.com")
	require.True(t, info.Verified)
	require.Equal(t, 1, info.Sessions)
	require.Nil(t, signCert(session.SessionToken), "verifying the account verifies its sessions")
	require.EqualError(t, w.admin.Verify("nobody@example.com"),
		"fxa admin /__mozidsim/verify: HTTP 400 errno 999: no account nobody@example.com")

	// A password change (from "another device") ends every session: errno 110.
	require.NoError(t, w.admin.ChangePassword("ann@example.com", "password2"))
	info, _ = w.server.Account("ann@example.com")
	require.Equal(t, 0, info.Sessions)
	require.Equal(t, 110, signCert(session.SessionToken).Errno)
	require.Equal(t, 103, w.login("ann@example.com", "password1").Errno)
	require.Nil(t, w.login("ann@example.com", "password2"))

	require.NoError(t, w.admin.DeleteAccount("ann@example.com"))
	_, ok = w.server.Account("ann@example.com")
	require.False(t, ok)
	require.Equal(t, 102, w.login("ann@example.com", "password2").Errno)
	require.EqualError(t, w.admin.DeleteAccount("ann@example.com"),
		"fxa admin /__mozidsim/delete-account: HTTP 400 errno 999: no account ann@example.com")
}

func TestAdminFaults(t *testing.T) {
	w := newAdminWorld(t)
	require.NoError(t, w.admin.CreateAccount("bo@example.com", "password1", true))

	// One endpoint: the others still answer.
	require.NoError(t, w.admin.Fault("/v1/account/login", 503, 201, 0))
	require.Equal(t, &wire.ServerError{Code: 503, Errno: 201, Error: "Service Unavailable", Message: "Service unavailable", Info: authserver.DefaultInfo},
		w.login("bo@example.com", "password1"))
	v, err := w.client.Do(wire.ServerRequest{Op: wire.OpAccountStatus, UID: mustUID(t, w, "bo@example.com")})
	require.Nil(t, err)
	require.Equal(t, true, v)
	require.NoError(t, w.admin.ClearFaults())
	require.Nil(t, w.login("bo@example.com", "password1"))

	// Every endpoint, with the errno the status implies (429 → 114) and a
	// retryAfter that puts the client into backoff on its clock.
	require.NoError(t, w.admin.Fault("", 429, 0, 30))
	throttled := &wire.ServerError{Code: 429, Errno: 114, Error: "Too Many Requests", Message: "Client has sent too many requests", Info: authserver.DefaultInfo, RetryAfter: 30}
	_, err = w.client.Do(wire.ServerRequest{Op: wire.OpAccountStatus, UID: mustUID(t, w, "bo@example.com")})
	require.Equal(t, throttled, err)
	require.NoError(t, w.admin.ClearFaults())
	require.Equal(t, throttled, w.login("bo@example.com", "password1"), "healed, but the client backs off for 30 s")
	w.clock.Advance(30 * time.Second)
	require.Nil(t, w.login("bo@example.com", "password1"))

	require.EqualError(t, w.admin.Fault("/v1/nowhere", 503, 201, 0),
		"fxa admin /__mozidsim/fault: HTTP 400 errno 107: Invalid parameter in request body: no endpoint /v1/nowhere")
	require.EqualError(t, w.admin.Fault("", 302, 0, 0),
		"fxa admin /__mozidsim/fault: HTTP 400 errno 107: Invalid parameter in request body: status must be 400–599")
}

func mustUID(t *testing.T, w *adminWorld, email string) string {
	t.Helper()
	info, ok := w.server.Account(email)
	require.True(t, ok)
	return info.UID
}

func TestAdminReset(t *testing.T) {
	w := newAdminWorld(t)
	require.NoError(t, w.admin.CreateAccount("cy@example.com", "password1", true))
	require.NoError(t, w.admin.Fault("", 503, 201, 0))
	require.NoError(t, w.admin.Reset())
	_, ok := w.server.Account("cy@example.com")
	require.False(t, ok, "accounts are gone")
	require.Equal(t, 102, w.login("cy@example.com", "password1").Errno, "and so are the faults: the server answers")
	require.NoError(t, w.admin.CreateAccount("cy@example.com", "password1", true), "the email is free again")
}

func TestAdminPublicKey(t *testing.T) {
	w := newAdminWorld(t)
	key, err := w.admin.PublicKey()
	require.NoError(t, err)
	require.Equal(t, w.server.PublicKey(), key)

	// Not an auth server: the well-known document is missing or has no key.
	for _, tc := range []struct {
		h   http.HandlerFunc
		err string
	}{
		{func(rw http.ResponseWriter, r *http.Request) { http.NotFound(rw, r) }, "fxa admin: well-known: HTTP 404 <nil>"},
		{func(rw http.ResponseWriter, r *http.Request) { rw.Write([]byte(`{"authentication":"/x"}`)) },
			`fxa admin: well-known: no public-key in "{\"authentication\":\"/x\"}"`},
	} {
		a := NewAdmin("http://fxa.test", &http.Client{Transport: InMemoryTransport(tc.h)})
		_, err := a.PublicKey()
		require.EqualError(t, err, tc.err)
	}
}

// With Clock set, every admin call carries the phone's time, so a server that
// takes its clock from X-Mozidsim-Now creates the account "then": its
// verifierSetAt, the certificates' fxa-generation, is the virtual time.
func TestAdminClockHeader(t *testing.T) {
	serverWall := &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	s := newServer(serverWall, 5)
	var mu sync.Mutex
	var seen []string
	h := s.Handler(authserver.HandlerOptions{Admin: true, AdminToken: testToken, AllowedHosts: testHosts, ClockFromHeader: true})
	hc := &http.Client{Transport: InMemoryTransport(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.Path+" "+r.Header.Get(authserver.ClockHeader))
		mu.Unlock()
		h.ServeHTTP(rw, r)
	}))}
	phone := &fakeClock{now: start}
	admin := NewAdmin("http://fxa.test", hc)
	admin.Clock = phone.Now
	admin.Token = testToken
	require.NoError(t, admin.CreateAccount("di@example.com", "password1", true))
	_, err := admin.PublicKey()
	require.NoError(t, err)
	startMS := strconv.FormatInt(start.UnixMilli(), 10)
	require.Equal(t, []string{"/__mozidsim/accounts " + startMS, "/.well-known/browserid " + startMS}, seen)

	c := New("http://fxa.test/v1", hc, phone.Now, seeded(6))
	c.SendClock, c.AdminToken = true, testToken
	phone.Advance(time.Hour)
	v, serr := c.Do(wire.ServerRequest{Op: wire.OpAccountLogin, Email: "di@example.com", Password: "password1"})
	require.Nil(t, serr)
	v, serr = c.Do(wire.ServerRequest{Op: wire.OpCertSign, SessionToken: v.(wire.SignInResult).SessionToken, PublicKey: deviceKey(), Duration: 3600000})
	require.Nil(t, serr)
	cert, err := browserid.ParseJWT(v.(string))
	require.NoError(t, err)
	require.Equal(t, float64(start.UnixMilli()), cert.Payload["fxa-generation"], "created at the phone's time, not the server's 2026 wall clock")
	require.Equal(t, float64(start.Add(time.Hour).Unix()), cert.Payload["fxa-lastAuthAt"])

	// Without Clock no header is sent: the server's own clock applies.
	plain := NewAdmin("http://fxa.test", hc)
	plain.Token = testToken
	require.NoError(t, plain.CreateAccount("ed@example.com", "password1", true))
	require.Equal(t, "/__mozidsim/accounts ", seen[len(seen)-1])
}

// A server without the admin API (serve-fxa --no-admin, or plain Handler())
// answers 404; the error says what to do.
func TestAdminWithoutTheAdminAPI(t *testing.T) {
	s := newServer(&fakeClock{now: start}, 7)
	a := NewAdmin("http://fxa.test", &http.Client{Transport: InMemoryTransport(s.Handler())})
	require.EqualError(t, a.Reset(),
		"fxa admin /__mozidsim/reset: HTTP 404: is the server running with the admin API (mozidsim serve-fxa without --no-admin)?")
	key, err := a.PublicKey()
	require.NoError(t, err, "the well-known document is public")
	require.Equal(t, s.PublicKey(), key)
}

// Over a real socket, and against nothing at all.
func TestAdminOverASocket(t *testing.T) {
	s := newServer(&fakeClock{now: start}, 8)
	srv := httptest.NewServer(s.Handler(authserver.HandlerOptions{Admin: true, AdminToken: testToken, AllowedHosts: testHosts}))
	defer srv.Close()
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	a := NewAdmin(srv.URL, hc)
	require.EqualError(t, a.CreateAccount("fay@example.com", "password1", true),
		"fxa admin /__mozidsim/accounts: HTTP 401: no admin token: pass the one serve-fxa printed with --admin-token or MOZIDSIM_ADMIN_TOKEN")
	a.Token = testToken
	require.NoError(t, a.CreateAccount("fay@example.com", "password1", true))
	_, ok := s.Account("fay@example.com")
	require.True(t, ok)
	key, err := a.PublicKey()
	require.NoError(t, err)
	require.Equal(t, s.PublicKey(), key)

	addr := srv.Listener.Addr().String()
	srv.Close()
	hc.CloseIdleConnections() // else the next call finds the closed keep-alive connection (EOF)
	err = a.Reset()
	require.ErrorContains(t, err, "fxa admin /__mozidsim/reset: Post \"http://"+addr+"/__mozidsim/reset\": dial tcp "+addr+": connect: connection refused")
}
