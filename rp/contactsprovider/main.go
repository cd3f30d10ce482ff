package contactsprovider

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/rp/verifier"
)

// DefaultIssuer is Firefox Accounts' BrowserID issuer.
const DefaultIssuer = "api.accounts.firefox.com"

// Main is `mozidsim serve-contacts`: it serves the provider until SIGINT or
// SIGTERM and returns the process exit code (0 ok, 1 failure, 2 usage).
func Main(args []string, stdout io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, args, stdout, nil)
}

// Run is Main with its own stop signal: it serves until ctx is done. ready, when
// not nil, receives the running server once it listens.
func Run(ctx context.Context, args []string, stdout io.Writer, ready chan<- *Server) int {
	fs := flag.NewFlagSet("serve-contacts", flag.ContinueOnError)
	fs.SetOutput(stdout)
	addr := fs.String("addr", "127.0.0.1:8443", "address to listen on (TLS)")
	dir := fs.String("dir", "contacts-data", "directory for accounts and address books (kept across restarts)")
	origin := fs.String("origin", "", "the provider's origin, the audience assertions must name (default https://<addr>)")
	issuer := fs.String("issuer", DefaultIssuer, "the Firefox Accounts issuer whose certificates are accepted")
	issuerKey := fs.String("issuer-key", "", "file with the issuer's public key (BrowserID JSON key or a /.well-known/browserid document); "+
		"default: fetch https://<issuer>/.well-known/browserid")
	fxaURL := fs.String("fxa-url", "", "trust the auth server at this URL (e.g. mozidsim serve-fxa's http://127.0.0.1:8081): "+
		"the issuer's key is fetched from its /.well-known/browserid")
	noFsync := fs.Bool("no-fsync", false, "do not fsync each write: acknowledged writes survive a crash of this process, not of the machine")
	certOut := fs.String("cert-out", "", "write the self-signed TLS certificate (PEM) here, for clients to trust")
	tlsCert := fs.String("tls-cert", "", "TLS certificate file (PEM) instead of a self-signed one")
	tlsKey := fs.String("tls-key", "", "TLS key file (PEM), with -tls-cert")
	fs.Usage = func() {
		fmt.Fprintln(stdout, "usage: mozidsim serve-contacts [flags]")
		fmt.Fprintln(stdout, "Serves the contacts provider: POST /browserid/login provisions CardDAV credentials")
		fmt.Fprintln(stdout, "from a Firefox Accounts assertion; /dav/ is the CardDAV server (basic auth).")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stdout, "serve-contacts: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *issuerKey != "" && *fxaURL != "" {
		fmt.Fprintln(stdout, "serve-contacts: -issuer-key and -fxa-url are two ways to name the issuer's key: give one")
		return 2
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		fmt.Fprintln(stdout, "serve-contacts: -tls-cert and -tls-key go together")
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
		fetch := verifier.HTTPKeyLookup(&http.Client{Timeout: 10 * time.Second}, u.Scheme)
		want, host := *issuer, u.Host
		lookup = func(iss, domain string) (*browserid.PublicKey, error) {
			if iss != want {
				return nil, fmt.Errorf("untrusted issuer %s (trusting %s at %s)", iss, want, host)
			}
			return fetch(host, domain)
		}
	}
	cfg := Config{
		NoSync:   *noFsync,
		Dir:      *dir,
		Origin:   *origin,
		Issuer:   *issuer,
		Clock:    time.Now, // a real deployment runs on the real clock
		Verifier: &verifier.Verifier{Now: time.Now, LookupIssuerKey: lookup},
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
