package fxaccounts

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/promise"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/simtest"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// The cases of services/fxaccounts/tests/xpcshell/test_manager.js ([T], fxaccounts-crypto §3.8), with
// stubs for FxAccounts, the UI glue and the server.

type stubFxAccounts struct {
	user          *wire.AccountData
	assertionErrs []any // rejections for the next getAssertion calls, in order
	exists        bool
	signOuts      int
}

func (s *stubFxAccounts) Receive(ctx *sim.Ctx, m sim.Message) {
	switch m.Name {
	case wire.GetSignedInUser:
		var v any
		if s.user != nil {
			u := *s.user
			v = &u
		}
		promise.Resolve(ctx, m.From, m.Name, m.Payload.(wire.PlainCall).Call, v)
	case wire.SetSignedInUser:
		c := m.Payload.(wire.SetSignedInUserCall)
		s.user = &c.User
		promise.Resolve(ctx, m.From, m.Name, c.Call, nil)
	case wire.SignOut:
		s.signOuts++
		s.user = nil
		promise.Resolve(ctx, m.From, m.Name, m.Payload.(wire.SignOutCall).Call, nil)
	case wire.GetAssertion:
		c := m.Payload.(wire.GetAssertionCall)
		if len(s.assertionErrs) > 0 {
			reason := s.assertionErrs[0]
			s.assertionErrs = s.assertionErrs[1:]
			promise.Reject(ctx, m.From, m.Name, c.Call, reason)
			return
		}
		promise.Resolve(ctx, m.From, m.Name, c.Call, "assertion-for-"+c.Audience)
	case wire.AccountStatus:
		promise.Resolve(ctx, m.From, m.Name, m.Payload.(wire.PlainCall).Call, s.exists)
	}
}

type stubUI struct {
	calls   []string
	result  any // resolve with this...
	reject  any // ...or reject with this
	holding bool
	// script, when set, answers the calls in order instead of result/reject.
	script []uiAnswer
}

type uiAnswer struct {
	ok    bool
	value any
}

func (s *stubUI) Receive(ctx *sim.Ctx, m sim.Message) {
	s.calls = append(s.calls, m.Name)
	if s.holding {
		return
	}
	var call uint64
	switch p := m.Payload.(type) {
	case wire.PlainCall:
		call = p.Call
	case wire.EmailCall:
		call = p.Call
	}
	if len(s.script) > 0 {
		a := s.script[0]
		s.script = s.script[1:]
		if a.ok {
			promise.Resolve(ctx, m.From, m.Name, call, a.value)
		} else {
			promise.Reject(ctx, m.From, m.Name, call, a.value)
		}
		return
	}
	if s.reject != nil {
		promise.Reject(ctx, m.From, m.Name, call, s.reject)
		return
	}
	promise.Resolve(ctx, m.From, m.Name, call, s.result)
}

// stubServer answers the manager's own requests; session/destroy with a token in
// dead (a password change elsewhere ended it) is errno 110, as on the real server.
type stubServer struct {
	dead      map[string]bool
	destroyed []string // session/destroy requests, by token
}

func (s *stubServer) Receive(ctx *sim.Ctx, m sim.Message) {
	r := m.Payload.(wire.ServerRequest)
	switch r.Op {
	case wire.OpSessionDestroy:
		s.destroyed = append(s.destroyed, r.SessionToken)
		if s.dead[r.SessionToken] {
			promise.Reject(ctx, m.From, m.Name, r.Call, invalidToken())
			return
		}
		promise.Resolve(ctx, m.From, m.Name, r.Call, nil)
	case wire.OpAccountCreate:
		promise.Resolve(ctx, m.From, m.Name, r.Call, wire.SignInResult{UID: "u1", SessionToken: "t1", Verified: false, AuthAt: 1})
	case wire.OpAccountLogin:
		promise.Resolve(ctx, m.From, m.Name, r.Call, wire.SignInResult{UID: "u1", SessionToken: "t2", Verified: true, AuthAt: 2})
	default:
		promise.Resolve(ctx, m.From, m.Name, r.Call, nil)
	}
}

type answers struct{ got []any }

func (a *answers) Receive(ctx *sim.Ctx, m sim.Message) {
	switch p := m.Payload.(type) {
	case wire.Resolved:
		a.got = append(a.got, p.Value)
	case wire.Rejected:
		s, _ := wire.JSONStringify(p.Reason)
		a.got = append(a.got, "rejected "+s)
	}
}

type mgrHarness struct {
	sys *sim.System
	mgr *FxAccountsManager
	fxa *stubFxAccounts
	ui  *stubUI
	srv *stubServer
	out *answers
}

func newMgrHarness(t *testing.T, user *wire.AccountData) *mgrHarness {
	t.Helper()
	h := &mgrHarness{mgr: NewFxAccountsManager(false), fxa: &stubFxAccounts{user: user}, ui: &stubUI{}, srv: &stubServer{}, out: &answers{}}
	h.sys = simtest.New(t, 0, map[sim.Addr]sim.Handler{wire.FxAccountsManager: h.mgr, wire.FxAccounts: h.fxa, wire.FxAccountsUIGlue: h.ui,
		wire.FxAServer: h.srv, wire.FirefoxAccounts: h.out, wire.FxAccountsMgmtService: &simtest.Recorder{}})
	return h
}

var settingsApp = &wire.Principal{Origin: "app://settings.gaiamobile.org", AppStatus: wire.AppCertified}

func (h *mgrHarness) getAssertion(t *testing.T, aud string, p *wire.Principal, opts wire.AssertionOptions) any {
	t.Helper()
	return h.call(t, wire.GetAssertion, wire.GetAssertionCall{Call: 1, Audience: aud, Principal: p, Options: opts})
}

func (h *mgrHarness) call(t *testing.T, name string, payload any) any {
	t.Helper()
	n := len(h.out.got)
	require.NoError(t, h.sys.Send(sim.Message{Name: name, From: wire.FirefoxAccounts, To: wire.FxAccountsManager, Payload: payload}))
	require.NoError(t, h.sys.RunUntilIdle())
	require.Len(t, h.out.got, n+1, "exactly one answer")
	return h.out.got[n]
}

func verifiedUser(authAt int64) *wire.AccountData {
	return &wire.AccountData{Email: "user@example.com", UID: "u", SessionToken: "s", Verified: true, AuthAt: authAt}
}

func TestNoAudience(t *testing.T) {
	h := newMgrHarness(t, nil)
	require.Equal(t, `rejected {"error":"INVALID_AUDIENCE"}`, h.getAssertion(t, "", settingsApp, wire.AssertionOptions{}))
}

func TestNoSessionUIRejects(t *testing.T) {
	h := newMgrHarness(t, nil)
	h.ui.reject = "error"
	require.Equal(t, `rejected {"error":"UI_ERROR","details":"error"}`, h.getAssertion(t, "aud", settingsApp, wire.AssertionOptions{}))
	require.Equal(t, []string{wire.SignInFlow}, h.ui.calls)
}

func TestNoSessionUIResolvesUnverified(t *testing.T) {
	h := newMgrHarness(t, nil)
	h.ui.result = wire.O("email", "user@example.com", "verified", false)
	require.Equal(t, `rejected {"error":"UNVERIFIED_ACCOUNT","details":{"user":{"email":"user@example.com","verified":false}}}`,
		h.getAssertion(t, "aud", settingsApp, wire.AssertionOptions{}))
}

func TestNoSessionUIResolvesVerified(t *testing.T) {
	h := newMgrHarness(t, nil)
	h.ui.result = wire.O("email", "user@example.com", "verified", true)
	require.Equal(t, "assertion-for-aud", h.getAssertion(t, "aud", settingsApp, wire.AssertionOptions{}))
}

func TestSilentNoUserIsNull(t *testing.T) {
	h := newMgrHarness(t, nil)
	require.Nil(t, h.getAssertion(t, "aud", settingsApp, wire.AssertionOptions{Silent: true}))
	require.Empty(t, h.ui.calls)
}

func TestSessionUnverifiedNoUI(t *testing.T) {
	u := verifiedUser(0)
	u.Verified = false
	h := newMgrHarness(t, u)
	require.Equal(t, `rejected {"error":"UNVERIFIED_ACCOUNT","details":{"user":{"email":"user@example.com","verified":false}}}`,
		h.getAssertion(t, "aud", settingsApp, wire.AssertionOptions{}))
	require.Empty(t, h.ui.calls)
}

func TestVerifiedSessionGivesAssertion(t *testing.T) {
	h := newMgrHarness(t, verifiedUser(0))
	require.Equal(t, "assertion-for-aud", h.getAssertion(t, "aud", settingsApp, wire.AssertionOptions{}))
	require.Empty(t, h.ui.calls)
}

func TestOfflineUINeededRejectsWithoutUI(t *testing.T) {
	h := newMgrHarness(t, nil)
	h.mgr.offline = true
	require.Equal(t, `rejected {"error":"OFFLINE"}`, h.getAssertion(t, "aud", settingsApp, wire.AssertionOptions{}))
	require.Empty(t, h.ui.calls)
}

func TestRefreshAuthenticationStrictGrace(t *testing.T) {
	now := sim.Epoch.Unix()
	h := newMgrHarness(t, verifiedUser(now-1201))
	h.ui.result = wire.O("email", "user@example.com", "verified", true)
	require.Equal(t, "assertion-for-aud", h.getAssertion(t, "aud", settingsApp, wire.AssertionOptions{RefreshAuthentication: 1200.0}))
	require.Equal(t, []string{wire.RefreshAuthentication}, h.ui.calls)
	require.False(t, h.mgr.refreshing)

	// Exactly grace seconds ago is not "more than" grace: no password prompt.
	h2 := newMgrHarness(t, verifiedUser(now-1200))
	require.Equal(t, "assertion-for-aud", h2.getAssertion(t, "aud", settingsApp, wire.AssertionOptions{RefreshAuthentication: 1200.0}))
	require.Empty(t, h2.ui.calls)

	h3 := newMgrHarness(t, verifiedUser(now+3600)) // authAt in the future
	require.Equal(t, "assertion-for-aud", h3.getAssertion(t, "aud", settingsApp, wire.AssertionOptions{RefreshAuthentication: 1.0}))
	require.Empty(t, h3.ui.calls)
}

func TestRefreshAuthenticationErrors(t *testing.T) {
	h := newMgrHarness(t, verifiedUser(0))
	require.Equal(t, `rejected {"error":"INVALID_REFRESH_AUTH_VALUE"}`, h.getAssertion(t, "aud", settingsApp, wire.AssertionOptions{RefreshAuthentication: "NaN"}))
	require.Equal(t, `rejected {"error":"NO_SILENT_REFRESH_AUTH"}`, h.getAssertion(t, "aud", settingsApp, wire.AssertionOptions{RefreshAuthentication: 10.0, Silent: true}))
}

func TestRefreshCancelIsNestedAndKeepsUserSignedIn(t *testing.T) {
	h := newMgrHarness(t, verifiedUser(0))
	h.ui.reject = wire.DialogClosedByUser
	require.Equal(t, `rejected {"error":{"error":"UI_ERROR","details":"DIALOG_CLOSED_BY_USER"}}`,
		h.getAssertion(t, "aud", settingsApp, wire.AssertionOptions{RefreshAuthentication: 1.0}))
	require.Zero(t, h.fxa.signOuts, "2015: a failed refresh does not sign the user out")
	require.False(t, h.mgr.refreshing)
}

func TestPermissionDenyAndPrompt(t *testing.T) {
	h := newMgrHarness(t, verifiedUser(0))
	web := &wire.Principal{Origin: "https://web.example", AppStatus: wire.AppInstalled}
	require.Equal(t, `rejected {"error":"PERMISSION_DENIED"}`, h.getAssertion(t, "aud", web, wire.AssertionOptions{}))
	require.Empty(t, h.ui.calls)

	priv := &wire.Principal{Origin: "app://priv.example", AppStatus: wire.AppPrivileged}
	h.ui.result = wire.O("email", "user@example.com", "verified", true)
	require.Equal(t, "assertion-for-aud", h.getAssertion(t, "aud", priv, wire.AssertionOptions{Silent: true}), "silent is not consulted for PROMPT")
	require.Equal(t, []string{wire.RefreshAuthentication}, h.ui.calls)
	require.Equal(t, wire.PermAllow, h.mgr.permission(priv))
	require.Equal(t, "assertion-for-aud", h.getAssertion(t, "aud", priv, wire.AssertionOptions{}))
	require.Len(t, h.ui.calls, 1, "ALLOW now: no second force-auth")
}

func TestPromptWhileRefreshingResolvesNull(t *testing.T) {
	h := newMgrHarness(t, verifiedUser(0))
	h.ui.holding = true
	require.NoError(t, h.sys.Send(sim.Message{Name: wire.GetAssertion, From: wire.FirefoxAccounts, To: wire.FxAccountsManager,
		Payload: wire.GetAssertionCall{Call: 1, Audience: "aud", Principal: &wire.Principal{Origin: "app://a", AppStatus: wire.AppPrivileged}}}))
	require.NoError(t, h.sys.RunUntilIdle())
	require.True(t, h.mgr.refreshing)
	other := &wire.Principal{Origin: "app://b", AppStatus: wire.AppPrivileged}
	require.Nil(t, h.getAssertion(t, "aud", other, wire.AssertionOptions{}))
	require.Equal(t, wire.PermPrompt, h.mgr.permission(other), "permission unchanged")
}

func TestInvalidTokenRecovery(t *testing.T) {
	// The account still exists: the password changed, so ask for it again.
	h := newMgrHarness(t, verifiedUser(0))
	h.fxa.assertionErrs = []any{&wire.ServerError{Code: 401, Errno: 110, Error: "Unauthorized", Message: "Invalid authentication token in request signature"}}
	h.fxa.exists = true
	h.ui.result = wire.O("email", "user@example.com", "verified", true)
	require.Equal(t, "assertion-for-aud", h.getAssertion(t, "aud", settingsApp, wire.AssertionOptions{}))
	require.Equal(t, []string{wire.RefreshAuthentication}, h.ui.calls)

	// ...and if that fails the user is signed out (logoutOnFailure).
	h = newMgrHarness(t, verifiedUser(0))
	h.fxa.assertionErrs = []any{&wire.ServerError{Code: 401, Errno: 110}}
	h.fxa.exists = true
	h.ui.reject = "some failure"
	require.Equal(t, `rejected {"error":{"error":"UI_ERROR","details":"some failure"}}`, h.getAssertion(t, "aud", settingsApp, wire.AssertionOptions{}))
	require.Equal(t, 1, h.fxa.signOuts)

	// The account was deleted: sign out locally, then the sign-in UI.
	h = newMgrHarness(t, verifiedUser(0))
	h.fxa.assertionErrs = []any{&wire.ServerError{Code: 401, Errno: 110}}
	h.fxa.exists = false
	h.ui.result = wire.O("email", "new@example.com", "verified", true)
	require.Equal(t, "assertion-for-aud", h.getAssertion(t, "aud", settingsApp, wire.AssertionOptions{}))
	require.Equal(t, []string{wire.SignInFlow}, h.ui.calls)
	require.Equal(t, 1, h.fxa.signOuts)
}

func TestOtherAssertionFailuresPassThroughUnchanged(t *testing.T) {
	h := newMgrHarness(t, verifiedUser(0))
	h.fxa.assertionErrs = []any{&wire.JSError{Message: "OFFLINE"}}
	require.Equal(t, `rejected {}`, h.getAssertion(t, "aud", settingsApp, wire.AssertionOptions{}))
}

func TestSignUpThenRepeat(t *testing.T) {
	h := newMgrHarness(t, nil)
	got := h.call(t, wire.SignUp, wire.Credentials{Call: 1, Email: "new@example.com", Password: "12345678"})
	s, _ := wire.JSONStringify(got)
	require.Equal(t, `{"accountCreated":true,"user":{"email":"new@example.com","verified":false}}`, s)
	require.Equal(t, `rejected {"error":"ALREADY_SIGNED_IN_USER","details":{"user":{"email":"new@example.com","verified":false}}}`,
		h.call(t, wire.SignIn, wire.Credentials{Call: 2, Email: "new@example.com", Password: "12345678"}))
	require.Equal(t, `rejected {"error":"INVALID_EMAIL"}`, h.call(t, wire.SignIn, wire.Credentials{Call: 3, Password: "x"}))
	require.Equal(t, `rejected {"error":"INVALID_PASSWORD"}`, h.call(t, wire.SignIn, wire.Credentials{Call: 4, Email: "x@y"}))
}

// invalidToken is the auth server's 401 body for a token it no longer knows.
func invalidToken() *wire.ServerError {
	return &wire.ServerError{Code: 401, Errno: 110, Error: "Unauthorized", Message: "Invalid authentication token in request signature"}
}

const body110 = `{"code":401,"errno":110,"error":"Unauthorized","message":"Invalid authentication token in request signature"}`

// rejection is the reason of a rejected answer, as the harness renders it.
func rejection(t *testing.T, got any) string {
	t.Helper()
	s, ok := got.(string)
	require.True(t, ok, "not a rejection: %#v", got)
	return s
}

// A password changed elsewhere: /certificate/sign says 110, the account exists, and
// the user closes the refresh dialog. [M-C] _refreshAuthentication(..., true) then
// runs the full _signOut(): local sign-out, then POST /session/destroy with the
// token the server just refused, which fails with 110 too; that rejection (through
// _serverError) replaces the dialog error, because `_signOut().then(() =>
// this._error(reason))` never gets to its then. Not a cancel, so the page (watch
// or request) gets onerror, after the onlogout of the local sign-out.
func TestInvalidTokenRefreshClosedSignOutFailureWins(t *testing.T) {
	h := newMgrHarness(t, verifiedUser(0))
	h.fxa.assertionErrs = []any{invalidToken()}
	h.fxa.exists = true
	h.srv.dead = map[string]bool{"s": true}
	h.ui.reject = wire.DialogClosedByUser
	got := h.getAssertion(t, "aud", settingsApp, wire.AssertionOptions{})
	require.Equal(t, `rejected {"error":"INVALID_AUTH_TOKEN","details":`+body110+`}`, rejection(t, got))
	require.Equal(t, []string{wire.RefreshAuthentication}, h.ui.calls)
	require.Equal(t, 1, h.fxa.signOuts, "signed out locally")
	require.Equal(t, []string{"s"}, h.srv.destroyed, "and on the server, with the dead token")
	require.False(t, h.mgr.refreshing)
	require.Nil(t, h.mgr.activeSession)

	reason := &wire.FxAError{Error: "INVALID_AUTH_TOKEN", Details: invalidToken()}
	require.False(t, NewFirefoxAccounts().isCancel(reason), "request() hears onerror, not oncancel")
	require.Equal(t, `{"name":"INVALID_AUTH_TOKEN"}`, wire.OnErrorString(reason))
}

// The refresh dialog came back once: the new password signs in, but during a
// refresh the new session is not stored (Bug 1031580), so the next certificate
// request is 110 again and a second _refreshAuthentication runs inside the first.
// Closing that one: the inner level signs out (one session/destroy, rejected with
// 110) and rejects {error: INVALID_AUTH_TOKEN, details}; the outer level's
// _signOut finds no cached session (the onlogout cleared it) and resolves, so it
// wraps that once more. The page's onerror name is then an object.
func TestInvalidTokenNestedRefreshClosed(t *testing.T) {
	h := newMgrHarness(t, verifiedUser(0))
	h.fxa.assertionErrs = []any{invalidToken(), invalidToken()}
	h.fxa.exists = true
	h.srv.dead = map[string]bool{"s": true}
	h.ui.script = []uiAnswer{
		{ok: true, value: wire.O("email", "user@example.com", "verified", true)},
		{ok: false, value: wire.DialogClosedByUser},
	}
	got := h.getAssertion(t, "aud", settingsApp, wire.AssertionOptions{})
	require.Equal(t, `rejected {"error":{"error":"INVALID_AUTH_TOKEN","details":`+body110+`}}`, rejection(t, got))
	require.Equal(t, []string{wire.RefreshAuthentication, wire.RefreshAuthentication}, h.ui.calls)
	require.Equal(t, 1, h.fxa.signOuts)
	require.Equal(t, []string{"s"}, h.srv.destroyed)
	require.False(t, h.mgr.refreshing)

	reason := &wire.FxAError{Error: &wire.FxAError{Error: "INVALID_AUTH_TOKEN", Details: invalidToken()}}
	require.False(t, NewFirefoxAccounts().isCancel(reason))
	require.Equal(t, `{"name":{"error":"INVALID_AUTH_TOKEN","details":`+body110+`}}`, wire.OnErrorString(reason))
}

// Levels keep their own logoutOnFailure: a refresh for an old authAt (no logout
// on failure) whose assertion then hits 110 nests a logout-on-failure refresh.
// Closing the inner dialog signs out and loses the dialog error there; the outer
// level only wraps.
func TestRefreshLevelsKeepTheirOwnLogoutOnFailure(t *testing.T) {
	h := newMgrHarness(t, verifiedUser(0))
	h.fxa.assertionErrs = []any{invalidToken()}
	h.fxa.exists = true
	h.srv.dead = map[string]bool{"s": true}
	h.ui.script = []uiAnswer{
		{ok: true, value: wire.O("email", "user@example.com", "verified", true)},
		{ok: false, value: wire.DialogClosedByUser},
	}
	got := h.getAssertion(t, "aud", settingsApp, wire.AssertionOptions{RefreshAuthentication: 1.0})
	require.Equal(t, `rejected {"error":{"error":"INVALID_AUTH_TOKEN","details":`+body110+`}}`, rejection(t, got))
	require.Equal(t, 1, h.fxa.signOuts)
	require.Equal(t, []string{"s"}, h.srv.destroyed)

	// Closing the first (auth-too-old) dialog still signs nobody out: a cancel.
	h = newMgrHarness(t, verifiedUser(0))
	h.ui.reject = wire.DialogClosedByUser
	got = h.getAssertion(t, "aud", settingsApp, wire.AssertionOptions{RefreshAuthentication: 1.0})
	require.Equal(t, `rejected {"error":{"error":"UI_ERROR","details":"DIALOG_CLOSED_BY_USER"}}`, rejection(t, got))
	require.Zero(t, h.fxa.signOuts)
	require.Empty(t, h.srv.destroyed)
}

// When /session/destroy succeeds (or the phone is offline, so it is not sent) the
// then runs and the dialog error comes through, wrapped: a request() then hears
// oncancel.
func TestInvalidTokenRefreshClosedSignOutSucceeds(t *testing.T) {
	h := newMgrHarness(t, verifiedUser(0))
	h.fxa.assertionErrs = []any{invalidToken()}
	h.fxa.exists = true
	h.ui.reject = wire.DialogClosedByUser
	got := h.getAssertion(t, "aud", settingsApp, wire.AssertionOptions{})
	require.Equal(t, `rejected {"error":{"error":"UI_ERROR","details":"DIALOG_CLOSED_BY_USER"}}`, rejection(t, got))
	require.Equal(t, 1, h.fxa.signOuts)
	require.Equal(t, []string{"s"}, h.srv.destroyed)
	require.True(t, NewFirefoxAccounts().isCancel(&wire.FxAError{Error: &wire.FxAError{Error: ErrUIError, Details: wire.DialogClosedByUser}}))
}

// signOut() is the same _signOut: local sign-out, then session/destroy with the
// token it had; a server failure goes through _serverError; offline skips the
// server; nobody signed in resolves without touching anything.
func TestSignOut(t *testing.T) {
	h := newMgrHarness(t, verifiedUser(0))
	require.Nil(t, h.call(t, wire.SignOut, wire.SignOutCall{Call: 1}))
	require.Equal(t, 1, h.fxa.signOuts)
	require.Equal(t, []string{"s"}, h.srv.destroyed)
	require.Nil(t, h.fxa.user)

	require.Nil(t, h.call(t, wire.SignOut, wire.SignOutCall{Call: 2}), "nobody signed in")
	require.Equal(t, 1, h.fxa.signOuts)
	require.Len(t, h.srv.destroyed, 1)

	h = newMgrHarness(t, verifiedUser(0))
	h.srv.dead = map[string]bool{"s": true}
	require.Equal(t, `rejected {"error":"INVALID_AUTH_TOKEN","details":`+body110+`}`, h.call(t, wire.SignOut, wire.SignOutCall{Call: 1}))
	require.Equal(t, 1, h.fxa.signOuts, "the local sign-out happened first")

	h = newMgrHarness(t, verifiedUser(0))
	h.mgr.offline = true
	require.Nil(t, h.call(t, wire.SignOut, wire.SignOutCall{Call: 1}))
	require.Equal(t, 1, h.fxa.signOuts)
	require.Empty(t, h.srv.destroyed)
}
