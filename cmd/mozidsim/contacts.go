package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/mozidsim/mozidsim/internal/cliflag"
	"github.com/mozidsim/mozidsim/internal/runns"
	"github.com/mozidsim/mozidsim/rp/contactsprovider"
)

// serveContacts is `mozidsim serve-contacts`; ready, when not nil, receives the
// running server.
func serveContacts(ctx context.Context, args []string, stdout, stderr io.Writer, ready chan<- *contactsprovider.Server) int {
	fs := flag.NewFlagSet("serve-contacts", flag.ContinueOnError)
	var o contactsprovider.ServeOptions
	origin := cliflag.URLValue{Example: "https://contacts.example.com"}
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:8443", "address to listen on (TLS)")
	fs.StringVar(&o.Dir, "dir", "contacts-data", "directory for accounts and address books (kept across restarts)")
	fs.Var(&origin, "origin", "the provider's origin, the audience assertions must name (default https://<addr>)")
	fs.StringVar(&o.Issuer, "issuer", contactsprovider.DefaultIssuer, "the Firefox Accounts issuer whose certificates are accepted")
	fs.StringVar(&o.IssuerKey, "issuer-key", "", "`FILE` with the issuer's public key (BrowserID JSON key or a /.well-known/browserid document); "+
		"default: fetch https://<issuer>/.well-known/browserid")
	fs.StringVar(&o.FxAURL, "fxa-url", "", "trust the auth server at `URL` (e.g. mozidsim serve-fxa's http://127.0.0.1:8081): "+
		"the issuer's key is fetched from its /.well-known/browserid")
	fs.BoolVar(&o.NoFsync, "no-fsync", false, "do not fsync each write: acknowledged writes survive a crash of this process, not of the machine")
	fs.StringVar(&o.CertOut, "cert-out", "", "write the self-signed TLS certificate (PEM) to `FILE`, for clients to trust")
	fs.StringVar(&o.TLSCert, "tls-cert", "", "TLS certificate `FILE` (PEM) instead of a self-signed one")
	fs.StringVar(&o.TLSKey, "tls-key", "", "TLS key `FILE` (PEM), with --tls-cert")
	fs.StringVar(&o.AdminToken, "admin-token", "", "the admin token runs (X-Mozidsim-Run) need; default $"+adminTokenEnv+", else a random one, printed at start")
	noRuns := fs.Bool("no-runs", false, "serve the default namespace only: requests naming a run are served as if they did not")
	fs.IntVar(&o.MaxRuns, "max-runs", runns.DefaultMax, "the most runs (X-Mozidsim-Run namespaces, one per `mozidsim run --contacts-url` scenario) held at once")
	fs.DurationVar(&o.RunIdle, "run-idle", runns.DefaultIdle, "drop a run no request has named for this `long`")
	pos, code, ok := parseFlags("serve-contacts", fs, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return usageError(stderr, "serve-contacts", fmt.Sprintf("unexpected argument %q", pos[0]))
	}
	o.Origin = origin.URL
	if o.MaxRuns < 1 || o.RunIdle <= 0 {
		return usageError(stderr, "serve-contacts", fmt.Sprintf("--max-runs %d --run-idle %v: want at least one run and a positive idle time", o.MaxRuns, o.RunIdle))
	}
	if *noRuns {
		o.AdminToken = ""
	} else if tok, err := adminToken(o.AdminToken); err != nil {
		fmt.Fprintf(stderr, "mozidsim serve-contacts: admin token: %v\n", err)
		return 1
	} else {
		o.AdminToken = tok
	}
	return contactsprovider.Serve(ctx, o, stdout, ready)
}
