package contactsprovider

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/fxaissuer"
	"github.com/mozidsim/mozidsim/internal/runns"
	"github.com/mozidsim/mozidsim/rp/verifier"
)

// DefaultIssuer is Firefox Accounts' BrowserID issuer.
const DefaultIssuer = fxaissuer.Name

// ServeOptions configure Serve; `mozidsim serve-contacts` fills them from its
// flags.
type ServeOptions struct {
	Addr      string // address to listen on (TLS)
	Dir       string // accounts and address books, kept across restarts
	Origin    string // the audience assertions must name ("" for https://<addr>)
	Issuer    string // the FxA issuer whose certificates are accepted
	IssuerKey string // file with the issuer's public key ("" to fetch its support document)
	FxAURL    string // trust the auth server at this URL: its /.well-known/browserid
	NoFsync   bool   // do not fsync each write
	CertOut   string // where to write the self-signed certificate ("" for nowhere)
	TLSCert   string // TLS certificate and key files instead of a self-signed pair
	TLSKey    string
	// AdminToken turns runs on (RunHeader: a provider of its own per
	// scenario run, opened and driven with this token); "" leaves them off.
	AdminToken string
	MaxRuns    int           // at most this many runs at once (0: 64)
	RunIdle    time.Duration // drop a run no request named for this long (0: 10m)
}

// Serve runs the provider until ctx is done and returns the process exit code
// (0 ok, 1 failure, 2 usage). ready, when not nil, receives the running server
// once it listens.
func Serve(ctx context.Context, o ServeOptions, stdout io.Writer, ready chan<- *Server) int {
	if o.Issuer == "" {
		o.Issuer = DefaultIssuer
	}
	addr, dir, origin, issuer, issuerKey, fxaURL, noFsync := &o.Addr, &o.Dir, &o.Origin, &o.Issuer, &o.IssuerKey, &o.FxAURL, &o.NoFsync
	certOut, tlsCert, tlsKey := &o.CertOut, &o.TLSCert, &o.TLSKey
	if *issuerKey != "" && *fxaURL != "" {
		fmt.Fprintln(stdout, "serve-contacts: --issuer-key and --fxa-url are two ways to name the issuer's key: give one")
		return 2
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		fmt.Fprintln(stdout, "serve-contacts: --tls-cert and --tls-key go together")
		return 2
	}

	lookup := verifier.HTTPKeyLookup(&http.Client{Timeout: 10 * time.Second}, "https")
	if *issuerKey != "" {
		key, err := readIssuerKey(*issuerKey)
		if err != nil {
			fmt.Fprintf(stdout, "serve-contacts: %v\n", err)
			return 1
		}
		want := *issuer
		lookup = func(iss, _ string) (*browserid.PublicKey, error) {
			if iss != want {
				return nil, fmt.Errorf("no support document for %s", iss)
			}
			return key, nil
		}
	}
	if *fxaURL != "" {
		u, err := url.Parse(*fxaURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			fmt.Fprintf(stdout, "serve-contacts: -fxa-url %q: expected http(s)://host[:port]\n", *fxaURL)
			return 2
		}
		if u.Scheme == "http" && !isLoopback(u.Hostname()) {
			fmt.Fprintf(stdout, "serve-contacts: -fxa-url %q: plain http only for a loopback address\n", *fxaURL)
			return 2
		}
		// The issuer's document comes from the auth server named on the command
		// line (like verify-server --fxa-url); no other issuer is fetched.
		keys := &verifier.HTTPKeys{Client: &http.Client{Timeout: 10 * time.Second}, Scheme: u.Scheme,
			AllowedIssuers: []string{*issuer}, Endpoints: map[string]string{*issuer: strings.TrimSuffix(u.Scheme+"://"+u.Host, "/")}}
		lookup = keys.Lookup
	}
	cfg := Config{
		NoSync:   *noFsync,
		Dir:      *dir,
		Origin:   *origin,
		Issuer:   *issuer,
		Clock:    time.Now, // a real deployment runs on the real clock
		Verifier: &verifier.Verifier{Now: time.Now, LookupIssuerKey: lookup},
	}
	if o.AdminToken != "" {
		cfg.Runs = &RunOptions{AdminToken: o.AdminToken, Max: o.MaxRuns, Idle: o.RunIdle}
	}
	var (
		srv *Server
		err error
	)
	if *tlsCert != "" {
		srv, err = listenWithFiles(cfg, *addr, *tlsCert, *tlsKey)
	} else {
		srv, err = listenPersistent(cfg, *addr)
	}
	if err != nil {
		fmt.Fprintf(stdout, "serve-contacts: %v\n", err)
		return 1
	}
	defer srv.Close()
	if *certOut != "" && srv.CertificatePEM() != nil {
		if err := os.WriteFile(*certOut, srv.CertificatePEM(), 0o644); err != nil {
			fmt.Fprintf(stdout, "serve-contacts: %v\n", err)
			return 1
		}
	}
	fmt.Fprintf(stdout, "contacts provider: serving %s (audience %s, issuer %s), data in %s\n", "https://"+srv.Addr(), srv.URL(), *issuer, *dir)
	if *tlsCert == "" {
		fmt.Fprintf(stdout, "contacts provider: clients trust %s (made once, kept there)\n", filepath.Join(*dir, certFileName))
	}
	if o.AdminToken != "" {
		fmt.Fprintf(stdout, "contacts provider: runs of their own (%s, at most %d, dropped after %v idle) with the admin token; run scenarios with: "+
			"MOZIDSIM_ADMIN_TOKEN=%s mozidsim run --contacts-url %s --contacts-ca %s scenarios/contacts/\n",
			RunHeader, orDefault(o.MaxRuns, runns.DefaultMax), orDefault(o.RunIdle, runns.DefaultIdle), o.AdminToken, "https://"+srv.Addr(), certPath(o))
	}
	if ready != nil {
		ready <- srv
	}
	<-ctx.Done()
	if err := srv.Close(); err != nil {
		fmt.Fprintf(stdout, "serve-contacts: closing: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, "contacts provider: stopped")
	return 0
}

// The self-signed certificate serve-contacts makes once and keeps in --dir, so
// that clients trusting it keep working across restarts.
const (
	certFileName = "tls-cert.pem"
	keyFileName  = "tls-key.pem"
)

// listenPersistent listens with the certificate kept in cfg.Dir, made on first
// start (or when the kept one does not name the origin's host).
func listenPersistent(cfg Config, addr string) (*Server, error) {
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, err
	}
	certFile, keyFile := filepath.Join(cfg.Dir, certFileName), filepath.Join(cfg.Dir, keyFileName)
	hosts := []string{"127.0.0.1", "localhost", "::1"}
	if u, err := url.Parse(cfg.Origin); err == nil && u.Hostname() != "" {
		hosts = append(hosts, u.Hostname())
	}
	certPEM, cerr := os.ReadFile(certFile)
	keyPEM, kerr := os.ReadFile(keyFile)
	if cerr == nil && kerr == nil {
		cert, err := tlsKeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, fmt.Errorf("%s, %s: %w (delete both to make a new certificate)", certFile, keyFile, err)
		}
		leaf, err := x509.ParseCertificate(cert.Certificate[0])
		if err == nil && leaf.VerifyHostname(hosts[len(hosts)-1]) == nil {
			return ListenWithCertificate(cfg, addr, cert, certPEM)
		}
	} else if !errors.Is(cerr, os.ErrNotExist) && cerr != nil {
		return nil, cerr
	}
	cert, certPEM, keyPEM, err := selfSigned(hosts...)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(certFile, certPEM, 0o644); err != nil {
		return nil, err
	}
	return ListenWithCertificate(cfg, addr, cert, certPEM)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func listenWithFiles(cfg Config, addr, certFile, keyFile string) (*Server, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, err
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, err
	}
	cert, err := tlsKeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	return ListenWithCertificate(cfg, addr, cert, certPEM)
}

// readIssuerKey reads a BrowserID public key, bare or inside a support document.
func readIssuerKey(path string) (*browserid.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		PublicKey json.RawMessage `json:"public-key"`
	}
	if json.Unmarshal(data, &doc) == nil && len(doc.PublicKey) > 0 {
		data = doc.PublicKey
	}
	key, err := browserid.ParsePublicKey(data)
	if err != nil {
		return nil, fmt.Errorf("%s: not a BrowserID public key: %w", path, err)
	}
	return key, nil
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// certPath is the file clients trust for the server's certificate.
func certPath(o ServeOptions) string {
	switch {
	case o.CertOut != "":
		return o.CertOut
	case o.TLSCert != "":
		return o.TLSCert
	}
	return filepath.Join(o.Dir, certFileName)
}
