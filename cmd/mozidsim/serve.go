package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/mozidsim/mozidsim/fxaccounts/authserver"
	"github.com/mozidsim/mozidsim/internal/cliflag"
	"github.com/mozidsim/mozidsim/internal/device"
	httpserve "github.com/mozidsim/mozidsim/internal/serve"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/rp/verifier"
)

// serveFxA is `mozidsim serve-fxa`: the auth server on a socket, with the admin
// API scenarios use and the phone's virtual clock taken from X-Mozidsim-Now.
// ready, when not nil, receives the listening address.
func serveFxA(ctx context.Context, args []string, stdout, stderr io.Writer, ready chan<- string) int {
	fl := flag.NewFlagSet("serve-fxa", flag.ContinueOnError)
	addr := fl.String("addr", "127.0.0.1:8081", "address to listen on")
	issuer := fl.String("issuer", device.Issuer, "BrowserID issuer written into certificates")
	noAdmin := fl.Bool("no-admin", false, "leave out the /__mozidsim admin API (then scenarios cannot drive this server)")
	tokenFlag := fl.String("admin-token", "", "the admin token (the admin API and X-Mozidsim-Now need it); default $"+adminTokenEnv+", else a random one, printed at start")
	maxRuns := fl.Int("max-runs", authserver.DefaultMaxRuns, "the most runs (X-Mozidsim-Run namespaces, one per `mozidsim run` scenario) held at once")
	runIdle := fl.Duration("run-idle", authserver.DefaultRunIdleTime, "drop a run no request has named for this `long`")
	var allowHosts stringList
	fl.Var(&allowHosts, "allow-host", "a host `NAME` (besides IP addresses and localhost) under which admin requests are served (repeatable)")
	pos, code, ok := parseFlags("serve-fxa", fl, args, stdout, stderr)
	if !ok {
		return code
	} else if len(pos) > 0 {
		return usageError(stderr, "serve-fxa", fmt.Sprintf("unexpected argument %q", pos[0]))
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		fmt.Fprintf(stderr, "mozidsim serve-fxa: %v\n", err)
		return 1
	}
	token, err := adminToken(*tokenFlag)
	if err != nil {
		fmt.Fprintf(stderr, "mozidsim serve-fxa: admin token: %v\n", err)
		return 1
	}
	if *maxRuns < 1 || *runIdle <= 0 {
		return usageError(stderr, "serve-fxa", fmt.Sprintf("--max-runs %d --run-idle %v: want at least one run and a positive idle time", *maxRuns, *runIdle))
	}
	newServer := func() *authserver.Server {
		return authserver.New(authserver.Config{Issuer: *issuer, Key: key, Clock: time.Now, Rand: rand.Reader})
	}
	// Each run (X-Mozidsim-Run) gets a server of its own with the same key;
	// requests without the header share the default one.
	h := authserver.NewNamespaces(newServer(), authserver.NamespaceOptions{New: newServer, MaxRuns: *maxRuns, IdleTime: *runIdle,
		Handler: authserver.HandlerOptions{Admin: !*noAdmin, AdminToken: token, AllowedHosts: allowHosts, ClockFromHeader: true}})
	about := fmt.Sprintf("issuer %s, admin API on (/__mozidsim/*: for tests only); run scenarios with: %s=%s mozidsim run --fxa-url http://ADDR scenarios/",
		*issuer, adminTokenEnv, token)
	if *noAdmin {
		about = fmt.Sprintf("issuer %s, admin API off", *issuer)
	}
	return serve(ctx, "serve-fxa", *addr, h, stdout, stderr, ready, about)
}

// serveVerifier is `mozidsim verify-server`: POST /v2 as mozilla/browserid-verifier.
func serveVerifier(ctx context.Context, args []string, stdout, stderr io.Writer, ready chan<- string) int {
	fl := flag.NewFlagSet("verify-server", flag.ContinueOnError)
	addr := fl.String("addr", "127.0.0.1:8082", "address to listen on")
	fxaURL := &cliflag.URLValue{Example: "http://127.0.0.1:8081"}
	fl.Var(fxaURL, "fxa-url", "take the key of --issuer from this server's /.well-known/browserid (e.g. http://127.0.0.1:8081 for mozidsim serve-fxa)")
	issuer := fl.String("issuer", device.Issuer, "the FxA issuer whose key --fxa-url serves")
	scheme := fl.String("scheme", "https", "scheme for fetching other issuers' support documents")
	var trusted stringList
	fl.Var(&trusted, "trusted-issuer", "an issuer that may vouch for any email domain (repeatable)")
	var allowIssuers stringList
	fl.Var(&allowIssuers, "allow-issuer", "fetch keys only for this issuer `NAME` (repeatable; default: any issuer that is a plain host name)")
	fixedNow := fl.String("now", "", "verify as of this `TIME` (RFC 3339) instead of the wall clock; assertions minted by\n`mozidsim run --fxa-url` carry the simulated phone's time, which starts at "+sim.Epoch.Format(time.RFC3339))
	pos, code, ok := parseFlags("verify-server", fl, args, stdout, stderr)
	if !ok {
		return code
	} else if len(pos) > 0 {
		return usageError(stderr, "verify-server", fmt.Sprintf("unexpected argument %q", pos[0]))
	}
	// A serve-fxa server run by scenarios signs certificates at the phone's
	// virtual time (2015), which the wall clock finds long expired.
	now, about := time.Now, "POST /v2 {assertion, audience}"
	if *fixedNow != "" {
		at, err := time.Parse(time.RFC3339, *fixedNow)
		if err != nil {
			fmt.Fprintf(stderr, "mozidsim verify-server: --now %q: want an RFC 3339 time such as %s\n", *fixedNow, sim.Epoch.Format(time.RFC3339))
			return 2
		}
		now = func() time.Time { return at }
		about += "; verifying as of " + at.UTC().Format(time.RFC3339)
	}
	// Keys are cached as their documents' Cache-Control allows (serve-fxa:
	// 10 s), so a slow or busy auth server is not asked on every /v2.
	keys := &verifier.HTTPKeys{Client: &http.Client{Timeout: 5 * time.Second}, Scheme: *scheme, AllowedIssuers: allowIssuers}
	if fxaURL.URL != "" {
		keys.Endpoints = map[string]string{*issuer: strings.TrimSuffix(fxaURL.URL, "/v1")}
	}
	lookup := keys.Lookup
	v := &verifier.Verifier{Now: now, LookupIssuerKey: lookup, TrustedIssuers: trusted}
	return serve(ctx, "verify-server", *addr, v.Handler(), stdout, stderr, ready, about)
}

// adminToken is the token a server's admin powers need: the flag's, else
// $MOZIDSIM_ADMIN_TOKEN, else a random one (which the server prints).
func adminToken(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if env := os.Getenv(adminTokenEnv); env != "" {
		return env, nil
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// serve listens on addr and serves h until ctx ends.
func serve(ctx context.Context, name, addr string, h http.Handler, stdout, stderr io.Writer, ready chan<- string, about string) int {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(stderr, "mozidsim %s: %v\n", name, err)
		return 1
	}
	fmt.Fprintf(stdout, "mozidsim %s: listening on http://%s (%s)\n", name, ln.Addr(), strings.ReplaceAll(about, "ADDR", ln.Addr().String()))
	if ready != nil {
		ready <- ln.Addr().String()
	}
	if err := httpserve.Until(ctx, ln, h); err != nil {
		fmt.Fprintf(stderr, "mozidsim %s: %v\n", name, err)
		return 1
	}
	return 0
}
