package authserver

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/hawk"
)

type rawResponse struct {
	status int
	header http.Header
	body   string
}

func serve(h http.Handler, method, path, body string, hdr map[string]string) rawResponse {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, "http://fxa.test"+path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json") // as every client sends it
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rawResponse{rec.Code, rec.Header(), rec.Body.String()}
}

// nonceSerial numbers nonces; tests run in parallel.
var nonceSerial atomic.Int64

// signed builds the Hawk header a phone would send for token at now.
func signed(t *testing.T, token, method, path, body string, now time.Time, withHash bool) map[string]string {
	t.Helper()
	creds, err := hawk.DeriveCredentials(token, "sessionToken")
	require.NoError(t, err)
	// Every signed request is new; TestHTTPHawkReplay replays one on purpose.
	r := hawk.ClientRequest{Method: method, URL: "http://fxa.test" + path, Now: now, Nonce: fmt.Sprintf("n%05d", nonceSerial.Add(1))}
	if withHash {
		r.ContentType, r.Payload = "application/json", []byte(body)
	}
	h, err := hawk.ClientHeader(creds, r)
	require.NoError(t, err)
	return map[string]string{"Authorization": h, "Content-Type": "application/json"}
}

func verifiedToken(t *testing.T, s *Server, email string) string {
	t.Helper()
	require.NoError(t, s.CreateAccount(email, "password1", true))
	res, err := s.Login(email, AuthPW(email, "password1"))
	require.Nil(t, err)
	return res.SessionToken
}

func TestHTTPErrorsAndHeaders(t *testing.T) {
	t.Parallel()
	s, clock := newServer(t)
	h := s.Handler()
	token := verifiedToken(t, s, "alice@example.com")
	authPW := AuthPW("alice@example.com", "password1")
	cert := `{"publicKey":{"algorithm":"RS","n":"1","e":"3"},"duration":1000}`

	for _, c := range []struct {
		name, method, path, body string
		hdr                      map[string]string
		status                   int
		want                     string
	}{
		{"wrong method", "GET", "/v1/account/login", "", nil, 405,
			`{"code":405,"errno":999,"error":"Method Not Allowed","message":"Method Not Allowed","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format"}`},
		{"no such path", "GET", "/v1/nothing", "", nil, 404,
			`{"code":404,"errno":999,"error":"Not Found","message":"Not Found","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format"}`},
		{"malformed JSON", "POST", "/v1/account/login", `{"email":`, nil, 400,
			`{"code":400,"errno":106,"error":"Bad Request","message":"Invalid JSON in request body","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format"}`},
		{"not an object", "POST", "/v1/account/login", `["email"]`, nil, 400,
			`{"code":400,"errno":107,"error":"Bad Request","message":"Invalid parameter in request body","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format"}`},
		{"empty body", "POST", "/v1/account/create", ``, nil, 400,
			`{"code":400,"errno":108,"error":"Bad Request","message":"Missing parameter in request body: email","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format","param":"email"}`},
		{"missing authPW", "POST", "/v1/account/login", `{"email":"alice@example.com"}`, nil, 400,
			`{"code":400,"errno":108,"error":"Bad Request","message":"Missing parameter in request body: authPW","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format","param":"authPW"}`},
		{"authPW not hex", "POST", "/v1/account/login", `{"email":"alice@example.com","authPW":"zz"}`, nil, 400,
			`{"code":400,"errno":107,"error":"Bad Request","message":"Invalid parameter in request body","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format"}`},
		{"email not a string", "POST", "/v1/account/login", `{"email":5,"authPW":"` + authPW + `"}`, nil, 400,
			`{"code":400,"errno":107,"error":"Bad Request","message":"Invalid parameter in request body","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format"}`},
		{"too large", "POST", "/v1/account/login", `{"email":"` + strings.Repeat("a", MaxBodyBytes) + `"}`, nil, 413,
			`{"code":413,"errno":113,"error":"Request Entity Too Large","message":"Request body too large","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format"}`},
		{"login ?keys=true", "POST", "/v1/account/login?keys=true", `{"email":"Alice@example.com","authPW":"` + authPW + `"}`, nil, 400,
			`{"code":400,"errno":120,"error":"Bad Request","message":"Incorrect email case","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format","email":"alice@example.com"}`},
		// error.js (2014 and 2015) appends incorrectPassword's and unknownAccount's extra {email} after info.
		{"wrong password", "POST", "/v1/account/login", `{"email":"alice@example.com","authPW":"` + strings.Repeat("00", 32) + `"}`, nil, 400,
			`{"code":400,"errno":103,"error":"Bad Request","message":"Incorrect password","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format","email":"alice@example.com"}`},
		{"unknown account", "POST", "/v1/account/login", `{"email":"bob@example.com","authPW":"` + authPW + `"}`, nil, 400,
			`{"code":400,"errno":102,"error":"Bad Request","message":"Unknown account","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format","email":"bob@example.com"}`},
		{"no uid", "GET", "/v1/account/status", "", nil, 400,
			`{"code":400,"errno":108,"error":"Bad Request","message":"Missing parameter in request body: uid","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format","param":"uid"}`},
		{"no Hawk", "GET", "/v1/recovery_email/status", "", nil, 401,
			`{"code":401,"errno":109,"error":"Unauthorized","message":"Invalid request signature","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format"}`},
		{"Hawk unparsable", "GET", "/v1/recovery_email/status", "", map[string]string{"Authorization": `Hawk id="x`}, 400,
			`{"code":400,"errno":999,"error":"Bad Request","message":"Bad header format","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format"}`},
		{"tampered mac", "GET", "/v1/recovery_email/status", "", tamper(signed(t, token, "GET", "/v1/recovery_email/status", "", clock.now, false)), 401,
			`{"code":401,"errno":109,"error":"Unauthorized","message":"Invalid request signature","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format"}`},
		{"signed for another path", "GET", "/v1/recovery_email/status", "", signed(t, token, "GET", "/v1/account/status", "", clock.now, false), 401,
			`{"code":401,"errno":109,"error":"Unauthorized","message":"Invalid request signature","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format"}`},
		{"unknown token", "POST", "/v1/session/destroy", "{}", signed(t, strings.Repeat("00", 32), "POST", "/v1/session/destroy", "{}", clock.now, true), 401,
			`{"code":401,"errno":110,"error":"Unauthorized","message":"Invalid authentication token in request signature","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format"}`},
		{"stale", "GET", "/v1/recovery_email/status", "", signed(t, token, "GET", "/v1/recovery_email/status", "", clock.now.Add(-61*time.Second), false), 401,
			`{"code":401,"errno":111,"error":"Unauthorized","message":"Invalid timestamp in request signature","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format","serverTime":1433160000}`},
		{"cert without payload hash", "POST", "/v1/certificate/sign", cert, signed(t, token, "POST", "/v1/certificate/sign", cert, clock.now, false), 401,
			`{"code":401,"errno":109,"error":"Unauthorized","message":"Invalid request signature","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format"}`},
		{"cert body changed after signing", "POST", "/v1/certificate/sign", strings.Replace(cert, "1000", "2000", 1), signed(t, token, "POST", "/v1/certificate/sign", cert, clock.now, true), 401,
			`{"code":401,"errno":109,"error":"Unauthorized","message":"Invalid request signature","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format"}`},
		{"cert without duration", "POST", "/v1/certificate/sign", `{"publicKey":{"algorithm":"RS","n":"1","e":"3"}}`, signed(t, token, "POST", "/v1/certificate/sign", `{"publicKey":{"algorithm":"RS","n":"1","e":"3"}}`, clock.now, true), 400,
			`{"code":400,"errno":108,"error":"Bad Request","message":"Missing parameter in request body: duration","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format","param":"duration"}`},
		{"cert fractional duration", "POST", "/v1/certificate/sign", `{"publicKey":{"algorithm":"RS"},"duration":1.5}`, signed(t, token, "POST", "/v1/certificate/sign", `{"publicKey":{"algorithm":"RS"},"duration":1.5}`, clock.now, true), 400,
			`{"code":400,"errno":107,"error":"Bad Request","message":"Invalid parameter in request body","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format"}`},
		{"cert key member not a string", "POST", "/v1/certificate/sign", `{"publicKey":{"algorithm":"RS","n":1,"e":"3"},"duration":1}`, signed(t, token, "POST", "/v1/certificate/sign", `{"publicKey":{"algorithm":"RS","n":1,"e":"3"},"duration":1}`, clock.now, true), 400,
			`{"code":400,"errno":107,"error":"Bad Request","message":"Invalid parameter in request body","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format"}`},
		{"email status", "GET", "/v1/recovery_email/status", "", signed(t, token, "GET", "/v1/recovery_email/status", "", clock.now.Add(59*time.Second), false), 200,
			`{"email":"alice@example.com","verified":true}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := serve(h, c.method, c.path, c.body, c.hdr)
			require.Equal(t, c.status, r.status)
			require.Equal(t, c.want, r.body)
			require.Equal(t, "Mon, 01 Jun 2015 12:00:00 GMT", r.header.Get("Date"))
			require.Equal(t, "application/json; charset=utf-8", r.header.Get("Content-Type"))
			if c.status == 405 {
				require.Equal(t, "POST", r.header.Get("Allow"))
			}
		})
	}
}

func tamper(h map[string]string) map[string]string {
	a := h["Authorization"]
	i := strings.Index(a, `mac="`) + len(`mac="`)
	flip := byte('A')
	if a[i] == 'A' {
		flip = 'B'
	}
	h["Authorization"] = a[:i] + string(flip) + a[i+1:]
	return h
}

func TestHTTPSuccessBodies(t *testing.T) {
	s, _ := newServer(t)
	h := s.Handler()
	authPW := AuthPW("bob@example.com", "password1")
	r := serve(h, "POST", "/v1/account/create", `{"email":"bob@example.com","authPW":"`+authPW+`"}`, nil)
	require.Equal(t, 200, r.status)
	var created map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.body), &created))
	require.ElementsMatch(t, []string{"uid", "sessionToken", "authAt"}, keys(created), "sign-up answers without verified")
	require.Equal(t, 1433160000.0, created["authAt"])

	r = serve(h, "POST", "/v1/account/login?keys=true", `{"authPW":"`+authPW+`","email":"bob@example.com"}`, nil)
	require.Equal(t, 200, r.status)
	var login map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.body), &login))
	require.ElementsMatch(t, []string{"uid", "sessionToken", "verified", "authAt"}, keys(login))
	require.Equal(t, false, login["verified"])

	r = serve(h, "GET", "/v1/account/status?uid="+created["uid"].(string), "", nil)
	require.Equal(t, `{"exists":true}`, r.body)

	r = serve(h, "GET", "/.well-known/browserid", "", nil)
	require.Equal(t, 200, r.status)
	require.Equal(t, "public, max-age=10", r.header.Get("Cache-Control"))
	pk, err := json.Marshal(s.PublicKey())
	require.NoError(t, err)
	require.Equal(t, `{"public-key":`+string(pk)+`,"authentication":"/.well-known/browserid/sign_in.html","provisioning":"/.well-known/browserid/provision.html"}`, r.body)
	require.True(t, strings.HasPrefix(string(pk), `{"algorithm":"RS","n":"`), string(pk))
}

func keys(m map[string]any) []string {
	var k []string
	for key := range m {
		k = append(k, key)
	}
	return k
}

func TestHTTPFaultsCarryRetryAfter(t *testing.T) {
	t.Parallel()
	s, _ := newServer(t)
	s.InjectFault("", Fault{Status: 503, Errno: 201, RetryAfter: 30})
	r := serve(s.Handler(), "GET", "/v1/account/status?uid=00", "", nil)
	require.Equal(t, 503, r.status)
	require.Equal(t, "30", r.header.Get("Retry-After"))
	require.Equal(t, `{"code":503,"errno":201,"error":"Service Unavailable","message":"Service unavailable","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format","retryAfter":30}`, r.body)
}

func TestHTTPVirtualClockHeader(t *testing.T) {
	s, _ := newServer(t)
	h := s.Handler(HandlerOptions{ClockFromHeader: true, AdminToken: "t0ken", AllowedHosts: []string{"fxa.test"}})
	r := serve(h, "GET", "/v1/account/status?uid=00", "", map[string]string{ClockHeader: "1262304000000", AdminTokenHeader: "t0ken"})
	require.Equal(t, "Fri, 01 Jan 2010 00:00:00 GMT", r.header.Get("Date"))
	r = serve(h, "GET", "/v1/account/status?uid=00", "", map[string]string{ClockHeader: "soon", AdminTokenHeader: "t0ken"})
	require.Equal(t, 400, r.status)
	require.Equal(t, `{"code":400,"errno":999,"error":"Bad Request","message":"X-Mozidsim-Now is not milliseconds since the epoch: \"soon\"","info":"https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format"}`, r.body)
	r = serve(h, "GET", "/v1/account/status?uid=00", "", nil)
	require.Equal(t, "Mon, 01 Jun 2015 12:00:00 GMT", r.header.Get("Date"), "without the header the server's own clock rules")

	r = serve(s.Handler(), "GET", "/v1/account/status?uid=00", "", map[string]string{ClockHeader: "1262304000000"})
	require.Equal(t, "Mon, 01 Jun 2015 12:00:00 GMT", r.header.Get("Date"), "ignored unless enabled")
}

// TestHTTPSessionsFromElsewhere: a session the handler never issued (made in
// memory, or by another handler) is still found by its Hawk id.
func TestHTTPSessionsFromElsewhere(t *testing.T) {
	t.Parallel()
	s, clock := newServer(t)
	h := s.Handler()
	for _, email := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		token := verifiedToken(t, s, email)
		r := serve(h, "GET", "/v1/recovery_email/status", "", signed(t, token, "GET", "/v1/recovery_email/status", "", clock.now, false))
		require.Equal(t, `{"email":"`+email+`","verified":true}`, r.body)
	}
}

// The server must read at most MaxBodyBytes+1 of a huge body.
func TestHTTPBodyLimitStopsReading(t *testing.T) {
	t.Parallel()
	s, _ := newServer(t)
	body := &countingReader{r: io.LimitReader(rand.Reader, 10<<20)}
	req := httptest.NewRequest("POST", "http://fxa.test/v1/account/login", body)
	req.ContentLength = -1
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	require.Equal(t, 413, rec.Code)
	require.LessOrEqual(t, body.n, int64(MaxBodyBytes+1+bytes.MinRead))
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
