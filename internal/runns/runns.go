// Package runns holds the runs (namespaces) of a shared test server: many
// scenario runs on one `mozidsim serve-fxa` or `mozidsim serve-contacts`, each
// with state of its own, named by the client in a header on every request.
// Neither fxa-auth-server nor fruux's provider had such a thing (one database
// per deployment); it exists so that CI jobs can share one test server.
//
// A Table knows nothing of HTTP bodies or the servers' error shapes: it checks
// ids, bounds how many runs are held, drops idle ones and closes what it
// drops; each server turns its errors into its own answers.
package runns

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"sync"
	"time"
)

// Header names the run a request belongs to. A request naming one run never
// reaches another's; a request without it reaches the server's default
// namespace, which no run can reset.
const Header = "X-Mozidsim-Run"

// Admin paths every server with runs serves under a run: opening (a run
// starts fresh, or is replaced when its id was in use) and dropping.
const (
	OpenPath = "/__mozidsim/reset"
	DropPath = "/__mozidsim/drop"
)

// Bounds, the defaults of Options.
const (
	DefaultMax  = 64
	DefaultIdle = 10 * time.Minute
)

var idPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// Error is a refused run request: the HTTP status a server should answer
// and a message naming what was wrong.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string { return e.Message }

// CheckID refuses an id that is not 1 to 64 of A-Za-z0-9._- (400).
func CheckID(id string) *Error {
	if !idPattern.MatchString(id) {
		return &Error{http.StatusBadRequest, fmt.Sprintf("%s %q: want 1 to 64 letters, digits, '.', '_' or '-'", Header, id)}
	}
	return nil
}

// Options configure a Table.
type Options struct {
	// Server names the command whose --max-runs flag sets Max, for messages
	// ("serve-fxa").
	Server string
	// Max bounds the runs held at once (DefaultMax when 0): one more is
	// refused with 503 until one is dropped or idles out.
	Max int
	// Idle drops a run no request has named for that long (DefaultIdle when
	// 0): a run whose client died frees its place.
	Idle time.Duration
	// Now is the wall clock idle times are measured on (time.Now when nil).
	Now func() time.Time
}

// Table holds the runs of one server: values of type T (a run's server or
// handler). close, when not nil, is called for every run dropped, replaced
// or idled out, outside the table's lock, so it may wait for requests under
// way in that run.
type Table[T any] struct {
	opt   Options
	close func(T)

	mu   sync.Mutex
	runs map[string]*entry[T]
}

type entry[T any] struct {
	v    T
	last time.Time // guarded by Table.mu
}

// New makes an empty table.
func New[T any](opt Options, close func(T)) *Table[T] {
	if opt.Max <= 0 {
		opt.Max = DefaultMax
	}
	if opt.Idle <= 0 {
		opt.Idle = DefaultIdle
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Table[T]{opt: opt, close: close, runs: map[string]*entry[T]{}}
}

// Idle is the idle time after which a run is dropped.
func (t *Table[T]) Idle() time.Duration { return t.opt.Idle }

// Len is the number of runs held now.
func (t *Table[T]) Len() int {
	t.mu.Lock()
	gone := t.sweepLocked(t.opt.Now())
	n := len(t.runs)
	t.mu.Unlock()
	t.closeAll(gone)
	return n
}

// Open gives run id a fresh value made by mk, replacing (and closing) the one
// it had. A new id past Max is refused with 503; mk's error is returned as is.
func (t *Table[T]) Open(id string, mk func() (T, error)) error {
	if err := CheckID(id); err != nil {
		return err
	}
	now := t.opt.Now()
	t.mu.Lock()
	gone := t.sweepLocked(now)
	_, reopen := t.runs[id]
	full := !reopen && len(t.runs) >= t.opt.Max
	t.mu.Unlock()
	t.closeAll(gone)
	if full {
		return t.fullError()
	}
	// Made outside the lock: making a run may take a while (a database to
	// create) and other runs need not wait for it.
	v, err := mk()
	if err != nil {
		return err
	}
	t.mu.Lock()
	old, had := t.runs[id]
	if !had && len(t.runs) >= t.opt.Max { // another client took the last place meanwhile
		t.mu.Unlock()
		t.closeOne(v)
		return t.fullError()
	}
	t.runs[id] = &entry[T]{v: v, last: now}
	t.mu.Unlock()
	if had {
		t.closeOne(old.v)
	}
	return nil
}

func (t *Table[T]) fullError() *Error {
	return &Error{http.StatusServiceUnavailable, fmt.Sprintf("this server holds %d runs, its limit (%s --max-runs): wait for one to end or idle out (%v)",
		t.opt.Max, t.opt.Server, t.opt.Idle)}
}

// Get returns run id's value and marks the run busy now; an unknown (never
// opened, dropped or idled out) id is a 400 naming how a run starts.
func (t *Table[T]) Get(id string) (T, error) {
	now := t.opt.Now()
	t.mu.Lock()
	gone := t.sweepLocked(now)
	e := t.runs[id]
	if e != nil {
		e.last = now
	}
	t.mu.Unlock()
	t.closeAll(gone)
	if e == nil {
		var zero T
		return zero, &Error{http.StatusBadRequest, fmt.Sprintf("%s %q: no such run (never opened, dropped, or idle for %v): a run starts with POST %s",
			Header, id, t.opt.Idle, OpenPath)}
	}
	return e.v, nil
}

// Drop frees run id (nothing when it is not held).
func (t *Table[T]) Drop(id string) {
	t.mu.Lock()
	e := t.runs[id]
	delete(t.runs, id)
	t.mu.Unlock()
	if e != nil {
		t.closeOne(e.v)
	}
}

// Close drops every run.
func (t *Table[T]) Close() {
	t.mu.Lock()
	var gone []T
	for id, e := range t.runs {
		gone = append(gone, e.v)
		delete(t.runs, id)
	}
	t.mu.Unlock()
	t.closeAll(gone)
}

// sweepLocked removes idle runs and returns them, to be closed once t.mu is
// released.
func (t *Table[T]) sweepLocked(now time.Time) []T {
	var gone []T
	for id, e := range t.runs {
		if now.Sub(e.last) > t.opt.Idle {
			gone = append(gone, e.v)
			delete(t.runs, id)
		}
	}
	return gone
}

func (t *Table[T]) closeAll(vs []T) {
	for _, v := range vs {
		t.closeOne(v)
	}
}

func (t *Table[T]) closeOne(v T) {
	if t.close != nil {
		t.close(v)
	}
}

// NewID draws a run id, "run-" and 24 hex digits. From crypto/rand, not a
// simulation's seeded source: the id is not part of the simulated world, and
// two runs of one seed must not collide.
func NewID() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("run id: %w", err)
	}
	return "run-" + hex.EncodeToString(b), nil
}

// Transport names a run in every request it carries (Header), below whatever
// records the conversation, so the id never enters a trace: a run traces the
// same whatever id it drew.
type Transport struct {
	ID   string
	Next http.RoundTripper // http.DefaultTransport when nil
}

// RoundTrip sends a copy of r with the run's header.
func (t *Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(Header, t.ID)
	next := t.Next
	if next == nil {
		next = http.DefaultTransport
	}
	return next.RoundTrip(r)
}
