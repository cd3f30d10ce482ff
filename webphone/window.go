package webphone

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gorilla/websocket"

	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
	pubphone "github.com/mozidsim/mozidsim/phone"
	"github.com/mozidsim/mozidsim/rp"
)

// Socket limits: a shim sends small JSON frames, a few per user action.
const (
	maxFrame       = 64 << 10 // bytes; larger frames close the socket (1009)
	maxFramesBurst = 200      // frames allowed in one burst...
	framesPerSec   = 50       // ...refilled at this rate; a flood closes the socket
	outboxSize     = 256      // messages queued for a slow page before it is dropped
	writeTimeout   = 10 * time.Second
)

// Close codes (RFC 6455) and the reasons a page's console shows.
const (
	closeGoingAway   = websocket.CloseGoingAway
	closePolicy      = websocket.ClosePolicyViolation
	closeBadData     = websocket.CloseInvalidFramePayloadData
	closeTooBig      = websocket.CloseMessageTooBig
	closeUnsupported = websocket.CloseUnsupportedData
)

var upgrader = websocket.Upgrader{
	ReadBufferSize:  4096,
	WriteBufferSize: 4096,
	// The Origin is checked before Upgrade against the configured apps.
	CheckOrigin: func(*http.Request) bool { return true },
}

// window is one browser window: its socket and its Go nsDOMIdentity (the page
// the simulator runs on the phone for it). Fields other than out are guarded by
// Server.mu.
type window struct {
	s      *Server
	app    App
	page   *rp.Page
	name   string
	id     string
	conn   *websocket.Conn
	out    chan frameOut
	done   chan struct{} // closed when the writer must stop
	calls  []CallRecord
	log    []string // lines of a closed page (its Page is gone)
	open   bool
	ended  bool
	tokens float64
	last   time.Time

	capture capture
}

// frameOut is one frame to the page, or a close.
type frameOut struct {
	msg       any
	closeCode int
	reason    string
}

// Frames from the shim.
type frameIn struct {
	Type string          `json:"type"` // call
	ID   string          `json:"id"`   // the window id the server gave in hello
	Call json.RawMessage `json:"call"`
}

// Frames to the shim.
type helloFrame struct {
	Type string `json:"type"` // hello
	ID   string `json:"id"`
	App  string `json:"app"`
	Page string `json:"page"`
	Kind string `json:"kind"`
}

type messageFrame struct {
	Type      string  `json:"type"` // message
	Name      string  `json:"name"` // Identity:RP:Watch:On*
	ID        string  `json:"id"`
	Assertion *string `json:"assertion,omitempty"`
	// Message is onerror's argument: in 2015 a string (the JSON [D-late]
	// made of {name: error}), in 2014 the manager's rejection itself as JSON
	// (json.RawMessage; [D-early] passed the object as is), absent when that
	// was undefined.
	Message any `json:"message,omitempty"`
}

// onErrorArgument is the frame's message for the string the Go page's onerror
// received: [D-early] pages get the value it is the JSON of.
func onErrorArgument(e era.Era, s string) any {
	if !e.RawOnError() {
		return s
	}
	if s == "undefined" {
		return nil
	}
	if json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	return s
}

func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	app, ok := s.appOf[canonicalOrigin(origin)]
	if !ok {
		http.Error(w, fmt.Sprintf("origin %q is not an app of this phone (mozidsim serve --app NAME=%s)", origin, orDefault(origin, "ORIGIN")), http.StatusForbidden)
		return
	}
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade answered the client
	}
	conn.SetReadLimit(2 * maxFrame)
	win, err := s.openWindow(app, conn)
	if err != nil {
		msg := websocket.FormatCloseMessage(closeGoingAway, clip(err.Error()))
		_ = conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
		conn.Close()
		return
	}
	s.wg.Add(2)
	go win.writeLoop()
	go win.readLoop()
}

// openWindow opens the window's page on the phone and greets the shim.
func (s *Server) openWindow(app App, conn *websocket.Conn) (*window, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errors.New("the phone is shutting down")
	}
	s.pageCount[app.Name]++
	name := app.Name
	if n := s.pageCount[app.Name]; n > 1 {
		name = fmt.Sprintf("%s#%d", app.Name, n)
	}
	// Open runs until idle; the app id counts windows from 1000, as before
	// serve built on package phone (ids are in the trace).
	page, err := s.p.Open(pubphone.App{Name: name, Origin: app.Origin, Kind: orDefault(app.Kind, "privileged"), ID: 1000 + len(s.windows)})
	if err != nil {
		return nil, err
	}
	win := &window{s: s, app: app, page: page, name: name, id: page.ID(), conn: conn, open: true,
		out: make(chan frameOut, outboxSize), done: make(chan struct{}), tokens: maxFramesBurst, last: time.Now()}
	s.windows = append(s.windows, win)
	win.send(helloFrame{Type: "hello", ID: win.id, App: app.Name, Page: name, Kind: app.Kind})
	return win, nil
}

func (w *window) state() WindowState {
	ws := WindowState{ID: w.id, App: w.app.Name, Page: w.name, Origin: w.app.Origin, Open: w.open,
		Calls: append([]CallRecord{}, w.calls...), Log: w.log}
	if w.open {
		ws.Log = w.page.Lines()
	}
	if ws.Log == nil {
		ws.Log = []string{}
	}
	return ws
}

// send queues a frame for the page; a page that does not read is dropped
// rather than allowed to hold the phone. Called with Server.mu held.
func (w *window) send(msg any) {
	if w.ended {
		return
	}
	select {
	case w.out <- frameOut{msg: msg}:
	default:
		w.fault("bad-frame", fmt.Sprintf("the page did not read its messages (%d queued); closing its socket", outboxSize))
		w.shutdown(closePolicy, "too many unread messages")
	}
}

// shutdown closes the socket with a reason, once. Called with Server.mu held.
func (w *window) shutdown(code int, reason string) {
	if w.ended {
		return
	}
	w.ended = true
	select {
	case w.out <- frameOut{closeCode: code, reason: reason}:
	default:
	}
	close(w.done)
}

func (w *window) writeLoop() {
	defer w.s.wg.Done()
	defer w.conn.Close() // ends readLoop's ReadMessage
	for {
		var f frameOut
		select {
		case f = <-w.out:
		case <-w.done:
			// Drain what was queued before the close, then say why.
			for {
				select {
				case f = <-w.out:
					if !w.write(f) {
						return
					}
					continue
				default:
				}
				return
			}
		}
		if !w.write(f) {
			return
		}
	}
}

// write sends one frame; false when the socket is done.
func (w *window) write(f frameOut) bool {
	deadline := time.Now().Add(writeTimeout)
	if f.closeCode != 0 {
		_ = w.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(f.closeCode, clip(f.reason)), deadline)
		return false
	}
	_ = w.conn.SetWriteDeadline(deadline)
	return w.conn.WriteJSON(f.msg) == nil
}

// clip keeps a close reason within the 123 bytes a close frame allows.
func clip(s string) string {
	if len(s) > 120 {
		return s[:117] + "..."
	}
	return s
}

func (w *window) readLoop() {
	defer w.s.wg.Done()
	defer w.closePage()
	for {
		// Read at most one byte past the limit ourselves, so the close says why
		// (gorilla's own read limit, kept as a backstop, closes without a reason).
		kind, r, err := w.conn.NextReader()
		if err != nil {
			return
		}
		data, err := io.ReadAll(io.LimitReader(r, maxFrame+1))
		if err != nil {
			return
		}
		if len(data) > maxFrame {
			w.refuse(closeTooBig, fmt.Sprintf("frame larger than %d bytes", maxFrame))
			return
		}
		if !w.allow() {
			w.refuse(closePolicy, fmt.Sprintf("more than %d frames a second", framesPerSec))
			return
		}
		if kind != websocket.TextMessage {
			w.refuse(closeUnsupported, "binary frame: the shim sends JSON text")
			return
		}
		if code, reason := w.handle(data); code != 0 {
			w.refuse(code, reason)
			return
		}
	}
}

// allow is a token bucket against floods (only readLoop touches it).
func (w *window) allow() bool {
	now := time.Now()
	w.tokens = min(maxFramesBurst, w.tokens+now.Sub(w.last).Seconds()*framesPerSec)
	w.last = now
	if w.tokens < 1 {
		return false
	}
	w.tokens--
	return true
}

func (w *window) refuse(code int, reason string) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	w.fault("bad-frame", reason)
	w.shutdown(code, reason)
}

// fault records a fault in the state and the trace. Called with Server.mu held.
func (w *window) fault(kind, msg string) {
	w.s.faults = append(w.s.faults, Fault{Kind: kind, Window: w.id, Message: msg})
	if w.open {
		_ = w.s.p.Note(w.page, kind, msg)
	}
}

// closePage is inner-window-destroyed: the page's Unwatch goes to the parent.
func (w *window) closePage() {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	w.shutdown(closeGoingAway, "window closed")
	if !w.open || w.s.closed {
		return
	}
	w.log = w.page.Lines()
	w.open = false
	if err := w.s.p.ClosePage(w.name); err != nil {
		w.s.faults = append(w.s.faults, Fault{Kind: "phone", Window: w.id, Message: err.Error()})
	}
}

// handle is one frame from the shim: 0 or the close code and reason.
func (w *window) handle(data []byte) (int, string) {
	var f frameIn
	if err := json.Unmarshal(data, &f); err != nil {
		return closeBadData, "malformed JSON: " + err.Error()
	}
	if f.Type != "call" {
		return closePolicy, fmt.Sprintf("unknown frame type %q", f.Type)
	}
	if f.ID != w.id {
		return closePolicy, fmt.Sprintf("frame for window %q on the socket of window %s", f.ID, w.id)
	}
	var c Call
	if err := json.Unmarshal(f.Call, &c); err != nil {
		return closeBadData, "bad call: " + err.Error()
	}
	switch c.Call {
	case "watch", "request", "logout":
	default:
		return closePolicy, fmt.Sprintf("unknown call %q (watch, request or logout)", c.Call)
	}
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	if w.ended || w.s.closed {
		return 0, ""
	}
	got, err := w.replay(c)
	if err != nil {
		w.fault("phone", err.Error())
		return 0, ""
	}
	if want := c.Result.canonical(); got.canonical() != want {
		w.fault("shim-fidelity", fmt.Sprintf("%s: the shim did %s, nsDOMIdentity does %s", c.Call, want, got.canonical()))
	}
	if err := w.s.p.RunUntilIdle(); err != nil {
		w.fault("phone", err.Error())
	}
	return 0, ""
}

// replay runs the call on the window's Go nsDOMIdentity and says what it did
// synchronously. Called with Server.mu held.
func (w *window) replay(c Call) (Outcome, error) {
	w.calls = append(w.calls, CallRecord{Name: "navigator.mozId." + c.Call, UserInput: c.UserInput})
	return runCall(w.s.p.RunUntilIdle, w.s.rec, w.page, c, w.forwarders(), &w.capture, w.s.era)
}

// capture collects the onerror codes a call delivers while it runs: the shim
// delivered those itself, so they are compared, not sent.
type capture struct {
	on   bool
	errs []string
}

// runCall is the reference: c run on a Go nsDOMIdentity page, and what it did
// synchronously (the exception, the onerror codes, the message it sent).
// runUntilIdle delivers what the call queued; rec is where its hop is read.
func runCall(runUntilIdle func() error, rec *sim.MemRecorder, page *rp.Page, c Call, f forwarders, cp *capture, e era.Era) (Outcome, error) {
	before := rec.Len()
	cp.on, cp.errs = true, nil
	var err error
	switch c.Call {
	case "watch":
		err = page.Watch(watchOptions(c.Options, f, e))
	case "request":
		err = page.Request(requestOptions(c.Options, c.UserInput, f))
	case "logout":
		err = page.Logout()
	default:
		err = fmt.Errorf("unknown call %q", c.Call)
	}
	cp.on = false
	var out Outcome
	var ex *rp.Exception
	switch {
	case errors.As(err, &ex):
		out.Throws = ex.Message
	case err != nil:
		return out, err
	}
	out.OnError = cp.errs
	// What the call sent is queued; deliver it and read the hop back.
	if err := runUntilIdle(); err != nil {
		return out, err
	}
	for _, ev := range rec.Since(before) {
		if ev.Kind == sim.KindHop && ev.From == page.Addr() && ev.To == wire.DOMIdentity {
			if m, ok := ev.Payload.(wire.RPMessage); ok {
				out.Sent = sentFrom(ev.Name, m)
			}
			break
		}
	}
	return out, nil
}

// forwarders are the Go page's callbacks: each sends the parent's message on
// to the shim, which calls the page's own callback.
func (w *window) forwarders() forwarders {
	msg := func(name string) messageFrame { return messageFrame{Type: "message", Name: name, ID: w.id} }
	return forwarders{
		onLogin: func(assertion string) {
			m := msg(wire.MsgOnLogin)
			if assertion != "" {
				a := w.s.applyDefect(w, assertion)
				m.Assertion = &a
			}
			w.send(m)
		},
		onLogout: func() { w.send(msg(wire.MsgOnLogout)) },
		onReady:  func() { w.send(msg(wire.MsgOnReady)) },
		onCancel: func() { w.send(msg(wire.MsgOnCancel)) },
		onError: func(e string) {
			if w.capture.on {
				w.capture.errs = append(w.capture.errs, e)
				return
			}
			m := msg(wire.MsgOnError)
			m.Message = onErrorArgument(w.s.era, e)
			w.send(m)
		},
	}
}
