package scenarios

import (
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/fxaccounts/authserver"
	"github.com/mozidsim/mozidsim/internal/device"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/trace"
)

// remoteFxA is `mozidsim serve-fxa` in-process: the auth server's handler, with
// the admin API and the phone's virtual clock from X-Mozidsim-Now, on a real
// loopback socket. It counts the requests that reach it per path, so that a
// test can tell a request the server answered from one the phone never sent.
const remoteToken = "remote-test-token"

type remoteFxA struct {
	URL string

	mu   sync.Mutex
	hits map[string]int
}

func startRemoteFxA(t *testing.T) *remoteFxA {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	// As serve-fxa: a namespace per run, so runs may share the server at once.
	mk := func() *authserver.Server {
		return authserver.New(authserver.Config{Issuer: device.Issuer, Key: key, Clock: time.Now, Rand: rand.Reader})
	}
	h := authserver.NewNamespaces(mk(), authserver.NamespaceOptions{New: mk,
		Handler: authserver.HandlerOptions{Admin: true, AdminToken: remoteToken, ClockFromHeader: true}})
	r := &remoteFxA{hits: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.hits[req.URL.Path]++
		r.mu.Unlock()
		h.ServeHTTP(w, req)
	}))
	// Close also drops http.DefaultTransport's idle connections, which the
	// device's client uses, so no connection goroutine outlives the test.
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

// resetHits forgets the counts; hitsOf reads one path's.
func (r *remoteFxA) resetHits() {
	r.mu.Lock()
	defer r.mu.Unlock()
	clear(r.hits)
}

func (r *remoteFxA) hitsOf(p string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hits[p]
}

func parseShipped(t *testing.T, s Shipped) *Scenario {
	t.Helper()
	src, err := s.Source()
	require.NoError(t, err)
	sc, err := Parse(s.File, src)
	require.NoError(t, err)
	return sc
}

// TestEveryScenarioOnARealSocketAsInMemory runs every shipped scenario twice:
// against the in-memory server (the default) and against the same auth server
// over HTTP on a loopback socket, as `mozidsim run --fxa-url` does. Both runs
// must pass, every page must hear exactly the same callbacks, and the actors
// must exchange the same messages at the same virtual times.
func TestEveryScenarioOnARealSocketAsInMemory(t *testing.T) {
	lib, err := Library()
	require.NoError(t, err)
	require.NotEmpty(t, lib)
	remote := startRemoteFxA(t)
	for _, s := range lib {
		if s.Kind == KindContacts {
			continue // its phones share one in-memory server: --fxa-url does not apply
		}
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel() // every run has its own namespace on the one server
			sc := parseShipped(t, s)
			mem, err := Run(sc, Options{})
			require.NoError(t, err)
			require.Empty(t, mem.Problems, "in memory")
			sock, err := Run(sc, Options{FxAURL: remote.URL, FxAAdminToken: remoteToken})
			require.NoError(t, err)
			require.Empty(t, sock.Problems, "against %s", remote.URL)
			for _, a := range sc.Apps {
				require.Equal(t, mem.Lines(a.Name), sock.Lines(a.Name), "app %s", a.Name)
			}
			// Keys, uids, tokens and signatures differ between the two servers
			// (and so do the seeded ids drawn after them); the encoder names
			// them by role, and by role the conversation must be the same.
			if d := trace.Compare(trace.Encode(sim.Epoch, mem.Events), trace.Encode(sim.Epoch, sock.Events)); d != nil {
				t.Fatalf("the actors' conversation differs at event %d, %s: in memory %s, over HTTP %s",
					d.Index+1, d.Field, d.WantValue, d.GotValue)
			}
		})
	}
}

// The client's backoff (fxaccounts-crypto §5.3) is the phone's, not the
// server's: while it lasts, requests fail without reaching the server. Counted
// at the socket, the throttle and 503 scenarios send /certificate/sign exactly
// twice: the refused request and the one after the backoff; every call in
// between, and the later ones served from the cached certificate, never leave
// the phone.
func TestBackoffRequestsNeverReachTheServer(t *testing.T) {
	t.Parallel()
	remote := startRemoteFxA(t)
	lib, err := Library()
	require.NoError(t, err)
	byName := map[string]Shipped{}
	for _, s := range lib {
		byName[s.Name] = s
	}
	for _, tc := range []struct {
		name      string
		certSigns int
		logins    int
	}{
		{"server-throttle", 2, 1},  // the login is the device's initial sign-in
		{"server-cert-503", 2, 1},  // shop (503), mail (after the backoff)
		{"server-login-503", 1, 3}, // queryAccount, the 503, the sign-in after 30 s
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := byName[tc.name]
			require.True(t, ok, "shipped scenario %s", tc.name)
			remote.resetHits()
			res, err := Run(parseShipped(t, s), Options{FxAURL: remote.URL, FxAAdminToken: remoteToken})
			require.NoError(t, err)
			require.Empty(t, res.Problems)
			require.Equal(t, tc.certSigns, remote.hitsOf("/v1/certificate/sign"), "POST /v1/certificate/sign")
			require.Equal(t, tc.logins, remote.hitsOf("/v1/account/login"), "POST /v1/account/login")
		})
	}
}

// A server that is down is down for the phone, whatever the server process
// does: the scenario's {server: down} refuses connections in the phone's
// network path, so nothing reaches the socket while it lasts.
func TestServerDownSendsNothing(t *testing.T) {
	t.Parallel()
	remote := startRemoteFxA(t)
	sc, err := Parse("down.yaml", []byte(`
name: down
accounts:
  - {email: alice@example.com, password: "correct horse battery"}
device: {user: alice@example.com}
apps:
  - {name: shop, origin: "https://shop.example.com"}
steps:
  - {server: down}
  - {app: shop, watch: {}}
  - {app: shop, request: {}}
expect:
  shop: ['onerror {"name":"NETWORK_ERROR"}', 'onerror {"name":"NETWORK_ERROR"}']
`))
	require.NoError(t, err)
	remote.resetHits()
	res, err := Run(sc, Options{FxAURL: remote.URL, FxAAdminToken: remoteToken})
	require.NoError(t, err)
	require.Empty(t, res.Problems)
	require.Zero(t, remote.hitsOf("/v1/certificate/sign"))
}
