package conform

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/mozidsim/mozidsim/webphone"
)

// quiet is how long a module watches for something that must not happen
// (a request() without a click, a reload, a sign-in after a bad assertion).
const quiet = time.Second

// BuiltinPlan is the plan `mozidsim conform` runs. Module ids are stable API.
func BuiltinPlan() *Plan {
	return &Plan{Name: "mozid-rp", Title: "navigator.mozId relying party (Firefox OS 2015, Firefox Accounts)", Modules: []*Module{
		{ID: "watch-at-load", Summary: "The page watches at load with valid callbacks and shows nobody signed in while the phone is signed out.",
			Setup: "A phone with nobody signed in.", Does: "Opens the page and waits for the phone's answer to watch().",
			Conditions: []string{cWatchCalled, cWatchAccepted, cNoAPIException, cSignedOutAtLoad}, run: watchAtLoad},
		{ID: "signed-in-at-load", Summary: "With a user signed in on the phone, the page signs them in at load, without a click, after verifying the assertion.",
			Setup: "A phone signed in as alice@example.com.", Does: "Opens the page; types the password if a privileged app's first assertion asks for consent (force-auth); waits for the page to show alice.",
			Conditions: []string{cWatchCalled, cSignedInAtLoad, cVerifiedOnServer}, run: signedInAtLoad},
		{ID: "login-from-click", Summary: "Clicking the login button asks the phone (request() as user input), and the page shows the user after the dialog.",
			Setup: "A phone with nobody signed in.", Does: "Opens the page, clicks `login` with real input events, signs in from the dialog, waits for the page to show alice.",
			Conditions: []string{cRequestOnClick, cDialogOpens, cSignedInAfterLogin}, run: loginFromClick},
		{ID: "server-side-verification", Summary: "The RP's server verifies the assertion at /v2 with its own origin as audience before the page shows the user.",
			Setup: "A phone with nobody signed in.", Does: "Signs in from the login button; reads the verifier's log when the page shows alice.",
			Conditions: []string{cVerifiedOnServer, cAudienceIsOrigin}, run: serverSideVerification},
		rejects("rejects-wrong-audience", "wrong-audience", "an assertion made for another site (aud is not the RP's origin)"),
		rejects("rejects-expired", "expired", "an expired assertion"),
		rejects("rejects-forged-signature", "bad-signature", "an assertion whose signature does not verify"),
		rejects("rejects-untrusted-issuer", "untrusted-issuer", "an assertion whose certificate comes from an issuer that is not the email's authority"),
		{ID: "logout-button", Summary: "The logout button signs the phone out (navigator.mozId.logout()), the page stops showing the user, and a reload keeps them signed out.",
			Setup: "A phone with nobody signed in; the user signs in from the login button.", Does: "Clicks `logout`, waits for the page to stop showing alice, reloads the page.",
			Conditions: []string{cLogoutCallsAPI, cSignedOutAfterLogout, cStaysSignedOut}, NeedsLogout: true, run: logoutButton},
		{ID: "logout-from-elsewhere", Summary: "When the user signs out in Settings, the page follows: onlogout ends its session.",
			Setup: "A phone with nobody signed in; the user signs in from the login button.", Does: "Signs the phone out from Settings ({device: sign-out}) and waits for the page to stop showing alice.",
			Conditions: []string{cFollowsLogoutElsewhere}, run: logoutFromElsewhere},
		{ID: "cancel-no-loop", Summary: "Closing the dialog cancels: the page hears oncancel, does not ask again by itself, and a new click asks again.",
			Setup: "A phone with nobody signed in.", Does: "Clicks `login`, closes the dialog (X), watches the page for a while, clicks `login` again.",
			Conditions: []string{cOncancelReceived, cNoRequestLoop, cLoginWorksAgain}, run: cancelNoLoop},
		{ID: "no-request-without-click", Summary: "The page never calls request() (and no dialog pops up) while the user has not clicked.",
			Setup: "A phone with nobody signed in; the page is a privileged app, which the phone lets call request() outside a click.", Does: "Opens the page and watches it without clicking.",
			Conditions: []string{cNoRequestWithoutClick, cNoDialogWithoutClick}, run: noRequestWithoutClick},
		{ID: "no-reload-loop", Summary: "The page does not reload itself in a loop, neither at load (signed out) nor when onlogout ends a session.",
			Setup: "A phone with nobody signed in.", Does: "Opens the page and counts its loads; signs in from the login button, signs the phone out in Settings and counts the loads again.",
			Conditions: []string{cNoReloadLoop}, run: noReloadLoop},
		{ID: "onerror-unverified", Summary: "A sign-up that is not verified yet ends in onerror UNVERIFIED_ACCOUNT: the page signs nobody in, does not retry by itself, accepts a new click, and signs the user in once verified.",
			Setup: "A phone with nobody signed in.", Does: "Clicks `login`, signs up a new account from the dialog (onerror), watches, clicks `login` again, then verifies the account on the server.",
			Conditions: []string{cOnerrorReceived, cErrorNotSignedIn, cNoRequestLoop, cLoginWorksAgain, cSignedInOnceVerified}, run: onerrorUnverified},
		{ID: "offline", Summary: "Offline, request() fails at once with onerror OFFLINE: the page signs nobody in, does not retry in a loop, and works again online.",
			Setup: "A phone with nobody signed in that goes offline after the page loaded.", Does: "Clicks `login` offline, watches, goes online, clicks `login` again.",
			Conditions: []string{cOnerrorReceived, cErrorNotSignedIn, cNoRequestLoop, cLoginWorksAgain}, run: offline},
		{ID: "no-page-errors", Summary: "A whole sign-in and sign-out leaves no uncaught exception and no console.error in the page.",
			Setup: "A phone with nobody signed in.", Does: "Signs in from the login button, then signs out (the logout button, or Settings when RP.yaml has none).",
			Conditions: []string{cNoPageErrors}, run: noPageErrors},
	}}
}

func watchAtLoad(r *run) {
	answered := r.open()
	st := r.state()
	r.check(cWatchCalled, r.calls(st, "watch", nil) > 0, "the page never called navigator.mozId.watch() at load")
	lines := r.lines(st)
	hint := ""
	if r.rp.Kind == "web" || r.rp.Kind == "browser" {
		hint = fmt.Sprintf(" (kind %s: the phone gives such pages no firefox-accounts permission, so watch() hears nothing, gecko-identity §4.3, §7 S5; third-party apps were privileged)", r.rp.Kind)
	}
	r.check(cWatchAccepted, answered && len(lines) >= 2 && lines[0] == "onlogout" && lines[1] == "onready",
		"the phone's answer to watch() was %s, not onlogout then onready%s", describeLines(lines), hint)
	throws := firstPrefix(lines, "throws")
	r.check(cNoAPIException, throws == "", "a navigator.mozId call threw: %s", strings.TrimPrefix(throws, "throws "))
	shown := r.shown()
	if r.stillNotShown(userEmail, quiet/2) && shown == "" {
		r.log(cSignedOutAtLoad, Success, "")
	} else {
		r.log(cSignedOutAtLoad, Failure, "the page showed %q as signed in while the phone had nobody signed in", r.shown())
	}
}

func describeLines(lines []string) string {
	if len(lines) == 0 {
		return "nothing"
	}
	return "[" + strings.Join(lines, ", ") + "]"
}

func signedInAtLoad(r *run) {
	r.steps(map[string]any{"device": "sign-in", "email": userEmail, "password": userPassword})
	r.open()
	r.consent(r.state())
	shown := r.waitShown(userEmail, shownWait)
	st := r.state()
	r.check(cWatchCalled, r.calls(st, "watch", nil) > 0, "the page never called navigator.mozId.watch() at load")
	r.check(cSignedInAtLoad, shown, "the page did not show %s within %s of loading although the phone had them signed in (phone said %s; the page shows %q)",
		userEmail, shownWait, describeLines(r.lines(st)), r.shown())
	if shown {
		checkVerified(r, st)
	}
}

// checkVerified logs verified-on-server for a page that shows the user now.
func checkVerified(r *run, st *PhoneState) {
	ok := false
	for _, v := range verifs(st) {
		if v.Status == "okay" {
			ok = true
		}
	}
	r.check(cVerifiedOnServer, ok, "the page showed %s but %s: anyone could sign in as anyone by posting a made-up assertion", userEmail, verificationsNote(verifs(st)))
}

func loginFromClick(r *run) {
	r.open()
	before := r.calls(r.state(), "request", nil)
	r.click(r.rp.Login)
	st, _ := r.waitFor(stepWait, func(st *PhoneState) bool { return r.calls(st, "request", nil) > before })
	all, input := r.calls(st, "request", nil)-before, r.calls(st, "request", yes)
	switch {
	case all == 0:
		r.log(cRequestOnClick, Failure, "clicking %s did not call navigator.mozId.request()", r.rp.Login)
	case input == 0:
		r.log(cRequestOnClick, Failure, "clicking %s called request() outside the click's event handler (not user input), so a non-privileged app would get ERROR_REQUEST_WHILE_NOT_HANDLING_USER_INPUT", r.rp.Login)
	default:
		r.log(cRequestOnClick, Success, "")
	}
	if !r.check(cDialogOpens, r.dialogOn("ENTER_EMAIL"), "after the click the Firefox Accounts dialog did not open (the phone said %s)", describeLines(r.lines(r.state()))) {
		return
	}
	r.steps(map[string]any{"user": "sign-in", "email": userEmail, "password": userPassword})
	r.consent(r.state())
	ok := r.waitShown(userEmail, shownWait)
	st = r.state()
	r.check(cSignedInAfterLogin, ok, "the page did not show %s within %s of signing in (the phone said %s, %s; the page shows %q)",
		userEmail, shownWait, describeLines(r.lines(st)), verificationsNote(verifs(st)), r.shown())
}

func serverSideVerification(r *run) {
	r.signedIn()
	st := r.state()
	checkVerified(r, st)
	vs := verifs(st)
	if len(vs) == 0 {
		return
	}
	var wrong []string
	for _, v := range vs {
		if !sameOrigin(v.Audience, r.origin) {
			wrong = append(wrong, v.Audience)
		}
	}
	r.check(cAudienceIsOrigin, len(wrong) == 0, "the server verified with audience %s, not its own origin %s", strings.Join(wrong, ", "), r.origin)
}

// sameOrigin compares an audience an RP sent with its origin the way the
// verifier does (default ports, no path).
func sameOrigin(aud, origin string) bool {
	norm := func(s string) string {
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return s
		}
		host := u.Host
		if u.Port() == "" {
			if u.Scheme == "https" {
				host += ":443"
			} else {
				host += ":80"
			}
		}
		p := strings.TrimSuffix(u.Path, "/")
		return u.Scheme + "://" + host + p
	}
	return norm(aud) == norm(origin)
}

// rejects builds a negative module: the phone hands the page an assertion with
// defect, and the module passes when the page does not show the user.
func rejects(id, defect, what string) *Module {
	conds := []string{cRejectsBad}
	if defect == "wrong-audience" {
		conds = append(conds, cAudienceIsOrigin)
	}
	return &Module{ID: id, Summary: "The RP does not sign the user in with " + what + ".",
		Setup:      fmt.Sprintf("A phone with nobody signed in whose next assertion for the RP is made wrong on purpose (POST /__mozidsim/next-assertion {\"defect\": %q}).", defect),
		Does:       "Clicks `login`, signs in from the dialog, then watches the page (until the RP's /v2 call and a short wait, or a bounded wait when it makes none).",
		Conditions: conds,
		run: func(r *run) {
			if err := r.d.NextAssertion(r.ctx, r.rp.Name, defect); err != nil {
				r.fatal("%v", err)
			}
			r.signIn()
			// Wait for the RP's /v2 call (or the page showing the user), then a
			// quiet period for the page to act on the answer.
			_, answered := r.waitFor(shownWait, func(st *PhoneState) bool { return len(verifs(st)) > 0 || r.shown() == userEmail })
			wait := quiet
			if answered {
				wait = quiet / 2 // the RP has its answer: it acts on it at once
			}
			notShown := r.stillNotShown(userEmail, wait)
			st := r.state()
			r.check(cRejectsBad, notShown, "the page showed %s %s (the phone had handed it %s)", userEmail, afterNote(verifs(st)), what)
			if defect == "wrong-audience" && len(verifs(st)) > 0 {
				var wrong []string
				for _, v := range verifs(st) {
					if !sameOrigin(v.Audience, r.origin) {
						wrong = append(wrong, v.Audience)
					}
				}
				r.check(cAudienceIsOrigin, len(wrong) == 0, "the server verified with audience %s (taken from the assertion?), not its own origin %s", strings.Join(wrong, ", "), r.origin)
			}
		}}
}

func logoutButton(r *run) {
	r.signedIn()
	before := r.calls(r.state(), "logout", nil)
	r.click(r.rp.Logout)
	_, called := r.waitFor(stepWait, func(st *PhoneState) bool { return r.calls(st, "logout", nil) > before })
	r.check(cLogoutCallsAPI, called, "clicking %s did not call navigator.mozId.logout(): the phone stays signed in, and the next visit signs the user straight back in", r.rp.Logout)
	r.check(cSignedOutAfterLogout, r.waitGoneForGood(userEmail, shownWait), "the page still showed %s %s after clicking %s", userEmail, shownWait, r.rp.Logout)
	r.open()
	r.consent(r.state())
	r.check(cStaysSignedOut, r.stillNotShown(userEmail, quiet), "after %s and a reload the page showed %s again", r.rp.Logout, userEmail)
}

func logoutFromElsewhere(r *run) {
	r.signedIn()
	r.steps(map[string]any{"device": "sign-out"})
	r.check(cFollowsLogoutElsewhere, r.waitGoneForGood(userEmail, shownWait),
		"the user signed out in Settings, and the page still showed %s %s later", userEmail, shownWait)
}

func lastLine(lines []string) string {
	if len(lines) == 0 {
		return "nothing"
	}
	return lines[len(lines)-1]
}

// afterEnd checks what follows an ending (oncancel or onerror): no request()
// by the page itself since selfBefore (the count of such calls before the
// ending), also for a while, and a click asks again. It returns whether the
// click opened a request.
func afterEnd(r *run, ending string, selfBefore int) bool {
	st, looped := r.waitFor(quiet, func(st *PhoneState) bool { return r.calls(st, "request", no) > selfBefore })
	if looped {
		r.sleep(quiet / 2) // let a loop show its size
		st = r.state()
		msg := fmt.Sprintf("after %s the page called navigator.mozId.request() again by itself (%s without a click)",
			ending, times(r.calls(st, "request", no)-selfBefore))
		if t := firstPrefix(r.lines(st), "throws"); t != "" {
			msg += " until it " + t
		}
		r.log(cNoRequestLoop, Failure, "%s", msg)
		if st.Dialog != nil {
			r.steps(map[string]any{"user": "close"})
		}
	} else {
		r.log(cNoRequestLoop, Success, "")
	}
	before := r.calls(r.state(), "request", yes)
	r.click(r.rp.Login)
	_, again := r.waitFor(stepWait, func(st *PhoneState) bool { return r.calls(st, "request", yes) > before })
	r.check(cLoginWorksAgain, again, "after %s, clicking %s did nothing: the page never called navigator.mozId.request() again", ending, r.rp.Login)
	return again
}

func cancelNoLoop(r *run) {
	r.open()
	if !r.clickLogin() || !r.dialogOn("ENTER_EMAIL") {
		r.fatal("clicking %s did not open the Firefox Accounts dialog (see login-from-click)", r.rp.Login)
	}
	self := r.calls(r.state(), "request", no)
	r.steps(map[string]any{"user": "close"})
	st, heard := r.waitFor(stepWait, func(st *PhoneState) bool { return countPrefix(r.lines(st), "oncancel") > 0 })
	if heard {
		r.log(cOncancelReceived, Success, "")
	} else {
		r.log(cOncancelReceived, WarningOut, "the user closed the dialog and the page heard nothing (%s): request() was called without oncancel", describeLines(r.lines(st)))
	}
	if afterEnd(r, "the user closed the dialog", self) && r.dialogOn("ENTER_EMAIL") {
		r.steps(map[string]any{"user": "close"})
	}
}

func noRequestWithoutClick(r *run) {
	r.open()
	r.sleep(quiet)
	st := r.state()
	n := r.calls(st, "request", nil)
	r.check(cNoRequestWithoutClick, n == 0, "the page called navigator.mozId.request() %s without any click", times(n))
	r.check(cNoDialogWithoutClick, st.Dialog == nil, "the Firefox Accounts dialog popped up (%s) without any click", dialogName(st.Dialog))
}

func times(n int) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}

func dialogName(d *webphone.DialogState) string {
	if d == nil {
		return "closed"
	}
	if d.Overlay != "" {
		return d.Screen + " overlay=" + d.Overlay
	}
	return d.Screen
}

// maxLoads is how many loads a module allows around one event: the page's own
// and one reload (ending a session by reloading is fine; doing it again is a loop).
const maxLoads = 2

func noReloadLoop(r *run) {
	r.open()
	r.sleep(quiet)
	loads := r.tab.loadCount()
	r.check(cNoReloadLoop, loads <= maxLoads, "the page loaded %d times in %.1f s after being opened once, with nobody signed in", loads, time.Since(r.start).Seconds())
	if loads > maxLoads {
		return
	}
	r.signedIn()
	before := r.tab.loadCount()
	r.steps(map[string]any{"device": "sign-out"})
	r.sleep(quiet)
	n := r.tab.loadCount() - before
	r.check(cNoReloadLoop, n < maxLoads, "after onlogout (the user signed out in Settings) the page reloaded %d times in %.1f s", n, quiet.Seconds())
}

func onerrorUnverified(r *run) {
	const newUser, newPassword = "newcomer@example.com", "a new password"
	r.open()
	if !r.clickLogin() || !r.dialogOn("ENTER_EMAIL") {
		r.fatal("clicking %s did not open the Firefox Accounts dialog (see login-from-click)", r.rp.Login)
	}
	self := r.calls(r.state(), "request", no)
	r.steps(map[string]any{"user": "sign-up", "email": newUser, "password": newPassword, "yearOfBirth": 1990})
	ending := heardError(r, "the sign-up of an account that is not verified yet")
	r.check(cErrorNotSignedIn, r.stillNotShown(newUser, quiet/2), "the page showed %s after %s", newUser, ending)
	afterEnd(r, ending, self)
	r.steps(map[string]any{"server": "verify", "email": newUser}, map[string]any{"advance": "10s"})
	r.consentAs(r.state(), newPassword)
	ok := r.waitShown(newUser, shownWait)
	st := r.state()
	r.check(cSignedInOnceVerified, ok, "the account was verified and the page got %s, but it did not show %s (%s)", lastLine(r.lines(st)), newUser, verificationsNote(verifs(st)))
}

// heardError waits (bounded) for the page's onerror after what failed, logs
// onerror-received, and names the ending for later messages.
func heardError(r *run, what string) string {
	st, heard := r.waitFor(stepWait, func(st *PhoneState) bool { return countPrefix(r.lines(st), "onerror") > 0 })
	if heard {
		r.log(cOnerrorReceived, Success, "")
		return firstPrefix(r.lines(st), "onerror")
	}
	r.log(cOnerrorReceived, WarningOut, "%s failed and the page heard nothing (%s): watch() was called without onerror", what, describeLines(r.lines(st)))
	return what + " (no onerror)"
}

func offline(r *run) {
	r.open()
	r.sleep(quiet / 2) // let the page finish what it does at load
	if st := r.state(); st.Dialog != nil {
		// The page opened the dialog by itself (no-request-without-click
		// judges that); the user closes it before going offline.
		r.steps(map[string]any{"user": "close"})
		r.sleep(quiet / 4)
	}
	r.steps(map[string]any{"network": "offline"})
	self := r.calls(r.state(), "request", no)
	if !r.clickLogin() {
		r.fatal("clicking %s did not call navigator.mozId.request() (see login-from-click)", r.rp.Login)
	}
	ending := heardError(r, "request() while offline")
	r.check(cErrorNotSignedIn, r.stillNotShown(userEmail, quiet/2), "the page showed %s after %s", userEmail, ending)
	r.steps(map[string]any{"network": "online"})
	if afterEnd(r, ending, self) && r.dialogOn("ENTER_EMAIL") {
		r.steps(map[string]any{"user": "close"})
	}
}

func noPageErrors(r *run) {
	r.signedIn()
	if strings.TrimSpace(r.rp.Logout) != "" {
		r.click(r.rp.Logout)
	} else {
		r.steps(map[string]any{"device": "sign-out"})
	}
	r.waitGone(userEmail, shownWait)
	r.sleep(quiet / 4)
	errs := r.tab.pageErrors()
	r.check(cNoPageErrors, len(errs) == 0, "the page logged %d error(s) during sign-in and sign-out: %s", len(errs), strings.Join(errs, "; "))
}
