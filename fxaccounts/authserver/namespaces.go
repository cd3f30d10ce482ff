package authserver

// Namespaces: many scenario runs on one `mozidsim serve-fxa`, each with a
// server of its own. fxa-auth-server had no such thing (one database per
// deployment); it exists so that CI jobs can share one test server.

import (
	"net/http"
	"strings"
	"time"

	"github.com/mozidsim/mozidsim/internal/runns"
)

// RunHeader names the run (namespace) a request belongs to. A run's accounts,
// sessions, faults and virtual clock are its own: a request naming one run
// never reaches another's, and a request without the header reaches the
// server's default namespace, which no run can reset.
const RunHeader = runns.Header

// Namespace bounds, the defaults of NamespaceOptions.
const (
	DefaultMaxRuns     = runns.DefaultMax
	DefaultRunIdleTime = runns.DefaultIdle
)

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

// Namespaces routes each request to its run's server by RunHeader. The runs'
// bookkeeping (ids, bound, idle drop) is internal/runns', shared with
// serve-contacts.
type Namespaces struct {
	def   http.Handler
	opt   NamespaceOptions
	guard *httpHandler // the admin checks, with the namespaces' options
	runs  *runns.Table[http.Handler]
}

// NewNamespaces serves def's handler to requests without RunHeader and a
// server per run to the others.
func NewNamespaces(def *Server, opt NamespaceOptions) *Namespaces {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	runs := runns.New[http.Handler](runns.Options{Server: "serve-fxa", Max: opt.MaxRuns, Idle: opt.IdleTime, Now: opt.Now}, nil)
	return &Namespaces{def: def.Handler(opt.Handler), opt: opt, guard: &httpHandler{opt: opt.Handler}, runs: runs}
}

// Runs is the number of runs held now.
func (n *Namespaces) Runs() int { return n.runs.Len() }

func (n *Namespaces) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := r.Header.Get(RunHeader)
	// Without the admin API there are no runs (nothing could open one): the
	// header is ignored and the admin paths are not found, as before runs.
	if id == "" || !n.opt.Handler.Admin {
		n.def.ServeHTTP(w, r)
		return
	}
	now := n.opt.Now()
	fail := func(err error) {
		e, ok := err.(*Error)
		if re, isRun := err.(*runns.Error); isRun {
			e, ok = runError(re), true
		}
		if !ok {
			e = &Error{Code: 500, Errno: 999, ErrorText: "Internal Server Error", Message: err.Error()}
		}
		writeJSONError(w, now, e, 0)
	}
	if err := runns.CheckID(id); err != nil {
		fail(err)
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
	case r.URL.Path == runns.OpenPath && r.Method == http.MethodPost:
		// Its own Server and handler: its own accounts, sessions, faults,
		// nonces and virtual-clock lock, so runs do not even wait for each other.
		if err := n.runs.Open(id, func() (http.Handler, error) { return n.opt.New().Handler(n.opt.Handler), nil }); err != nil {
			fail(err)
			return
		}
	case r.URL.Path == runns.DropPath && r.Method == http.MethodPost:
		n.runs.Drop(id)
		writeJSON(w, now, http.StatusOK, struct{}{})
		return
	}
	h, err := n.runs.Get(id)
	if err != nil {
		fail(err)
		return
	}
	h.ServeHTTP(w, r)
}

// runError is a refused run request in the auth server's error shape.
func runError(e *runns.Error) *Error {
	if e.Status == http.StatusServiceUnavailable {
		return &Error{Code: 503, Errno: 201, ErrorText: "Service Unavailable", Message: e.Message}
	}
	return &Error{Code: e.Status, Errno: 999, ErrorText: http.StatusText(e.Status), Message: e.Message}
}
