package verifier

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func FuzzVerify(f *testing.F) {
	fx := newFixture(f)
	f.Add(fx.backed, testAud)
	f.Add(fx.backed, "https://rp.gaiamobile.org:443/x")
	f.Add(fx.cert+"~"+fx.cert+"~"+fx.signed, "rp.gaiamobile.org")
	f.Add("~", "")
	f.Fuzz(func(t *testing.T, assertion, audience string) {
		res, err := fx.v.Verify(assertion, audience)
		if err != nil {
			reason, ok := reasonOf(err)
			if !ok || reason == "" || res != nil {
				t.Fatalf("Verify: want a *Failure with a reason, got %T %v (result %v)", err, err, res)
			}
			return
		}
		if res.Status != "okay" || res.Audience != audience || res.Issuer == "" {
			t.Fatalf("odd success %+v for %q", res, audience)
		}
	})
}

func FuzzV2Handler(f *testing.F) {
	fx := newFixture(f)
	good, err := json.Marshal(map[string]any{"assertion": fx.backed, "audience": testAud})
	if err != nil {
		f.Fatal(err)
	}
	f.Add("application/json", good)
	f.Add("application/json", []byte(`{"assertion":"a~b.c.d","audience":"x","trustedIssuers":["y"]}`))
	f.Add("text/plain", []byte("assertion=x"))
	f.Add("application/json", []byte(`{"assertion":1,"audience":{}}`))
	h := fx.v.Handler()
	allowed := map[int]bool{200: true, 400: true, 413: true, 415: true}
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/v2", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if !allowed[rec.Code] {
			t.Fatalf("status %d for %q %q", rec.Code, contentType, body)
		}
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("response is not JSON: %q", rec.Body.String())
		}
		status, _ := out["status"].(string)
		switch {
		case status == "okay" && rec.Code == 200:
		case status == "failure" && out["reason"] != "":
		default:
			t.Fatalf("bad response %d %s", rec.Code, rec.Body.String())
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	fx := newFixture(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fx.v.Verify(fx.backed, testAud); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkV2Handler(b *testing.B) {
	fx := newFixture(b)
	body, err := json.Marshal(map[string]any{"assertion": fx.backed, "audience": testAud})
	if err != nil {
		b.Fatal(err)
	}
	h := fx.v.Handler()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/v2", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 || !strings.HasSuffix(rec.Body.String(), `"status":"okay"}`) {
			b.Fatalf("%d %s", rec.Code, rec.Body.String())
		}
	}
}

// BenchmarkVerifyNoCache is BenchmarkVerify as before the certificate cache:
// every assertion parses and checks its certificate.
func BenchmarkVerifyNoCache(b *testing.B) {
	fx := newFixture(b)
	v := &Verifier{Now: fx.v.Now, LookupIssuerKey: fx.v.LookupIssuerKey, CertCacheSize: -1}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(fx.backed, testAud); err != nil {
			b.Fatal(err)
		}
	}
}
