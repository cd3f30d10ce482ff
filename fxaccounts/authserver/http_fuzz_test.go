package authserver

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mozidsim/mozidsim/internal/hawk"
	"github.com/mozidsim/mozidsim/internal/simtest"
)

// fuzzEndpoints are every POST route; session routes are signed correctly (payload
// hash included) so that the fuzzed body reaches the parser behind Hawk.
var fuzzEndpoints = []struct {
	path    string
	session bool
}{
	{"/v1/account/create", false},
	{"/v1/account/login", false},
	{"/v1/recovery_email/resend_code", true},
	{"/v1/session/destroy", true},
	{"/v1/certificate/sign", true},
	{"/__mozidsim/accounts", false},
	{"/__mozidsim/verify", false},
	{"/__mozidsim/change-password", false},
	{"/__mozidsim/delete-account", false},
	{"/__mozidsim/fault", false},
	{"/__mozidsim/clear-faults", false},
}

var (
	fuzzAuthPW = AuthPW("fuzz@example.com", "password1")
	fuzzNow    = time.Date(2015, 6, 1, 12, 0, 0, 0, time.UTC)
)

// FuzzServerBodies: arbitrary bodies to every POST endpoint never panic and
// always answer JSON; every failure is an error object whose code is the HTTP
// status and whose errno is set.
func FuzzServerBodies(f *testing.F) {
	for i := range fuzzEndpoints {
		for _, b := range []string{``, `{}`, `null`, `[]`, `{"email":"fuzz@example.com","authPW":"` + fuzzAuthPW + `"}`,
			`{"publicKey":{"algorithm":"DS","y":"1","p":"2","q":"3","g":"4"},"duration":1000}`, `{"duration":1e309}`,
			`{"endpoint":"/v1/account/login","status":429,"retryAfter":5}`, `{"email":"x@y.z","password":"p","verified":true}`} {
			f.Add(uint8(i), []byte(b))
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		ep := fuzzEndpoints[int(which)%len(fuzzEndpoints)]
		clock := &fakeClock{now: fuzzNow}
		s := New(Config{Key: simtest.IssuerKey(), Clock: clock.Now, Rand: rand.Reader})
		s.mu.Lock()
		s.addAccount("fuzz@example.com", fuzzAuthPW, true)
		s.mu.Unlock()
		res, lerr := s.Login("fuzz@example.com", fuzzAuthPW)
		if lerr != nil {
			t.Fatal(lerr)
		}
		req := httptest.NewRequest(http.MethodPost, "http://fxa.test"+ep.path, strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(AdminTokenHeader, "fuzz")
		if ep.session {
			creds, _ := hawk.DeriveCredentials(res.SessionToken, "sessionToken")
			h, err := hawk.ClientHeader(creds, hawk.ClientRequest{Method: "POST", URL: "http://fxa.test" + ep.path, Now: fuzzNow, Nonce: "fuzz00", ContentType: "application/json", Payload: body})
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", h)
		}
		rec := httptest.NewRecorder()
		s.Handler(HandlerOptions{Admin: true, AdminToken: "fuzz", AllowedHosts: []string{"fxa.test"}}).ServeHTTP(rec, req)

		var obj map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &obj); err != nil || obj == nil {
			t.Fatalf("%s answered %d with a body that is not a JSON object: %q", ep.path, rec.Code, rec.Body.String())
		}
		if rec.Header().Get("Date") == "" {
			t.Fatalf("%s: no Date header", ep.path)
		}
		if rec.Code == http.StatusOK {
			if _, isErr := obj["errno"]; isErr {
				t.Fatalf("%s: 200 with an error body %q", ep.path, rec.Body.String())
			}
			return
		}
		code, _ := obj["code"].(float64)
		errno, _ := obj["errno"].(float64)
		if int(code) != rec.Code || errno == 0 || obj["error"] == nil || obj["message"] == nil {
			t.Fatalf("%s: status %d with error body %q", ep.path, rec.Code, rec.Body.String())
		}
	})
}
