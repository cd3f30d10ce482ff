package fxaclient

import (
	"crypto/rand"
	"encoding/json"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mozidsim/mozidsim/fxaccounts/authserver"
	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/simtest"
	"github.com/mozidsim/mozidsim/internal/wire"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var deviceKey = sync.OnceValue(func() *browserid.PublicKey {
	k, err := browserid.GenerateDSAKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	return k.Public()
})

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

var start = time.Date(2015, 6, 1, 12, 0, 0, 0, time.UTC)

// seeded is a repeatable random stream, so two servers fed the same requests
// hand out the same uids and tokens.
func seeded(seed uint64) io.Reader { return mrand.NewChaCha8([32]byte{byte(seed)}) }

func newServer(clock *fakeClock, seed uint64) *authserver.Server {
	return authserver.New(authserver.Config{Issuer: "api.accounts.firefox.com", Key: simtest.IssuerKey(), Clock: clock.Now, Rand: seeded(seed)})
}

// countingTransport counts round trips and remembers the responses' statuses.
type countingTransport struct {
	next     http.RoundTripper
	n        atomic.Int64
	mu       sync.Mutex
	statuses []int
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	resp, err := c.next.RoundTrip(r)
	if err == nil {
		c.mu.Lock()
		c.statuses = append(c.statuses, resp.StatusCode)
		c.mu.Unlock()
	}
	return resp, err
}

func (c *countingTransport) Statuses() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]int(nil), c.statuses...)
}

type world struct {
	server *authserver.Server
	clock  *fakeClock
	client *Client
	wire   *countingTransport
}

func newWorld(t testing.TB, opts ...authserver.HandlerOptions) *world {
	t.Helper()
	clock := &fakeClock{now: start}
	s := newServer(clock, 1)
	ct := &countingTransport{next: InMemoryTransport(s.Handler(opts...))}
	c := New("https://api.accounts.firefox.com/v1", &http.Client{Transport: ct}, clock.Now, seeded(99))
	return &world{server: s, clock: clock, client: c, wire: ct}
}

func (w *world) verifiedSession(t testing.TB, email string) wire.SignInResult {
	t.Helper()
	require.NoError(t, w.server.CreateAccount(email, "password1", true))
	v, err := w.client.Do(wire.ServerRequest{Op: wire.OpAccountLogin, Email: email, Password: "password1"})
	require.Nil(t, err)
	return v.(wire.SignInResult)
}

// TestSameResultsAsInMemory runs one script against an in-memory server and,
// through Client over HTTP, against an identical one: every result and every
// error must be the same, byte for byte.
func TestSameResultsAsInMemory(t *testing.T) {
	memClock, httpClock := &fakeClock{now: start}, &fakeClock{now: start}
	mem, remote := newServer(memClock, 7), newServer(httpClock, 7)
	client := New("http://fxa.test", &http.Client{Transport: InMemoryTransport(remote.Handler())}, httpClock.Now, seeded(3))

	var uid, token string
	steps := []struct {
		name  string
		req   func() wire.ServerRequest
		setup func(s *authserver.Server)
	}{
		{name: "sign up", req: func() wire.ServerRequest {
			return wire.ServerRequest{Op: wire.OpAccountCreate, Email: "alice@example.com", Password: "password1"}
		}},
		{name: "sign up again (101)", req: func() wire.ServerRequest {
			return wire.ServerRequest{Op: wire.OpAccountCreate, Email: "alice@example.com", Password: "password1"}
		}},
		{name: "exists", req: func() wire.ServerRequest {
			return wire.ServerRequest{Op: wire.OpAccountExists, Email: "alice@example.com"}
		}},
		{name: "does not exist", req: func() wire.ServerRequest {
			return wire.ServerRequest{Op: wire.OpAccountExists, Email: "bob@example.com"}
		}},
		{name: "unknown account (102)", req: func() wire.ServerRequest {
			return wire.ServerRequest{Op: wire.OpAccountLogin, Email: "bob@example.com", Password: "x"}
		}},
		{name: "wrong password (103)", req: func() wire.ServerRequest {
			return wire.ServerRequest{Op: wire.OpAccountLogin, Email: "alice@example.com", Password: "wrong"}
		}},
		{name: "email case (120)", req: func() wire.ServerRequest {
			return wire.ServerRequest{Op: wire.OpAccountLogin, Email: "Alice@example.com", Password: "password1"}
		}},
		{name: "sign in", req: func() wire.ServerRequest {
			return wire.ServerRequest{Op: wire.OpAccountLogin, Email: "alice@example.com", Password: "password1"}
		}},
		{name: "email status", req: func() wire.ServerRequest { return wire.ServerRequest{Op: wire.OpEmailStatus, SessionToken: token} }},
		{name: "resend", req: func() wire.ServerRequest { return wire.ServerRequest{Op: wire.OpResendCode, SessionToken: token} }},
		{name: "unverified (104)", req: func() wire.ServerRequest {
			return wire.ServerRequest{Op: wire.OpCertSign, SessionToken: token, PublicKey: deviceKey(), Duration: 3600000}
		}},
		{name: "sign", setup: func(s *authserver.Server) { require.NoError(t, s.Verify("alice@example.com")) }, req: func() wire.ServerRequest {
			return wire.ServerRequest{Op: wire.OpCertSign, SessionToken: token, PublicKey: deviceKey(), Duration: 3600000}
		}},
		{name: "24h+1ms (107)", req: func() wire.ServerRequest {
			return wire.ServerRequest{Op: wire.OpCertSign, SessionToken: token, PublicKey: deviceKey(), Duration: 86400001}
		}},
		{name: "negative duration (107)", req: func() wire.ServerRequest {
			return wire.ServerRequest{Op: wire.OpCertSign, SessionToken: token, PublicKey: deviceKey(), Duration: -1}
		}},
		{name: "bad algorithm (107)", req: func() wire.ServerRequest {
			return wire.ServerRequest{Op: wire.OpCertSign, SessionToken: token, PublicKey: map[string]any{"algorithm": "EC"}, Duration: 1}
		}},
		{name: "DS key without g (108)", req: func() wire.ServerRequest {
			return wire.ServerRequest{Op: wire.OpCertSign, SessionToken: token, PublicKey: map[string]any{"algorithm": "DS", "y": "1", "p": "2", "q": "3"}, Duration: 1}
		}},
		{name: "account status", req: func() wire.ServerRequest { return wire.ServerRequest{Op: wire.OpAccountStatus, UID: uid} }},
		{name: "account status, no uid (108)", req: func() wire.ServerRequest { return wire.ServerRequest{Op: wire.OpAccountStatus} }},
		{name: "account status, unknown", req: func() wire.ServerRequest {
			return wire.ServerRequest{Op: wire.OpAccountStatus, UID: strings.Repeat("0", 32)}
		}},
		{name: "sign out", req: func() wire.ServerRequest { return wire.ServerRequest{Op: wire.OpSessionDestroy, SessionToken: token} }},
		{name: "dead token (110)", req: func() wire.ServerRequest { return wire.ServerRequest{Op: wire.OpEmailStatus, SessionToken: token} }},
		{name: "garbage token (110)", req: func() wire.ServerRequest {
			return wire.ServerRequest{Op: wire.OpResendCode, SessionToken: "not a token"}
		}},
		{name: "service unavailable (201)", setup: func(s *authserver.Server) {
			s.InjectFault("/v1/account/status", authserver.Fault{Status: 503, Errno: 201})
		}, req: func() wire.ServerRequest { return wire.ServerRequest{Op: wire.OpAccountStatus, UID: uid} }},
		{name: "unknown op", req: func() wire.ServerRequest { return wire.ServerRequest{Op: "GET /v1/nothing"} }},
	}
	for _, st := range steps {
		if st.setup != nil {
			st.setup(mem)
			st.setup(remote)
		}
		want, wantErr := mem.Do(st.req())
		got, gotErr := client.Do(st.req())
		require.Equal(t, wantErr, gotErr, st.name)
		require.Equal(t, want, got, st.name)
		if res, ok := got.(wire.SignInResult); ok {
			uid, token = res.UID, res.SessionToken
		}
		memClock.Advance(time.Minute)
		httpClock.Advance(time.Minute)
	}
}

func TestSignInResultAndCertificateOverHTTP(t *testing.T) {
	w := newWorld(t)
	res := w.verifiedSession(t, "carol@example.com")
	require.Len(t, res.UID, 32)
	require.Len(t, res.SessionToken, 64)
	require.Equal(t, wire.SignInResult{UID: res.UID, SessionToken: res.SessionToken, Verified: true, AuthAt: start.Unix(), Email: "carol@example.com"}, res)

	v, err := w.client.Do(wire.ServerRequest{Op: wire.OpCertSign, SessionToken: res.SessionToken, PublicKey: deviceKey(), Duration: 6 * 3600 * 1000})
	require.Nil(t, err)
	jwt, perr := browserid.ParseJWT(v.(string))
	require.NoError(t, perr)
	require.NoError(t, jwt.VerifySignature(w.server.PublicKey()))
	require.Equal(t, res.UID+"@api.accounts.firefox.com", jwt.Payload["principal"].(map[string]any)["email"])
	require.Equal(t, float64(start.Add(-10*time.Second).UnixMilli()), jwt.Payload["iat"])
	require.Equal(t, float64(start.Add(6*time.Hour).UnixMilli()), jwt.Payload["exp"])
	require.Equal(t, float64(start.Unix()), jwt.Payload["fxa-lastAuthAt"])

	_, err = w.client.Do(wire.ServerRequest{Op: wire.OpCertSign, SessionToken: res.SessionToken, PublicKey: deviceKey(), Duration: 24 * 3600 * 1000})
	require.Nil(t, err, "exactly 24 h is allowed")
	_, err = w.client.Do(wire.ServerRequest{Op: wire.OpCertSign, SessionToken: res.SessionToken, PublicKey: deviceKey(), Duration: 24*3600*1000 + 1})
	require.Equal(t, &wire.ServerError{Code: 400, Errno: 107, Error: "Bad Request", Message: "Invalid parameter in request body", Info: authserver.DefaultInfo}, err)
	_, err = w.client.Do(wire.ServerRequest{Op: wire.OpCertSign, SessionToken: res.SessionToken, Duration: 1000})
	require.Equal(t, &wire.ServerError{Code: 400, Errno: 108, Error: "Bad Request", Message: "Missing parameter in request body: publicKey", Info: authserver.DefaultInfo, Param: "publicKey"}, err)
}

func TestUnknownTokenIs110AfterOneRetry(t *testing.T) {
	w := newWorld(t)
	_, err := w.client.Do(wire.ServerRequest{Op: wire.OpEmailStatus, SessionToken: strings.Repeat("ab", 32)})
	require.Equal(t, &wire.ServerError{Code: 401, Errno: 110, Error: "Unauthorized", Message: "Invalid authentication token in request signature", Info: authserver.DefaultInfo}, err)
	require.Equal(t, []int{401, 401}, w.wire.Statuses(), "hawkclient retries a 401 exactly once")
}

func TestStaleTimestampIsCorrectedFromDate(t *testing.T) {
	w := newWorld(t)
	require.NoError(t, w.server.CreateAccount("dave@example.com", "password1", true))
	res, serr := w.server.Login("dave@example.com", authserver.AuthPW("dave@example.com", "password1")) // a session this client never saw
	require.Nil(t, serr)

	// The phone's clock is two hours behind the server's.
	phone := &fakeClock{now: start.Add(-2 * time.Hour)}
	ct := &countingTransport{next: w.wire.next}
	c := New("https://api.accounts.firefox.com", &http.Client{Transport: ct}, phone.Now, seeded(5))
	v, err := c.Do(wire.ServerRequest{Op: wire.OpEmailStatus, SessionToken: res.SessionToken})
	require.Nil(t, err)
	require.Equal(t, wire.EmailStatus{Email: "dave@example.com", Verified: true}, v)
	require.Equal(t, []int{401, 200}, ct.Statuses(), "the first try is stale (111), the retry carries the corrected time")
	require.Equal(t, 2*time.Hour, c.LocaltimeOffset())

	_, err = c.Do(wire.ServerRequest{Op: wire.OpResendCode, SessionToken: res.SessionToken})
	require.Nil(t, err)
	require.Equal(t, []int{401, 200, 200}, ct.Statuses(), "once corrected, no more retries")
}

func TestStaleTimestampBody(t *testing.T) {
	w := newWorld(t)
	require.NoError(t, w.server.CreateAccount("erin@example.com", "password1", true))
	res, _ := w.server.Login("erin@example.com", authserver.AuthPW("erin@example.com", "password1"))
	phone := &fakeClock{now: start.Add(61 * time.Second)}
	var first []byte
	c := New("https://api.accounts.firefox.com", &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := w.wire.next.RoundTrip(r)
		if first == nil {
			first, _ = io.ReadAll(resp.Body)
			resp.Body = io.NopCloser(strings.NewReader(string(first)))
			require.Equal(t, "Mon, 01 Jun 2015 12:00:00 GMT", resp.Header.Get("Date"))
		}
		return resp, err
	})}, phone.Now, seeded(5))
	_, err := c.Do(wire.ServerRequest{Op: wire.OpEmailStatus, SessionToken: res.SessionToken})
	require.Nil(t, err)
	require.JSONEq(t, `{"code":401,"errno":111,"error":"Unauthorized","message":"Invalid timestamp in request signature","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format","serverTime":1433160000}`, string(first))
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestBackoffHonoursRetryAfterOnTheVirtualClock(t *testing.T) {
	w := newWorld(t)
	require.NoError(t, w.server.CreateAccount("fay@example.com", "password1", true))
	w.server.InjectFault("/v1/account/login", authserver.Fault{Status: 429, Errno: 114, RetryAfter: 30})
	login := wire.ServerRequest{Op: wire.OpAccountLogin, Email: "fay@example.com", Password: "password1"}
	throttled := &wire.ServerError{Code: 429, Errno: 114, Error: "Too Many Requests", Message: "Client has sent too many requests", Info: authserver.DefaultInfo, RetryAfter: 30}

	_, err := w.client.Do(login)
	require.Equal(t, throttled, err)
	require.EqualValues(t, 1, w.wire.n.Load())
	w.server.ClearFaults()

	w.clock.Advance(29 * time.Second)
	_, err = w.client.Do(login)
	require.Equal(t, throttled, err, "still backing off: the same error, no request")
	_, err = w.client.Do(wire.ServerRequest{Op: wire.OpAccountStatus, UID: "00"})
	require.Equal(t, throttled, err, "every request is refused, not just the one that failed")
	require.EqualValues(t, 1, w.wire.n.Load())

	w.clock.Advance(time.Second)
	v, err := w.client.Do(login)
	require.Nil(t, err)
	require.True(t, v.(wire.SignInResult).Verified)
	require.EqualValues(t, 2, w.wire.n.Load())
}

func TestNetworkFailure(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close()
	c := New(addr, nil, (&fakeClock{now: start}).Now, seeded(1))
	_, err := c.Do(wire.ServerRequest{Op: wire.OpAccountStatus, UID: "00"})
	require.Equal(t, &wire.ServerError{Code: 0, Errno: 998, Error: "NETWORK_ERROR", Message: "connection refused"}, err)
}

func TestNonJSONFailureIsConstructedLikeHawkclient(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "12")
		w.WriteHeader(http.StatusBadGateway)
		io.WriteString(w, "<html>bad gateway</html>")
	})
	c := New("http://fxa.test", &http.Client{Transport: InMemoryTransport(h)}, (&fakeClock{now: start}).Now, seeded(1))
	_, err := c.Do(wire.ServerRequest{Op: wire.OpAccountStatus, UID: "00"})
	require.Equal(t, &wire.ServerError{Code: 502, Errno: 502, Error: "Request failed", Message: "Bad Gateway", RetryAfter: 12}, err)

	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "not json") })
	c = New("http://fxa.test", &http.Client{Transport: InMemoryTransport(ok)}, (&fakeClock{now: start}).Now, seeded(1))
	_, err = c.Do(wire.ServerRequest{Op: wire.OpAccountStatus, UID: "00"})
	require.Equal(t, &wire.ServerError{Code: 200, Errno: 997, Error: "PARSE_ERROR", Message: "unparsable response body"}, err)
}

func TestVirtualClockFromHeader(t *testing.T) {
	serverWall := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} // the real server's wall clock
	s := authserver.New(authserver.Config{Key: simtest.IssuerKey(), Clock: serverWall.Now, Rand: seeded(2)})
	require.NoError(t, s.CreateAccount("gus@example.com", "password1", true))
	phone := &fakeClock{now: start}
	h := s.Handler(authserver.HandlerOptions{ClockFromHeader: true, AdminToken: testToken, AllowedHosts: testHosts})
	c := New("http://fxa.test", &http.Client{Transport: InMemoryTransport(h)}, phone.Now, seeded(4))
	c.SendClock, c.AdminToken = true, testToken

	v, err := c.Do(wire.ServerRequest{Op: wire.OpAccountLogin, Email: "gus@example.com", Password: "password1"})
	require.Nil(t, err)
	res := v.(wire.SignInResult)
	require.Equal(t, start.Unix(), res.AuthAt, "authAt is the phone's virtual now")
	require.Equal(t, time.Duration(0), c.LocaltimeOffset(), "the Date header agrees with the virtual clock")

	phone.Advance(5 * time.Minute)
	v, err = c.Do(wire.ServerRequest{Op: wire.OpCertSign, SessionToken: res.SessionToken, PublicKey: deviceKey(), Duration: 60000})
	require.Nil(t, err)
	jwt, _ := browserid.ParseJWT(v.(string))
	require.Equal(t, float64(start.Add(5*time.Minute+time.Minute).UnixMilli()), jwt.Payload["exp"])

	// Without the header the server is back on its own clock.
	plain := New("http://fxa.test", &http.Client{Transport: InMemoryTransport(h)}, phone.Now, seeded(4))
	v, err = plain.Do(wire.ServerRequest{Op: wire.OpAccountLogin, Email: "gus@example.com", Password: "password1"})
	require.Nil(t, err)
	require.Equal(t, serverWall.now.Unix(), v.(wire.SignInResult).AuthAt)
}

func TestAdminAPI(t *testing.T) {
	post := func(h http.Handler, path, body string) (int, map[string]any) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "http://fxa.test"+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(authserver.AdminTokenHeader, testToken)
		h.ServeHTTP(rec, req)
		var m map[string]any
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &m), rec.Body.String())
		return rec.Code, m
	}
	clock := &fakeClock{now: start}
	s := newServer(clock, 1)

	closed := s.Handler()
	code, body := post(closed, "/__mozidsim/accounts", `{"email":"a@b.c","password":"p","verified":true}`)
	require.Equal(t, 404, code)
	require.Equal(t, map[string]any{"code": 404.0, "errno": 999.0, "error": "Not Found", "message": "Not Found", "info": authserver.DefaultInfo}, body)
	_, exists := s.Account("a@b.c")
	require.False(t, exists, "refused unless enabled")

	admin := s.Handler(authserver.HandlerOptions{Admin: true, AdminToken: testToken, AllowedHosts: testHosts})
	code, body = post(admin, "/__mozidsim/accounts", `{"email":"hal@example.com","password":"password1"}`)
	require.Equal(t, 200, code)
	require.Equal(t, "hal@example.com", body["email"])
	require.Equal(t, false, body["verified"])
	require.Len(t, body["uid"], 32)
	code, body = post(admin, "/__mozidsim/accounts", `{"email":"hal@example.com","password":"password1"}`)
	require.Equal(t, 400, code)
	require.Equal(t, "account hal@example.com already exists", body["message"])

	code, body = post(admin, "/__mozidsim/verify", `{"email":"hal@example.com"}`)
	require.Equal(t, 200, code)
	require.Equal(t, true, body["verified"])

	c := New("http://fxa.test", &http.Client{Transport: InMemoryTransport(admin)}, clock.Now, seeded(8))
	login := func(pw string) *wire.ServerError {
		_, err := c.Do(wire.ServerRequest{Op: wire.OpAccountLogin, Email: "hal@example.com", Password: pw})
		return err
	}
	require.Nil(t, login("password1"))

	code, body = post(admin, "/__mozidsim/change-password", `{"email":"hal@example.com","password":"password2"}`)
	require.Equal(t, 200, code)
	require.Equal(t, 0.0, body["sessions"], "a password change ends every session")
	require.Equal(t, 103, login("password1").Errno)
	require.Nil(t, login("password2"))

	code, _ = post(admin, "/__mozidsim/fault", `{"endpoint":"/v1/account/login","status":503,"retryAfter":0}`)
	require.Equal(t, 200, code)
	require.Equal(t, &wire.ServerError{Code: 503, Errno: 201, Error: "Service Unavailable", Message: "Service unavailable", Info: authserver.DefaultInfo}, login("password2"))
	code, _ = post(admin, "/__mozidsim/clear-faults", ``)
	require.Equal(t, 200, code)
	require.Nil(t, login("password2"))
	code, body = post(admin, "/__mozidsim/fault", `{"endpoint":"/v1/nowhere","status":503}`)
	require.Equal(t, 400, code)
	require.Equal(t, "Invalid parameter in request body: no endpoint /v1/nowhere", body["message"])
	code, body = post(admin, "/__mozidsim/fault", `{"status":200}`)
	require.Equal(t, 400, code)
	require.Equal(t, 107.0, body["errno"])

	code, _ = post(admin, "/__mozidsim/delete-account", `{"email":"hal@example.com"}`)
	require.Equal(t, 200, code)
	require.Equal(t, 102, login("password2").Errno)
	code, body = post(admin, "/__mozidsim/delete-account", `{"email":"hal@example.com"}`)
	require.Equal(t, 400, code)
	require.Equal(t, "no account hal@example.com", body["message"])
	code, body = post(admin, "/__mozidsim/verify", `{}`)
	require.Equal(t, 400, code)
	require.Equal(t, "Missing parameter in request body: email", body["message"])
}

// TestOverARealSocket runs the whole device conversation through net/http's
// server and transport.
func TestOverARealSocket(t *testing.T) {
	clock := &fakeClock{now: start}
	s := newServer(clock, 11)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	c := New(srv.URL+"/v1", hc, clock.Now, seeded(12))

	v, err := c.Do(wire.ServerRequest{Op: wire.OpAccountCreate, Email: "ivy@example.com", Password: "password1"})
	require.Nil(t, err)
	created := v.(wire.SignInResult)
	require.False(t, created.Verified)
	v, err = c.Do(wire.ServerRequest{Op: wire.OpEmailStatus, SessionToken: created.SessionToken})
	require.Nil(t, err)
	require.Equal(t, wire.EmailStatus{Email: "ivy@example.com", Verified: false}, v)
	require.NoError(t, s.Verify("ivy@example.com"))
	v, err = c.Do(wire.ServerRequest{Op: wire.OpCertSign, SessionToken: created.SessionToken, PublicKey: deviceKey(), Duration: 3600000})
	require.Nil(t, err)
	require.Equal(t, 2, strings.Count(v.(string), "."))
	v, err = c.Do(wire.ServerRequest{Op: wire.OpAccountExists, Email: "ivy@example.com"})
	require.Nil(t, err)
	require.Equal(t, true, v)
	_, err = c.Do(wire.ServerRequest{Op: wire.OpSessionDestroy, SessionToken: created.SessionToken})
	require.Nil(t, err)
	_, err = c.Do(wire.ServerRequest{Op: wire.OpSessionDestroy, SessionToken: created.SessionToken})
	require.Equal(t, 110, err.Errno)
}

func BenchmarkLoginInMemory(b *testing.B) {
	w := newWorld(b)
	require.NoError(b, w.server.CreateAccount("bench@example.com", "password1", true))
	req := wire.ServerRequest{Op: wire.OpAccountLogin, Email: "bench@example.com", Password: "password1"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.client.Do(req); err != nil {
			b.Fatal(err)
		}
	}
}

type backend interface {
	Do(wire.ServerRequest) (any, *wire.ServerError)
}

func benchmarkCertSign(b *testing.B, c backend, s *authserver.Server) {
	require.NoError(b, s.CreateAccount("bench@example.com", "password1", true))
	v, err := c.Do(wire.ServerRequest{Op: wire.OpAccountLogin, Email: "bench@example.com", Password: "password1"})
	require.Nil(b, err)
	req := wire.ServerRequest{Op: wire.OpCertSign, SessionToken: v.(wire.SignInResult).SessionToken, PublicKey: deviceKey(), Duration: 3600000}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Do(req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCertSignInMemoryHTTP(b *testing.B) {
	w := newWorld(b)
	benchmarkCertSign(b, w.client, w.server)
}

func BenchmarkCertSignOverSocket(b *testing.B) {
	clock := &fakeClock{now: start}
	s := newServer(clock, 1)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	benchmarkCertSign(b, New(srv.URL, hc, clock.Now, seeded(2)), s)
}

func BenchmarkCertSignDirect(b *testing.B) {
	clock := &fakeClock{now: start}
	s := newServer(clock, 1)
	benchmarkCertSign(b, s, s)
}

func BenchmarkLoginDirect(b *testing.B) {
	clock := &fakeClock{now: start}
	s := newServer(clock, 1)
	require.NoError(b, s.CreateAccount("bench@example.com", "password1", true))
	req := wire.ServerRequest{Op: wire.OpAccountLogin, Email: "bench@example.com", Password: "password1"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Do(req); err != nil {
			b.Fatal(err)
		}
	}
}
