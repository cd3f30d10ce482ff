package fxaccounts

import (
	"math"

	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/machine"
	"github.com/mozidsim/mozidsim/internal/promise"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// Error codes of FxAccountsCommon.js ([C-2]) the manager produces.
const (
	ErrInvalidAudience         = "INVALID_AUDIENCE"
	ErrOffline                 = "OFFLINE"
	ErrUnverifiedAccount       = "UNVERIFIED_ACCOUNT"
	ErrInvalidRefreshAuthValue = "INVALID_REFRESH_AUTH_VALUE"
	ErrNoSilentRefreshAuth     = "NO_SILENT_REFRESH_AUTH"
	ErrPermissionDenied        = "PERMISSION_DENIED"
	ErrUIError                 = "UI_ERROR"
	ErrUIRequest               = "UI_REQUEST"
	ErrServerError             = "SERVER_ERROR"
	ErrInvalidEmail            = "INVALID_EMAIL"
	ErrInvalidPassword         = "INVALID_PASSWORD"
	ErrAlreadySignedInUser     = "ALREADY_SIGNED_IN_USER"
	ErrInternalInvalidUser     = "INTERNAL_ERROR_INVALID_USER"
)

// getAssertion states ([M-C], fxaccounts-crypto §3.6, §3.7).
const (
	stStart         = "start"
	stAccount       = "account"        // looking up the signed-in user
	stSignInUI      = "ui-sign-in"     // _uiRequest("signInFlow")
	stRefreshUI     = "ui-refresh"     // _refreshAuthentication
	stAssertion     = "assertion"      // _getAssertion: FxAccounts.getAssertion
	stAccountStatus = "account-status" // errno 110: does the account still exist?
	stSignOut       = "signing-out"    // [M-A]: a stale refreshAuthentication signs out first
	stResolved      = "resolved"
	stRejected      = "rejected"
)

// getAssertion events.
const (
	evLookup          = "lookup"
	evNoUserSilent    = "no-user-silent"
	evNoUser          = "no-user"
	evUnverified      = "unverified"
	evBadRefreshValue = "bad-refresh-value"
	evSilentRefresh   = "silent-refresh"
	evAuthTooOld      = "auth-too-old"
	evPermPrompt      = "permission-prompt"
	evPermDeny        = "permission-deny"
	evRefreshing      = "already-refreshing"
	evAllowed         = "allowed"
	evOffline         = "offline"
	evUIVerified      = "ui-verified"
	evUIUnverified    = "ui-unverified"
	evUIFailed        = "ui-failed"
	evGotAssertion    = "got-assertion"
	evInvalidToken    = "invalid-auth-token"
	evAssertionFailed = "assertion-failed"
	evAccountExists   = "password-changed"
	evAccountGone     = "account-deleted"
	evNoAudience      = "no-audience"
	evOfflineFirst    = "offline-first"
	evStaleSignOut    = "stale-auth-sign-out"
	evSignedOutSilent = "signed-out-silent"
	evSignedOut       = "signed-out"
)

// The getAssertion machine reads top to bottom as FxAccountsManager.getAssertion
// and its helpers. Its refused-event policy is Fault: every event is fired by
// this file right after the check it names, so a refused one means the code
// and the table disagree, and answering the page anyway would be wrong.
// Machines are taken with Get and given back when the job settles: looplab
// builds its transition maps for every new machine, the largest cost of a
// silent watch.

// getAssertionAfterChecks are the rows both eras share: the UI's answer,
// minting the assertion, and errno 110 recovery.
var getAssertionAfterChecks = []machine.Event{
	{Name: evUIVerified, From: []string{stSignInUI, stRefreshUI}, To: stAssertion},
	{Name: evUIUnverified, From: []string{stSignInUI, stRefreshUI}, To: stRejected},
	{Name: evUIFailed, From: []string{stSignInUI, stRefreshUI}, To: stRejected},
	{Name: evGotAssertion, From: []string{stAssertion}, To: stResolved},
	{Name: evAssertionFailed, From: []string{stAssertion}, To: stRejected},
	{Name: evInvalidToken, From: []string{stAssertion}, To: stAccountStatus},
	{Name: evAccountExists, From: []string{stAccountStatus}, To: stRefreshUI},
	{Name: evAccountGone, From: []string{stAccountStatus}, To: stSignInUI},
}

// GetAssertionMachine is the 2015 [M-C] getAssertion, which tests the
// principal's permission.
var GetAssertionMachine = machine.Register(machine.Spec{
	Name:    "fxaccountsmanager-getassertion",
	Title:   "FxAccountsManager.getAssertion",
	File:    "services/fxaccounts/FxAccountsManager.jsm",
	Initial: stStart,
	Refused: machine.Fault,
	Events: append([]machine.Event{
		{Name: evNoAudience, From: []string{stStart}, To: stRejected},
		{Name: evLookup, From: []string{stStart}, To: stAccount},
		// No user.
		{Name: evNoUserSilent, From: []string{stAccount}, To: stResolved},
		{Name: evNoUser, From: []string{stAccount}, To: stSignInUI},
		// A user: checks in order.
		{Name: evUnverified, From: []string{stAccount}, To: stRejected},
		{Name: evBadRefreshValue, From: []string{stAccount}, To: stRejected},
		{Name: evSilentRefresh, From: []string{stAccount}, To: stRejected},
		{Name: evAuthTooOld, From: []string{stAccount}, To: stRefreshUI},
		{Name: evPermPrompt, From: []string{stAccount}, To: stRefreshUI},
		{Name: evPermDeny, From: []string{stAccount}, To: stRejected},
		{Name: evRefreshing, From: []string{stAccount}, To: stResolved},
		{Name: evAllowed, From: []string{stAccount}, To: stAssertion},
		// The UI (Gaia's dialog through FxAccountsUIGlue): offline is the 2015 check.
		{Name: evOffline, From: []string{stSignInUI, stRefreshUI}, To: stRejected},
	}, getAssertionAfterChecks...),
})

// getAssertion2014 is the spring-2014 [M-A] getAssertion: it checks the network
// first, signs a stale session out before the refresh UI and knows no
// permissions.
var getAssertion2014 = machine.Register(machine.Spec{
	Name:    "fxaccountsmanager-getassertion-2014",
	Title:   "FxAccountsManager.getAssertion in spring 2014 ([M-A])",
	File:    "services/fxaccounts/FxAccountsManager.jsm",
	Initial: stStart,
	Refused: machine.Fault,
	Events: append([]machine.Event{
		{Name: evNoAudience, From: []string{stStart}, To: stRejected},
		{Name: evOfflineFirst, From: []string{stStart}, To: stRejected},
		{Name: evLookup, From: []string{stStart}, To: stAccount},
		{Name: evNoUserSilent, From: []string{stAccount}, To: stResolved},
		{Name: evNoUser, From: []string{stAccount}, To: stSignInUI},
		{Name: evUnverified, From: []string{stAccount}, To: stRejected},
		{Name: evBadRefreshValue, From: []string{stAccount}, To: stRejected},
		{Name: evStaleSignOut, From: []string{stAccount}, To: stSignOut},
		{Name: evSignedOutSilent, From: []string{stSignOut}, To: stResolved},
		{Name: evSignedOut, From: []string{stSignOut}, To: stRefreshUI},
		{Name: evAllowed, From: []string{stAccount}, To: stAssertion},
	}, getAssertionAfterChecks...),
})

// GetAssertionMachineOf is the manager's getAssertion machine of an era.
func GetAssertionMachineOf(e era.Era) *machine.Table {
	if e.OfflineFirst() {
		return getAssertion2014
	}
	return GetAssertionMachine
}

// assertionJob is one getAssertion call in flight.
type assertionJob struct {
	machine   *machine.Machine
	replyTo   sim.Addr
	call      uint64
	audience  string
	principal *wire.Principal
	options   wire.AssertionOptions

	// refreshes holds one entry per _refreshAuthentication the job is inside,
	// outermost first, each its logoutOnFailure. They nest: after errno 110 the
	// refresh dialog's verified answer leads to another certificate request with
	// the same dead token (Bug 1031580 keeps the old session), hence another 110
	// and another refresh inside the first. Each level settles on its own.
	refreshes []bool
}

// FxAccountsManager is services/fxaccounts/FxAccountsManager.jsm, 2015 ([M-C]).
type FxAccountsManager struct {
	era           era.Era
	activeSession *wire.AccountData // cached credentials
	refreshing    bool
	offline       bool
	permissions   map[string]wire.Permission // by principal origin; seeded from the app's PermissionsTable entry
	calls         promise.Calls
}

// NewFxAccountsManager creates the manager actor (address wire.FxAccountsManager).
func NewFxAccountsManager(offline bool, opts ...Option) *FxAccountsManager {
	return &FxAccountsManager{era: configure(opts).era, offline: offline, permissions: make(map[string]wire.Permission)}
}

// Receive handles getAssertion, the account methods, answers and notifications.
func (m *FxAccountsManager) Receive(ctx *sim.Ctx, msg sim.Message) {
	if m.calls.Settle(ctx, msg) {
		return
	}
	switch msg.Name {
	case wire.GetAssertion:
		c, ok := wire.Read[wire.GetAssertionCall](ctx, msg)
		if !ok {
			return
		}
		m.getAssertion(ctx, &assertionJob{
			machine: GetAssertionMachineOf(m.era).Get(), replyTo: msg.From, call: c.Call,
			audience: c.Audience, principal: c.Principal, options: c.Options,
		})
	case wire.SignIn, wire.SignUp:
		c, ok := wire.Read[wire.Credentials](ctx, msg)
		if !ok {
			return
		}
		m.signInSignUp(ctx, msg.Name, c.Email, c.Password, m.answer(msg.From, msg.Name, c.Call))
	case wire.SignOut:
		if c, ok := wire.Read[wire.SignOutCall](ctx, msg); ok {
			m.signOut(ctx, m.answer(msg.From, msg.Name, c.Call))
		}
	case wire.GetAccount:
		if c, ok := wire.Read[wire.PlainCall](ctx, msg); ok {
			reply := m.answer(msg.From, msg.Name, c.Call)
			m.getAccount(ctx, func(ctx *sim.Ctx, user *wire.AccountData) { reply(ctx, true, m.userObj(user)) })
		}
	case wire.QueryAccount:
		if c, ok := wire.Read[wire.EmailCall](ctx, msg); ok {
			m.queryAccount(ctx, c.Email, m.answer(msg.From, msg.Name, c.Call))
		}
	case wire.ResendVerification:
		if c, ok := wire.Read[wire.EmailCall](ctx, msg); ok {
			m.resendVerification(ctx, m.answer(msg.From, msg.Name, c.Call))
		}
	case wire.NotifyOnLogout:
		m.activeSession = nil
	case wire.NotifyUpdate:
		m.activeSession = nil
		n, ok := wire.Read[wire.Notification](ctx, msg)
		if ok && n.Data == wire.NotifyOnVerified {
			// The manager is how FirefoxAccounts.jsm and the System app learn of verification.
			ctx.Send(wire.FirefoxAccounts, wire.NotifyOnVerified, wire.Notification{})
			ctx.Send(wire.FxAccountsMgmtService, wire.NotifyOnVerified, wire.Notification{})
		}
	case wire.NotifyNetwork:
		if st, ok := wire.Read[wire.NetworkStatus](ctx, msg); ok {
			m.offline = st.Offline
		}
	default:
		ctx.Record(sim.KindNote, ctx.Self(), "ignored message", msg.Name)
	}
}

// answer returns a continuation that settles the caller's promise.
func (m *FxAccountsManager) answer(to sim.Addr, method string, call uint64) promise.Then {
	return func(ctx *sim.Ctx, ok bool, v any) {
		if ok {
			promise.Resolve(ctx, to, method, call, v)
		} else {
			promise.Reject(ctx, to, method, call, v)
		}
	}
}

// fire moves a job's machine (Fault: a refused event panics, naming it).
func (j *assertionJob) fire(ev string) { _ = j.machine.Fire(nil, ev) }

func (m *FxAccountsManager) finish(ctx *sim.Ctx, j *assertionJob, ev string, ok bool, v any) {
	j.fire(ev)
	ctx.Record(sim.KindNote, ctx.Self(), "getAssertion "+j.machine.Current()+" ("+ev+")", nil)
	j.machine.Table().Put(j.machine)
	j.machine = nil
	if ok {
		promise.Resolve(ctx, j.replyTo, wire.GetAssertion, j.call, v)
	} else {
		promise.Reject(ctx, j.replyTo, wire.GetAssertion, j.call, v)
	}
}

func (m *FxAccountsManager) getAssertion(ctx *sim.Ctx, j *assertionJob) {
	if j.audience == "" {
		m.finish(ctx, j, evNoAudience, false, wire.NewError(ErrInvalidAudience, nil))
		return
	}
	if m.era.OfflineFirst() && m.offline {
		// [M-A] getAssertion: OFFLINE before the account lookup.
		m.finish(ctx, j, evOfflineFirst, false, wire.NewError(ErrOffline, nil))
		return
	}
	j.fire(evLookup)
	m.getAccount(ctx, func(ctx *sim.Ctx, user *wire.AccountData) {
		if user == nil {
			if j.options.Silent {
				m.finish(ctx, j, evNoUserSilent, true, nil) // watch: onlogout, onready
				return
			}
			j.fire(evNoUser)
			m.uiRequest(ctx, j, wire.SignInFlow, "")
			return
		}
		if !user.Verified {
			m.finish(ctx, j, evUnverified, false, wire.NewError(ErrUnverifiedAccount, wire.O("user", m.userObj(user))))
			return
		}
		if m.era.RefreshSignsOutFirst() {
			m.getAssertion2014(ctx, j, user)
			return
		}
		if ra := j.options.RefreshAuthentication; ra != nil {
			grace, isNumber := ra.(float64)
			if !isNumber || math.IsNaN(grace) {
				m.finish(ctx, j, evBadRefreshValue, false, wire.NewError(ErrInvalidRefreshAuthValue, nil))
				return
			}
			if j.options.Silent {
				m.finish(ctx, j, evSilentRefresh, false, wire.NewError(ErrNoSilentRefreshAuth, nil))
				return
			}
			// Strictly greater: an authAt exactly grace seconds ago needs no password.
			secondsSinceAuth := float64(ctx.Now().UnixMilli())/1000 - float64(user.AuthAt)
			if secondsSinceAuth > grace {
				j.fire(evAuthTooOld)
				m.refreshAuthentication(ctx, j, user.Email, false)
				return
			}
		}
		// silent is not consulted here: a silent watch from a PROMPT app can pop the force-auth UI.
		switch perm := m.permission(j.principal); {
		case perm == wire.PermPrompt && !m.refreshing:
			j.fire(evPermPrompt)
			m.refreshAuthentication(ctx, j, user.Email, false)
		case perm == wire.PermDeny && !m.refreshing:
			m.finish(ctx, j, evPermDeny, false, wire.NewError(ErrPermissionDenied, nil))
		case m.refreshing:
			m.finish(ctx, j, evRefreshing, true, nil)
		default:
			j.fire(evAllowed)
			m.fetchAssertion(ctx, j)
		}
	})
}

// getAssertion2014 is the rest of [M-A] getAssertion for a verified user
// (fxaccounts-crypto.md §3.6): a truthy refreshAuthentication (0 is ignored)
// must be a number; when the session is older than it, the whole account is
// signed out (_signOut) before the refresh UI, and a silent call resolves null.
// There is no permission, no _refreshing and no nesting of UI failures.
func (m *FxAccountsManager) getAssertion2014(ctx *sim.Ctx, j *assertionJob, user *wire.AccountData) {
	if ra := j.options.RefreshAuthentication; wire.Truthy(ra) {
		grace, isNumber := ra.(float64)
		if !isNumber || math.IsNaN(grace) {
			m.finish(ctx, j, evBadRefreshValue, false, wire.NewError(ErrInvalidRefreshAuthValue, nil))
			return
		}
		secondsSinceAuth := float64(ctx.Now().UnixMilli())/1000 - float64(user.AuthAt)
		if secondsSinceAuth > grace {
			j.fire(evStaleSignOut)
			email := user.Email
			m.signOutSession(ctx, func(ctx *sim.Ctx, ok bool, v any) {
				if j.options.Silent {
					m.finish(ctx, j, evSignedOutSilent, true, nil)
					return
				}
				j.fire(evSignedOut)
				m.uiRequest(ctx, j, wire.RefreshAuthentication, email)
			})
			return
		}
	}
	j.fire(evAllowed)
	m.fetchAssertion(ctx, j)
}

func (m *FxAccountsManager) permission(p *wire.Principal) wire.Permission {
	if p == nil {
		return wire.PermUnknown
	}
	if perm, ok := m.permissions[p.Origin]; ok {
		return perm
	}
	return wire.PermissionOf(*p)
}

// uiRequest is _uiRequest: offline check, then FxAccountsUIGlue; a verified result
// goes on to _getAssertion.
func (m *FxAccountsManager) uiRequest(ctx *sim.Ctx, j *assertionJob, request, email string) {
	if m.offline && !m.era.OfflineFirst() { // [M-A] _uiRequest has no offline check
		m.fail(ctx, j, evOffline, wire.NewError(ErrOffline, nil))
		return
	}
	var call wire.Callable = wire.PlainCall{}
	if request == wire.RefreshAuthentication {
		call = wire.EmailCall{Email: email}
	}
	m.calls.Send(ctx, wire.FxAccountsUIGlue, request, call, func(ctx *sim.Ctx, ok bool, v any) {
		if !ok {
			m.fail(ctx, j, evUIFailed, wire.NewError(ErrUIError, v))
			return
		}
		result, _ := v.(wire.Obj)
		if !result.Truthy("verified") {
			var user any = wire.Undefined
			if v != nil {
				user = v
			}
			m.fail(ctx, j, evUIUnverified, &wire.FxAError{Error: ErrUnverifiedAccount, Details: wire.O("user", user)})
			return
		}
		j.fire(evUIVerified)
		m.fetchAssertion(ctx, j)
	})
}

// refreshAuthentication is _refreshAuthentication: the password UI with _refreshing
// up until the whole chain (UI, then assertion) settles.
func (m *FxAccountsManager) refreshAuthentication(ctx *sim.Ctx, j *assertionJob, email string, logoutOnFailure bool) {
	m.refreshing = true
	j.refreshes = append(j.refreshes, logoutOnFailure)
	m.uiRequest(ctx, j, wire.RefreshAuthentication, email)
}

// fail rejects the job, unwinding the refreshes it is inside, innermost first.
// Each level is _refreshAuthentication's rejection handler: clear _refreshing,
// then reject {error: reason}, one more level of nesting (what FirefoxAccounts.jsm's
// cancel test looks for). With logoutOnFailure (the errno 110 path) the level
// first runs the full _signOut() and only wraps the reason when that resolves:
// `_signOut().then(() => this._error(reason))` has no rejection handler, so a
// failed POST /session/destroy (with the token the server just refused, errno
// 110 again) becomes this level's rejection instead, and the dialog's error is lost.
func (m *FxAccountsManager) fail(ctx *sim.Ctx, j *assertionJob, ev string, reason any) {
	n := len(j.refreshes)
	if n == 0 {
		m.finish(ctx, j, ev, false, reason)
		return
	}
	logoutOnFailure := j.refreshes[n-1]
	j.refreshes = j.refreshes[:n-1]
	m.refreshing = false
	if !logoutOnFailure {
		m.fail(ctx, j, ev, &wire.FxAError{Error: reason})
		return
	}
	m.signOutSession(ctx, func(ctx *sim.Ctx, ok bool, v any) {
		if !ok {
			m.fail(ctx, j, ev, v)
			return
		}
		m.fail(ctx, j, ev, &wire.FxAError{Error: reason})
	})
}

// fetchAssertion is _getAssertion: FxAccounts mints it; success grants the permission.
func (m *FxAccountsManager) fetchAssertion(ctx *sim.Ctx, j *assertionJob) {
	audience := j.audience
	m.calls.Send(ctx, wire.FxAccounts, wire.GetAssertion, wire.GetAssertionCall{Audience: audience}, func(ctx *sim.Ctx, ok bool, v any) {
		if ok {
			if j.principal != nil {
				m.permissions[j.principal.Origin] = wire.PermAllow
			}
			if len(j.refreshes) > 0 {
				// Every level's success handler clears _refreshing and passes the assertion on.
				j.refreshes = j.refreshes[:0]
				m.refreshing = false
			}
			m.finish(ctx, j, evGotAssertion, true, v)
			return
		}
		m.handleGetAssertionError(ctx, j, v)
	})
}

// handleGetAssertionError: only errno 110 (INVALID_AUTH_TOKEN) is recovered from;
// anything else (a plain Error("OFFLINE") too) is passed on unchanged.
func (m *FxAccountsManager) handleGetAssertionError(ctx *sim.Ctx, j *assertionJob, reason any) {
	se, ok := reason.(*wire.ServerError)
	if !ok || se.Errno != 110 {
		m.fail(ctx, j, evAssertionFailed, reason)
		return
	}
	j.fire(evInvalidToken)
	m.calls.Send(ctx, wire.FxAccounts, wire.AccountStatus, wire.PlainCall{}, func(ctx *sim.Ctx, ok bool, v any) {
		exists, _ := v.(bool)
		if ok && exists {
			// The password changed elsewhere: ask for it again, signing out if that fails.
			j.fire(evAccountExists)
			m.getAccount(ctx, func(ctx *sim.Ctx, user *wire.AccountData) {
				email := ""
				if user != nil {
					email = user.Email
				}
				m.refreshAuthentication(ctx, j, email, true)
			})
			return
		}
		// The account is gone: sign out locally and offer a fresh sign-in.
		j.fire(evAccountGone)
		m.localSignOut(ctx, func(ctx *sim.Ctx) { m.uiRequest(ctx, j, wire.SignInFlow, "") })
	})
}

// getAccount resolves the cached session, else FxAccounts' stored user.
func (m *FxAccountsManager) getAccount(ctx *sim.Ctx, then func(*sim.Ctx, *wire.AccountData)) {
	if m.era.WaitsForVerification() {
		then = m.waitForVerification(then)
	}
	if m.activeSession != nil {
		if !m.activeSession.Verified && !m.era.WaitsForVerification() {
			m.verificationStatus(ctx)
		}
		then(ctx, m.activeSession)
		return
	}
	m.calls.Send(ctx, wire.FxAccounts, wire.GetSignedInUser, wire.PlainCall{}, func(ctx *sim.Ctx, ok bool, v any) {
		user, _ := v.(*wire.AccountData)
		if !ok || user == nil || user.Email == "" {
			then(ctx, nil)
			return
		}
		cached := *user
		m.activeSession = &cached
		if !cached.Verified && !m.era.WaitsForVerification() {
			m.verificationStatus(ctx)
		}
		then(ctx, m.activeSession)
	})
}

// waitForVerification wraps a getAccount continuation the [M-A] way: an
// unverified user, with the phone online, is only resolved once GET
// /recovery_email/status has answered (and a change has been stored). A
// failed check resolves the user as cached (a choice: M-A rejected, which
// the callers then reported as a server error; not modelled).
func (m *FxAccountsManager) waitForVerification(then func(*sim.Ctx, *wire.AccountData)) func(*sim.Ctx, *wire.AccountData) {
	return func(ctx *sim.Ctx, user *wire.AccountData) {
		if user == nil || user.Verified || m.offline || user.SessionToken == "" {
			then(ctx, user)
			return
		}
		token := user.SessionToken
		m.calls.Send(ctx, wire.FxAServer, wire.OpEmailStatus, wire.ServerRequest{Op: wire.OpEmailStatus, SessionToken: token}, func(ctx *sim.Ctx, ok bool, v any) {
			st, isStatus := v.(wire.EmailStatus)
			if !ok || !isStatus || m.activeSession == nil || m.activeSession.SessionToken != token || !st.Verified {
				then(ctx, m.activeSession)
				return
			}
			m.activeSession.Verified = true
			m.setSignedInUser(ctx, *m.activeSession, func(ctx *sim.Ctx) { then(ctx, m.activeSession) })
		})
	}
}

// verificationStatus is fire-and-forget: ask the server, store a change.
func (m *FxAccountsManager) verificationStatus(ctx *sim.Ctx) {
	s := m.activeSession
	if s == nil || s.SessionToken == "" || s.Verified || m.offline {
		return
	}
	token := s.SessionToken
	m.calls.Send(ctx, wire.FxAServer, wire.OpEmailStatus, wire.ServerRequest{Op: wire.OpEmailStatus, SessionToken: token}, func(ctx *sim.Ctx, ok bool, v any) {
		st, isStatus := v.(wire.EmailStatus)
		if !ok || !isStatus || m.activeSession == nil || m.activeSession.SessionToken != token || st.Verified == m.activeSession.Verified {
			return
		}
		m.activeSession.Verified = st.Verified
		m.setSignedInUser(ctx, *m.activeSession, func(*sim.Ctx) {})
	})
}

func (m *FxAccountsManager) setSignedInUser(ctx *sim.Ctx, user wire.AccountData, then func(*sim.Ctx)) {
	m.calls.Send(ctx, wire.FxAccounts, wire.SetSignedInUser, wire.SetSignedInUserCall{User: user}, func(ctx *sim.Ctx, ok bool, v any) { then(ctx) })
}

func (m *FxAccountsManager) localSignOut(ctx *sim.Ctx, then func(*sim.Ctx)) {
	m.activeSession = nil
	m.calls.Send(ctx, wire.FxAccounts, wire.SignOut, wire.SignOutCall{LocalOnly: true}, func(ctx *sim.Ctx, ok bool, v any) { then(ctx) })
}

// userObj is the manager's _user getter: [M-C] {email, verified}; [M-A]
// {accountId, verified}.
func (m *FxAccountsManager) userObj(u *wire.AccountData) any {
	if u == nil {
		return nil
	}
	if m.era == era.Spring2014 {
		return wire.O("accountId", u.Email, "verified", u.Verified)
	}
	return wire.O("email", u.Email, "verified", u.Verified)
}

// signInSignUp is _signInSignUp(method, email, password).
func (m *FxAccountsManager) signInSignUp(ctx *sim.Ctx, method, email, password string, reply promise.Then) {
	switch {
	case m.offline:
		reply(ctx, false, wire.NewError(ErrOffline, nil))
		return
	case email == "":
		reply(ctx, false, wire.NewError(ErrInvalidEmail, nil))
		return
	case password == "":
		reply(ctx, false, wire.NewError(ErrInvalidPassword, nil))
		return
	}
	m.getAccount(ctx, func(ctx *sim.Ctx, user *wire.AccountData) {
		if user != nil && !m.refreshing {
			reply(ctx, false, wire.NewError(ErrAlreadySignedInUser, wire.O("user", m.userObj(user))))
			return
		}
		op := wire.OpAccountLogin
		if method == wire.SignUp {
			op = wire.OpAccountCreate
		}
		m.calls.Send(ctx, wire.FxAServer, op, wire.ServerRequest{Op: op, Email: email, Password: password}, func(ctx *sim.Ctx, ok bool, v any) {
			if !ok {
				reply(ctx, false, serverError(v))
				return
			}
			res, _ := v.(wire.SignInResult)
			if res.UID == "" || res.SessionToken == "" {
				reply(ctx, false, wire.NewError(ErrInternalInvalidUser, wire.O("user", v)))
				return
			}
			if res.Email == "" {
				res.Email = email // the server's capitalisation wins when it sends one
			}
			user := wire.AccountData{Email: res.Email, UID: res.UID, SessionToken: res.SessionToken, Verified: res.Verified, AuthAt: res.AuthAt}
			if m.refreshing {
				// Bug 1031580: a refresh-auth sign-in only proves the password; storage is untouched.
				reply(ctx, true, wire.O("user", m.userObj(m.activeSession)))
				return
			}
			m.setSignedInUser(ctx, user, func(ctx *sim.Ctx) {
				m.activeSession = &user
				reply(ctx, true, wire.O("accountCreated", method == wire.SignUp, "user", m.userObj(&user)))
			})
		})
	})
}

// serverError is _serverError: {error: mapped errno or SERVER_ERROR, details: e}.
func serverError(v any) any {
	code := ErrServerError
	if se, ok := v.(*wire.ServerError); ok {
		if mapped := ErrnoToError(se.Errno); mapped != "" {
			code = mapped
		}
	}
	return &wire.FxAError{Error: code, Details: v}
}

// signOut is the API's signOut(): with a cached session straight to _signOut,
// else only once getAccount has found a stored user.
func (m *FxAccountsManager) signOut(ctx *sim.Ctx, reply promise.Then) {
	if m.activeSession != nil {
		m.signOutSession(ctx, reply)
		return
	}
	m.getAccount(ctx, func(ctx *sim.Ctx, user *wire.AccountData) {
		if user == nil {
			reply(ctx, true, nil)
			return
		}
		m.signOutSession(ctx, reply)
	})
}

// signOutSession is _signOut: nothing without a cached session; else remember the
// sessionToken (the local sign-out's "fxaccounts:onlogout" clears the cache), sign
// out locally, then, when online, POST /session/destroy. Its failure is rejected
// through _serverError, e.g. {error: "INVALID_AUTH_TOKEN", details: <the 110 body>}
// for a token the server no longer knows; offline resolves after the local part.
func (m *FxAccountsManager) signOutSession(ctx *sim.Ctx, then promise.Then) {
	if m.activeSession == nil {
		then(ctx, true, nil)
		return
	}
	token := m.activeSession.SessionToken
	m.localSignOut(ctx, func(ctx *sim.Ctx) {
		if m.offline {
			then(ctx, true, nil)
			return
		}
		m.calls.Send(ctx, wire.FxAServer, wire.OpSessionDestroy, wire.ServerRequest{Op: wire.OpSessionDestroy, SessionToken: token}, func(ctx *sim.Ctx, ok bool, v any) {
			if ok {
				then(ctx, true, nil)
			} else {
				then(ctx, false, serverError(v))
			}
		})
	})
}

func (m *FxAccountsManager) queryAccount(ctx *sim.Ctx, email string, reply promise.Then) {
	if m.offline {
		reply(ctx, false, wire.NewError(ErrOffline, nil))
		return
	}
	if email == "" {
		reply(ctx, false, wire.NewError(ErrInvalidEmail, nil))
		return
	}
	m.calls.Send(ctx, wire.FxAServer, wire.OpAccountExists, wire.ServerRequest{Op: wire.OpAccountExists, Email: email}, func(ctx *sim.Ctx, ok bool, v any) {
		if !ok {
			// The historic rejection handler forgets to return: the promise resolves undefined.
			reply(ctx, true, wire.Undefined)
			return
		}
		registered, _ := v.(bool)
		reply(ctx, true, wire.O("registered", registered))
	})
}

func (m *FxAccountsManager) resendVerification(ctx *sim.Ctx, reply promise.Then) {
	m.getAccount(ctx, func(ctx *sim.Ctx, user *wire.AccountData) {
		if user == nil {
			reply(ctx, false, wire.NewError(ErrServerError, "no signed-in user"))
			return
		}
		token := user.SessionToken
		m.calls.Send(ctx, wire.FxAServer, wire.OpResendCode, wire.ServerRequest{Op: wire.OpResendCode, SessionToken: token}, func(ctx *sim.Ctx, ok bool, v any) {
			if ok {
				reply(ctx, true, nil)
			} else {
				reply(ctx, false, &wire.FxAError{Error: ErrServerError, Details: v})
			}
		})
	})
}
