package contactsprovider

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/rp/verifier"
)

// DefaultIssuer is Firefox Accounts' BrowserID issuer.
const DefaultIssuer = "api.accounts.firefox.com"

// ServeOptions configure Serve; `mozidsim serve-contacts` fills them from its
// flags.
type ServeOptions struct {
	Addr      string // address to listen on (TLS)
	Dir       string // accounts and address books, kept across restarts
	Origin    string // the audience assertions must name ("" for https://<addr>)
	Issuer    string // the FxA issuer whose certificates are accepted
	IssuerKey string // file with the issuer's public key ("" to fetch its support document)
	CertOut   string // where to write the self-signed certificate ("" for nowhere)
	TLSCert   string // TLS certificate and key files instead of a self-signed pair
	TLSKey    string
}

// Serve runs the provider until ctx is done and returns the process exit code
// (0 ok, 1 failure, 2 usage). ready, when not nil, receives the running server
// once it listens.
func Serve(ctx context.Context, o ServeOptions, stdout io.Writer, ready chan<- *Server) int {
	if o.Issuer == "" {
		o.Issuer = DefaultIssuer
	}
	if (o.TLSCert == "") != (o.TLSKey == "") {
		fmt.Fprintln(stdout, "serve-contacts: --tls-cert and --tls-key go together")
		return 2
	}

	lookup := verifier.HTTPKeyLookup(&http.Client{Timeout: 10 * time.Second}, "https")
	if o.IssuerKey != "" {
		key, err := readIssuerKey(o.IssuerKey)
		if err != nil {
			fmt.Fprintf(stdout, "serve-contacts: %v\n", err)
			return 1
		}
		want := o.Issuer
		lookup = func(iss, _ string) (*browserid.PublicKey, error) {
			if iss != want {
				return nil, fmt.Errorf("no support document for %s", iss)
			}
			return key, nil
		}
	}
	cfg := Config{
		Dir:      o.Dir,
		Origin:   o.Origin,
		Issuer:   o.Issuer,
		Clock:    time.Now, // a real deployment runs on the real clock
		Verifier: &verifier.Verifier{Now: time.Now, LookupIssuerKey: lookup},
	}
	var (
		srv *Server
		err error
	)
	if o.TLSCert != "" {
		srv, err = listenWithFiles(cfg, o.Addr, o.TLSCert, o.TLSKey)
	} else {
		srv, err = Listen(cfg, o.Addr)
	}
	if err != nil {
		fmt.Fprintf(stdout, "serve-contacts: %v\n", err)
		return 1
	}
	defer srv.Close()
	if o.CertOut != "" && srv.CertificatePEM() != nil {
		if err := os.WriteFile(o.CertOut, srv.CertificatePEM(), 0o644); err != nil {
			fmt.Fprintf(stdout, "serve-contacts: %v\n", err)
			return 1
		}
	}
	fmt.Fprintf(stdout, "contacts provider: serving %s (audience %s, issuer %s), data in %s\n", "https://"+srv.Addr(), srv.URL(), o.Issuer, o.Dir)
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
