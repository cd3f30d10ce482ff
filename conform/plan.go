package conform

import (
	"fmt"
	"strings"
)

// Plan is an ordered list of modules.
type Plan struct {
	Name    string
	Title   string
	Modules []*Module
}

// Module is one test module: it sets up a world, drives the RP and logs
// conditions. Its ID is stable API (expected-failures files and CI name it).
type Module struct {
	ID      string
	Summary string // one sentence
	// Setup, Does: what the module arranges and what it does, for the docs.
	Setup, Does string
	// Conditions are the names of the conditions it may log, each in Rules.
	Conditions []string
	// NeedsLogout: SKIPPED when the RP.yaml has no logout selector.
	NeedsLogout bool
	run         func(r *run)
}

// Rule is what a condition enforces and where the rule comes from.
type Rule struct {
	Condition string
	Rule      string // the rule, in an RP developer's words
	Cite      string // the reference section or historic source
}

// Module returns the module with this id, or nil.
func (p *Plan) Module(id string) *Module {
	for _, m := range p.Modules {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// IDs are the module ids in plan order.
func (p *Plan) IDs() []string {
	var ids []string
	for _, m := range p.Modules {
		ids = append(ids, m.ID)
	}
	return ids
}

// Select returns the plan restricted to ids (in plan order); no ids is the
// whole plan. An unknown id is an error listing the known ones.
func (p *Plan) Select(ids []string) (*Plan, error) {
	if len(ids) == 0 {
		return p, nil
	}
	want := map[string]bool{}
	for _, id := range ids {
		if p.Module(id) == nil {
			return nil, fmt.Errorf("no module %q in plan %s (modules: %s)", id, p.Name, strings.Join(p.IDs(), ", "))
		}
		want[id] = true
	}
	q := &Plan{Name: p.Name, Title: p.Title}
	for _, m := range p.Modules {
		if want[m.ID] {
			q.Modules = append(q.Modules, m)
		}
	}
	return q, nil
}

// Rules are the conditions every module may log, by name.
var Rules = map[string]Rule{}

func rule(cond, text, cite string) string {
	if _, dup := Rules[cond]; dup {
		panic("conform: condition " + cond + " defined twice")
	}
	Rules[cond] = Rule{Condition: cond, Rule: text, Cite: cite}
	return cond
}

// The conditions. Each is logged by one or more modules; its rule and
// citation travel into every report line.
var (
	cWatchCalled = rule("watch-called",
		"The page calls navigator.mozId.watch() on every load: it is the only way to learn whether the user is signed in, and request() and logout() throw before it.",
		"gecko-identity §2.3, §2.4, §10.4")
	cWatchAccepted = rule("watch-accepted",
		"watch() passes onlogin, onlogout and onready with wantIssuer \"firefox-accounts\", so the phone answers onlogout or onlogin, then onready.",
		"gecko-identity §7 S1/S2, §9.2 test_rpHasValidCallbacks, §10.2, §10.7")
	cNoAPIException = rule("no-api-exception",
		"No navigator.mozId call throws: the page passes valid options (callbacks, audience, loggedInUser, URLs) and never calls watch() twice.",
		"gecko-identity §2.7, §8.1, §10.1-§10.6")
	cSignedOutAtLoad = rule("signed-out-at-load",
		"When the phone has nobody signed in (onlogout, onready) the page does not show anyone as signed in.",
		"gecko-identity §7 S2, §9.1 test_watch_signed_out")
	cSignedInAtLoad = rule("signed-in-at-load",
		"When the phone has a user signed in, the silent watch() brings onlogin and the page shows the user without any click.",
		"gecko-identity §7 S1, §9.1 test_watch_signed_in")
	cRequestOnClick = rule("request-on-click",
		"The login button calls navigator.mozId.request() from the click itself, while the trusted event is handled.",
		"gecko-identity §2.4 (user input), §7 S11, §9.4 test_syntheticEvents")
	cDialogOpens = rule("dialog-opens",
		"request() from a signed-out phone opens the Firefox Accounts dialog.",
		"gaia-fxa §6 (ENTER_EMAIL), gecko-identity §7 S7")
	cSignedInAfterLogin = rule("signed-in-after-login",
		"After the user signs in from the dialog the page gets onlogin and shows the user.",
		"gecko-identity §7 S7, §9.1 test_request")
	cVerifiedOnServer = rule("verified-on-server",
		"The RP's server sends every assertion to a verifier (POST /v2) and trusts the user only on status okay: an assertion proves nothing until verified.",
		"fxaccounts-crypto §10.1, §10.2, §11.9")
	cAudienceIsOrigin = rule("audience-is-origin",
		"The audience the server verifies against is the RP's own origin, never a value taken from the assertion or the browser.",
		"fxaccounts-crypto §10.1 (compare-audiences), gecko-identity §9.3 test_declareAudience")
	cRejectsBad = rule("rejects-bad-assertion",
		"An assertion that does not verify (wrong audience, expired, forged signature, untrusted issuer) signs nobody in: the page must not show the user.",
		"fxaccounts-crypto §9.6, §10.1, §10.2; the OpenID RP suite's negative tests (anchors-libs §C.1)")
	cLogoutCallsAPI = rule("logout-calls-api",
		"The logout button calls navigator.mozId.logout(): with Firefox Accounts that signs the phone out.",
		"gecko-identity §2.6, §5.5, §7 S13")
	cSignedOutAfterLogout = rule("signed-out-after-logout",
		"After onlogout the page no longer shows the user.",
		"gecko-identity §7 S13, §9.1 test_logout")
	cStaysSignedOut = rule("stays-signed-out-after-reload",
		"After logout and a reload the page stays signed out (a phone left signed in would sign the user straight back in at the silent watch).",
		"gecko-identity §7 S1, S13")
	cFollowsLogoutElsewhere = rule("follows-logout-elsewhere",
		"onlogout can come at any time (the user signed out in Settings): the page ends its session and stops showing the user.",
		"gecko-identity §7 S15, §5.1 (F-v2 onlogout observer)")
	cOncancelReceived = rule("oncancel-received",
		"request() passes an oncancel callback, so the page learns that the user closed the dialog.",
		"gecko-identity §2.4, §6.3, §7 S8, §8.3")
	cOnerrorReceived = rule("onerror-received",
		"watch() passes an onerror callback, so the page learns why a request failed (UNVERIFIED_ACCOUNT, OFFLINE, ...); without it the error vanishes.",
		"gecko-identity §2.3, §2.7, §7 S3/S9/S10")
	cNoRequestLoop = rule("no-request-loop",
		"After oncancel or onerror the page does not call request() again by itself: the user said no, or the phone cannot; only a new click may ask again.",
		"gecko-identity §7 S8/S9; Persona RP pitfalls (anchors-libs §C.2)")
	cLoginWorksAgain = rule("login-works-again",
		"After oncancel or onerror the page is ready for the next attempt: a click on the login button calls request() again.",
		"gecko-identity §7 S8, S9, S10 (each ends the request)")
	cNoRequestWithoutClick = rule("no-request-without-click",
		"The page calls request() only from a user's click. Privileged apps were exempt from the user-input check, so the phone will not stop such a page: the RP must.",
		"gecko-identity §7 S11, §9.4 test_syntheticEvents, §2.4")
	cNoDialogWithoutClick = rule("no-dialog-without-click",
		"No Firefox Accounts dialog pops up while the user has not clicked anything.",
		"gecko-identity §7 S2 (a signed-out watch is silent), gaia-fxa §6")
	cNoReloadLoop = rule("no-reload-loop",
		"The page does not reload itself over and over, at load or on onlogout: watch() answers onlogout on every load while nobody is signed in.",
		"Persona reload loops #4104, #2662 (anchors-libs §C.2); gecko-identity §7 S2, S15")
	cErrorNotSignedIn = rule("error-not-signed-in",
		"onerror signs nobody in: the page does not show the user after an error.",
		"gecko-identity §7 S3, S9, S10")
	cSignedInOnceVerified = rule("signed-in-once-verified",
		"When the account gets verified later, onlogin arrives without a request and the page shows the user.",
		"gecko-identity §7 S10, S14; fxaccounts-crypto §3.7")
	cNoPageErrors = rule("no-page-errors",
		"A whole sign-in and sign-out leaves no uncaught exception and no console.error in the page: an exception in a callback leaves the page half updated.",
		"anchors-libs §C.2 (an exception in onlogin is logged and re-thrown); gecko-identity §2.7")
	cPageErrorsSeen = rule("page-errors-seen",
		"Informational: uncaught exceptions and console.error calls during the module (the no-page-errors module judges them).",
		"anchors-libs §C.2")
	cPhoneFaults = rule("phone-faults",
		"The simulated phone reported no fault of its own (shim-fidelity, bad frames): a fault makes the module's other conditions doubtful.",
		"issue 9 (mozidsim serve)")
	cModuleRan = rule("module-ran",
		"The module could drive the page: the page loaded, the selectors of RP.yaml matched visible elements, the phone took every step.",
		"RP.yaml contract (issue 10)")
)
