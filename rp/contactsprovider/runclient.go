package contactsprovider

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/jsonhttp"
	"github.com/mozidsim/mozidsim/internal/runns"
)

// Admin is what a scenario does to a provider besides CardDAV: an in-process
// one (Provider.Admin) or a run on serve-contacts (RunClient), alike.
type Admin interface {
	Account(email string) (AccountInfo, bool, error)
	Cards(email string) ([]StoredCard, error)
	Stats() (Stats, error)
	ResetStats() error
	InjectFault(f Fault, count int) error
	ClearFaults() error
	RevokePassword(userName, password string) error
	RevokeAllPasswords(email string) (int, error)
	DeleteAccount(email string) error
	PutRawCard(email, name string, data []byte) error
}

// Admin is p as an Admin.
func (p *Provider) Admin() Admin { return localAdmin{p} }

type localAdmin struct{ *Provider }

func (a localAdmin) Account(email string) (AccountInfo, bool, error) {
	info, ok := a.Provider.Account(email)
	return info, ok, nil
}
func (a localAdmin) Stats() (Stats, error) { return a.Provider.Stats(), nil }
func (a localAdmin) ResetStats() error     { a.Provider.ResetStats(); return nil }
func (a localAdmin) ClearFaults() error    { a.Provider.ClearFaults(); return nil }

// RunConfig opens a run on a serve-contacts (see OpenRun).
type RunConfig struct {
	// URL is the server, e.g. https://127.0.0.1:8443.
	URL string
	// AdminToken is the token serve-contacts printed at start.
	AdminToken string
	// CertPEM is the certificate to trust for URL (serve-contacts' --cert-out
	// file or <dir>/tls-cert.pem); nil: the system's authorities only.
	CertPEM []byte
	// ID names the run ("": a random one).
	ID string
	// Seed, Origin and IssuerKey are the run's (OpenRequest).
	Seed      *uint64
	Origin    string
	IssuerKey *browserid.PublicKey
	// Now is the run's clock, sent with every request (ClockHeader); nil:
	// the server's wall clock.
	Now func() time.Time
}

// RunClient is one run on a serve-contacts: its origin, an HTTP client that
// reaches it (for the phones), and its admin requests. Close drops the run.
type RunClient struct {
	cfg    RunConfig
	id     string
	base   string // the server's scheme://host:port
	origin string
	tr     *http.Transport
	phone  *http.Client // refused while down
	admin  *http.Client
	down   atomic.Bool
}

// OpenRun opens a fresh run on the server (POST /__mozidsim/reset).
func OpenRun(cfg RunConfig) (*RunClient, error) {
	u, err := url.Parse(strings.TrimSuffix(cfg.URL, "/"))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("contacts provider URL %q: expected https://host[:port]", cfg.URL)
	}
	if cfg.AdminToken == "" {
		return nil, errors.New("a run on serve-contacts needs its admin token (the one it printed at start)")
	}
	id := cfg.ID
	if id == "" {
		if id, err = runns.NewID(); err != nil {
			return nil, err
		}
	}
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	if len(cfg.CertPEM) > 0 && !roots.AppendCertsFromPEM(cfg.CertPEM) {
		return nil, errors.New("the contacts provider's certificate PEM holds no certificate")
	}
	c := &RunClient{cfg: cfg, id: id, base: u.Scheme + "://" + u.Host}
	serverAddr := hostPort(u)
	originAddr := ""
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	// The run's origin (a scenario's https://moz.fruux.net) is reached at the
	// server, whose certificate is checked under the server's own name.
	c.tr = &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: u.Hostname(), MinVersion: tls.VersionTLS12},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if addr == originAddr {
				addr = serverAddr
			}
			return dialer.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: 8,
	}
	c.admin = &http.Client{Transport: &runRoundTripper{c: c}, Timeout: 30 * time.Second}
	c.phone = &http.Client{Transport: &runRoundTripper{c: c, refusable: true}, Timeout: 30 * time.Second}
	req := OpenRequest{Seed: cfg.Seed, Origin: cfg.Origin}
	if cfg.IssuerKey != nil {
		if req.IssuerKey, err = json.Marshal(cfg.IssuerKey); err != nil {
			return nil, err
		}
	}
	var opened struct {
		Origin string `json:"origin"`
	}
	if err := c.do(http.MethodPost, runns.OpenPath, req, &opened); err != nil {
		c.tr.CloseIdleConnections()
		return nil, err
	}
	c.origin = opened.Origin
	if ou, err := url.Parse(c.origin); err == nil {
		originAddr = hostPort(ou)
	}
	return c, nil
}

func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	if u.Scheme == "http" {
		return net.JoinHostPort(u.Hostname(), "80")
	}
	return net.JoinHostPort(u.Hostname(), "443")
}

// ID is the run's id.
func (c *RunClient) ID() string { return c.id }

// URL is the run's origin: the provider URL its phones use.
func (c *RunClient) URL() string { return c.origin }

// Client is the phones' HTTP client: every request names the run, carries the
// token and the clock, and reaches the server; while SetDown(true) every
// request is refused at the client, as by a stopped server.
func (c *RunClient) Client() *http.Client { return c.phone }

// SetDown makes the phones' requests fail with "connection refused" (true) or
// reach the server again (false): `{provider: down}` for a run, which cannot
// stop the shared server.
func (c *RunClient) SetDown(down bool) {
	c.down.Store(down)
	if down {
		c.tr.CloseIdleConnections()
	}
}

// Down reports SetDown's state.
func (c *RunClient) Down() bool { return c.down.Load() }

// Restart takes the run's provider down and back over its files (faults,
// counters and used assertions go; accounts and cards stay).
func (c *RunClient) Restart() error {
	c.tr.CloseIdleConnections()
	return c.do(http.MethodPost, runRestartPath, struct{}{}, nil)
}

// SetIssuerKey makes the run trust key for the server's issuer.
func (c *RunClient) SetIssuerKey(key *browserid.PublicKey) error {
	raw, err := json.Marshal(key)
	if err != nil {
		return err
	}
	return c.do(http.MethodPost, runIssuerKeyPath, adminRequest{IssuerKey: raw}, nil)
}

// Close drops the run on the server and closes the client's connections.
func (c *RunClient) Close() error {
	err := c.do(http.MethodPost, runns.DropPath, struct{}{}, nil)
	c.tr.CloseIdleConnections()
	return err
}

// Account is Provider.Account in the run.
func (c *RunClient) Account(email string) (AccountInfo, bool, error) {
	var a AccountInfo
	err := c.do(http.MethodGet, runAccountPath+"?email="+url.QueryEscape(email), nil, &a)
	if errors.Is(err, ErrNoAccount) {
		return AccountInfo{}, false, nil
	}
	return a, err == nil, err
}

// Cards is Provider.Cards in the run.
func (c *RunClient) Cards(email string) ([]StoredCard, error) {
	var cards []StoredCard
	err := c.do(http.MethodGet, runCardsPath+"?email="+url.QueryEscape(email), nil, &cards)
	return cards, err
}

// Stats is Provider.Stats in the run.
func (c *RunClient) Stats() (Stats, error) {
	var s Stats
	err := c.do(http.MethodGet, runStatsPath, nil, &s)
	if s.Requests == nil {
		s.Requests = map[string]int{}
	}
	return s, err
}

// ResetStats is Provider.ResetStats in the run.
func (c *RunClient) ResetStats() error {
	return c.do(http.MethodPost, runResetStatsPath, struct{}{}, nil)
}

// InjectFault is Provider.InjectFault in the run.
func (c *RunClient) InjectFault(f Fault, count int) error {
	return c.do(http.MethodPost, runFaultPath, adminRequest{Fault: f, Count: count}, nil)
}

// ClearFaults is Provider.ClearFaults in the run.
func (c *RunClient) ClearFaults() error {
	return c.do(http.MethodPost, runClearFaultsPath, struct{}{}, nil)
}

// RevokePassword is Provider.RevokePassword in the run.
func (c *RunClient) RevokePassword(userName, password string) error {
	return c.do(http.MethodPost, runRevokePath, adminRequest{UserName: userName, Password: password}, nil)
}

// RevokeAllPasswords is Provider.RevokeAllPasswords in the run.
func (c *RunClient) RevokeAllPasswords(email string) (int, error) {
	var out struct {
		Revoked int `json:"revoked"`
	}
	err := c.do(http.MethodPost, runRevokeAllPath, adminRequest{Email: email}, &out)
	return out.Revoked, err
}

// DeleteAccount is Provider.DeleteAccount in the run.
func (c *RunClient) DeleteAccount(email string) error {
	return c.do(http.MethodPost, runDeleteAcctPath, adminRequest{Email: email}, nil)
}

// PutRawCard is Provider.PutRawCard in the run.
func (c *RunClient) PutRawCard(email, name string, data []byte) error {
	return c.do(http.MethodPost, runPutRawPath, adminRequest{Email: email, Name: name, Data: data}, nil)
}

// do sends one admin request of the run; an error answer becomes an error
// with the server's message (ErrNoAccount for an unknown account).
func (c *RunClient) do(method, path string, in, out any) error {
	status, data, err := jsonhttp.Do(context.Background(), c.admin, method, c.base+path, in, 64<<20)
	if err != nil {
		return fmt.Errorf("contacts provider run %s: %w", c.id, err)
	}
	if status != http.StatusOK {
		var e errorBody
		if json.Unmarshal(data, &e) != nil || e.Error == "" {
			return fmt.Errorf("contacts provider run %s: %s %s: HTTP %d: %s", c.id, method, path, status, bytes.TrimSpace(data))
		}
		if e.Error == errNoAccountMessage {
			return ErrNoAccount
		}
		if status == http.StatusUnprocessableEntity {
			return errors.New(e.Error) // the provider's own refusal, worded as in process
		}
		return fmt.Errorf("contacts provider run %s: %s %s: %s", c.id, method, path, e.Error)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("contacts provider run %s: %s %s: %w", c.id, method, path, err)
		}
	}
	return nil
}

// runRoundTripper adds the run's headers; the phones' one also refuses while
// the run is down.
type runRoundTripper struct {
	c         *RunClient
	refusable bool
}

// errRefused is what a stopped server's port answers.
var errRefused = &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}

func (t *runRoundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	if t.refusable && t.c.down.Load() {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, errRefused
	}
	r = r.Clone(r.Context())
	r.Header.Set(RunHeader, t.c.id)
	r.Header.Set(AdminTokenHeader, t.c.cfg.AdminToken)
	if t.c.cfg.Now != nil {
		r.Header.Set(ClockHeader, strconv.FormatInt(t.c.cfg.Now().UnixMilli(), 10))
	}
	return t.c.tr.RoundTrip(r)
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the transport.
func (t *runRoundTripper) CloseIdleConnections() { t.c.tr.CloseIdleConnections() }
