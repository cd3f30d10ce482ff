package fxaclient

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
)

// InMemoryTransport serves requests with h directly: no sockets, no goroutines,
// the full HTTP request and response shapes (headers, status, body).
func InMemoryTransport(h http.Handler) http.RoundTripper { return inMemory{h} }

type inMemory struct{ h http.Handler }

func (t inMemory) RoundTrip(req *http.Request) (*http.Response, error) {
	in := req.Clone(req.Context())
	in.RequestURI = req.URL.RequestURI()
	if in.Host == "" {
		in.Host = req.URL.Host
	}
	if req.URL.Scheme == "https" {
		in.TLS = &tls.ConnectionState{} // so the server sees port 443 as the default
	}
	in.RemoteAddr = "192.0.2.1:1024"
	if in.Body == nil {
		in.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, in)
	if req.Body != nil {
		req.Body.Close()
	}
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}
