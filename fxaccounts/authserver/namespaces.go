package authserver

// Namespaces: many scenario runs on one `mozidsim serve-fxa`, each with a
// server of its own. fxa-auth-server had no such thing (one database per
// deployment); it exists so that CI jobs can share one test server.

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
)

// RunHeader names the run (namespace) a request belongs to. A run's accounts,
// sessions, faults and virtual clock are its own: a request naming one run
// never reaches another's, and a request without the header reaches the
// server's default namespace, which no run can reset.
const RunHeader = "X-Mozidsim-Run"

// Run admin paths. Opening is POST /__mozidsim/reset with RunHeader: a run
// starts on a fresh server (created, or replaced if the id was in use by
// the same client); dropping frees it.
const dropPath = "/__mozidsim/drop"

// Namespace bounds, the defaults of NamespaceOptions.
const (
	DefaultMaxRuns     = 64
	DefaultRunIdleTime = 10 * time.Minute
)

var runIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// NamespaceOptions configure Namespaces.
type NamespaceOptions struct {
	// New makes the server of a new run (the same issuer and key as the
	// default one, its own state).
	New func() *Server
	// Handler is the HTTP API every namespace serves (admin token, hosts,
	// virtual clock); Admin must be on, or runs cannot be opened.
	Handler HandlerOptions
	// MaxRuns bounds the runs held at once (DefaultMaxRuns when 0): one more
	// is refused with 503 until one is dropped or idles out.
	MaxRuns int
	// IdleTime drops a run no request has named for that long
	// (DefaultRunIdleTime when 0): a run whose client died frees its place.
	IdleTime time.Duration
	// Now is the wall clock idle times are measured on (time.Now when nil).
	Now func() time.Time
}

// Namespaces routes each request to its run's server by RunHeader.
type Namespaces struct {
	def   http.Handler
	opt   NamespaceOptions
	guard *httpHandler // the admin checks, with the namespaces' options

	mu   sync.Mutex
	runs map[string]*namespace
}

type namespace struct {
	h    http.Handler
	last time.Time // guarded by Namespaces.mu
}

// NewNamespaces serves def's handler to requests without RunHeader and a
// server per run to the others.
func NewNamespaces(def *Server, opt NamespaceOptions) *Namespaces {
	if opt.MaxRuns <= 0 {
		opt.MaxRuns = DefaultMaxRuns
	}
	if opt.IdleTime <= 0 {
		opt.IdleTime = DefaultRunIdleTime
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Namespaces{def: def.Handler(opt.Handler), opt: opt, guard: &httpHandler{opt: opt.Handler}, runs: map[string]*namespace{}}
}

// Runs is the number of runs held now.
func (n *Namespaces) Runs() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sweep(n.opt.Now())
	return len(n.runs)
}

func (n *Namespaces) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := r.Header.Get(RunHeader)
	// Without the admin API there are no runs (nothing could open one): the
	// header is ignored and the admin paths are not found, as before runs.
	if id == "" || !n.opt.Handler.Admin {
		n.def.ServeHTTP(w, r)
		return
	}
	now := n.opt.Now()
	fail := func(e *Error) { writeJSONError(w, now, e, 0) }
	if !runIDPattern.MatchString(id) {
		fail(&Error{Code: 400, Errno: 999, ErrorText: "Bad Request", Message: fmt.Sprintf("%s %q: want 1 to 64 letters, digits, '.', '_' or '-'", RunHeader, id)})
		return
	}
	// A run is an admin power (it resets and fakes the clock); the token is
	// checked before the id is even looked up, so ids cannot be probed.
	what := RunHeader + " (a run of its own)"
	if strings.HasPrefix(r.URL.Path, "/__mozidsim/") {
		what = "the admin API"
	}
	if err := n.guard.checkAdmin(r, what); err != nil {
		fail(err)
		return
	}
	switch {
	case r.URL.Path == "/__mozidsim/reset" && r.Method == http.MethodPost:
		if err := n.open(id, now); err != nil {
			fail(err)
			return
		}
	case r.URL.Path == dropPath && r.Method == http.MethodPost:
		n.mu.Lock()
		delete(n.runs, id)
		n.mu.Unlock()
		writeJSON(w, now, http.StatusOK, struct{}{})
		return
	}
	n.mu.Lock()
	n.sweep(now)
	ns := n.runs[id]
	if ns != nil {
		ns.last = now
	}
	n.mu.Unlock()
	if ns == nil {
		fail(&Error{Code: 400, Errno: 999, ErrorText: "Bad Request", Message: fmt.Sprintf("%s %q: no such run (never opened, dropped, or idle for %v): a run starts with POST /__mozidsim/reset", RunHeader, id, n.opt.IdleTime)})
		return
	}
	ns.h.ServeHTTP(w, r)
}

// open gives run id a fresh server.
func (n *Namespaces) open(id string, now time.Time) *Error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sweep(now)
	if _, reopen := n.runs[id]; !reopen && len(n.runs) >= n.opt.MaxRuns {
		return &Error{Code: 503, Errno: 201, ErrorText: "Service Unavailable", Message: fmt.Sprintf("this server holds %d runs, its limit (serve-fxa --max-runs): wait for one to end or idle out (%v)", n.opt.MaxRuns, n.opt.IdleTime)}
	}
	// Its own Server and handler: its own accounts, sessions, faults, nonces
	// and virtual-clock lock, so runs do not even wait for each other.
	n.runs[id] = &namespace{h: n.opt.New().Handler(n.opt.Handler), last: now}
	return nil
}

// sweep drops idle runs; n.mu is held.
func (n *Namespaces) sweep(now time.Time) {
	for id, ns := range n.runs {
		if now.Sub(ns.last) > n.opt.IdleTime {
			delete(n.runs, id)
		}
	}
}
