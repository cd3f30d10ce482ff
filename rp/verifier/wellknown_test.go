package verifier

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/browserid"
)

// idp is a support-document server that counts its fetches.
type idp struct {
	*httptest.Server
	mu           sync.Mutex
	hits         int
	domain       string
	cacheControl string
}

func newIdP(t *testing.T) *idp {
	t.Helper()
	key, _ := testKeys(t)
	pub, err := (&browserid.PublicKey{RSA: &key.PublicKey}).MarshalJSON()
	require.NoError(t, err)
	d := &idp{}
	d.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		d.hits++
		d.domain = r.URL.Query().Get("domain")
		cc := d.cacheControl
		d.mu.Unlock()
		switch r.URL.Path {
		case WellKnownPath:
			w.Header().Set("Content-Type", "application/json")
			if cc != "" {
				w.Header().Set("Cache-Control", cc)
			}
			w.Write([]byte(`{"public-key":` + string(pub) + `,"authentication":"/a","provisioning":"/p"}`))
		case "/moved" + WellKnownPath:
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(d.Close)
	return d
}

func (d *idp) fetches() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.hits
}

func TestHTTPKeyLookup(t *testing.T) {
	key, _ := testKeys(t)
	d := newIdP(t)
	issuer := strings.TrimPrefix(d.URL, "http://")
	keys := &HTTPKeys{Client: d.Client(), Scheme: "http", AllowedIssuers: []string{issuer},
		Endpoints: map[string]string{"moved.example": d.URL + "/moved", "nothing.example": d.URL + "/nothing"}}

	got, err := keys.Lookup(issuer, "api.accounts.firefox.com")
	require.NoError(t, err)
	require.True(t, got.Equal(&browserid.PublicKey{RSA: &key.PublicKey}))
	require.Equal(t, "api.accounts.firefox.com", d.domain)

	_, err = keys.Lookup("moved.example", "x")
	require.EqualError(t, err, "moved.example is not a browserid primary - redirection not supported for support documents")
	_, err = keys.Lookup("nothing.example", "x")
	require.EqualError(t, err, "nothing.example is not a browserid primary - non-200 response code to /.well-known/browserid")
}

// An issuer comes from the attacker's certificate: one with a port, a path or
// an IP address (issue 15: "127.0.0.1:PORT/__mozidsim/reset?x=") is never
// fetched.
func TestIssuersMustBeHostNames(t *testing.T) {
	d := newIdP(t)
	hostport := strings.TrimPrefix(d.URL, "http://")
	lookup := HTTPKeyLookup(d.Client(), "http")
	for _, issuer := range []string{
		hostport + "/__mozidsim/reset?x=", hostport, "127.0.0.1", "[::1]", "user@idp.example", "idp.example/x",
		"idp.example:443", "IdP.example", "-idp.example", "idp..example", "2130706433", "idp.example#", "",
	} {
		_, err := lookup(issuer, "x")
		require.EqualError(t, err, issuer+" is not a browserid primary - issuer is not a host name", issuer)
	}
	require.Zero(t, d.fetches(), "nothing was fetched")

	for _, issuer := range []string{"idp.example", "localhost", "a-b.c0.example", "xn--bcher-kva.example"} {
		require.True(t, isHostName(issuer), issuer)
	}

	// With an allow-list, only its issuers are fetched (any form they take).
	allow := (&HTTPKeys{Client: d.Client(), Scheme: "http", AllowedIssuers: []string{hostport}}).Lookup
	_, err := allow(hostport, "x")
	require.NoError(t, err)
	_, err = allow("idp.example", "x")
	require.EqualError(t, err, "idp.example is not a browserid primary - issuer is not on this verifier's allow-list")
	require.Equal(t, 1, d.fetches())
}

// A failed fetch reports one fixed reason, whatever the network said (issue
// 15: the raw error told closed ports from open ones).
func TestKeyFetchFailuresHaveAFixedReason(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := ln.Addr().String()
	require.NoError(t, ln.Close())
	silent, err := net.Listen("tcp", "127.0.0.1:0") // accepts, never answers
	require.NoError(t, err)
	defer silent.Close()

	for name, target := range map[string]string{"closed port": closed, "silent port": silent.Addr().String()} {
		dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, target)
		}
		client := &http.Client{Timeout: 300 * time.Millisecond, Transport: &http.Transport{DialContext: dial}}
		_, err := HTTPKeyLookup(client, "http")("idp.example", "x")
		require.EqualError(t, err, "idp.example is not a browserid primary - could not fetch its support document", name)
		var f *Failure
		require.True(t, errors.As(err, &f))
		require.Error(t, f.Err, "the network error is kept for the server's own use")
		client.CloseIdleConnections()
	}
}

// Keys are kept as long as Cache-Control says (serve-fxa: max-age=10), and not
// at all with no-store or without max-age.
func TestKeysAreCachedPerCacheControl(t *testing.T) {
	d := newIdP(t)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	keys := &HTTPKeys{Client: d.Client(), Scheme: "http", Endpoints: map[string]string{"idp.example": d.URL}, Now: func() time.Time { return now }}

	d.cacheControl = "public, max-age=10"
	for i := 0; i < 5; i++ {
		_, err := keys.Lookup("idp.example", "x")
		require.NoError(t, err)
	}
	require.Equal(t, 1, d.fetches())
	now = now.Add(9 * time.Second)
	_, err := keys.Lookup("idp.example", "x")
	require.NoError(t, err)
	require.Equal(t, 1, d.fetches())
	now = now.Add(time.Second)
	_, err = keys.Lookup("idp.example", "x")
	require.NoError(t, err)
	require.Equal(t, 2, d.fetches(), "expired after 10 s")

	for _, cc := range []string{"no-store", "max-age=10, no-cache", "", "max-age=-1", "max-age=soon"} {
		d.cacheControl = cc
		now = now.Add(time.Hour)
		before := d.fetches()
		for i := 0; i < 2; i++ {
			_, err := keys.Lookup("idp.example", "x")
			require.NoError(t, err)
		}
		require.Equal(t, before+2, d.fetches(), "Cache-Control %q", cc)
	}

	d.cacheControl = "max-age=31536000" // a year: kept a day at most
	now = now.Add(time.Hour)
	_, err = keys.Lookup("idp.example", "x")
	require.NoError(t, err)
	before := d.fetches()
	now = now.Add(maxKeyAge)
	_, err = keys.Lookup("idp.example", "x")
	require.NoError(t, err)
	require.Equal(t, before+1, d.fetches())
}
