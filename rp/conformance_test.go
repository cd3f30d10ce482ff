package rp_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/identity"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
	"github.com/mozidsim/mozidsim/rp"
)

// gecko-identity §10.1: one watch per window, ever; a watch that threw may be retried.
func TestWatchTwiceThrows(t *testing.T) {
	t.Parallel()
	fxa := newFxAStub()
	sys := newSystem(t, fxa, nil)
	p := open(t, sys, app("shop", wire.AppCertified))

	o := fxaWatch()
	o.OnReady = nil
	requireThrows(t, p.Watch(o), "onready callback is required.")
	require.NoError(t, p.Watch(fxaWatch()), "a watch() that threw did not set the watcher")
	requireThrows(t, p.Watch(fxaWatch()), "navigator.id.watch was already called")
	require.NoError(t, sys.RunUntilIdle())
	requireThrows(t, p.Watch(fxaWatch()), "navigator.id.watch was already called")
	require.Equal(t, []string{
		"throws onready callback is required.",
		"throws navigator.id.watch was already called",
		"onlogout", "onready",
		"throws navigator.id.watch was already called",
	}, p.Lines())
	require.Equal(t, 1, hops(sys, wire.MsgRPWatch))
}

// §10.2 and §9.2 (test_rpHasValidCallbacks.html), plus the optional-callback rule.
func TestWatchCallbackMatrix(t *testing.T) {
	t.Parallel()
	login := func(string) {}
	fn := func() {}
	cases := []struct {
		name  string
		opts  rp.WatchOptions
		throw string // "" = no exception
	}{
		{"browserid_rp_ok", rp.WatchOptions{OnLogin: login}, ""},
		{"browserid_rp_noOnlogin", rp.WatchOptions{}, "onlogin callback is required."},
		{"fxa_rp_ok", rp.WatchOptions{WantIssuer: wire.WantIssuerFxA, OnLogin: login, OnLogout: fn, OnReady: fn}, ""},
		{"fxa_rp_noOnlogin", rp.WatchOptions{WantIssuer: wire.WantIssuerFxA, OnLogout: fn, OnReady: fn}, "onlogin callback is required."},
		{"fxa_rp_noOnlogout", rp.WatchOptions{WantIssuer: wire.WantIssuerFxA, OnLogin: login, OnReady: fn}, "onlogout callback is required."},
		{"fxa_rp_noOnready", rp.WatchOptions{WantIssuer: wire.WantIssuerFxA, OnLogin: login, OnLogout: fn}, "onready callback is required."},
		{"fxa missing onlogin and onready names onlogin", rp.WatchOptions{WantIssuer: wire.WantIssuerFxA, OnLogout: fn}, "onlogin callback is required."},
		{"fxa onready not a function", rp.WatchOptions{WantIssuer: wire.WantIssuerFxA, OnLogin: login, OnLogout: fn, NotFunctions: []string{"onready"}}, "onready callback is required."},
		{"fxa onerror not a function", rp.WatchOptions{WantIssuer: wire.WantIssuerFxA, OnLogin: login, OnLogout: fn, OnReady: fn, NotFunctions: []string{"onerror"}}, "onerror must be a function"},
		{"browserid onlogin not a function", rp.WatchOptions{NotFunctions: []string{"onlogin"}}, "onlogin callback is required."},
		{"browserid onlogout not a function", rp.WatchOptions{OnLogin: login, NotFunctions: []string{"onlogout"}}, "onlogout must be a function"},
		{"browserid onready not a function", rp.WatchOptions{OnLogin: login, NotFunctions: []string{"onready", "onerror"}}, "onready must be a function"},
		{"browserid onerror not a function", rp.WatchOptions{OnLogin: login, NotFunctions: []string{"onerror"}}, "onerror must be a function"},
		{"watch-level oncancel is ignored", rp.WatchOptions{OnLogin: login, NotFunctions: []string{"oncancel"}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sys := newSystem(t, newFxAStub(), nil)
			p := open(t, sys, app("page", wire.AppCertified))
			err := p.Watch(c.opts)
			if c.throw == "" {
				require.NoError(t, err)
				require.Empty(t, p.Lines())
				require.NoError(t, sys.RunUntilIdle())
				require.Equal(t, 1, hops(sys, wire.MsgRPWatch))
				return
			}
			requireThrows(t, err, c.throw)
			require.Equal(t, []string{"throws " + c.throw}, p.Lines())
			require.NoError(t, sys.RunUntilIdle())
			require.Zero(t, hops(sys, wire.MsgRPWatch))
		})
	}
}

// §10.3: loggedInUser / loggedInEmail, with D-late's "null"/"undefined" normalisation.
func TestLoggedInUser(t *testing.T) {
	t.Parallel()
	at2048 := strings.Repeat("a", 2046) + "@b"
	cases := []struct {
		name        string
		user, email any
		throw       string
		sent        *string // loggedInUser in the Watch message when no throw
	}{
		{"absent", nil, nil, "", nil},
		{"valid", "bob@example.com", nil, "", ptr("bob@example.com")},
		{"no @", "bob", nil, "loggedInUser is not valid", nil},
		{"2048 long is fine", at2048, nil, "", ptr(at2048)},
		{"2049 long", at2048 + "c", nil, "loggedInUser is not valid", nil},
		{"length counts UTF-16 units", strings.Repeat("a", 2044) + "@b\U0001F600", nil, "", ptr(strings.Repeat("a", 2044) + "@b\U0001F600")},
		{"one unit too long in UTF-16", strings.Repeat("a", 2045) + "@b\U0001F600", nil, "loggedInUser is not valid", nil},
		{"number", 42, nil, "loggedInUser must be a String or null", nil},
		{"true", true, nil, "loggedInUser must be a String or null", nil},
		{"object", wire.O("email", "a@b.c"), nil, "loggedInUser must be a String or null", nil},
		{"null", rp.Null, nil, "", nil},
		{`"null" from IDL`, "null", nil, "", nil},
		{`"undefined" from IDL`, "undefined", nil, "", nil},
		{"empty string is skipped", "", nil, "", ptr("")},
		{"zero is skipped", 0, nil, "", nil},
		{"both names", "a@b.c", "a@b.c", "You cannot provide both loggedInEmail and loggedInUser", nil},
		{"both names, null counts as defined", rp.Null, "a@b.c", "You cannot provide both loggedInEmail and loggedInUser", nil},
		{"old name is renamed", nil, "old@example.com", "", ptr("old@example.com")},
		{"old name is validated after renaming", nil, "old", "loggedInUser is not valid", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fxa := newFxAStub()
			sys := newSystem(t, fxa, nil)
			p := open(t, sys, app("page", wire.AppCertified))
			o := fxaWatch()
			o.LoggedInUser, o.LoggedInEmail = c.user, c.email
			err := p.Watch(o)
			require.NoError(t, sys.RunUntilIdle())
			if c.throw != "" {
				requireThrows(t, err, c.throw)
				require.Equal(t, []string{"throws " + c.throw}, p.Lines())
				require.Empty(t, fxa.msgs)
				return
			}
			require.NoError(t, err)
			require.Len(t, fxa.msgs, 1)
			require.Equal(t, c.sent, fxa.msgs[0].LoggedInUser)
		})
	}
}

// The loggedInUser exception wins over a collected audience error: onerror is
// never called, the watcher is not set, and watch() can be retried.
func TestWatchThrowBeatsCollectedErrors(t *testing.T) {
	t.Parallel()
	sys := newSystem(t, newFxAStub(), nil)
	p := open(t, sys, app("page", wire.AppPrivileged))
	o := fxaWatch()
	o.Audience = "https://elsewhere.example.com"
	o.LoggedInUser = "nobody"
	requireThrows(t, p.Watch(o), "loggedInUser is not valid")
	require.NoError(t, p.Watch(fxaWatch()))
	require.NoError(t, sys.RunUntilIdle())
	require.Equal(t, []string{"throws loggedInUser is not valid", "onlogout", "onready"}, p.Lines())
}

// §10.4.
func TestRequestAndLogoutBeforeWatch(t *testing.T) {
	t.Parallel()
	sys := newSystem(t, newFxAStub(), nil)
	p := open(t, sys, app("page", wire.AppCertified))
	requireThrows(t, p.Request(rp.RequestOptions{}), "navigator.id.request called before navigator.id.watch")
	requireThrows(t, p.Logout(), "navigator.id.logout called before navigator.id.watch")
	require.NoError(t, sys.RunUntilIdle())
	require.Equal(t, []string{
		"throws navigator.id.request called before navigator.id.watch",
		"throws navigator.id.logout called before navigator.id.watch",
	}, p.Lines())
	require.Zero(t, hops(sys, wire.MsgRPRequest)+hops(sys, wire.MsgRPLogout))
}

// §10.5: the counter is checked (> 100) before it is incremented, so 101 calls
// pass and the 102nd throws.
func TestTooManyRequests(t *testing.T) {
	t.Parallel()
	fxa := newFxAStub()
	fxa.requestReply = "none"
	sys := newSystem(t, fxa, nil)
	p := open(t, sys, app("page", wire.AppCertified))
	require.NoError(t, p.Watch(fxaWatch()))
	for i := 0; i < 101; i++ {
		require.NoError(t, p.Request(rp.RequestOptions{}), "call %d", i+1)
	}
	requireThrows(t, p.Request(rp.RequestOptions{}), "navigator.id.request called too many times")
	requireThrows(t, p.Logout(), "navigator.id.logout called too many times")
	require.NoError(t, sys.RunUntilIdle())
	require.Equal(t, 101, hops(sys, wire.MsgRPRequest))
	require.Zero(t, hops(sys, wire.MsgRPLogout))
}

// The counter is shared by request() and logout().
func TestTooManyCallsSharedWithLogout(t *testing.T) {
	t.Parallel()
	fxa := newFxAStub()
	fxa.requestReply = "none"
	sys := newSystem(t, fxa, nil)
	p := open(t, sys, app("page", wire.AppCertified))
	require.NoError(t, p.Watch(fxaWatch()))
	for i := 0; i < 100; i++ {
		require.NoError(t, p.Request(rp.RequestOptions{}))
	}
	require.NoError(t, p.Logout())
	requireThrows(t, p.Logout(), "navigator.id.logout called too many times")
	requireThrows(t, p.Request(rp.RequestOptions{}), "navigator.id.request called too many times")
	require.NoError(t, sys.RunUntilIdle())
	require.Equal(t, 100, hops(sys, wire.MsgRPRequest))
	require.Equal(t, 1, hops(sys, wire.MsgRPLogout))
}

// Requests refused with child-side errors (or exceptions) do not count.
func TestRefusedRequestsDoNotCount(t *testing.T) {
	t.Parallel()
	sys := newSystem(t, nil, nil)
	p := open(t, sys, app("persona", wire.AppInstalled))
	require.NoError(t, p.Watch(rp.WatchOptions{OnLogin: func(string) {}, OnError: func(string) {}}))
	for i := 0; i < 5; i++ {
		require.NoError(t, p.Request(rp.RequestOptions{NotUserInput: true}))
		requireThrows(t, p.Request(rp.RequestOptions{PrivacyPolicy: 1}), "privacyPolicy must be a string representing a URL.")
	}
	for i := 0; i < 101; i++ {
		require.NoError(t, p.Request(rp.RequestOptions{}))
	}
	requireThrows(t, p.Request(rp.RequestOptions{}), "navigator.id.request called too many times")
	require.NoError(t, sys.RunUntilIdle())
	require.Equal(t, 101, hops(sys, wire.MsgRPRequest))
	lines := p.Lines()
	require.Equal(t, "onerror ERROR_REQUEST_WHILE_NOT_HANDLING_USER_INPUT", lines[0])
	require.Len(t, lines, 11)
}

// §10.6: privacyPolicy / termsOfService / oncancel.
func TestRequestOptionChecks(t *testing.T) {
	t.Parallel()
	long := "https://example.com/" + strings.Repeat("x", 2049-len("https://example.com/"))
	cases := []struct {
		name  string
		opts  rp.RequestOptions
		throw string
	}{
		{"privacyPolicy number", rp.RequestOptions{PrivacyPolicy: 42}, "privacyPolicy must be a string representing a URL."},
		{"termsOfService object", rp.RequestOptions{TermsOfService: wire.O("url", "x")}, "termsOfService must be a string representing a URL."},
		{"privacyPolicy too long", rp.RequestOptions{PrivacyPolicy: long}, "privacyPolicy is invalid."},
		{"termsOfService too long", rp.RequestOptions{PrivacyPolicy: "https://ok.example.com/pp", TermsOfService: long}, "termsOfService is invalid."},
		{"privacyPolicy checked before termsOfService", rp.RequestOptions{PrivacyPolicy: true, TermsOfService: 1}, "privacyPolicy must be a string representing a URL."},
		{"2048 long is fine", rp.RequestOptions{PrivacyPolicy: long[:2048]}, ""},
		{"falsy skipped", rp.RequestOptions{PrivacyPolicy: 0, TermsOfService: ""}, ""},
		{`"undefined" skipped`, rp.RequestOptions{PrivacyPolicy: "undefined"}, ""},
		{"null skipped", rp.RequestOptions{TermsOfService: rp.Null}, ""},
		{"oncancel not a function", rp.RequestOptions{NotFunctions: []string{"oncancel"}}, "oncancel is not a function"},
		{"URL checks come before oncancel", rp.RequestOptions{PrivacyPolicy: 3, NotFunctions: []string{"oncancel"}}, "privacyPolicy must be a string representing a URL."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fxa := newFxAStub()
			fxa.requestReply = "none"
			sys := newSystem(t, fxa, nil)
			p := open(t, sys, app("page", wire.AppCertified))
			require.NoError(t, p.Watch(fxaWatch()))
			require.NoError(t, sys.RunUntilIdle())
			err := p.Request(c.opts)
			require.NoError(t, sys.RunUntilIdle())
			if c.throw == "" {
				require.NoError(t, err)
				require.Equal(t, 1, hops(sys, wire.MsgRPRequest))
				return
			}
			requireThrows(t, err, c.throw)
			require.Equal(t, []string{"onlogout", "onready", "throws " + c.throw}, p.Lines())
			require.Zero(t, hops(sys, wire.MsgRPRequest))
		})
	}
}

// Child errors are reported and the call returns before the option checks: a
// bad privacyPolicy from a non-user-input call gives onerror, not an exception.
func TestRequestErrorsReportedBeforeOptionChecks(t *testing.T) {
	t.Parallel()
	sys := newSystem(t, newFxAStub(), nil)
	p := open(t, sys, app("web", wire.AppInstalled))
	require.NoError(t, p.Watch(fxaWatch()))
	require.NoError(t, p.Request(rp.RequestOptions{NotUserInput: true, PrivacyPolicy: 42, NotFunctions: []string{"oncancel"}}))
	require.Equal(t, []string{"onerror ERROR_REQUEST_WHILE_NOT_HANDLING_USER_INPUT"}, p.Lines())
}

// An audience error and the user-input error are both reported, in that order.
func TestRequestReportsEveryChildError(t *testing.T) {
	t.Parallel()
	sys := newSystem(t, newFxAStub(), nil)
	p := open(t, sys, app("web", wire.AppInstalled))
	require.NoError(t, p.Watch(fxaWatch()))
	require.NoError(t, p.Request(rp.RequestOptions{NotUserInput: true, Audience: "https://other.example.com"}))
	require.Equal(t, []string{
		"onerror ERROR_INVALID_ASSERTION_AUDIENCE",
		"onerror ERROR_REQUEST_WHILE_NOT_HANDLING_USER_INPUT",
	}, p.Lines())
	require.NoError(t, sys.RunUntilIdle())
	require.Zero(t, hops(sys, wire.MsgRPRequest))
}

// §9.3 test_declareAudience.html: watch with an audience, request() from onready;
// the mock answers silent checks with null and requests with an assertion for the
// watch's audience.
func TestDeclareAudienceMatrix(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		status   wire.AppStatus
		audience any // "=origin" means the app's own origin
		want     []string
	}{
		{"installed app, foreign audience", wire.AppInstalled, "https://i-cant-have-this.com",
			[]string{"onerror ERROR_INVALID_ASSERTION_AUDIENCE"}},
		{"privileged app, no audience", wire.AppPrivileged, nil,
			[]string{"onlogout", "onready", "onlogin aud=app://app.example.com email=alice@example.com"}},
		{"privileged app, foreign audience", wire.AppPrivileged, "https://i-like-pie.com",
			[]string{"onerror ERROR_INVALID_ASSERTION_AUDIENCE"}},
		{"privileged app, its own origin", wire.AppPrivileged, "=origin",
			[]string{"onlogout", "onready", "onlogin aud=app://app.example.com email=alice@example.com"}},
		{"certified app, any audience", wire.AppCertified, "https://whatever-i-want.com",
			[]string{"onlogout", "onready", "onlogin aud=https://whatever-i-want.com email=alice@example.com"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fxa := newFxAStub()
			// The 2015 test grants every iframe firefox-accounts ALLOW.
			sys := newSystem(t, fxa, nil, identity.PermissionFunc(func(wire.Principal) wire.Permission { return wire.PermAllow }))
			a := app("app", c.status)
			p := open(t, sys, a, identity.SyntheticEventsOK())
			o := fxaWatch()
			o.Audience = c.audience
			if c.audience == "=origin" {
				o.Audience = a.Origin
			}
			o.OnReady = func() { require.NoError(t, p.Request(rp.RequestOptions{})) }
			require.NoError(t, p.Watch(o))
			require.NoError(t, sys.RunUntilIdle())
			require.Equal(t, c.want, p.Lines())
		})
	}
}

// §9.4 test_syntheticEvents.html: request() from onready is not user input.
func TestSyntheticEventsMatrix(t *testing.T) {
	t.Parallel()
	here := "here~you.go.dude"
	const malformed = "onlogin malformed=certificate: not a JWT (1 segments, want 3)"

	t.Run("installed app, Persona", func(t *testing.T) {
		// _mockIdentityService: watch answers doReady; request must never arrive.
		var personaGot []string
		persona := sim.HandlerFunc(func(ctx *sim.Ctx, m sim.Message) {
			personaGot = append(personaGot, m.Name)
			if m.Name == wire.RPWatch {
				ctx.Send(wire.DOMIdentity, wire.DoReady, wire.RPCallback{ID: m.Payload.(wire.RPMessage).ID})
			}
		})
		sys := newSystem(t, nil, persona)
		p := open(t, sys, app("installed", wire.AppInstalled))
		require.NoError(t, p.Watch(rp.WatchOptions{
			OnLogin: func(string) {}, OnError: func(string) {},
			OnReady: func() { require.NoError(t, p.Request(rp.RequestOptions{})) },
		}))
		require.NoError(t, sys.RunUntilIdle())
		require.Equal(t, []string{"onready", "onerror ERROR_REQUEST_WHILE_NOT_HANDLING_USER_INPUT"}, p.Lines())
		require.Equal(t, []string{wire.RPWatch}, personaGot)
	})
	for _, status := range []wire.AppStatus{wire.AppPrivileged, wire.AppCertified} {
		t.Run(status.String()+" app, FxA", func(t *testing.T) {
			fxa := newFxAStub()
			fxa.fixed = &here
			sys := newSystem(t, fxa, nil)
			p := open(t, sys, app("fxa", status))
			o := fxaWatch()
			o.OnReady = func() { require.NoError(t, p.Request(rp.RequestOptions{})) }
			require.NoError(t, p.Watch(o))
			require.NoError(t, sys.RunUntilIdle())
			require.Equal(t, []string{"onlogout", "onready", malformed}, p.Lines())
			require.Equal(t, here, p.Log()[2].Assertion)
		})
	}
}

// The gate's three ways out: a privileged/certified app, the syntheticEventsOk
// pref, or a call made while handling user input.
func TestUserInputGate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		status    wire.AppStatus
		synthetic bool
		notInput  bool
		refused   bool
	}{
		{"installed, click", wire.AppInstalled, false, false, false},
		{"installed, no click", wire.AppInstalled, false, true, true},
		{"installed, no click, syntheticEventsOk", wire.AppInstalled, true, true, false},
		{"plain page, no click", wire.AppNotInstalled, false, true, true},
		{"privileged, no click", wire.AppPrivileged, false, true, false},
		{"certified, no click", wire.AppCertified, false, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sys := newSystem(t, nil, nil)
			var opts []rp.Option
			if c.synthetic {
				opts = append(opts, identity.SyntheticEventsOK())
			}
			p := open(t, sys, app("page", c.status), opts...)
			require.NoError(t, p.Watch(rp.WatchOptions{OnLogin: func(string) {}, OnError: func(string) {}}))
			require.NoError(t, p.Request(rp.RequestOptions{NotUserInput: c.notInput}))
			require.NoError(t, sys.RunUntilIdle())
			if c.refused {
				require.Equal(t, []string{"onerror ERROR_REQUEST_WHILE_NOT_HANDLING_USER_INPUT"}, p.Lines())
				require.Zero(t, hops(sys, wire.MsgRPRequest))
			} else {
				require.Empty(t, p.Lines())
				require.Equal(t, 1, hops(sys, wire.MsgRPRequest))
			}
		})
	}
}

// S4: a foreign audience from a non-certified app: onerror during watch(),
// nothing sent, never onready, and watch() can never be called again.
func TestS4ForeignAudience(t *testing.T) {
	t.Parallel()
	fxa := newFxAStub()
	sys := newSystem(t, fxa, nil)
	p := open(t, sys, app("priv", wire.AppPrivileged))
	o := fxaWatch()
	o.Audience = "https://elsewhere.example.com"
	require.NoError(t, p.Watch(o))
	require.Equal(t, []string{"onerror ERROR_INVALID_ASSERTION_AUDIENCE"}, p.Lines(), "synchronous, before the system runs")
	require.NoError(t, sys.RunUntilIdle())
	require.Zero(t, hops(sys, wire.MsgRPWatch))
	require.Empty(t, fxa.got)
	state, err := p.State()
	require.NoError(t, err)
	require.Equal(t, identity.StRefused, state)
	requireThrows(t, p.Watch(fxaWatch()), "navigator.id.watch was already called")
	require.Equal(t, []string{"onerror ERROR_INVALID_ASSERTION_AUDIENCE", "throws navigator.id.watch was already called"}, p.Lines())
	require.Contains(t, notes(sys, p.Addr()), "Assertion audience may not differ from origin: ERROR_INVALID_ASSERTION_AUDIENCE")
}

// Without onerror the child error is only printed to the console.
func TestChildErrorWithoutOnerror(t *testing.T) {
	t.Parallel()
	sys := newSystem(t, newFxAStub(), nil)
	p := open(t, sys, app("priv", wire.AppPrivileged))
	o := fxaWatch()
	o.OnError = nil
	o.Audience = "https://elsewhere.example.com"
	require.NoError(t, p.Watch(o))
	require.NoError(t, sys.RunUntilIdle())
	require.Empty(t, p.Lines())
	require.Zero(t, hops(sys, wire.MsgRPWatch))
}

// S5: an installed web app asks for Firefox Accounts: DOMIdentity refuses the
// watch (firefox-accounts is DENY for web apps) and the page hears nothing, ever.
func TestS5PermissionDeniedIsSilent(t *testing.T) {
	t.Parallel()
	fxa := newFxAStub()
	sys := newSystem(t, fxa, nil)
	p := open(t, sys, app("web", wire.AppInstalled))
	require.NoError(t, p.Watch(fxaWatch()))
	require.NoError(t, sys.RunUntilIdle())
	require.Empty(t, p.Lines())
	require.Empty(t, fxa.got)
	require.Equal(t, []string{`Error("PERMISSION_DENIED"): Identity:RP:Watch`}, notes(sys, wire.DOMIdentity))

	// A later request (in a click) reaches the parent, which has no context for it.
	require.NoError(t, p.Request(rp.RequestOptions{}))
	require.NoError(t, sys.RunUntilIdle())
	require.Empty(t, p.Lines())
	require.Empty(t, fxa.got)
	require.Equal(t, []string{
		`Error("PERMISSION_DENIED"): Identity:RP:Watch`,
		"ERROR: getService called before newContext for " + p.ID(),
		"No context in which to call request(); Did you call watch() first?: " + p.ID(),
	}, notes(sys, wire.DOMIdentity))
}

// S11: request() outside user input from an installed app: onerror during the
// call, nothing sent.
func TestS11RequestOutsideUserInput(t *testing.T) {
	t.Parallel()
	fxa := newFxAStub()
	sys := newSystem(t, fxa, nil, identity.PermissionFunc(func(wire.Principal) wire.Permission { return wire.PermAllow }))
	p := open(t, sys, app("web", wire.AppInstalled))
	require.NoError(t, p.Watch(fxaWatch()))
	require.NoError(t, sys.RunUntilIdle())
	var cancelled bool
	require.NoError(t, p.Request(rp.RequestOptions{NotUserInput: true, OnCancel: func() { cancelled = true }}))
	require.Equal(t, []string{"onlogout", "onready", "onerror ERROR_REQUEST_WHILE_NOT_HANDLING_USER_INPUT"}, p.Lines())
	require.NoError(t, sys.RunUntilIdle())
	require.Zero(t, hops(sys, wire.MsgRPRequest))
	require.Equal(t, []string{wire.RPWatch}, fxa.got)
	require.False(t, cancelled)
}

// S19: request/logout/unwatch that reach the parent before any watch did: the
// parent only logs; the page sees nothing.
func TestS19CallsBeforeWatchReachedParent(t *testing.T) {
	t.Parallel()
	fxa := newFxAStub()
	sys := newSystem(t, fxa, nil)
	p := open(t, sys, app("priv", wire.AppPrivileged))
	o := fxaWatch()
	o.Audience = "https://elsewhere.example.com" // refused child-side: watch never sent
	require.NoError(t, p.Watch(o))
	require.NoError(t, p.Request(rp.RequestOptions{}))
	require.NoError(t, p.Logout())
	require.NoError(t, p.Close())
	require.NoError(t, sys.RunUntilIdle())
	require.Equal(t, []string{"onerror ERROR_INVALID_ASSERTION_AUDIENCE"}, p.Lines())
	require.Empty(t, fxa.got)
	id := p.ID()
	require.Equal(t, []string{
		"ERROR: getService called before newContext for " + id,
		"No context in which to call request(); Did you call watch() first?: " + id,
		"ERROR: getService called before newContext for " + id,
		"No context in which to call logout(); Did you call watch() first?: " + id,
		"ERROR: getService called before newContext for " + id,
		"Can't find a service to unwatch() for " + id,
	}, notes(sys, wire.DOMIdentity))
}

// S1, S2, S7, S13 with the scripted service.
func TestBasicSequences(t *testing.T) {
	t.Parallel()
	t.Run("S1 signed in", func(t *testing.T) {
		fxa := newFxAStub()
		fxa.signedIn = true
		sys := newSystem(t, fxa, nil)
		p := open(t, sys, app("c", wire.AppCertified))
		require.NoError(t, p.Watch(fxaWatch()))
		require.Empty(t, p.Lines(), "service outcomes are asynchronous")
		require.NoError(t, sys.RunUntilIdle())
		require.Equal(t, []string{"onlogin aud=app://c.example.com email=alice@example.com", "onready"}, p.Lines())
	})
	t.Run("S2 signed out, S7 request, S13 logout", func(t *testing.T) {
		fxa := newFxAStub()
		sys := newSystem(t, fxa, nil)
		p := open(t, sys, app("c", wire.AppCertified))
		require.NoError(t, p.Watch(fxaWatch()))
		require.NoError(t, sys.RunUntilIdle())
		require.NoError(t, p.Request(rp.RequestOptions{}))
		require.NoError(t, sys.RunUntilIdle())
		require.NoError(t, p.Logout())
		require.NoError(t, sys.RunUntilIdle())
		require.Equal(t, []string{"onlogout", "onready", "onlogin aud=app://c.example.com email=alice@example.com", "onlogout"}, p.Lines())
		require.Equal(t, []string{wire.RPWatch, wire.RPRequest, wire.RPLogout}, fxa.got)
	})
	t.Run("onlogin null", func(t *testing.T) {
		fxa := newFxAStub()
		sys := newSystem(t, fxa, nil)
		p := open(t, sys, app("c", wire.AppCertified))
		var got []string
		o := fxaWatch()
		o.OnLogin = func(a string) { got = append(got, a) }
		require.NoError(t, p.Watch(o))
		require.NoError(t, sys.Send(sim.Message{Name: wire.DoLogin, From: wire.FirefoxAccounts, To: wire.DOMIdentity, Payload: wire.RPCallback{ID: p.ID()}}))
		require.NoError(t, sys.RunUntilIdle())
		require.Equal(t, []string{"onlogin null", "onlogout", "onready"}, p.Lines())
		require.Equal(t, []string{""}, got)
		require.True(t, p.Log()[0].Null)
	})
}

// Parent errors reach onerror as JSON.stringify({name: reason.error}); a silent
// failure never gives onready (S3).
func TestParentErrorsAsJSON(t *testing.T) {
	t.Parallel()
	t.Run("S3 unverified", func(t *testing.T) {
		fxa := newFxAStub()
		fxa.watchError = &wire.FxAError{Error: "UNVERIFIED_ACCOUNT"}
		sys := newSystem(t, fxa, nil)
		p := open(t, sys, app("c", wire.AppCertified))
		var got []string
		o := fxaWatch()
		o.OnError = func(s string) { got = append(got, s) }
		require.NoError(t, p.Watch(o))
		require.NoError(t, sys.RunUntilIdle())
		require.Equal(t, []string{`onerror {"name":"UNVERIFIED_ACCOUNT"}`}, p.Lines())
		require.Equal(t, []string{`{"name":"UNVERIFIED_ACCOUNT"}`}, got)
		state, err := p.State()
		require.NoError(t, err)
		require.Equal(t, identity.StFailed, state)
	})
	t.Run("S9 request error, plain Error, nested", func(t *testing.T) {
		fxa := newFxAStub()
		fxa.requestReply = "error"
		sys := newSystem(t, fxa, nil)
		p := open(t, sys, app("c", wire.AppCertified))
		require.NoError(t, p.Watch(fxaWatch()))
		for _, reason := range []any{
			wire.NewError("UI_ERROR", "boom"),
			&wire.JSError{Message: "OFFLINE"},
			&wire.FxAError{Error: wire.NewError("UI_ERROR", "x")},
		} {
			fxa.requestError = reason
			require.NoError(t, p.Request(rp.RequestOptions{}))
			require.NoError(t, sys.RunUntilIdle())
		}
		require.Equal(t, []string{
			"onlogout", "onready",
			`onerror {"name":"UI_ERROR"}`,
			`onerror {}`,
			`onerror {"name":{"error":"UI_ERROR","details":"x"}}`,
		}, p.Lines())
	})
}

// S8: oncancel belongs to the latest request(); one without oncancel clears it.
func TestOnCancel(t *testing.T) {
	t.Parallel()
	fxa := newFxAStub()
	fxa.requestReply = "cancel"
	sys := newSystem(t, fxa, nil)
	p := open(t, sys, app("c", wire.AppCertified))
	require.NoError(t, p.Watch(fxaWatch()))
	cancels := 0
	require.NoError(t, p.Request(rp.RequestOptions{OnCancel: func() { cancels++ }}))
	require.NoError(t, sys.RunUntilIdle())
	require.NoError(t, p.Request(rp.RequestOptions{}))
	require.NoError(t, sys.RunUntilIdle())
	require.NoError(t, p.Request(rp.RequestOptions{OnCancel: func() { cancels += 10 }}))
	require.NoError(t, sys.RunUntilIdle())
	require.Equal(t, []string{"onlogout", "onready", "oncancel", "oncancel"}, p.Lines())
	require.Equal(t, 11, cancels)
	require.Equal(t, 3, hops(sys, wire.MsgOnCancel))
}

// A refused request() keeps the previous oncancel (it returns before storing).
func TestRefusedRequestKeepsOnCancel(t *testing.T) {
	t.Parallel()
	fxa := newFxAStub()
	fxa.requestReply = "none"
	sys := newSystem(t, fxa, nil, identity.PermissionFunc(func(wire.Principal) wire.Permission { return wire.PermAllow }))
	p := open(t, sys, app("web", wire.AppInstalled))
	require.NoError(t, p.Watch(fxaWatch()))
	require.NoError(t, p.Request(rp.RequestOptions{OnCancel: func() {}}))
	require.NoError(t, p.Request(rp.RequestOptions{NotUserInput: true}))
	requireThrows(t, p.Request(rp.RequestOptions{PrivacyPolicy: 1}), "privacyPolicy must be a string representing a URL.")
	require.NoError(t, sys.Send(sim.Message{Name: wire.DoCancel, From: wire.FirefoxAccounts, To: wire.DOMIdentity, Payload: wire.RPCallback{ID: p.ID()}}))
	require.NoError(t, sys.RunUntilIdle())
	require.Equal(t, []string{
		"onerror ERROR_REQUEST_WHILE_NOT_HANDLING_USER_INPUT",
		"throws privacyPolicy must be a string representing a URL.",
		"oncancel", "onlogout", "onready",
	}, p.Lines())
}

// Calls from inside callbacks run inline: onready -> request(), onlogin ->
// logout() and a second watch() that throws, all logged in program order.
func TestReentrantCallsFromCallbacks(t *testing.T) {
	t.Parallel()
	fxa := newFxAStub()
	sys := newSystem(t, fxa, nil)
	p := open(t, sys, app("c", wire.AppCertified))
	var order []string
	o := fxaWatch()
	o.OnReady = func() {
		order = append(order, "ready:before")
		require.NoError(t, p.Request(rp.RequestOptions{OnCancel: func() {}}))
		order = append(order, "ready:after")
	}
	o.OnLogin = func(string) {
		requireThrows(t, p.Watch(fxaWatch()), "navigator.id.watch was already called")
		require.NoError(t, p.Logout())
		order = append(order, "login")
	}
	require.NoError(t, p.Watch(o))
	require.NoError(t, sys.RunUntilIdle())
	require.Equal(t, []string{
		"onlogout", "onready",
		"onlogin aud=app://c.example.com email=alice@example.com",
		"throws navigator.id.watch was already called",
		"onlogout",
	}, p.Lines())
	require.Equal(t, []string{"ready:before", "ready:after", "login"}, order)
	require.Equal(t, []string{wire.RPWatch, wire.RPRequest, wire.RPLogout}, fxa.got)
}

// Late callbacks after the window is gone vanish: in flight to the page they are
// dropped by the runtime; reaching DOMIdentity after the page exited but before
// its Unwatch, they hit P-late's closed-frame guard; after Unwatch there is no
// context at all.
func TestLateCallbacksAfterCloseAreDropped(t *testing.T) {
	t.Parallel()
	fxa := newFxAStub()
	fxa.requestReply = "none"
	sys := newSystem(t, fxa, nil)
	p := open(t, sys, app("c", wire.AppCertified))
	require.NoError(t, p.Watch(fxaWatch()))
	require.NoError(t, sys.RunUntilIdle())
	id := p.ID()

	// A do* already queued at DOMIdentity when the window closes.
	require.NoError(t, sys.Send(sim.Message{Name: wire.DoLogin, From: wire.FirefoxAccounts, To: wire.DOMIdentity, Payload: wire.RPCallback{ID: id, Assertion: ptr("x~y")}}))
	// An On* already on its way to the page.
	require.NoError(t, sys.Send(sim.Message{Name: wire.MsgOnLogout, From: wire.DOMIdentity, To: p.Addr(), Payload: wire.RPCallback{ID: id}}))
	require.NoError(t, p.Close())
	// A do* after Unwatch.
	require.NoError(t, sys.RunUntilIdle())
	require.NoError(t, sys.Send(sim.Message{Name: wire.DoReady, From: wire.FirefoxAccounts, To: wire.DOMIdentity, Payload: wire.RPCallback{ID: id}}))
	require.NoError(t, sys.RunUntilIdle())

	require.Equal(t, []string{"onlogout", "onready"}, p.Lines())
	require.Equal(t, []string{
		"Cannot sendAsyncMessage because the recipient frame has closed: " + wire.MsgOnLogin,
		"doReady: no RP watch context for " + id,
	}, notes(sys, wire.DOMIdentity))
	var dropped []string
	for _, e := range sys.Trace() {
		if e.Kind == sim.KindDropped {
			dropped = append(dropped, e.Name)
		}
	}
	require.Equal(t, []string{wire.MsgOnLogout}, dropped)
	require.Equal(t, []string{wire.RPWatch, wire.RPUnwatch}, fxa.got)

	state, err := p.State()
	require.NoError(t, err)
	require.Equal(t, identity.StClosed, state)
	require.EqualError(t, p.Watch(fxaWatch()), `rp: page "c" is closed`)
	require.NoError(t, p.Close(), "closing twice is harmless")
}

// Closing right after watch(): the parent unwatches before the service answers,
// so the answers find no context.
func TestCloseBeforeServiceAnswers(t *testing.T) {
	t.Parallel()
	fxa := newFxAStub()
	sys := newSystem(t, fxa, nil)
	p := open(t, sys, app("c", wire.AppCertified))
	require.NoError(t, p.Watch(fxaWatch()))
	require.NoError(t, p.Close())
	require.NoError(t, sys.RunUntilIdle())
	require.Empty(t, p.Lines())
	require.Equal(t, []string{
		"doLogout: no RP watch context for " + p.ID(),
		"doReady: no RP watch context for " + p.ID(),
	}, notes(sys, wire.DOMIdentity))
}

// The trace carries each call (page -> mozId) and each callback and throw.
func TestTraceRecordsCallsAndCallbacks(t *testing.T) {
	t.Parallel()
	sys := newSystem(t, newFxAStub(), nil)
	p := open(t, sys, app("c", wire.AppCertified))
	requireThrows(t, p.Logout(), "navigator.id.logout called before navigator.id.watch")
	require.NoError(t, p.Watch(fxaWatch()))
	require.NoError(t, sys.RunUntilIdle())
	require.NoError(t, p.Close())
	var got []string
	for _, e := range sys.Trace() {
		if e.Kind != sim.KindCall && e.Kind != sim.KindCallback {
			continue
		}
		require.Equal(t, p.Addr(), e.From)
		require.Equal(t, wire.Page("c"), e.To)
		payload, err := wire.JSONStringify(e.Payload)
		require.NoError(t, err)
		got = append(got, e.Kind.String()+" "+e.Name+" "+payload)
	}
	require.Equal(t, []string{
		"call navigator.mozId.logout null",
		`callback throws "navigator.id.logout called before navigator.id.watch"`,
		`call navigator.mozId.watch {"wantIssuer":"firefox-accounts","onlogin":"[function]","onlogout":"[function]","onready":"[function]","onerror":"[function]"}`,
		"callback onlogout null",
		"callback onready null",
		"call inner-window-destroyed null",
	}, got)
}

func ptr(s string) *string { return &s }
