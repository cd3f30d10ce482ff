package contactsprovider

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Server runs a Provider over TLS on one address. Stop takes it down (the
// listener and every connection close: clients see "connection refused") and
// Start brings it back as a fresh Provider over the same directory, so only what
// was on disk survives, as after a restart of the real service.
type Server struct {
	cfg  Config
	addr string
	cert tls.Certificate
	pool *x509.CertPool
	pem  []byte

	mu   sync.Mutex
	prov *Provider
	runs *runs // with Config.Runs
	srv  *http.Server
	done chan struct{}
}

// Listen starts a provider on addr ("127.0.0.1:0" picks a port) with a fresh
// self-signed certificate for 127.0.0.1, localhost and cfg.Origin's host. An
// empty cfg.Origin becomes "https://<the address listened on>"; a named one
// ("https://moz.fruux.net") is reached through Client, which resolves that name
// to the listener, so simulated phones see the historic origin and traces do not
// depend on the port picked.
func Listen(cfg Config, addr string) (*Server, error) {
	hosts := []string{"127.0.0.1", "localhost", "::1"}
	if u, err := url.Parse(cfg.Origin); err == nil && u.Hostname() != "" {
		hosts = append(hosts, u.Hostname())
	}
	cert, certPEM, err := SelfSignedCertificate(hosts...)
	if err != nil {
		return nil, err
	}
	return ListenWithCertificate(cfg, addr, cert, certPEM)
}

// ListenWithCertificate is Listen with a given certificate (certPEM is what
// clients must trust; it may be nil when a public CA signed it).
func ListenWithCertificate(cfg Config, addr string, cert tls.Certificate, certPEM []byte) (*Server, error) {
	pool := x509.NewCertPool()
	if len(certPEM) > 0 && !pool.AppendCertsFromPEM(certPEM) {
		return nil, errors.New("contactsprovider: the certificate PEM holds no certificate")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("contactsprovider: %w", err)
	}
	s := &Server{cfg: cfg, addr: ln.Addr().String(), cert: cert, pool: pool, pem: certPEM}
	if s.cfg.Origin == "" {
		s.cfg.Origin = "https://" + s.addr
	}
	if err := s.serve(ln); err != nil {
		ln.Close()
		return nil, err
	}
	return s, nil
}

func (s *Server) serve(ln net.Listener) error {
	prov, err := New(s.cfg)
	if err != nil {
		return err
	}
	var h http.Handler = prov.Handler()
	var rs *runs
	if s.cfg.Runs != nil {
		if rs, err = newRuns(s.cfg, h); err != nil {
			prov.Close()
			return err
		}
		h = rs
	}
	srv := &http.Server{
		Handler:           h,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{s.cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: serverTimeouts.header,
		ReadTimeout:       serverTimeouts.body,
		WriteTimeout:      serverTimeouts.write,
		IdleTimeout:       serverTimeouts.idle,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(io.Discard, "", 0), // clients hanging up mid-handshake are not news
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.ServeTLS(ln, "", "")
	}()
	s.prov, s.runs, s.srv, s.done = prov, rs, srv, done
	return nil
}

// Runs is the number of runs (RunHeader) held now.
func (s *Server) Runs() int {
	s.mu.Lock()
	rs := s.runs
	s.mu.Unlock()
	if rs == nil {
		return 0
	}
	return rs.Len()
}

// serverTimeouts bound how long a slow or idle client holds a connection
// (issue 15: keep-alive connections never timed out); a 1 MiB card still has a
// minute to arrive. A variable so that tests can shorten them.
var serverTimeouts = struct{ header, body, write, idle time.Duration }{
	header: 10 * time.Second, body: 60 * time.Second, write: 120 * time.Second, idle: 2 * time.Minute,
}

// URL is the provider's base URL (also its origin, the assertions' audience).
func (s *Server) URL() string { return s.cfg.Origin }

// Addr is the address listened on.
func (s *Server) Addr() string { return s.addr }

// CertificatePEM is the certificate clients must trust.
func (s *Server) CertificatePEM() []byte { return s.pem }

// Provider is the running provider (nil while stopped).
func (s *Server) Provider() *Provider {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.prov
}

// Running reports whether the server is up.
func (s *Server) Running() bool { return s.Provider() != nil }

// Client returns an HTTP client that trusts the server's certificate (and the
// system's authorities, for other servers a phone may be set to) and reaches
// the origin's host name at the listener. Close its idle connections
// (CloseIdleConnections) when done with it.
func (s *Server) Client() *http.Client {
	originHost := ""
	if u, err := url.Parse(s.cfg.Origin); err == nil {
		originHost = u.Host
		if u.Port() == "" {
			originHost = net.JoinHostPort(u.Hostname(), "443")
		}
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	if len(s.pem) > 0 {
		roots.AppendCertsFromPEM(s.pem)
	}
	return &http.Client{
		Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				if addr == originHost {
					addr = s.addr
				}
				return dialer.DialContext(ctx, network, addr)
			},
		},
		Timeout: 30 * time.Second,
	}
}

// Stop takes the server down; it is a no-op when already down.
func (s *Server) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.prov == nil {
		return nil
	}
	err := s.srv.Close()
	<-s.done
	if s.runs != nil {
		s.runs.close() // runs do not outlive the server
	}
	err = errors.Join(err, s.prov.Close())
	s.prov, s.runs, s.srv, s.done = nil, nil, nil, nil
	return err
}

// Start brings a stopped server back on the same address, reloading the storage.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.prov != nil {
		return nil
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("contactsprovider: listening again on %s: %w", s.addr, err)
	}
	if err := s.serve(ln); err != nil {
		ln.Close()
		return err
	}
	return nil
}

// Close stops the server for good.
func (s *Server) Close() error { return s.Stop() }

// SelfSignedCertificate makes an ECDSA P-256 certificate for the given hosts (IP
// addresses or DNS names), valid 2000-2100, and its PEM.
func SelfSignedCertificate(hosts ...string) (tls.Certificate, []byte, error) {
	cert, certPEM, _, err := selfSigned(hosts...)
	return cert, certPEM, err
}

// selfSigned is SelfSignedCertificate, also returning the key's PEM.
func selfSigned(hosts ...string) (tls.Certificate, []byte, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"mozidsim contacts provider"}},
		NotBefore:             time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, nil, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return tls.Certificate{}, nil, nil, err
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	return cert, certPEM, keyPEM, err
}

func tlsKeyPair(certPEM, keyPEM []byte) (tls.Certificate, error) {
	return tls.X509KeyPair(certPEM, keyPEM)
}
