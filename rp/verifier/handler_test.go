package verifier

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/stretchr/testify/require"
)

func postV2(t testing.TB, h http.Handler, contentType, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/v2", strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func v2Body(t *testing.T, fields map[string]any) string {
	t.Helper()
	b, err := json.Marshal(fields)
	require.NoError(t, err)
	return string(b)
}

func requireV2(t *testing.T, rec *httptest.ResponseRecorder, code int, body string) {
	t.Helper()
	require.Equal(t, code, rec.Code)
	require.Equal(t, "application/json; charset=utf-8", rec.Header().Get("Content-Type"))
	require.Equal(t, body, rec.Body.String())
}

func failureJSON(reason string) string {
	b, _ := json.Marshal(map[string]string{"reason": reason})
	return `{"status":"failure",` + string(b[1:])
}

func TestV2Handler(t *testing.T) {
	t.Parallel()
	_, other := testKeys(t)
	f := newFixture(t)
	h := f.v.Handler()
	okBody := `{"audience":"app://rp.gaiamobile.org","expires":1425000120000,"issuer":"api.accounts.firefox.com",` +
		`"email":"` + testEmail + `","idpClaims":{"fxa-generation":1424999000000,"fxa-lastAuthAt":1424999990,` +
		`"fxa-verifiedEmail":"user@example.com"},"status":"okay"}`
	good := v2Body(t, map[string]any{"assertion": f.backed, "audience": testAud})

	t.Run("success", func(t *testing.T) {
		requireV2(t, postV2(t, h, "application/json", good), 200, okBody)
	})
	t.Run("content type with parameters", func(t *testing.T) {
		requireV2(t, postV2(t, h, "application/json; charset=utf-8", good), 200, okBody)
	})
	t.Run("audience echoed as supplied", func(t *testing.T) {
		rec := postV2(t, h, "application/json", v2Body(t, map[string]any{"assertion": f.backed, "audience": "app://rp.gaiamobile.org:80"}))
		require.Equal(t, 200, rec.Code)
		require.Contains(t, rec.Body.String(), `{"audience":"app://rp.gaiamobile.org:80",`)
	})
	t.Run("verification failure is HTTP 200", func(t *testing.T) {
		rec := postV2(t, h, "application/json", v2Body(t, map[string]any{"assertion": f.backed, "audience": "https://rp.gaiamobile.org"}))
		requireV2(t, rec, 200, `{"status":"failure","reason":"audience mismatch: scheme mismatch"}`)
	})
	t.Run("expired", func(t *testing.T) {
		late := &Verifier{LookupIssuerKey: f.v.LookupIssuerKey, TrustedIssuers: f.v.TrustedIssuers}
		late.Now = func() time.Time { return testNow.Add(time.Hour) }
		requireV2(t, postV2(t, late.Handler(), "application/json", good), 200, `{"status":"failure","reason":"expired"}`)
	})
	t.Run("no content type", func(t *testing.T) {
		requireV2(t, postV2(t, h, "", good), 415, `{"status":"failure","reason":"Unsupported Content-Type: none (expected application/json)"}`)
	})
	t.Run("form content type", func(t *testing.T) {
		requireV2(t, postV2(t, h, "application/x-www-form-urlencoded", "assertion=x&audience=y"), 415,
			`{"status":"failure","reason":"Unsupported Content-Type: application/x-www-form-urlencoded (expected application/json)"}`)
	})
	t.Run("missing assertion", func(t *testing.T) {
		requireV2(t, postV2(t, h, "application/json", `{"audience":"app://x"}`), 400, `{"status":"failure","reason":"missing assertion parameter"}`)
	})
	t.Run("empty assertion", func(t *testing.T) {
		requireV2(t, postV2(t, h, "application/json", `{"assertion":"","audience":"app://x"}`), 400, `{"status":"failure","reason":"missing assertion parameter"}`)
	})
	t.Run("missing audience", func(t *testing.T) {
		requireV2(t, postV2(t, h, "application/json", `{"assertion":"a~b"}`), 400, `{"status":"failure","reason":"missing audience parameter"}`)
	})
	t.Run("empty body", func(t *testing.T) {
		requireV2(t, postV2(t, h, "application/json", ""), 400, `{"status":"failure","reason":"missing assertion parameter"}`)
	})
	t.Run("array body", func(t *testing.T) {
		requireV2(t, postV2(t, h, "application/json", `["assertion"]`), 400, `{"status":"failure","reason":"missing assertion parameter"}`)
	})
	t.Run("trusted issuers not an array", func(t *testing.T) {
		body := v2Body(t, map[string]any{"assertion": f.backed, "audience": testAud, "trustedIssuers": "evil.example"})
		requireV2(t, postV2(t, h, "application/json", body), 400, `{"status":"failure","reason":"trusted issuers must be an array"}`)
	})
	t.Run("trusted issuers with a non-string", func(t *testing.T) {
		body := v2Body(t, map[string]any{"assertion": f.backed, "audience": testAud, "trustedIssuers": []any{"a.example", []string{"b"}}})
		requireV2(t, postV2(t, h, "application/json", body), 400, `{"status":"failure","reason":"trusted issuers must be an array of strings"}`)
	})
	t.Run("falsy trusted issuers are ignored", func(t *testing.T) {
		for _, ti := range []any{nil, false, 0, ""} {
			body := v2Body(t, map[string]any{"assertion": f.backed, "audience": testAud, "trustedIssuers": ti})
			requireV2(t, postV2(t, h, "application/json", body), 200, okBody)
		}
	})
	t.Run("trusted issuers from the request", func(t *testing.T) {
		f.look.keys["evil.example"] = &browserid.PublicKey{RSA: &other.PublicKey}
		cert, err := browserid.SignCertificate(browserid.CertParams{PublicKey: f.user.Public(), Email: testEmail, Issuer: "evil.example"}, other)
		require.NoError(t, err)
		backed := cert + "~" + f.signed
		body := v2Body(t, map[string]any{"assertion": backed, "audience": testAud})
		requireV2(t, postV2(t, h, "application/json", body), 200,
			`{"status":"failure","reason":"untrusted issuer, expected 'api.accounts.firefox.com', got 'evil.example'"}`)
		body = v2Body(t, map[string]any{"assertion": backed, "audience": testAud, "trustedIssuers": []string{"evil.example"}})
		requireV2(t, postV2(t, h, "application/json", body), 200,
			`{"audience":"app://rp.gaiamobile.org","expires":1425000120000,"issuer":"evil.example","email":"`+testEmail+`","status":"okay"}`)
		require.Empty(t, f.v.TrustedIssuers, "the request's list must not leak into the Verifier")
	})
	t.Run("assertion not a string", func(t *testing.T) {
		requireV2(t, postV2(t, h, "application/json", `{"assertion":42,"audience":"app://x"}`), 200, `{"status":"failure","reason":"malformed backed assertion"}`)
	})
	t.Run("audience not a string", func(t *testing.T) {
		body := v2Body(t, map[string]any{"assertion": f.backed, "audience": []string{testAud}})
		requireV2(t, postV2(t, h, "application/json", body), 200, `{"status":"failure","reason":"audience mismatch: audience must be a string"}`)
	})
	t.Run("invalid JSON", func(t *testing.T) {
		requireV2(t, postV2(t, h, "application/json", `{"assertion":`), 400, `{"status":"failure","reason":"invalid JSON in request body: unexpected end of JSON input"}`)
	})
	t.Run("body too large", func(t *testing.T) {
		body := `{"assertion":"` + strings.Repeat("a", MaxBodyBytes) + `","audience":"app://x"}`
		requireV2(t, postV2(t, h, "application/json", body), 413, `{"status":"failure","reason":"request entity too large (limit 65536 bytes)"}`)
	})
	t.Run("wrong method", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodGet, "/v2", nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		requireV2(t, rec, 405, `{"status":"failure","reason":"method GET not allowed (expected POST)"}`)
		require.Equal(t, "POST", rec.Header().Get("Allow"))
	})
	t.Run("misconfigured verifier", func(t *testing.T) {
		requireV2(t, postV2(t, (&Verifier{}).Handler(), "application/json", good), 503, `{"status":"failure","reason":"service unavailable"}`)
		var nilV *Verifier
		requireV2(t, postV2(t, nilV.Handler(), "application/json", good), 503, `{"status":"failure","reason":"service unavailable"}`)
	})
	t.Run("reasons are not HTML-escaped", func(t *testing.T) {
		rec := postV2(t, h, "application/json", `{"assertion":"<a>&~b","audience":"app://x"}`)
		requireV2(t, rec, 200, failureJSON("signed object must have three parts, this one has 1"))
		rec = postV2(t, h, "text/<html>", good)
		require.Equal(t, `{"status":"failure","reason":"Unsupported Content-Type: text/<html> (expected application/json)"}`, rec.Body.String())
	})
}

// TestV2OverHTTP runs the handler behind a real listener, as an RP would call it.
func TestV2OverHTTP(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	srv := httptest.NewServer(f.v.Handler())
	defer srv.Close()

	body := v2Body(t, map[string]any{"assertion": f.backed, "audience": testAud})
	resp, err := srv.Client().Post(srv.URL+"/v2", "application/json", bytes.NewBufferString(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode)
	var res Result
	require.NoError(t, json.Unmarshal(got, &res))
	require.Equal(t, "okay", res.Status)
	require.Equal(t, "user@example.com", res.VerifiedEmail())
	srv.Client().CloseIdleConnections()
}
