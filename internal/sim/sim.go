// Package sim is the actor runtime every mozidsim component runs on. It stands for
// what Gecko and Gaia got from their event loops and message managers: each historic
// component (nsDOMIdentity, DOMIdentity, FirefoxAccounts.jsm, the Gaia System app, ...)
// is an actor, a goroutine that owns its state and is driven only by the messages
// that arrive in its inbox.
//
// Determinism comes from the scheduler: messages are delivered one at a time, in the
// order they were sent, and the scheduler waits for the receiving actor to finish
// before delivering the next one. "Idle" is therefore exact: no message queued and no
// actor running. Time is virtual: timers fire only when the driver calls Advance.
// Every delivery is recorded in the trace, the single source for logs, replays and
// diagrams.
package sim

import (
	"container/heap"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Addr names an actor, e.g. "DOMIdentity" or "nsDOMIdentity[shop]".
type Addr string

// Message is one hop between two actors. Name is the historic message, method or
// event name ("Identity:RP:Watch", "mozFxAccountsUnsolChromeEvent", "getAssertion").
type Message struct {
	Name    string
	From    Addr
	To      Addr
	Payload any
}

// Handler is an actor's behaviour. Receive runs on the actor's own goroutine only.
type Handler interface {
	Receive(ctx *Ctx, m Message)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx *Ctx, m Message)

// Receive calls f.
func (f HandlerFunc) Receive(ctx *Ctx, m Message) { f(ctx, m) }

// Starter is implemented by handlers that need to act once when spawned (for
// example to arm a timer). Start runs on the actor's goroutine before any message.
type Starter interface {
	Start(ctx *Ctx)
}

// MaxElapsed is how far the virtual clock goes from its start. time.Duration
// wraps after 292 years (time then ran backwards); a century is more than any
// story of a phone needs, and leaves room for the 25-year assertion lifetime.
const MaxElapsed = 100 * 365 * 24 * time.Hour

// never is a timer time no Advance reaches.
const never = time.Duration(math.MaxInt64)

// Epoch is where virtual time starts: mid-2015, the era the simulator reproduces.
var Epoch = time.Date(2015, time.June, 1, 12, 0, 0, 0, time.UTC)

// DefaultMaxDeliveries bounds one RunUntilIdle so a livelock becomes an error, not a hang.
const DefaultMaxDeliveries = 1_000_000

// ErrClosed is returned by operations on a closed system.
var ErrClosed = errors.New("sim: system is closed")

// Options configure a System.
type Options struct {
	Seed          uint64    // seeds ids and any other simulated randomness
	Start         time.Time // virtual start time; zero means Epoch
	Recorder      Recorder  // where events go; nil keeps them in memory (see Trace)
	MaxDeliveries int       // per RunUntilIdle; zero means DefaultMaxDeliveries
	NoTrace       bool      // record nothing (benchmarks that measure pure flow cost)
}

// System owns the actors, the queue, the virtual clock and the trace.
type System struct {
	start   time.Time
	now     time.Duration
	queue   queue
	timers  timerHeap
	actors  map[Addr]*cell
	order   []Addr // spawn order, for deterministic shutdown
	done    chan struct{}
	rng     *rand.Rand
	rec     Recorder
	mem     *MemRecorder
	seq     uint64
	timerID uint64
	maxDel  int
	faults  []error

	running atomic.Bool
	current atomic.Pointer[cell]
	closed  bool
}

type cell struct {
	addr    Addr
	h       Handler
	inbox   chan delivery
	ctx     Ctx
	stopped chan struct{}
	exiting bool
}

type delivery struct {
	msg    Message
	invoke func(*Ctx)
}

// New creates an empty system.
func New(opts Options) *System {
	s := &System{
		start:  opts.Start,
		actors: make(map[Addr]*cell),
		done:   make(chan struct{}),
		rng:    rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		maxDel: opts.MaxDeliveries,
	}
	if s.start.IsZero() {
		s.start = Epoch
	}
	if s.maxDel == 0 {
		s.maxDel = DefaultMaxDeliveries
	}
	switch {
	case opts.NoTrace:
		s.rec = discard{}
	case opts.Recorder != nil:
		s.rec = opts.Recorder
	default:
		s.mem = &MemRecorder{}
		s.rec = s.mem
	}
	return s
}

// Now is the current virtual time.
func (s *System) Now() time.Time { return s.start.Add(s.now) }

// Elapsed is the virtual time since the system started.
func (s *System) Elapsed() time.Duration { return s.now }

// Trace returns a copy of the recorded events when the default in-memory recorder is used.
func (s *System) Trace() []Event {
	if s.mem == nil {
		return nil
	}
	return s.mem.Events()
}

// Faults returns the actor panics and delivery errors seen so far.
func (s *System) Faults() []error { return append([]error(nil), s.faults...) }

// Spawn starts an actor. It may be called by the driver while the system is quiet,
// or by an actor from inside Receive (through Ctx.Spawn).
func (s *System) Spawn(addr Addr, h Handler) error {
	if s.closed {
		return ErrClosed
	}
	c, err := s.newCell(addr, h)
	if err != nil {
		return err
	}
	if st, ok := h.(Starter); ok {
		s.runOn(c, delivery{invoke: st.Start})
	}
	return nil
}

// newCell registers an actor and starts its goroutine.
func (s *System) newCell(addr Addr, h Handler) (*cell, error) {
	if _, dup := s.actors[addr]; dup {
		return nil, fmt.Errorf("sim: actor %q already exists", addr)
	}
	c := &cell{addr: addr, h: h, inbox: make(chan delivery), stopped: make(chan struct{})}
	c.ctx = Ctx{sys: s, cell: c}
	s.actors[addr] = c
	s.order = append(s.order, addr)
	go c.loop(s)
	return c, nil
}

// Has reports whether an actor with that address is alive.
func (s *System) Has(addr Addr) bool { _, ok := s.actors[addr]; return ok }

func (c *cell) loop(s *System) {
	defer close(c.stopped)
	for d := range c.inbox {
		c.handle(s, d)
		s.done <- struct{}{}
	}
}

func (c *cell) handle(s *System, d delivery) {
	defer func() {
		if r := recover(); r != nil {
			err := fmt.Errorf("sim: actor %s panicked handling %q: %v", c.addr, d.msg.Name, r)
			s.faults = append(s.faults, err)
			s.recordEvent(Event{Kind: KindFault, From: c.addr, To: c.addr, Name: d.msg.Name, Payload: err.Error()})
		}
	}()
	if d.invoke != nil {
		d.invoke(&c.ctx)
		return
	}
	c.h.Receive(&c.ctx, d.msg)
}

// runOn hands one delivery to an actor and waits until it has been handled.
func (s *System) runOn(c *cell, d delivery) {
	prevRunning := s.running.Swap(true)
	prev := s.current.Swap(c)
	c.inbox <- d
	<-s.done
	s.current.Store(prev)
	s.running.Store(prevRunning)
	if c.exiting {
		s.reap(c)
	}
}

func (s *System) reap(c *cell) {
	delete(s.actors, c.addr)
	for i, a := range s.order {
		if a == c.addr {
			s.order = append(s.order[:i], s.order[i+1:]...)
			break
		}
	}
	close(c.inbox)
	<-c.stopped
}

// Send queues a message from outside the actors (the scenario driver, a user, the world).
func (s *System) Send(m Message) error {
	if s.closed {
		return ErrClosed
	}
	s.queue.push(m)
	return nil
}

// Invoke runs fn on the actor's goroutine, synchronously, the way a page calls into
// its own navigator.mozId: the call completes (and may fail) before Invoke returns,
// while anything it sends is only queued. Called from inside that same actor (a
// callback that calls back into the API), fn runs inline.
func (s *System) Invoke(addr Addr, fn func(ctx *Ctx)) error {
	if s.closed {
		return ErrClosed
	}
	c, ok := s.actors[addr]
	if !ok {
		return fmt.Errorf("sim: no actor %q", addr)
	}
	if s.running.Load() {
		if s.current.Load() == c {
			fn(&c.ctx)
			return nil
		}
		return fmt.Errorf("sim: %s called while the system is running another actor (%s); call it from the driver or from its own callbacks", addr, s.currentName())
	}
	s.runOn(c, delivery{invoke: fn})
	return nil
}

func (s *System) currentName() Addr {
	if c := s.current.Load(); c != nil {
		return c.addr
	}
	return "driver"
}

// Running reports whether the scheduler is delivering right now (true inside callbacks).
func (s *System) Running() bool { return s.running.Load() }

// RunUntilIdle delivers queued messages in order until none is left.
func (s *System) RunUntilIdle() error {
	if s.closed {
		return ErrClosed
	}
	if s.running.Load() {
		return errors.New("sim: RunUntilIdle called from inside an actor")
	}
	for n := 0; s.queue.len() > 0; n++ {
		if n >= s.maxDel {
			return fmt.Errorf("sim: not idle after %d deliveries; a loop between actors? next message %s -> %s %q",
				n, s.queue.peek().From, s.queue.peek().To, s.queue.peek().Name)
		}
		m := s.queue.pop()
		c, ok := s.actors[m.To]
		if !ok {
			s.recordEvent(Event{Kind: KindDropped, From: m.From, To: m.To, Name: m.Name, Payload: m.Payload})
			continue
		}
		if sp, ok := m.Payload.(startPayload); ok {
			s.runOn(c, delivery{invoke: sp.s.Start})
			continue
		}
		kind := KindHop
		if m.From == m.To && isTimer(m.Payload) {
			kind = KindTimer
			m.Payload = m.Payload.(timerPayload).inner
		}
		s.recordEvent(Event{Kind: kind, From: m.From, To: m.To, Name: m.Name, Payload: m.Payload})
		s.runOn(c, delivery{msg: m})
	}
	return nil
}

// Advance moves virtual time forward by d, firing due timers in time order and
// running until idle after each.
func (s *System) Advance(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("sim: cannot advance by a negative duration %v", d)
	}
	if d > MaxElapsed-s.now {
		return fmt.Errorf("sim: cannot advance by %v: the virtual clock is %v past its start and stops at %v (%d years)",
			d, s.now, MaxElapsed, MaxElapsed/(365*24*time.Hour))
	}
	if err := s.RunUntilIdle(); err != nil {
		return err
	}
	target := s.now + d
	for s.timers.Len() > 0 && s.timers[0].at <= target {
		t := heap.Pop(&s.timers).(*timer)
		if t.cancelled {
			continue
		}
		s.now = t.at
		if _, alive := s.actors[t.owner]; !alive {
			continue
		}
		s.queue.push(Message{Name: t.name, From: t.owner, To: t.owner, Payload: timerPayload{t.payload}})
		if err := s.RunUntilIdle(); err != nil {
			return err
		}
	}
	s.now = target
	return nil
}

// NextTimer reports when the next live timer is due, if any.
func (s *System) NextTimer() (time.Duration, bool) {
	found := false
	var at time.Duration
	for _, t := range s.timers {
		if !t.cancelled && (!found || t.at < at) {
			at, found = t.at, true
		}
	}
	return at - s.now, found
}

// Close stops every actor and waits for its goroutine to end.
func (s *System) Close() error {
	if s.closed {
		return nil
	}
	if s.running.Load() {
		return errors.New("sim: Close called from inside an actor")
	}
	s.closed = true
	for _, a := range s.order {
		c := s.actors[a]
		close(c.inbox)
		<-c.stopped
	}
	s.actors = nil
	s.order = nil
	return nil
}

func (s *System) recordEvent(e Event) {
	s.seq++
	e.Seq = s.seq
	e.At = s.now
	s.rec.Record(e)
}

// Ctx is an actor's handle on the system, valid only on the actor's goroutine.
type Ctx struct {
	sys  *System
	cell *cell
}

// Self is the actor's own address.
func (c *Ctx) Self() Addr { return c.cell.addr }

// Now is the current virtual time.
func (c *Ctx) Now() time.Time { return c.sys.Now() }

// Send queues a message to another actor (or to itself).
func (c *Ctx) Send(to Addr, name string, payload any) {
	c.sys.queue.push(Message{Name: name, From: c.cell.addr, To: to, Payload: payload})
}

// Record adds a non-message event to the trace (a callback delivered to a page, a note).
func (c *Ctx) Record(kind Kind, to Addr, name string, payload any) {
	c.sys.recordEvent(Event{Kind: kind, From: c.cell.addr, To: to, Name: name, Payload: payload})
}

// Fault records that the actor could not handle message name (a payload it
// cannot read): a fault in the trace and in Faults, as a panic would be, while
// the actor carries on.
func (c *Ctx) Fault(name string, err error) {
	err = fmt.Errorf("sim: actor %s: %w", c.cell.addr, err)
	c.sys.faults = append(c.sys.faults, err)
	c.sys.recordEvent(Event{Kind: KindFault, From: c.cell.addr, To: c.cell.addr, Name: name, Payload: err.Error()})
}

// TimerID identifies a pending timer.
type TimerID uint64

// After arranges for a message named name to reach this actor d from now (virtual time).
func (c *Ctx) After(d time.Duration, name string, payload any) TimerID {
	s := c.sys
	s.timerID++
	at := s.now + max(d, 0)
	if d > MaxElapsed-s.now {
		at = never // past the clock's end: Advance cannot reach it, and s.now+d could wrap
	}
	heap.Push(&s.timers, &timer{at: at, id: s.timerID, owner: c.cell.addr, name: name, payload: payload})
	return TimerID(s.timerID)
}

// CancelTimer stops a pending timer; cancelling a fired or unknown timer is harmless.
func (c *Ctx) CancelTimer(id TimerID) {
	for _, t := range c.sys.timers {
		if t.id == uint64(id) && t.owner == c.cell.addr {
			t.cancelled = true
		}
	}
}

// Spawn starts another actor.
func (c *Ctx) Spawn(addr Addr, h Handler) error {
	s := c.sys
	if _, err := s.newCell(addr, h); err != nil {
		return err
	}
	if st, ok := h.(Starter); ok {
		// Start must not run on this goroutine; queue it as the new actor's first delivery.
		s.queue.push(Message{Name: startName, From: addr, To: addr, Payload: startPayload{st}})
	}
	return nil
}

// Exit ends this actor after the current message; later messages to it are dropped
// (and recorded as such).
func (c *Ctx) Exit() { c.cell.exiting = true }

// Has reports whether an actor is alive.
func (c *Ctx) Has(addr Addr) bool { _, ok := c.sys.actors[addr]; return ok }

// UUID returns a version-4 UUID from the system's seeded source, so runs repeat.
func (c *Ctx) UUID() string { return c.sys.UUID() }

// Rand is the system's seeded random source. Only the running actor may use it.
func (c *Ctx) Rand() *rand.Rand { return c.sys.rng }

// RandReader is the seeded source as an io.Reader (keys, tokens, nonces).
func (c *Ctx) RandReader() io.Reader { return c.sys.RandReader() }

// UUID returns a version-4 UUID from the seeded source (driver side).
func (s *System) UUID() string {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := s.rng.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], b[10:16])
	return string(out[:])
}

// RandReader adapts the seeded source to io.Reader (token and key generation).
func (s *System) RandReader() *Reader { return &Reader{s: s} }

// Reader reads from a system's seeded source.
type Reader struct{ s *System }

// Read fills p with seeded pseudo-random bytes.
func (r *Reader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r.s.rng.Uint32())
	}
	return len(p), nil
}

const startName = "sim:start"

type startPayload struct{ s Starter }

type timerPayload struct{ inner any }

func isTimer(p any) bool { _, ok := p.(timerPayload); return ok }

// queue is a FIFO of messages; a slice with a moving head keeps pushes cheap.
type queue struct {
	buf  []Message
	head int
}

func (q *queue) push(m Message) { q.buf = append(q.buf, m) }
func (q *queue) len() int       { return len(q.buf) - q.head }
func (q *queue) peek() Message  { return q.buf[q.head] }
func (q *queue) pop() Message {
	m := q.buf[q.head]
	q.buf[q.head] = Message{}
	q.head++
	if q.head == len(q.buf) {
		q.buf = q.buf[:0]
		q.head = 0
	}
	return m
}

type timer struct {
	at        time.Duration
	id        uint64
	owner     Addr
	name      string
	payload   any
	cancelled bool
}

type timerHeap []*timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].id < h[j].id
}
func (h timerHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *timerHeap) Push(x any)   { *h = append(*h, x.(*timer)) }
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}

// MemRecorder keeps events in memory. It is safe for concurrent readers (a live view).
// Events go into fixed-size chunks, so a long run never copies what it has
// recorded: recording stays cheap on the hot path however long the trace grows.
//
// The chunks hold events compactly, without pointers: names and addresses as
// indexes into a table of distinct strings, payloads (the only values that must
// stay as they are, for lazy rendering) in chunks of their own, nil ones not at
// all. A trace lives as long as its run, and the garbage collector marked every
// pointer of every event at each cycle: that marking, not the appending, was
// nearly all of what tracing cost (a signed-out watch ran as fast traced as
// untraced with GOGC=off). Events and Since rebuild Events on demand.
type MemRecorder struct {
	mu       sync.Mutex
	chunks   [][]compactEvent
	payloads [][]any
	np       int // payloads held
	strs     []string
	strIndex map[string]uint32
	n        int
}

// compactEvent is an Event without pointers (see MemRecorder).
type compactEvent struct {
	seq            uint64
	at             time.Duration
	from, to, name uint32 // indexes into strs
	payload        uint32 // 1 + index into payloads; 0 for nil
	kind           Kind
}

// recorderChunk is how many events one chunk holds.
const recorderChunk = 1024

// intern returns s's index in the string table; r.mu is held.
func (r *MemRecorder) intern(s string) uint32 {
	if i, ok := r.strIndex[s]; ok {
		return i
	}
	if r.strIndex == nil {
		r.strIndex = map[string]uint32{}
	}
	i := uint32(len(r.strs))
	r.strs = append(r.strs, s)
	r.strIndex[s] = i
	return i
}

// Record appends an event.
func (r *MemRecorder) Record(e Event) {
	r.mu.Lock()
	if r.n%recorderChunk == 0 {
		r.chunks = append(r.chunks, make([]compactEvent, 0, recorderChunk))
	}
	c := compactEvent{seq: e.Seq, at: e.At, kind: e.Kind,
		from: r.intern(string(e.From)), to: r.intern(string(e.To)), name: r.intern(e.Name)}
	if e.Payload != nil {
		if r.np%recorderChunk == 0 {
			r.payloads = append(r.payloads, make([]any, 0, recorderChunk))
		}
		last := len(r.payloads) - 1
		r.payloads[last] = append(r.payloads[last], e.Payload)
		r.np++
		c.payload = uint32(r.np)
	}
	last := len(r.chunks) - 1
	r.chunks[last] = append(r.chunks[last], c)
	r.n++
	r.mu.Unlock()
}

// Len is how many events were recorded.
func (r *MemRecorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// Events returns a copy of the events recorded so far.
func (r *MemRecorder) Events() []Event { return r.Since(0) }

// Since returns a copy of the events recorded after the first i.
func (r *MemRecorder) Since(i int) []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	if i < 0 || i > r.n {
		i = r.n
	}
	out := make([]Event, 0, r.n-i)
	for k := i; k < r.n; k++ {
		c := &r.chunks[k/recorderChunk][k%recorderChunk]
		e := Event{Seq: c.seq, At: c.at, Kind: c.kind, From: Addr(r.strs[c.from]), To: Addr(r.strs[c.to]), Name: r.strs[c.name]}
		if c.payload != 0 {
			p := int(c.payload) - 1
			e.Payload = r.payloads[p/recorderChunk][p%recorderChunk]
		}
		out = append(out, e)
	}
	return out
}

type discard struct{}

func (discard) Record(Event) {}
