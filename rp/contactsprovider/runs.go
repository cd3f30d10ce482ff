package contactsprovider

// Runs: many scenario runs on one `mozidsim serve-contacts`, each with a
// provider of its own (accounts, address books, device passwords, faults,
// counters, clock and random source). fruux had no such thing; it exists so
// that CI jobs can share one test server, as they share one serve-fxa. The
// bookkeeping (ids, --max-runs, idle drop) is internal/runns', shared with
// serve-fxa.

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/runns"
	"github.com/mozidsim/mozidsim/internal/seeded"
	"github.com/mozidsim/mozidsim/rp/verifier"
)

// Headers a run's requests carry, the same as serve-fxa's.
const (
	// RunHeader names the run a request belongs to; without it a request
	// reaches the default namespace, the provider's own data (what vdirsyncer
	// and other CardDAV clients use), which no run can see or reset.
	RunHeader = runns.Header
	// AdminTokenHeader carries RunOptions.AdminToken: a run is an admin power
	// (it fakes the clock and the trusted issuer key), so every request of a
	// run must carry it, the phone's CardDAV requests included.
	AdminTokenHeader = "X-Mozidsim-Admin-Token"
	// ClockHeader sets the run's clock (ms since the epoch), the simulated
	// phone's virtual time: accounts, cards and assertion checks are as of it.
	ClockHeader = "X-Mozidsim-Now"
)

// RunOptions let clients open runs on a Server (Config.Runs).
type RunOptions struct {
	// AdminToken is required: requests naming a run without it are refused.
	AdminToken string
	// Max bounds the runs held at once (runns.DefaultMax, 64, when 0).
	Max int
	// Idle drops a run no request named for that long (10 minutes when 0).
	Idle time.Duration
	// Now is the wall clock idle times are measured on (time.Now when nil).
	Now func() time.Time
}

// runsDir is where runs keep their databases, under Config.Dir; emptied at
// start (runs do not outlive the server) and each run's part when it ends.
const runsDir = "runs"

// runs serves requests: to the default provider without RunHeader, to the
// run's own provider with it.
type runs struct {
	base  Config       // the server's configuration, each run's starting point
	def   http.Handler // the default namespace
	token string
	dir   string
	table *runns.Table[*run]
}

func newRuns(base Config, def http.Handler) (*runs, error) {
	if base.Runs.AdminToken == "" {
		return nil, errors.New("contactsprovider: Config.Runs needs an AdminToken (runs are an admin power)")
	}
	dir := filepath.Join(base.Dir, runsDir)
	if err := os.RemoveAll(dir); err != nil { // a killed server's runs
		return nil, fmt.Errorf("contactsprovider: %w", err)
	}
	opt := runns.Options{Server: "serve-contacts", Max: base.Runs.Max, Idle: base.Runs.Idle, Now: base.Runs.Now}
	return &runs{base: base, def: def, token: base.Runs.AdminToken, dir: dir, table: runns.New(opt, (*run).close)}, nil
}

// Len is the number of runs held now.
func (rs *runs) Len() int { return rs.table.Len() }

func (rs *runs) close() {
	rs.table.Close()
	_ = os.RemoveAll(rs.dir)
}

func (rs *runs) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := r.Header.Get(RunHeader)
	if id == "" {
		rs.def.ServeHTTP(w, r)
		return
	}
	if err := runns.CheckID(id); err != nil {
		writeError(w, err.Status, err.Message)
		return
	}
	// The token is checked before the id is looked up, so ids cannot be probed.
	if subtle.ConstantTimeCompare([]byte(r.Header.Get(AdminTokenHeader)), []byte(rs.token)) != 1 {
		writeError(w, http.StatusUnauthorized, fmt.Sprintf("%s (a run of its own) is an admin power: send the token serve-contacts printed at start in %s "+
			"(mozidsim run --admin-token or MOZIDSIM_ADMIN_TOKEN)", RunHeader, AdminTokenHeader))
		return
	}
	switch {
	case r.URL.Path == runns.OpenPath && r.Method == http.MethodPost:
		rs.open(w, r, id)
		return
	case r.URL.Path == runns.DropPath && r.Method == http.MethodPost:
		rs.table.Drop(id)
		writeJSON(w, http.StatusOK, struct{}{})
		return
	}
	ru, err := rs.table.Get(id)
	if err != nil {
		var re *runns.Error
		if errors.As(err, &re) {
			writeError(w, re.Status, re.Message)
		} else {
			writeError(w, http.StatusInternalServerError, err.Error())
		}
		return
	}
	if v := r.Header.Get(ClockHeader); v != "" {
		ms, err := strconv.ParseInt(v, 10, 64)
		if err != nil || ms <= 0 {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("%s %q is not milliseconds since the epoch", ClockHeader, v))
			return
		}
		ru.now.Store(ms)
	}
	if strings.HasPrefix(r.URL.Path, "/__mozidsim/") {
		ru.admin(w, r)
		return
	}
	_, h := ru.provider()
	if h == nil {
		writeError(w, http.StatusServiceUnavailable, "the run has ended")
		return
	}
	h.ServeHTTP(w, r)
}

// OpenRequest is the body of POST /__mozidsim/reset under a run; every field
// may be left out.
type OpenRequest struct {
	// Seed makes the run's user names and passwords a function of it (as an
	// in-process provider given SeededRand(*Seed)); none: crypto/rand.
	Seed *uint64 `json:"seed,omitempty"`
	// Origin is the audience the run's assertions name (default the server's
	// --origin): a scenario's https://moz.fruux.net. Clients reach it at the
	// server's address (RunClient does).
	Origin string `json:"origin,omitempty"`
	// IssuerKey is the key the run trusts for the server's issuer (default:
	// the server's, from --fxa-url or --issuer-key): a run whose phones carry
	// their own FxA server names its key.
	IssuerKey json.RawMessage `json:"issuerKey,omitempty"`
}

func (rs *runs) open(w http.ResponseWriter, r *http.Request, id string) {
	var req OpenRequest
	if !readAdmin(w, r, &req) {
		return
	}
	origin := rs.base.Origin
	if req.Origin != "" {
		u, err := url.Parse(req.Origin)
		if err != nil || u.Scheme != "https" || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("origin %q is not an https origin like https://moz.fruux.net", req.Origin))
			return
		}
		origin = "https://" + u.Host
	}
	var key *browserid.PublicKey
	if len(req.IssuerKey) > 0 {
		var err error
		if key, err = browserid.ParsePublicKey(req.IssuerKey); err != nil {
			writeError(w, http.StatusBadRequest, "issuerKey: not a BrowserID public key: "+err.Error())
			return
		}
	}
	err := rs.table.Open(id, func() (*run, error) { return rs.newRun(id, origin, req.Seed, key) })
	var re *runns.Error
	switch {
	case errors.As(err, &re):
		writeError(w, re.Status, re.Message)
	case err != nil:
		writeError(w, http.StatusInternalServerError, err.Error())
	default:
		writeJSON(w, http.StatusOK, map[string]string{"origin": origin})
	}
}

// run is one run's provider and what it was made from.
type run struct {
	dir string
	cfg Config
	now atomic.Int64                        // the run's clock, ms; 0: the wall clock
	key atomic.Pointer[browserid.PublicKey] // the trusted issuer key; nil: the server's lookup

	mu   sync.Mutex
	prov *Provider    // nil after close
	h    http.Handler // prov's
}

func (rs *runs) newRun(id, origin string, seed *uint64, key *browserid.PublicKey) (*run, error) {
	if err := os.MkdirAll(rs.dir, 0o700); err != nil {
		return nil, err
	}
	// A directory of its own per opening: a run reopened under the same id
	// never meets its predecessor's files, even while those are being closed.
	dir, err := os.MkdirTemp(rs.dir, id+"-")
	if err != nil {
		return nil, err
	}
	ru := &run{dir: dir}
	ru.key.Store(key)
	base := rs.base.Verifier
	ru.cfg = Config{
		Dir: dir, Origin: origin, Issuer: rs.base.Issuer, Clock: ru.clock, Rand: rand.Reader,
		NoSync:   true, // a run's data goes when the run does
		Verifier: &verifier.Verifier{Now: ru.clock, LookupIssuerKey: ru.lookup(base.LookupIssuerKey), TrustedIssuers: base.TrustedIssuers, CertCacheSize: base.CertCacheSize},
	}
	if seed != nil {
		ru.cfg.Rand = SeededRand(*seed)
	}
	if ru.prov, err = New(ru.cfg); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	ru.h = ru.prov.Handler()
	return ru, nil
}

func (ru *run) clock() time.Time {
	if ms := ru.now.Load(); ms > 0 {
		return time.UnixMilli(ms).UTC()
	}
	return time.Now()
}

func (ru *run) lookup(server verifier.KeyLookup) verifier.KeyLookup {
	issuer := ru.cfg.Issuer
	return func(iss, kid string) (*browserid.PublicKey, error) {
		if k := ru.key.Load(); k != nil && (issuer == "" || iss == issuer) {
			return k, nil
		}
		return server(iss, kid)
	}
}

func (ru *run) provider() (*Provider, http.Handler) {
	ru.mu.Lock()
	defer ru.mu.Unlock()
	return ru.prov, ru.h
}

// restart is the run's provider going down and coming back over its files,
// as Server.Stop and Start: faults, counters and the table of used
// assertions go; accounts and cards stay.
func (ru *run) restart() error {
	ru.mu.Lock()
	defer ru.mu.Unlock()
	if ru.prov == nil {
		return errors.New("the run has ended")
	}
	if err := ru.prov.Close(); err != nil {
		return err
	}
	p, err := New(ru.cfg)
	if err != nil {
		ru.prov, ru.h = nil, nil
		return err
	}
	ru.prov, ru.h = p, p.Handler()
	return nil
}

// close ends the run: requests under way get 503, its files go.
func (ru *run) close() {
	ru.mu.Lock()
	p := ru.prov
	ru.prov, ru.h = nil, nil
	ru.mu.Unlock()
	if p != nil {
		_ = p.Close() // waits for transactions under way
	}
	_ = os.RemoveAll(ru.dir)
}

// SeededRand is a deterministic source of user names and passwords, so that
// a scenario's logs repeat from run to run, in process or on serve-contacts.
func SeededRand(seed uint64) io.Reader {
	return seeded.Reader(seed, 0x636f6e7461637473)
}

// maxAdminBody bounds an admin request (put-raw carries a card).
const maxAdminBody = MaxCardBody + 64<<10

// readAdmin reads a JSON admin body strictly (an empty body is {}).
func readAdmin(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		writeError(w, http.StatusUnsupportedMediaType, "send JSON (Content-Type: application/json)")
		return false
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAdminBody))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body over %d bytes", maxAdminBody))
		return false
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("%s: %v", r.URL.Path, err))
		return false
	}
	return true
}

// Run admin paths: what a scenario's provider steps and expectations do to
// an in-process Provider, over HTTP (RunClient speaks them). Each needs
// RunHeader and AdminTokenHeader; POST bodies are JSON:
//
//	POST /__mozidsim/reset           OpenRequest -> {"origin"}: a fresh run
//	POST /__mozidsim/drop            the run and its files go
//	POST /__mozidsim/restart         the run's provider restarts over its files
//	POST /__mozidsim/issuer-key      {"issuerKey"}: the key the run trusts
//	GET  /__mozidsim/account?email=E AccountInfo, or 404 "contactsprovider: no such account"
//	GET  /__mozidsim/cards?email=E   []StoredCard
//	GET  /__mozidsim/stats           Stats;  POST /__mozidsim/reset-stats
//	POST /__mozidsim/fault           {"fault","count"};  POST /__mozidsim/clear-faults
//	POST /__mozidsim/revoke-password {"userName","password"}
//	POST /__mozidsim/revoke-all      {"email"} -> {"revoked"}
//	POST /__mozidsim/delete-account  {"email"}
//	POST /__mozidsim/put-raw         {"email","name","data" (base64)}
//
// A refusal by the provider itself is 422 {"error"} in its in-process words.
const (
	runRestartPath      = "/__mozidsim/restart"
	runIssuerKeyPath    = "/__mozidsim/issuer-key"
	runAccountPath      = "/__mozidsim/account"
	runCardsPath        = "/__mozidsim/cards"
	runStatsPath        = "/__mozidsim/stats"
	runResetStatsPath   = "/__mozidsim/reset-stats"
	runFaultPath        = "/__mozidsim/fault"
	runClearFaultsPath  = "/__mozidsim/clear-faults"
	runRevokePath       = "/__mozidsim/revoke-password"
	runRevokeAllPath    = "/__mozidsim/revoke-all"
	runDeleteAcctPath   = "/__mozidsim/delete-account"
	runPutRawPath       = "/__mozidsim/put-raw"
	errNoAccountMessage = "contactsprovider: no such account"
)

// adminRequest is every admin body's fields (each path reads its own).
type adminRequest struct {
	Email     string          `json:"email,omitempty"`
	UserName  string          `json:"userName,omitempty"`
	Password  string          `json:"password,omitempty"`
	Fault     Fault           `json:"fault,omitempty"`
	Count     int             `json:"count,omitempty"`
	Name      string          `json:"name,omitempty"`
	Data      []byte          `json:"data,omitempty"`
	IssuerKey json.RawMessage `json:"issuerKey,omitempty"`
}

func (ru *run) admin(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == runRestartPath && r.Method == http.MethodPost {
		if err := ru.restart(); err != nil {
			writeError(w, http.StatusInternalServerError, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, struct{}{})
		return
	}
	p, _ := ru.provider()
	if p == nil {
		writeError(w, http.StatusServiceUnavailable, "the run has ended")
		return
	}
	var req adminRequest
	if r.Method == http.MethodPost && !readAdmin(w, r, &req) {
		return
	}
	get, post := r.Method == http.MethodGet, r.Method == http.MethodPost
	var (
		out any = struct{}{}
		err error
	)
	switch {
	case get && r.URL.Path == runAccountPath:
		a, ok := p.Account(r.URL.Query().Get("email"))
		if !ok {
			err = ErrNoAccount
		}
		out = a
	case get && r.URL.Path == runCardsPath:
		out, err = p.Cards(r.URL.Query().Get("email"))
	case get && r.URL.Path == runStatsPath:
		out = p.Stats()
	case post && r.URL.Path == runResetStatsPath:
		p.ResetStats()
	case post && r.URL.Path == runFaultPath:
		err = p.InjectFault(req.Fault, req.Count)
	case post && r.URL.Path == runClearFaultsPath:
		p.ClearFaults()
	case post && r.URL.Path == runRevokePath:
		err = p.RevokePassword(req.UserName, req.Password)
	case post && r.URL.Path == runRevokeAllPath:
		var n int
		n, err = p.RevokeAllPasswords(req.Email)
		out = map[string]int{"revoked": n}
	case post && r.URL.Path == runDeleteAcctPath:
		err = p.DeleteAccount(req.Email)
	case post && r.URL.Path == runPutRawPath:
		err = p.PutRawCard(req.Email, req.Name, req.Data)
	case post && r.URL.Path == runIssuerKeyPath:
		var key *browserid.PublicKey
		if key, err = browserid.ParsePublicKey(req.IssuerKey); err != nil {
			err = fmt.Errorf("issuerKey: not a BrowserID public key: %w", err)
		} else {
			ru.key.Store(key)
		}
	default:
		writeError(w, http.StatusNotFound, fmt.Sprintf("%s %s: no such admin request in a run", r.Method, r.URL.Path))
		return
	}
	switch {
	case errors.Is(err, ErrNoAccount):
		writeError(w, http.StatusNotFound, errNoAccountMessage)
	case err != nil: // the provider's own refusal (unknown fault, bad name, ...)
		writeError(w, http.StatusUnprocessableEntity, err.Error())
	default:
		writeJSON(w, http.StatusOK, out)
	}
}
