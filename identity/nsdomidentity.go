package identity

import (
	"fmt"
	"strings"

	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/machine"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// Limits from nsDOMIdentity.js.
const (
	MaxStringLength = 2048 // longest loggedInUser / privacyPolicy / termsOfService
	MaxRPCalls      = 100  // request()+logout() calls refused once the counter exceeds this
)

// Child-side error codes, passed bare to onerror during the call (gecko-identity §2.7).
const (
	ErrInvalidAssertionAudience         = "ERROR_INVALID_ASSERTION_AUDIENCE"
	ErrRequestWhileNotHandlingUserInput = "ERROR_REQUEST_WHILE_NOT_HANDLING_USER_INPUT"
	// ErrNotAuthorizedForFirefoxAccounts is [D-early] only (2014).
	ErrNotAuthorizedForFirefoxAccounts = "ERROR_NOT_AUTHORIZED_FOR_FIREFOX_ACCOUNTS"
)

// errorConsoleText is the ERRORS table: what Cu.reportError printed for each code.
var errorConsoleText = map[string]string{
	ErrNotAuthorizedForFirefoxAccounts:  "Only privileged and certified apps may use Firefox Accounts",
	ErrInvalidAssertionAudience:         "Assertion audience may not differ from origin",
	ErrRequestWhileNotHandlingUserInput: "The request() method may only be invoked when handling user input",
}

// Exception is a synchronous JavaScript exception thrown out of watch(), request()
// or logout() (always an Error in D-late). Message is byte-exact.
type Exception struct {
	Message string
	// Name is the exception's name when it is not an Error: "TypeError" for
	// the 2015 binding's own, "NS_ERROR_UNEXPECTED" for the generic one a 2015
	// page got when nsDOMIdentity.js threw.
	Name string
	// Thrown is the message of the Error nsDOMIdentity.js threw when the page
	// saw only the generic exception (reported to the console).
	Thrown string
}

func (e *Exception) Error() string { return e.Message }

func throw(msg string) *Exception { return &Exception{Message: msg} }

// Callback names, as the options object spells them.
const (
	nameOnLogin  = "onlogin"
	nameOnLogout = "onlogout"
	nameOnReady  = "onready"
	nameOnError  = "onerror"
	nameOnCancel = "oncancel"
)

var callbackNames = []string{nameOnLogin, nameOnLogout, nameOnReady, nameOnError, nameOnCancel}

// WatchOptions is the options object of navigator.mozId.watch(), as the page
// passes it (rp.WatchOptions is this type) and as nsDOMIdentity reads it: one
// type from the page to the message, which is where nsDOMIdentity turns it into
// wire.RPMessage. A nil callback was not passed; a name in NotFunctions was
// passed as a truthy value that is not a function (a falsy non-function is the
// same as not passing it).
type WatchOptions struct {
	WantIssuer    string // "" when absent (BrowserID); scenario files default it to firefox-accounts
	Audience      any    // nil when absent; a JS value otherwise (Null for null)
	LoggedInUser  any    // nil when absent; JS values
	LoggedInEmail any

	OnLogin  func(assertion string) // "": the page received null (Observe tells null apart)
	OnLogout func()
	OnReady  func()
	OnError  func(err string)

	NotFunctions []string
	// CallbackValues are the values of callback members passed as something
	// other than a function (falsy ones included): the 2015 WebIDL binding
	// refuses any of them that is not undefined. Optional: a name only in
	// NotFunctions counts as a truthy non-object.
	CallbackValues map[string]any
}

// RequestOptions is the options object of navigator.mozId.request() (also
// rp.RequestOptions).
type RequestOptions struct {
	OnCancel     func()
	NotFunctions []string // only "oncancel" is checked by request()
	// CallbackValues: as in WatchOptions (oncancel).
	CallbackValues map[string]any

	RefreshAuthentication any // nil when absent
	PrivacyPolicy         any
	TermsOfService        any
	// NotUserInput says the call is not made while handling a user event. A call
	// made from inside one of this page's callbacks never is (a callback runs from a
	// message, not from a click), whatever this says.
	NotUserInput bool
	Audience     any
	// Extra are the other properties (siteName, siteLogo, backgroundColor,
	// returnTo, silent, ...): they travel unvalidated, in this order.
	Extra wire.Obj
}

// PageOption configures an NSDOMIdentity.
type PageOption func(*NSDOMIdentity)

// Delivered is one callback the window runs, as the page's own log keeps it
// (rp.Page): the assertion an onlogin got (nil: null), the string an onerror got.
type Delivered struct {
	Callback  string // wire.CbLogin, wire.CbLogout, ...
	Assertion *string
	Error     string
}

// Observe has the window tell f of each callback just before running it (on
// the actor's goroutine). The page's log is kept this way, so the options a
// page passes reach nsDOMIdentity as they are, without wrapped callbacks.
func Observe(f func(Delivered)) PageOption { return func(n *NSDOMIdentity) { n.observe = f } }

// SyntheticEventsOK is the dom.identity.syntheticEventsOk pref set to true: request()
// no longer needs to be handling native user input.
func SyntheticEventsOK() PageOption { return func(n *NSDOMIdentity) { n.syntheticEventsOK = true } }

// MessageManager puts the window in a content process shared with other
// windows: mm is that process's child message manager (wire.MessageManager).
// Without it the window has a process of its own.
func MessageManager(mm sim.Addr) PageOption { return func(n *NSDOMIdentity) { n.mm = mm } }

// XPCOM is the late-2014 [D-mid] navigator.mozId (mirror id 4067989381): the
// same nsDOMIdentity.js checks as [D-late], still exposed through XPCOM, so no
// WebIDL dictionary conversion happens and the page catches the Errors
// nsDOMIdentity.js throws with their messages. The conformance tests of those
// checks (the reference's §10) run against it.
func XPCOM() PageOption { return func(n *NSDOMIdentity) { n.xpcom = true } }

// InEra makes the page's navigator.mozId the one of era e ([D-early] for
// 2014, [D-late] for 2015; era.Default when not given).
func InEra(e era.Era) PageOption { return func(n *NSDOMIdentity) { n.era = era.Of(e) } }

// watcher is _rpWatcher: the watch options the page passed (functions only) and the
// sanitised audience written back onto them.
type watcher struct {
	onLogin  func(string)
	onLogout func()
	onReady  func()
	onError  func(string)
	audience string
}

// NSDOMIdentity is dom/identity/nsDOMIdentity.js (D-late, 2015): navigator.mozId
// for one content window. It validates the page's calls synchronously, sends the
// Identity:RP:* messages to DOMIdentity, and turns the Identity:RP:Watch:On*
// replies into the page's callbacks. One actor per page, at wire.NSDOMIdentity(app).
//
// The page calls it through sim.System.Invoke (Watch, Request, Logout, Close), so a
// call runs on the actor's goroutine and completes before Invoke returns; a
// callback that calls back into the API runs inline.
//
// Trace: each call is recorded as sim.KindCall and each delivered callback or
// thrown exception as sim.KindCallback. Both are recorded by this actor with
// To = wire.Page(app): a call goes page -> navigator.mozId, a callback the other way.
type NSDOMIdentity struct {
	app               string
	principal         wire.Principal
	id                string
	syntheticEventsOK bool
	era               era.Era
	mm                sim.Addr // "" for a process of its own
	xpcom             bool     // [D-mid]: no WebIDL binding
	machine           *machine.Machine
	rpCalls           int
	watcher           *watcher
	onCancel          func()
	callbackDepth     int
	observe           func(Delivered)
}

// NewNSDOMIdentity creates the navigator.mozId of app's page. The window UUID is
// drawn from the system's seeded source when the actor starts.
func NewNSDOMIdentity(app string, principal wire.Principal, opts ...PageOption) (*NSDOMIdentity, error) {
	if app == "" {
		return nil, fmt.Errorf("identity: page needs an app name")
	}
	if principal.Origin == "" {
		return nil, fmt.Errorf("identity: page %q needs an origin", app)
	}
	if principal.AppStatus < wire.AppNotInstalled || principal.AppStatus > wire.AppCertified {
		return nil, fmt.Errorf("identity: page %q has unknown app status %d (want 0..3)", app, principal.AppStatus)
	}
	n := &NSDOMIdentity{app: app, principal: principal, era: era.Default, machine: PageMachine.Get()}
	for _, o := range opts {
		o(n)
	}
	return n, nil
}

// Start gives the window its UUID (init(): uuidgen.generateUUID()).
func (n *NSDOMIdentity) Start(ctx *sim.Ctx) { n.id = ctx.UUID() }

// ID is the window's UUID (immutable once the actor has started).
func (n *NSDOMIdentity) ID() string { return n.id }

// State is the lifecycle state; read it only on the actor's goroutine (Invoke).
func (n *NSDOMIdentity) State() string {
	if n.machine == nil {
		return StClosed
	}
	return n.machine.Current()
}

func (n *NSDOMIdentity) page() sim.Addr { return wire.Page(n.app) }

// Watch is navigator.mozId.watch(options).
func (n *NSDOMIdentity) Watch(ctx *sim.Ctx, o WatchOptions) error {
	if err := checkNames(o.NotFunctions, o.OnLogin != nil, o.OnLogout != nil, o.OnReady != nil, o.OnError != nil, false); err != nil {
		return err
	}
	ctx.Record(sim.KindCall, n.page(), wire.CallWatch, describeWatch(o))
	if n.webIDL() {
		var err error
		if o, err = n.convertWatch(ctx, o); err != nil {
			return err
		}
	}
	if n.watcher != nil || !n.machine.Is(StIdle) {
		return n.throw(ctx, "navigator.id.watch was already called")
	}
	if ex := assertCorrectCallbacks(o); ex != nil {
		return n.throw(ctx, ex.Message)
	}
	msg := n.message(ctx, jsValue(o.Audience), o.WantIssuer)
	msg.WantIssuer = o.WantIssuer

	// checkRenamed(options, "loggedInEmail", "loggedInUser"): null counts as defined.
	user, email := jsValue(o.LoggedInUser), jsValue(o.LoggedInEmail)
	if defined(email) && defined(user) {
		return n.throw(ctx, "You cannot provide both loggedInEmail and loggedInUser")
	}
	if defined(email) {
		user = email
	}
	// "Bad IPC or IDL converts null and undefined" to strings: D-late maps them
	// back. D-early validates only a truthy value other than "undefined".
	if n.era.NormalisesNullStrings() && (user == "null" || user == "undefined") {
		user = nil
	}
	if truthy(user) && user != "undefined" {
		s, isString := user.(string)
		if !isString {
			return n.throw(ctx, "loggedInUser must be a String or null")
		}
		if !strings.Contains(s, "@") || jsLength(s) > MaxStringLength {
			return n.throw(ctx, "loggedInUser is not valid")
		}
	}
	if s, isString := user.(string); isString {
		msg.LoggedInUser = &s
	}

	n.watcher = &watcher{onLogin: o.OnLogin, onLogout: o.OnLogout, onReady: o.OnReady, onError: o.OnError, audience: msg.Audience}
	if len(msg.Errors) > 0 {
		// The watcher is kept on purpose: the broken page can never watch again and
		// never gets onready (S4).
		n.transition(ctx, EvRefuse)
		n.reportErrors(ctx, msg.Errors)
		return nil
	}
	n.transition(ctx, EvWatch)
	ctx.Send(wire.DOMIdentity, wire.MsgRPWatch, msg)
	return nil
}

// assertCorrectCallbacks: FxA needs onlogin, onlogout and onready; BrowserID only
// onlogin. Checked in list order, so the first missing one names the exception.
func assertCorrectCallbacks(o WatchOptions) *Exception {
	fn := map[string]bool{
		nameOnLogin:  o.OnLogin != nil,
		nameOnLogout: o.OnLogout != nil,
		nameOnReady:  o.OnReady != nil,
		nameOnError:  o.OnError != nil,
	}
	notFn := make(map[string]bool, len(o.NotFunctions))
	for _, name := range o.NotFunctions {
		notFn[name] = true
	}
	required := []string{nameOnLogin}
	optional := []string{nameOnLogout, nameOnReady, nameOnError}
	if o.WantIssuer == wire.WantIssuerFxA {
		required = []string{nameOnLogin, nameOnLogout, nameOnReady}
		optional = []string{nameOnError}
	}
	for _, name := range required {
		if !fn[name] {
			return throw(name + " callback is required.")
		}
	}
	for _, name := range optional {
		if notFn[name] {
			return throw(name + " must be a function")
		}
	}
	return nil
}

// Request is navigator.mozId.request(options).
func (n *NSDOMIdentity) Request(ctx *sim.Ctx, o RequestOptions) error {
	if err := checkNames(o.NotFunctions, false, false, false, false, o.OnCancel != nil); err != nil {
		return err
	}
	if err := checkExtra(o.Extra); err != nil {
		return err
	}
	ctx.Record(sim.KindCall, n.page(), wire.CallRequest, describeRequest(o))
	if n.webIDL() {
		var err error
		if o, err = n.convertRequest(ctx, o); err != nil {
			return err
		}
	}
	if n.watcher == nil {
		return n.throw(ctx, "navigator.id.request called before navigator.id.watch")
	}
	if n.rpCalls > MaxRPCalls {
		return n.throw(ctx, "navigator.id.request called too many times")
	}
	rawIssuer, _ := o.Extra.Get("wantIssuer")
	wantIssuer, _ := jsValue(rawIssuer).(string)
	msg := n.message(ctx, jsValue(o.Audience), wantIssuer)
	// Bug 982460 ([D-mid]+) exempts privileged apps too; [D-early] certified only.
	exempt := n.principal.AppStatus == wire.AppCertified || (n.era.PrivilegedSkipsUserInputGate() && n.principal.AppStatus == wire.AppPrivileged)
	if !exempt {
		handlingUserInput := !o.NotUserInput && n.callbackDepth == 0
		if !handlingUserInput && !n.syntheticEventsOK {
			msg.Errors = append(msg.Errors, ErrRequestWhileNotHandlingUserInput)
		}
	}
	if len(msg.Errors) > 0 {
		// Nothing sent, the counter untouched, oncancel not stored.
		n.reportErrors(ctx, msg.Errors)
		return nil
	}
	for _, p := range []struct {
		name  string
		value any
	}{{"privacyPolicy", jsValue(o.PrivacyPolicy)}, {"termsOfService", jsValue(o.TermsOfService)}} {
		if !truthy(p.value) || p.value == "undefined" {
			continue
		}
		s, isString := p.value.(string)
		if !isString {
			return n.throw(ctx, p.name+" must be a string representing a URL.")
		}
		if jsLength(s) > MaxStringLength {
			return n.throw(ctx, p.name+" is invalid.")
		}
	}
	if contains(o.NotFunctions, nameOnCancel) {
		return n.throw(ctx, "oncancel is not a function")
	}
	n.onCancel = o.OnCancel // a request() without oncancel clears the previous one

	msg.Options = requestOptions(o, &msg)
	n.rpCalls++
	n.transition(ctx, EvRequest)
	ctx.Send(wire.DOMIdentity, wire.MsgRPRequest, msg)
	return nil
}

// requestOptions copies the request's own properties into the message, the way
// objectCopy does: present ones only, underscore names skipped.
func requestOptions(o RequestOptions, msg *wire.RPMessage) wire.AssertionOptions {
	opts := wire.AssertionOptions{RefreshAuthentication: jsValue(o.RefreshAuthentication)}
	if v := jsValue(o.PrivacyPolicy); v != nil {
		opts.Extra = append(opts.Extra, wire.KV{Key: "privacyPolicy", Value: v})
	}
	if v := jsValue(o.TermsOfService); v != nil {
		opts.Extra = append(opts.Extra, wire.KV{Key: "termsOfService", Value: v})
	}
	for _, kv := range o.Extra {
		v := jsValue(kv.Value)
		switch {
		case v == nil || strings.HasPrefix(kv.Key, "_"):
			continue
		case kv.Key == "silent":
			opts.Silent = truthy(v)
			continue
		case kv.Key == "wantIssuer":
			// DOMIdentity's permission check reads wantIssuer from any message.
			if s, ok := v.(string); ok {
				msg.WantIssuer = s
			}
		}
		opts.Extra = append(opts.Extra, wire.KV{Key: kv.Key, Value: v})
	}
	return opts
}

// Logout is navigator.mozId.logout().
func (n *NSDOMIdentity) Logout(ctx *sim.Ctx) error {
	ctx.Record(sim.KindCall, n.page(), wire.CallLogout, nil)
	if n.watcher == nil {
		return n.throw(ctx, "navigator.id.logout called before navigator.id.watch")
	}
	if n.rpCalls > MaxRPCalls {
		return n.throw(ctx, "navigator.id.logout called too many times")
	}
	n.rpCalls++ // before error processing, unlike request()
	msg := n.message(ctx, nil, "")
	if len(msg.Errors) > 0 {
		n.reportErrors(ctx, msg.Errors)
		return nil
	}
	ctx.Send(wire.DOMIdentity, wire.MsgRPLogout, msg)
	return nil
}

// Close is inner-window-destroyed: Unwatch goes to the parent (whether or not the
// page ever watched), the state is dropped and the actor ends.
func (n *NSDOMIdentity) Close(ctx *sim.Ctx) {
	ctx.Record(sim.KindCall, n.page(), wire.CallClose, nil)
	ctx.Send(wire.DOMIdentity, wire.MsgRPUnwatch, wire.UnwatchMessage{ID: n.id, Target: ctx.Self(), MM: n.mm})
	n.transition(ctx, EvClose)
	n.watcher, n.onCancel = nil, nil
	PageMachine.Put(n.machine)
	n.machine = nil
	ctx.Exit()
}

// message is DOMIdentityMessage(options): id and origin always overwritten, the
// audience sanitised (only certified apps may declare another one).
//
// [D-early] (2014) sends no principal, only message.appStatus (here a
// Principal carrying the app status alone), and refuses wantIssuer
// "firefox-accounts" for apps that are neither privileged nor certified,
// before the audience check.
func (n *NSDOMIdentity) message(ctx *sim.Ctx, audience any, wantIssuer string) wire.RPMessage {
	msg := wire.RPMessage{ID: n.id, Origin: n.principal.Origin, Audience: n.principal.Origin, Principal: n.principal, Target: ctx.Self(), MM: n.mm}
	if n.era.ChildSideAuthorisation() {
		msg.Principal = wire.Principal{AppStatus: n.principal.AppStatus}
		if wantIssuer == wire.WantIssuerFxA && n.principal.AppStatus != wire.AppPrivileged && n.principal.AppStatus != wire.AppCertified {
			msg.Errors = append(msg.Errors, ErrNotAuthorizedForFirefoxAccounts)
		}
	}
	if truthy(audience) && looseNotEqual(audience, n.principal.Origin) {
		if n.principal.AppStatus == wire.AppCertified {
			msg.Audience = jsString(audience)
		} else {
			msg.Errors = append(msg.Errors, ErrInvalidAssertionAudience)
		}
	}
	return msg
}

// reportErrors calls the watcher's onerror with each bare code, synchronously.
func (n *NSDOMIdentity) reportErrors(ctx *sim.Ctx, codes []string) {
	for _, code := range codes {
		ctx.Record(sim.KindNote, ctx.Self(), errorConsoleText[code], code)
		if n.watcher != nil && n.watcher.onError != nil {
			n.deliver(ctx, Delivered{Callback: wire.CbError, Error: code}, code, func() { n.watcher.onError(code) })
		}
	}
}

// Receive handles the parent's Identity:RP:Watch:On* messages.
func (n *NSDOMIdentity) Receive(ctx *sim.Ctx, m sim.Message) {
	cb, ok := wire.Read[wire.RPCallback](ctx, m)
	if !ok {
		return
	}
	if cb.ID != n.id {
		return // another window's message (all windows share the child message manager)
	}
	w := n.watcher
	switch m.Name {
	case wire.MsgOnLogin, wire.MsgOnLogout, wire.MsgOnReady, wire.MsgOnCancel, wire.MsgOnError:
		if w == nil {
			ctx.Record(sim.KindNote, ctx.Self(), "WARNING: Received "+strings.TrimPrefix(m.Name, "Identity:RP:Watch:")+" message, but there is no RP watcher", cb.ID)
			return
		}
	default:
		ctx.Record(sim.KindNote, ctx.Self(), "ignored message", m.Name)
		return
	}
	switch m.Name {
	case wire.MsgOnLogin:
		n.transition(ctx, EvOnLogin)
		if w.onLogin != nil {
			var payload any
			assertion := ""
			if cb.Assertion != nil {
				payload, assertion = *cb.Assertion, *cb.Assertion
			}
			n.deliver(ctx, Delivered{Callback: wire.CbLogin, Assertion: cb.Assertion}, payload, func() { w.onLogin(assertion) })
		}
	case wire.MsgOnLogout:
		if w.onLogout != nil {
			n.deliver(ctx, Delivered{Callback: wire.CbLogout}, nil, w.onLogout)
		}
	case wire.MsgOnReady:
		n.transition(ctx, EvOnReady)
		if w.onReady != nil {
			n.deliver(ctx, Delivered{Callback: wire.CbReady}, nil, w.onReady)
		}
	case wire.MsgOnCancel:
		n.transition(ctx, EvOnCancel)
		if cancel := n.onCancel; cancel != nil {
			n.deliver(ctx, Delivered{Callback: wire.CbCancel}, nil, cancel)
		}
	case wire.MsgOnError:
		n.transition(ctx, EvOnError)
		if w.onError != nil {
			s := wire.OnErrorString(cb.Message)
			var payload any = s
			if n.era.RawOnError() {
				// [D-early] receiveMessage: onerror(msg.message), the manager's
				// rejection object itself; the page's line shows it as
				// JSON.stringify would.
				payload = cb.Message
				if s, _ = wire.JSONStringify(cb.Message); s == "" {
					s = "undefined"
				}
			}
			n.deliver(ctx, Delivered{Callback: wire.CbError, Error: s}, payload, func() { w.onError(s) })
		} else {
			ctx.Record(sim.KindNote, ctx.Self(), "no onerror callback; error dropped", wire.OnErrorString(cb.Message))
		}
	}
}

// deliver records a callback (payload is its trace value), tells the observer
// and runs it; while it runs the page is not handling user input, and calls it
// makes into the API run inline.
func (n *NSDOMIdentity) deliver(ctx *sim.Ctx, d Delivered, payload any, fn func()) {
	ctx.Record(sim.KindCallback, n.page(), d.Callback, payload)
	if n.observe != nil {
		n.observe(d)
	}
	n.callbackDepth++
	defer func() { n.callbackDepth-- }()
	fn()
}

// throw is nsDOMIdentity.js throwing `new Error(msg)`. In 2015 the Error stays
// in the chrome compartment: it is reported to the console ("Error: msg") and
// the page catches the generic NS_ERROR_UNEXPECTED (see webidl.go).
func (n *NSDOMIdentity) throw(ctx *sim.Ctx, msg string) error {
	if n.webIDL() {
		ctx.Record(sim.KindNote, ctx.Self(), "Error: "+msg, "reported; the page gets NS_ERROR_UNEXPECTED")
		ctx.Record(sim.KindCallback, n.page(), wire.CbThrows, UnexpectedError)
		return &Exception{Message: UnexpectedError, Name: "NS_ERROR_UNEXPECTED", Thrown: msg}
	}
	ctx.Record(sim.KindCallback, n.page(), wire.CbThrows, msg)
	return throw(msg)
}

func (n *NSDOMIdentity) transition(ctx *sim.Ctx, event string) {
	if n.machine == nil {
		return // closed
	}
	_ = n.machine.Fire(ctx, event) // Stay: no row keeps the state; a misspelt event is noted
}

// checkNames rejects NotFunctions entries the simulator cannot mean: unknown
// names, and names also given as a function.
func checkNames(notFunctions []string, login, logout, ready, onerror, cancel bool) error {
	given := map[string]bool{nameOnLogin: login, nameOnLogout: logout, nameOnReady: ready, nameOnError: onerror, nameOnCancel: cancel}
	for _, name := range notFunctions {
		isFn, known := given[name]
		if !known {
			return fmt.Errorf("identity: NotFunctions: %q is not a callback name (want one of %s)", name, strings.Join(callbackNames, ", "))
		}
		if isFn {
			return fmt.Errorf("identity: NotFunctions: %q is also given as a function; pass one or the other", name)
		}
	}
	return nil
}

// checkExtra keeps the named request options out of Extra, where they would be
// ambiguous (id and origin are always overwritten; the rest have their own fields).
func checkExtra(extra wire.Obj) error {
	for _, kv := range extra {
		switch kv.Key {
		case "id", "origin", "errors", "audience", "refreshAuthentication", "privacyPolicy", "termsOfService", "oncancel":
			return fmt.Errorf("identity: request option %q cannot go in Extra; id, origin and errors are set by navigator.mozId, the others have their own fields", kv.Key)
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// describeWatch is the options object as a trace payload.
func describeWatch(o WatchOptions) wire.Obj {
	var d wire.Obj
	if o.WantIssuer != "" {
		d = append(d, wire.KV{Key: "wantIssuer", Value: o.WantIssuer})
	}
	for _, kv := range []wire.KV{{Key: "audience", Value: o.Audience}, {Key: "loggedInUser", Value: o.LoggedInUser}, {Key: "loggedInEmail", Value: o.LoggedInEmail}} {
		if v := jsValue(kv.Value); v != nil {
			d = append(d, wire.KV{Key: kv.Key, Value: v})
		}
	}
	return appendCallbacks(d, o.NotFunctions, []string{nameOnLogin, nameOnLogout, nameOnReady, nameOnError},
		[]bool{o.OnLogin != nil, o.OnLogout != nil, o.OnReady != nil, o.OnError != nil})
}

func describeRequest(o RequestOptions) wire.Obj {
	var d wire.Obj
	for _, kv := range []wire.KV{{Key: "audience", Value: o.Audience}, {Key: "refreshAuthentication", Value: o.RefreshAuthentication},
		{Key: "privacyPolicy", Value: o.PrivacyPolicy}, {Key: "termsOfService", Value: o.TermsOfService}} {
		if v := jsValue(kv.Value); v != nil {
			d = append(d, wire.KV{Key: kv.Key, Value: v})
		}
	}
	for _, kv := range o.Extra {
		d = append(d, wire.KV{Key: kv.Key, Value: jsValue(kv.Value)})
	}
	if o.NotUserInput {
		d = append(d, wire.KV{Key: "userInput", Value: false})
	}
	return appendCallbacks(d, o.NotFunctions, []string{nameOnCancel}, []bool{o.OnCancel != nil})
}

func appendCallbacks(d wire.Obj, notFunctions, names []string, given []bool) wire.Obj {
	for i, name := range names {
		switch {
		case given[i]:
			d = append(d, wire.KV{Key: name, Value: "[function]"})
		case contains(notFunctions, name):
			d = append(d, wire.KV{Key: name, Value: "[not a function]"})
		}
	}
	return d
}

// webIDL says the page's options pass through the 2015 WebIDL binding.
func (n *NSDOMIdentity) webIDL() bool { return n.era.WebIDL() && !n.xpcom }
