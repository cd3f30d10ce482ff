package authserver

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/hawk"
	"github.com/mozidsim/mozidsim/internal/simtest"
)

// One client sending its body slowly must not hold up anyone else, even with
// the virtual clock on (issue 15: the body was read inside a shared lock).
func TestHTTPSlowBodyStallsNobody(t *testing.T) {
	s, _ := newServer(t)
	srv := httptest.NewServer(s.Handler(HandlerOptions{Admin: true, AdminToken: "tok", ClockFromHeader: true}))
	defer srv.Close()

	pr, pw := io.Pipe()
	slowDone := make(chan struct{})
	go func() {
		defer close(slowDone)
		req, _ := http.NewRequest("POST", srv.URL+"/v1/account/login", pr)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(ClockHeader, "1433160000000")
		req.Header.Set(AdminTokenHeader, "tok")
		if resp, err := srv.Client().Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	_, err := pw.Write([]byte(`{"email":`)) // and then nothing, for now
	require.NoError(t, err)

	for _, clock := range []string{"", "1433160000000"} {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/v1/account/status?uid=00", nil)
		if clock != "" {
			req.Header.Set(ClockHeader, clock)
			req.Header.Set(AdminTokenHeader, "tok")
		}
		resp, err := srv.Client().Do(req)
		cancel()
		require.NoError(t, err, "a request stalled behind a slow body (clock header %q)", clock)
		require.Equal(t, 200, resp.StatusCode)
		resp.Body.Close()
	}
	pw.Close()
	<-slowDone
}

// A web page can post cross-site with text/plain and no custom headers, or reach
// the server under its own name by DNS rebinding: neither may use the admin API.
func TestHTTPAdminNeedsTokenJSONAndAHost(t *testing.T) {
	s, _ := newServer(t)
	h := s.Handler(HandlerOptions{Admin: true, AdminToken: "s3cret"})
	post := func(host, ct, token, body string) rawResponse {
		req := httptest.NewRequest("POST", "http://"+host+"/__mozidsim/accounts", strings.NewReader(body))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		if token != "" {
			req.Header.Set(AdminTokenHeader, token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rawResponse{rec.Code, rec.Header(), rec.Body.String()}
	}
	account := `{"email":"eve@example.com","password":"pw","verified":true}`

	r := post("127.0.0.1:8081", "text/plain", "", account) // what a cross-site form or fetch can send
	require.Equal(t, 401, r.status)
	require.Equal(t, `{"code":401,"errno":999,"error":"Unauthorized","message":"the admin API is an admin power: send the token serve-fxa printed at start in X-Mozidsim-Admin-Token (mozidsim run --admin-token or MOZIDSIM_ADMIN_TOKEN)","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format"}`, r.body)
	r = post("127.0.0.1:8081", "application/json", "guess", account)
	require.Equal(t, `{"code":401,"errno":999,"error":"Unauthorized","message":"the admin API: wrong X-Mozidsim-Admin-Token","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format"}`, r.body)
	r = post("127.0.0.1:8081", "text/plain", "s3cret", account)
	require.Equal(t, 415, r.status)
	require.Equal(t, `{"code":415,"errno":999,"error":"Unsupported Media Type","message":"Unsupported Content-Type: text/plain (expected application/json)","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format"}`, r.body)
	r = post("rebound.example:8081", "application/json", "s3cret", account)
	require.Equal(t, 403, r.status)
	require.Equal(t, `{"code":403,"errno":999,"error":"Forbidden","message":"the admin API is not served under Host \"rebound.example:8081\" (a DNS rebinding guard): use an IP address or localhost, or allow the name with serve-fxa --allow-host","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format"}`, r.body)
	_, exists := s.Account("eve@example.com")
	require.False(t, exists, "no refused request may have made the account")

	for _, host := range []string{"127.0.0.1:8081", "localhost:8081", "[::1]:8081"} {
		r = post(host, "application/json", "s3cret", account)
		require.Equal(t, 200, r.status, "host %s: %s", host, r.body)
		require.NoError(t, s.DeleteAccount("eve@example.com"))
	}
	allowed := s.Handler(HandlerOptions{Admin: true, AdminToken: "s3cret", AllowedHosts: []string{"fxa.internal"}})
	req := httptest.NewRequest("POST", "http://fxa.internal:8081/__mozidsim/reset", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(AdminTokenHeader, "s3cret")
	rec := httptest.NewRecorder()
	allowed.ServeHTTP(rec, req)
	require.Equal(t, 200, rec.Code, "a name given in AllowedHosts")

	noToken := s.Handler(HandlerOptions{Admin: true})
	req = httptest.NewRequest("POST", "http://127.0.0.1/__mozidsim/reset", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	rec = httptest.NewRecorder()
	noToken.ServeHTTP(rec, req)
	require.Equal(t, 401, rec.Code, "admin without a configured token serves nobody")
}

// X-Mozidsim-Now moves the server's clock, so honouring it from anyone let an
// old signed request be replayed "at" its own time and still get a certificate.
func TestHTTPClockHeaderIsAnAdminPower(t *testing.T) {
	s, clock := newServer(t)
	h := s.Handler(HandlerOptions{ClockFromHeader: true, AdminToken: "tok", AllowedHosts: []string{"fxa.test"}})
	token := verifiedToken(t, s, "alice@example.com")
	old := clock.now.Add(-48 * time.Hour)
	key, err := json.Marshal(dsKey(t))
	require.NoError(t, err)
	body := `{"publicKey":` + string(key) + `,"duration":60000}`
	hdr := signed(t, token, "POST", "/v1/certificate/sign", body, old, true)
	hdr[ClockHeader] = strconv.FormatInt(old.UnixMilli(), 10)
	r := serve(h, "POST", "/v1/certificate/sign", body, hdr)
	require.Equal(t, 401, r.status)
	require.Equal(t, `{"code":401,"errno":999,"error":"Unauthorized","message":"X-Mozidsim-Now (the virtual clock) is an admin power: send the token serve-fxa printed at start in X-Mozidsim-Admin-Token (mozidsim run --admin-token or MOZIDSIM_ADMIN_TOKEN)","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format"}`, r.body)

	delete(hdr, ClockHeader)
	r = serve(h, "POST", "/v1/certificate/sign", body, hdr)
	require.Equal(t, 401, r.status)
	require.Contains(t, r.body, `"errno":111`, "without the header the request is simply stale")
}

// A replayed Hawk request (same id, nonce and timestamp) is refused with errno 115.
func TestHTTPHawkReplay(t *testing.T) {
	s, clock := newServer(t)
	h := s.Handler()
	token := verifiedToken(t, s, "alice@example.com")
	hdr := signed(t, token, "GET", "/v1/recovery_email/status", "", clock.now, false)
	r := serve(h, "GET", "/v1/recovery_email/status", "", hdr)
	require.Equal(t, 200, r.status)
	r = serve(h, "GET", "/v1/recovery_email/status", "", hdr)
	require.Equal(t, 401, r.status)
	require.Equal(t, `{"code":401,"errno":115,"error":"Unauthorized","message":"Invalid nonce in request signature","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format"}`, r.body)
}

func TestHTTPJSONAndUTF8Only(t *testing.T) {
	s, _ := newServer(t)
	h := s.Handler()
	authPW := AuthPW("bob@example.com", "password1")
	body := `{"email":"bob@example.com","authPW":"` + authPW + `"}`
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx"} {
		r := serve(h, "POST", "/v1/account/create", body, map[string]string{"Content-Type": ct})
		require.Equal(t, 415, r.status, ct)
		require.Equal(t, `{"code":415,"errno":999,"error":"Unsupported Media Type","message":"Unsupported Content-Type: `+ct+` (expected application/json)","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format"}`, r.body)
	}
	r := serve(h, "POST", "/v1/account/create", "{\"email\":\"b\xffb@example.com\",\"authPW\":\""+authPW+"\"}", nil)
	require.Equal(t, `{"code":400,"errno":106,"error":"Bad Request","message":"Invalid JSON in request body: not UTF-8","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format"}`, r.body)
	for _, email := range []string{`b\ud800b@example.com`, `b\u0000b@example.com`, `b\nb@example.com`} {
		r = serve(h, "POST", "/v1/account/create", `{"email":"`+email+`","authPW":"`+authPW+`"}`, nil)
		require.Equal(t, `{"code":400,"errno":107,"error":"Bad Request","message":"Invalid parameter in request body","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format"}`, r.body, email)
	}
	r = serve(h, "POST", "/v1/account/create", body, map[string]string{"Content-Type": "application/json; charset=utf-8"})
	require.Equal(t, 200, r.status, r.body)
}

// Sessions end after the TTL; an account keeps at most MaxSessionsPerAccount.
func TestSessionsExpireAndAreCapped(t *testing.T) {
	s, clock := newServer(t)
	h := s.Handler()
	token := verifiedToken(t, s, "alice@example.com")
	clock.now = clock.now.Add(DefaultSessionTTL - time.Second)
	r := serve(h, "GET", "/v1/recovery_email/status", "", signed(t, token, "GET", "/v1/recovery_email/status", "", clock.now, false))
	require.Equal(t, 200, r.status)
	clock.now = clock.now.Add(time.Second)
	r = serve(h, "GET", "/v1/recovery_email/status", "", signed(t, token, "GET", "/v1/recovery_email/status", "", clock.now, false))
	require.Equal(t, `{"code":401,"errno":110,"error":"Unauthorized","message":"Invalid authentication token in request signature","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format"}`, r.body)
	_, err := s.EmailStatus(token)
	require.Equal(t, 110, err.Errno)

	authPW := AuthPW("alice@example.com", "password1")
	first, lerr := s.Login("alice@example.com", authPW)
	require.Nil(t, lerr)
	for i := 0; i < MaxSessionsPerAccount; i++ {
		clock.now = clock.now.Add(time.Millisecond)
		_, lerr = s.Login("alice@example.com", authPW)
		require.Nil(t, lerr)
	}
	info, _ := s.Account("alice@example.com")
	require.Equal(t, MaxSessionsPerAccount, info.Sessions)
	_, err = s.EmailStatus(first.SessionToken)
	require.Equal(t, 110, err.Errno, "the oldest session made way")
	s.mu.Lock()
	require.Len(t, s.sessions, MaxSessionsPerAccount)
	require.Len(t, s.byHawkID, MaxSessionsPerAccount)
	require.Equal(t, MaxSessionsPerAccount, s.byAge.Len())
	s.mu.Unlock()

	// Expired sessions of other accounts go at the next login, not only on use.
	clock.now = clock.now.Add(DefaultSessionTTL)
	verifiedToken(t, s, "bob@example.com")
	s.mu.Lock()
	require.Len(t, s.sessions, 1)
	s.mu.Unlock()
}

// An unknown Hawk id is a map miss however many sessions exist (it used to
// derive credentials for every session not yet seen, then scan them).
func BenchmarkUnknownHawkIDWith40000Sessions(b *testing.B) {
	clock := &fakeClock{now: time.Date(2015, 6, 1, 12, 0, 0, 0, time.UTC)}
	s := New(Config{Key: simtest.IssuerKey(), Clock: clock.Now, Rand: rand.Reader})
	h := s.Handler()
	for i := 0; i < 400; i++ {
		email := fmt.Sprintf("u%d@example.com", i)
		if _, err := s.Create(email, AuthPW(email, "pw")); err != nil {
			b.Fatal(err)
		}
		for j := 0; j < 99; j++ {
			if _, err := s.Login(email, AuthPW(email, "pw")); err != nil {
				b.Fatal(err)
			}
		}
	}
	unknown := strings.Repeat("ab", 32)
	creds, err := hawk.DeriveCredentials(unknown, "sessionToken")
	if err != nil {
		b.Fatal(err)
	}
	hdr, err := hawk.ClientHeader(creds, hawk.ClientRequest{Method: "GET", URL: "http://fxa.test/v1/recovery_email/status", Now: clock.now, Nonce: "abcdef"})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest("GET", "http://fxa.test/v1/recovery_email/status", nil)
		req.Header.Set("Authorization", hdr)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 401 {
			b.Fatal(rec.Code)
		}
	}
}
