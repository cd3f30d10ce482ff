// Package rp is what a relying party codes against: a page of an app on the
// simulated phone, calling navigator.mozId (dom/webidl/Identity.webidl's
// IdentityManager, implemented by dom/identity/nsDOMIdentity.js) and receiving its
// callbacks. It stands for the RP's own page script; the API object itself is
// identity.NSDOMIdentity, one actor per page.
//
// Every call runs synchronously on the page's actor (sim.System.Invoke): exceptions
// come back as *Exception at once, child-side onerror codes are delivered during
// the call, and everything from the parent arrives later, when the system runs.
// Calls made from inside a callback run inline, as in JavaScript.
package rp

import (
	"errors"
	"fmt"
	"sync"

	"github.com/mozidsim/mozidsim/identity"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// App is the page's app: its name (also its address suffix), origin, app status
// (the principal's) and app id.
type App struct {
	Name   string
	Origin string
	Status wire.AppStatus
	AppID  int
	// Process names the content process the page runs in; pages of apps that
	// name the same one share its message manager. "" is a process of its own.
	Process string
	// Undeclared: the manifest lacks the firefox-accounts permission.
	Undeclared bool
}

// Exception is a synchronous JavaScript exception out of watch/request/logout.
type Exception = identity.Exception

// Null is JavaScript's null for option values (nil means "absent").
var Null = identity.Null

// Option configures a page's navigator.mozId.
type Option = identity.PageOption

// WatchOptions is the object passed to navigator.mozId.watch(): the type
// nsDOMIdentity reads, so it reaches navigator.mozId as the page built it.
type WatchOptions = identity.WatchOptions

// RequestOptions is the object passed to navigator.mozId.request().
type RequestOptions = identity.RequestOptions

// Page is one open page of an app.
type Page struct {
	sys  *sim.System
	app  App
	addr sim.Addr
	nav  *identity.NSDOMIdentity

	mu       sync.Mutex // Log may be read by a live viewer while the page runs
	log      []Entry
	rendered int // log[:rendered] have their Line
	closed   bool
}

// Open spawns the page's nsDOMIdentity actor on sys. Call it from the driver, not
// from inside a callback.
func Open(sys *sim.System, app App, opts ...Option) (*Page, error) {
	if sys == nil {
		return nil, errors.New("rp: Open needs a system")
	}
	if sys.Running() {
		return nil, fmt.Errorf("rp: open %q from the driver, not from inside an actor", app.Name)
	}
	if app.Process != "" {
		opts = append([]Option{identity.MessageManager(wire.MessageManager(app.Process))}, opts...)
	}
	p := &Page{sys: sys, app: app, addr: wire.NSDOMIdentity(app.Name)}
	opts = append(opts, identity.Observe(p.delivered))
	nav, err := identity.NewNSDOMIdentity(app.Name, wire.Principal{Origin: app.Origin, AppID: app.AppID, AppStatus: app.Status, Undeclared: app.Undeclared}, opts...)
	if err != nil {
		return nil, err
	}
	p.nav = nav
	if err := sys.Spawn(p.addr, nav); err != nil {
		return nil, fmt.Errorf("rp: open %q: %w", app.Name, err)
	}
	return p, nil
}

// App is the page's app.
func (p *Page) App() App { return p.app }

// Addr is the address of the page's navigator.mozId actor.
func (p *Page) Addr() sim.Addr { return p.addr }

// ID is the window's UUID (the id every Identity:RP message carries).
func (p *Page) ID() string { return p.nav.ID() }

// State is the page's lifecycle state (identity.St*); "closed" once closed.
func (p *Page) State() (string, error) {
	if p.isClosed() {
		return identity.StClosed, nil
	}
	var s string
	err := p.sys.Invoke(p.addr, func(*sim.Ctx) { s = p.nav.State() })
	return s, err
}

// Watch calls navigator.mozId.watch(o).
func (p *Page) Watch(o WatchOptions) error {
	return p.call(func(ctx *sim.Ctx) error { return p.nav.Watch(ctx, o) })
}

// Request calls navigator.mozId.request(o).
func (p *Page) Request(o RequestOptions) error {
	return p.call(func(ctx *sim.Ctx) error { return p.nav.Request(ctx, o) })
}

// delivered logs a callback navigator.mozId is about to run (identity.Observe).
func (p *Page) delivered(d identity.Delivered) {
	switch d.Callback {
	case wire.CbLogin:
		p.append(loginEntry(d.Assertion))
	case wire.CbError:
		p.append(errorEntry(d.Error))
	default:
		p.append(plainEntry(d.Callback))
	}
}

// Logout calls navigator.mozId.logout().
func (p *Page) Logout() error {
	return p.call(func(ctx *sim.Ctx) error { return p.nav.Logout(ctx) })
}

// Close destroys the page's window (inner-window-destroyed): Identity:RP:Unwatch
// is sent and later callbacks are dropped. Closing twice is harmless.
func (p *Page) Close() error {
	if p.isClosed() {
		return nil
	}
	err := p.sys.Invoke(p.addr, func(ctx *sim.Ctx) { p.nav.Close(ctx) })
	if err != nil {
		return fmt.Errorf("rp: page %q: %w", p.app.Name, err)
	}
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	return nil
}

// Log is every callback the page received and every exception it got, in order.
func (p *Page) Log() []Entry {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.renderLines()
	return append([]Entry(nil), p.log...)
}

// Lines is the log as scenario lines.
func (p *Page) Lines() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.renderLines()
	lines := make([]string, len(p.log))
	for i, e := range p.log {
		lines[i] = e.Line
	}
	return lines
}

// renderLines fills in the onlogin lines appended since the last read; callers
// hold mu.
func (p *Page) renderLines() {
	for ; p.rendered < len(p.log); p.rendered++ {
		if e := &p.log[p.rendered]; e.Line == "" {
			e.Line = LoginLine(e.Assertion)
		}
	}
}

func (p *Page) call(fn func(*sim.Ctx) error) error {
	if p.isClosed() {
		return fmt.Errorf("rp: page %q is closed", p.app.Name)
	}
	var err error
	if ierr := p.sys.Invoke(p.addr, func(ctx *sim.Ctx) { err = fn(ctx) }); ierr != nil {
		return fmt.Errorf("rp: page %q: %w", p.app.Name, ierr)
	}
	var ex *Exception
	if errors.As(err, &ex) {
		p.append(throwEntry(ex.Message))
	}
	return err
}

func (p *Page) append(e Entry) {
	p.mu.Lock()
	p.log = append(p.log, e)
	p.mu.Unlock()
}

func (p *Page) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}
