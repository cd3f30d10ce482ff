package webphone

import (
	"bytes"
	"crypto"
	"crypto/dsa"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/phoneinternal"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
	pubphone "github.com/mozidsim/mozidsim/phone" // the public API (the tests have a type named phone)
	"github.com/mozidsim/mozidsim/scenarios"
	"github.com/mozidsim/mozidsim/trace"
)

// App is an app installed on the phone whose pages may use navigator.mozId.
type App struct {
	Name   string
	Origin string // scheme://host[:port], as a browser sends it in Origin
	Kind   string // certified | privileged | web ("" = privileged, what a third-party RP was)
}

// Config is the phone a Server simulates.
type Config struct {
	// World is a scenario file whose accounts, device and apps are used (its
	// steps are not run). Empty: one verified account alice@example.com with the
	// password "correct horse battery", nobody signed in.
	World string
	// Apps are added to the world's apps, replacing any of the same name.
	Apps []App
	// Era is "2014" or "2015": the stack the phone runs and the page shim
	// ports ([D-early] or [D-late] nsDOMIdentity). "" is the world file's era,
	// else era.Default.
	Era string
	// WallClock makes the phone's clock the real one (an RP verifying with its own
	// library accepts the assertions); otherwise it is virtual, from mid-2015,
	// moved by {advance} steps.
	WallClock bool
	// Seed seeds window ids and keys (0: the world's seed, or 1).
	Seed uint64
	// Version is written into trace headers.
	Version string
}

// DefaultAccount is the account of a phone with no world file (verified).
var DefaultAccount = scenarios.Account{Email: "alice@example.com", Password: "correct horse battery"}

// Server is one simulated phone serving real pages. All phone work happens with
// mu held, so the actors see one driver at a time, as in a scenario run.
type Server struct {
	cfg    Config
	era    era.Era
	mux    *http.ServeMux
	shim   string // shim.js with the apps filled in
	scName string
	seed   uint64

	mu sync.Mutex
	// p is the phone, built with package phone as an RP's Go test builds
	// one and driven through its public API; rec is its recorder, for the
	// message a call sent: see internal/phoneinternal.
	p             *pubphone.Phone
	rec           *sim.MemRecorder // the trace: recorded under mu, read by copies
	apps          []App            // in configuration order
	appOf         map[string]App   // by origin
	windows       []*window        // in opening order
	pageCount     map[string]int   // windows opened per app
	verifications []Verification
	faults        []Fault
	defects       map[string]string // app -> defect for its next onlogin
	closed        bool

	stop chan struct{}  // closed by Close: sockets and the clock end
	wg   sync.WaitGroup // socket readers, writers and the wall clock
}

// Verification is one POST /v2 call and its answer.
type Verification struct {
	Audience string `json:"audience"`
	Status   string `json:"status"` // okay | failure
	Reason   string `json:"reason,omitempty"`
	Email    string `json:"email,omitempty"` // fxa-verifiedEmail, when okay
}

// Fault is something wrong that the server noticed about a page or its shim.
type Fault struct {
	Kind    string `json:"kind"` // shim-fidelity | bad-frame
	Window  string `json:"window,omitempty"`
	Message string `json:"message"`
}

// New builds the phone. Close it.
func New(cfg Config) (*Server, error) {
	var flagEra era.Era
	if cfg.Era != "" {
		e, err := era.Parse(cfg.Era)
		if err != nil {
			return nil, err
		}
		flagEra = e
	}
	s := &Server{cfg: cfg, appOf: map[string]App{}, pageCount: map[string]int{}, defects: map[string]string{},
		stop: make(chan struct{}), scName: "serve", seed: cfg.Seed, era: era.Of(flagEra)}
	world := &scenarios.Scenario{Accounts: []scenarios.Account{DefaultAccount}}
	if cfg.World != "" {
		data, err := os.ReadFile(cfg.World)
		if err != nil {
			return nil, fmt.Errorf("world: %w", err)
		}
		sc, err := scenarios.Parse(cfg.World, data)
		if err != nil {
			return nil, fmt.Errorf("world: %w", err)
		}
		if sc.Kind != scenarios.KindMozID {
			return nil, fmt.Errorf("world: %s: a kind: %s scenario is a world of several phones; serve takes a mozId scenario", cfg.World, sc.Kind)
		}
		switch {
		case flagEra == "":
			s.era = era.Of(sc.Era)
		case sc.Era != "" && sc.Era != flagEra:
			return nil, fmt.Errorf("world: %s is a %s world (its era:) but the phone was asked for era %s: drop one of the two", cfg.World, sc.Era, flagEra)
		}
		s.scName = sc.Name
		if s.seed == 0 {
			s.seed = sc.Seed
		}
		world = sc
		for _, a := range sc.Apps {
			s.apps = append(s.apps, App{Name: a.Name, Origin: a.Origin, Kind: orDefault(a.Kind, "certified")})
		}
	}
	for _, a := range cfg.Apps {
		if a.Kind == "" {
			a.Kind = "privileged"
		}
		if i := slices.IndexFunc(s.apps, func(b App) bool { return b.Name == a.Name }); i >= 0 {
			s.apps[i] = a
		} else {
			s.apps = append(s.apps, a)
		}
	}
	for _, a := range s.apps {
		if err := checkApp(a); err != nil {
			return nil, err
		}
		origin := canonicalOrigin(a.Origin)
		if prev, dup := s.appOf[origin]; dup {
			return nil, fmt.Errorf("apps %s and %s have the same origin %s: a window is told apart by its origin", prev.Name, a.Name, origin)
		}
		s.appOf[origin] = a
	}
	if s.seed == 0 {
		s.seed = 1
	}
	w := phoneinternal.World{Scenario: world, Seed: s.seed, Era: s.era}
	if cfg.WallClock {
		w.Start = time.Now().UTC().Truncate(time.Second)
	}
	built, parts, err := phoneinternal.New(w)
	if err != nil {
		return nil, err
	}
	s.p, s.rec = built.(*pubphone.Phone), parts.Recorder
	s.shim = s.shimScript()
	s.routes()
	if cfg.WallClock {
		s.wg.Add(1)
		go s.wallClock()
	}
	return s, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func checkApp(a App) error {
	if a.Name == "" || strings.ContainsAny(a.Name, "[]#") {
		return fmt.Errorf("app %q: a name is required, without [ ] or #", a.Name)
	}
	if _, err := appStatus(a.Kind); err != nil {
		return fmt.Errorf("app %s: %v", a.Name, err)
	}
	u, err := url.Parse(a.Origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return fmt.Errorf("app %s: origin %q is not scheme://host[:port] (e.g. http://127.0.0.1:8000)", a.Name, a.Origin)
	}
	return nil
}

func canonicalOrigin(o string) string { return strings.TrimSuffix(strings.ToLower(o), "/") }

// appStatus is the principal's app status; serve's default kind is
// privileged, what a third-party RP was.
func appStatus(kind string) (wire.AppStatus, error) {
	return scenarios.AppStatus(orDefault(kind, "privileged"))
}

// Era is the stack the phone runs.
func (s *Server) Era() era.Era { return s.era }

// Apps are the phone's apps, in configuration order.
func (s *Server) Apps() []App { return slices.Clone(s.apps) }

// Close ends every window and stops the phone. No goroutine is left behind.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.stop)
	for _, w := range s.windows {
		w.shutdown(closeGoingAway, "the phone is shutting down")
	}
	s.mu.Unlock()
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.p.Close()
}

// wallClock keeps the virtual clock on the real one (they started together).
func (s *Server) wallClock() {
	defer s.wg.Done()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-s.stop:
			return
		case now := <-tick.C:
			s.mu.Lock()
			if !s.closed {
				if lag := now.Sub(s.p.Now()); lag > 0 {
					if err := s.p.Advance(lag); err != nil {
						s.faults = append(s.faults, Fault{Kind: "clock", Message: err.Error()})
					}
				}
			}
			s.mu.Unlock()
		}
	}
}

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /mozid-shim.js", s.serveShim)
	m.HandleFunc("GET /ws", s.serveSocket)
	m.HandleFunc("GET /{$}", s.servePhone)
	m.HandleFunc("POST /v2", s.serveVerify)
	m.HandleFunc("GET /.well-known/browserid", s.serveWellKnown)
	m.HandleFunc("GET /__mozidsim/state", driverOnly(s.serveState))
	m.HandleFunc("POST /__mozidsim/steps", driverOnly(s.serveSteps))
	m.HandleFunc("GET /__mozidsim/trace", driverOnly(s.serveTrace))
	m.HandleFunc("POST /__mozidsim/next-assertion", driverOnly(s.serveDefect))
	s.mux = m
}

// Handler serves the phone:
//
//	GET  /mozid-shim.js                the navigator.mozId shim for a page's <script>
//	GET  /ws                           one websocket per window (Origin: a configured app's)
//	GET  /                             the phone's screens, for a person
//	POST /v2                           verify an assertion at the phone's time
//	GET  /.well-known/browserid        the FxA issuer's public key
//	GET  /__mozidsim/state             the phone, its windows and verifications (JSON)
//	POST /__mozidsim/steps             run scenario steps (JSON array) until idle
//	GET  /__mozidsim/trace             the run so far, as a mozidsim-trace/1 file
//	POST /__mozidsim/next-assertion    make an app's next assertion wrong (test-only)
func (s *Server) Handler() http.Handler { return s.mux }

// driverOnly keeps the driver API for the phone's own page and for programs:
// a page of another origin (an RP page, or any site the person visits) may
// not drive the phone, and a DNS-rebound host name is refused. POSTs must be
// JSON, which no page of another origin can send without a CORS preflight
// this server never grants.
func driverOnly(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !loopbackOrIP(r.Host) {
			writeError(w, http.StatusForbidden, fmt.Sprintf("host %q: the driver API answers to an IP address or localhost only", r.Host))
			return
		}
		if o := r.Header.Get("Origin"); o != "" && o != "http://"+r.Host && o != "https://"+r.Host {
			writeError(w, http.StatusForbidden, fmt.Sprintf("origin %s may not drive the phone (only the phone's own page and programs may)", o))
			return
		}
		if r.Method == http.MethodPost && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			writeError(w, http.StatusUnsupportedMediaType, "send JSON (Content-Type: application/json)")
			return
		}
		h(w, r)
	}
}

func loopbackOrIP(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	return host == "localhost" || net.ParseIP(host) != nil
}

// maxBody bounds every request body the driver API and /v2 read.
const maxBody = 1 << 20

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		writeError(w, http.StatusUnsupportedMediaType, "send JSON (Content-Type: application/json)")
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body: %v", err))
		return nil, false
	}
	return body, true
}

// jsonStrict decodes one JSON object, refusing unknown fields.
func jsonStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("body: %v", err)
	}
	return nil
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

// State is GET /__mozidsim/state.
type State struct {
	Now           time.Time      `json:"now"`
	Era           string         `json:"era"`
	SignedIn      *string        `json:"signedIn"`
	Dialog        *DialogState   `json:"dialog"`
	Windows       []WindowState  `json:"windows"`
	Verifications []Verification `json:"verifications"`
	Faults        []Fault        `json:"faults"`
}

// DialogState is what the FxA dialog shows.
type DialogState struct {
	Screen  string `json:"screen"`
	Overlay string `json:"overlay"`
	Busy    bool   `json:"busy,omitempty"`
}

// WindowState is one window that opened a socket.
type WindowState struct {
	ID     string       `json:"id"`
	App    string       `json:"app"`
	Page   string       `json:"page"` // the page's name in the trace (app, app#2, ...)
	Origin string       `json:"origin"`
	Open   bool         `json:"open"`
	Calls  []CallRecord `json:"calls"`
	Log    []string     `json:"log"`
}

// CallRecord is one navigator.mozId call a window made.
type CallRecord struct {
	Name      string `json:"name"`
	UserInput bool   `json:"userInput"`
}

// State is the phone now.
func (s *Server) State() (State, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return State{}, errors.New("the phone is closed")
	}
	st := State{Now: s.p.Now(), Era: s.era.String(), Windows: []WindowState{},
		Verifications: slices.Clone(s.verifications), Faults: slices.Clone(s.faults)}
	if st.Verifications == nil {
		st.Verifications = []Verification{}
	}
	if st.Faults == nil {
		st.Faults = []Fault{}
	}
	user, err := s.p.SignedIn()
	if err != nil {
		return State{}, err
	}
	if user != "" {
		st.SignedIn = &user
	}
	screen, overlay, open, err := s.p.Dialog()
	if err != nil {
		return State{}, err
	}
	if open {
		busy, err := s.p.DialogBusy()
		if err != nil {
			return State{}, err
		}
		st.Dialog = &DialogState{Screen: screen, Overlay: overlay, Busy: busy}
	}
	for _, w := range s.windows {
		st.Windows = append(st.Windows, w.state())
	}
	return st, nil
}

func (s *Server) serveState(w http.ResponseWriter, r *http.Request) {
	st, err := s.State()
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// Steps runs scenario steps, each until the phone is idle (phone.Do: a
// refused dialog action is reported with its reason).
func (s *Server) Steps(data []byte) error {
	if _, err := scenarios.ParseSteps(data); err != nil {
		return err // before the lock: a bad request waits for no one
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("the phone is closed")
	}
	return s.p.Do(string(data))
}

func (s *Server) serveSteps(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	if err := s.Steps(body); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// WriteTrace writes the run so far as a trace file.
func (s *Server) WriteTrace(out io.Writer) error {
	s.mu.Lock()
	events := s.rec.Events()
	start := s.p.Start()
	s.mu.Unlock()
	h := trace.Header{Format: trace.Format, Version: s.cfg.Version, Scenario: s.scName, File: s.cfg.World, Seed: s.seed, Era: s.era.String(), Start: start}
	return trace.WriteJSONL(out, h, events)
}

func (s *Server) serveTrace(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	if err := s.WriteTrace(&buf); err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/jsonl")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

// serveVerify is browserid-verifier's /v2 (package verifier's handler, judged
// at the phone's clock), recording each call and its answer for the driver.
func (s *Server) serveVerify(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body: %v", err))
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(raw))
	rec := httptest.NewRecorder()
	s.mu.Lock()
	s.p.VerifierHandler().ServeHTTP(rec, r)
	s.mu.Unlock()
	var req struct {
		Audience any `json:"audience"`
	}
	_ = json.Unmarshal(raw, &req)
	var answer struct {
		Status    string         `json:"status"`
		Reason    string         `json:"reason"`
		IdpClaims map[string]any `json:"idpClaims"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &answer)
	v := Verification{Audience: fmt.Sprint(req.Audience), Status: answer.Status, Reason: answer.Reason}
	v.Email, _ = answer.IdpClaims["fxa-verifiedEmail"].(string)
	s.record(v)
	for k, vals := range rec.Header() {
		w.Header()[k] = vals
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

func (s *Server) record(v Verification) {
	s.mu.Lock()
	s.verifications = append(s.verifications, v)
	s.mu.Unlock()
}

func (s *Server) serveWellKnown(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	_, key := s.p.Issuer()
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "max-age=10")
	_ = json.NewEncoder(w).Encode(map[string]any{"public-key": publicKeyJSON(key), "authentication": "/.well-known/browserid/nonexistent.html", "provisioning": "/.well-known/browserid/nonexistent.html"})
}

// publicKeyJSON is the issuer's key as a support document writes it.
func publicKeyJSON(key crypto.PublicKey) *browserid.PublicKey {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return &browserid.PublicKey{RSA: k}
	case *dsa.PublicKey:
		return &browserid.PublicKey{DSA: k}
	}
	return nil
}
