package conform

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mozidsim/mozidsim/webphone"
)

// The account every module signs in with; webphone creates it when no world
// file is given.
const (
	userEmail    = "alice@example.com"
	userPassword = "correct horse battery"
)

// Waits. They bound how long a module waits for the RP; none is a test of speed.
const (
	loadWait  = 10 * time.Second // the page loads and the phone answers watch()
	shownWait = 6 * time.Second  // the page shows (or stops showing) the user
	stepWait  = 4 * time.Second  // a click reaches the phone
	clickWait = 8 * time.Second  // the selector becomes visible
	// noWatchWait: how long after its load event a page that made no
	// navigator.mozId call is given to call watch().
	noWatchWait = 1500 * time.Millisecond
	pollEvery   = 40 * time.Millisecond
)

// run is one module running against the RP.
type run struct {
	ctx    context.Context
	s      *Suite
	rp     *RP
	url    string // the page the suite opens
	origin string // the page's origin: the audience the RP must verify against
	mod    *Module
	tab    *tab
	d      *driver
	start  time.Time
	conds  []ConditionLog
}

// abort stops a module that cannot go on; runModule recovers it.
type abort struct{}

func (r *run) log(cond string, o Outcome, format string, args ...any) {
	rl, ok := Rules[cond]
	if !ok {
		panic("conform: unknown condition " + cond)
	}
	r.conds = append(r.conds, ConditionLog{Module: r.mod.ID, Condition: cond, Outcome: o, Rule: rl.Rule, Cite: rl.Cite,
		Message: fmt.Sprintf(format, args...), Elapsed: time.Since(r.start).Seconds()})
}

// check logs cond as SUCCESS when ok, else FAILURE with the message.
func (r *run) check(cond string, ok bool, format string, args ...any) bool {
	if ok {
		r.log(cond, Success, "")
	} else {
		r.log(cond, Failure, format, args...)
	}
	return ok
}

// fatal logs module-ran FAILURE and ends the module.
func (r *run) fatal(format string, args ...any) {
	r.log(cModuleRan, Failure, format, args...)
	panic(abort{})
}

func (r *run) state() *PhoneState {
	st, err := r.d.State(r.ctx)
	if err != nil {
		r.fatal("%v", err)
	}
	return st
}

// steps runs scenario steps on the phone, each until idle.
func (r *run) steps(steps ...map[string]any) {
	if err := r.d.Steps(r.ctx, steps...); err != nil {
		r.fatal("%v", err)
	}
}

// waitFor polls the phone until cond holds or d passes; it returns the last state.
func (r *run) waitFor(d time.Duration, cond func(st *PhoneState) bool) (*PhoneState, bool) {
	deadline := time.Now().Add(d)
	for {
		st := r.state()
		if cond(st) {
			return st, true
		}
		if time.Now().After(deadline) {
			return st, false
		}
		r.sleep(pollEvery)
	}
}

func (r *run) sleep(d time.Duration) {
	select {
	case <-r.ctx.Done():
		panic(abort{})
	case <-time.After(d):
	}
}

// windows are the app's windows (one per page load), oldest first.
func (r *run) windows(st *PhoneState) []webphone.WindowState {
	var out []webphone.WindowState
	for _, w := range st.Windows {
		if w.App == r.rp.Name {
			out = append(out, w)
		}
	}
	return out
}

// calls counts the app's calls of navigator.mozId.NAME; userInput filters
// when not nil.
func (r *run) calls(st *PhoneState, name string, userInput *bool) int {
	n := 0
	for _, w := range r.windows(st) {
		for _, c := range w.Calls {
			if c.Name == "navigator.mozId."+name && (userInput == nil || c.UserInput == *userInput) {
				n++
			}
		}
	}
	return n
}

var (
	yes = new(bool)
	no  = new(bool)
)

func init() { *yes = true }

// lines are the callback lines of the app's pages, oldest first.
func (r *run) lines(st *PhoneState) []string {
	var out []string
	for _, w := range r.windows(st) {
		out = append(out, w.Log...)
	}
	return out
}

func countPrefix(lines []string, prefix string) int {
	n := 0
	for _, l := range lines {
		if l == prefix || strings.HasPrefix(l, prefix+" ") {
			n++
		}
	}
	return n
}

func firstPrefix(lines []string, prefix string) string {
	for _, l := range lines {
		if l == prefix || strings.HasPrefix(l, prefix+" ") {
			return l
		}
	}
	return ""
}

// verifs are the /v2 calls made so far.
func verifs(st *PhoneState) []webphone.Verification { return st.Verifications }

// shown is the text of the signedIn element ("" while the page cannot be read).
func (r *run) shown() string {
	s, _ := r.tab.text(r.rp.SignedIn)
	return s
}

// waitShown waits until the page shows email; false after d.
func (r *run) waitShown(email string, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		if r.shown() == email {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		r.sleep(pollEvery)
	}
}

// waitGone waits until the page stops showing email; false after d.
func (r *run) waitGone(email string, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		if r.shown() != email {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		r.sleep(pollEvery)
	}
}

// waitGoneForGood waits until the page has not shown email for a steady half
// quiet period (a page reloading in a loop shows nothing between loads); false
// after d.
func (r *run) waitGoneForGood(email string, d time.Duration) bool {
	deadline := time.Now().Add(d)
	var since time.Time
	for {
		s, read := r.tab.text(r.rp.SignedIn)
		switch {
		case !read || s == email:
			// A page between two loads proves nothing: only steady reads count.
			since = time.Time{}
		case since.IsZero():
			since = time.Now()
		case time.Since(since) >= quiet/2:
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		r.sleep(pollEvery)
	}
}

// stillNotShown watches the page for d and reports the first moment it shows
// email (false) or true when it never did.
func (r *run) stillNotShown(email string, d time.Duration) bool {
	return !r.waitShown(email, d)
}

// open loads the page and waits (bounded) for the phone's answer to watch():
// onready, onerror or an exception. It reports whether an answer came.
func (r *run) open() bool {
	if err := r.tab.navigate(r.url, loadWait); err != nil {
		r.fatal("the page %s did not load: %v", r.url, err)
	}
	loaded := time.Now()
	answered := false
	r.waitFor(loadWait, func(st *PhoneState) bool {
		l := r.lines(st)
		answered = countPrefix(l, "onready") > 0 || countPrefix(l, "onerror") > 0 || countPrefix(l, "throws") > 0 ||
			(st.Dialog != nil && st.Dialog.Screen == "REFRESH_AUTH")
		// A page that has not called watch() a while after its load event
		// will not (watch-at-load judges that).
		return answered || (r.calls(st, "watch", nil) == 0 && time.Since(loaded) > noWatchWait)
	})
	return answered
}

// consent types the password when the phone asks for it: a privileged app's
// first assertion needs the user's consent through the force-auth dialog
// (gecko-identity §4.3; scenario privileged-force-auth).
func (r *run) consent(st *PhoneState) bool { return r.consentAs(st, userPassword) }

func (r *run) consentAs(st *PhoneState, password string) bool {
	if st.Dialog != nil && st.Dialog.Screen == "REFRESH_AUTH" {
		r.steps(map[string]any{"user": "refresh-auth", "password": password})
		return true
	}
	return false
}

// click clicks a selector of RP.yaml with real input events.
func (r *run) click(sel string) {
	if err := r.tab.click(sel, clickWait); err != nil {
		r.fatal("cannot click %s: %v", sel, err)
	}
}

// clickLogin clicks the login button and waits (bounded) for a request()
// that the phone saw as user input; it reports whether one came.
func (r *run) clickLogin() bool {
	before := r.calls(r.state(), "request", yes)
	r.click(r.rp.Login)
	_, ok := r.waitFor(stepWait, func(st *PhoneState) bool { return r.calls(st, "request", yes) > before })
	return ok
}

// dialogOn waits for the dialog to show screen.
func (r *run) dialogOn(screen string) bool {
	_, ok := r.waitFor(stepWait, func(st *PhoneState) bool { return st.Dialog != nil && st.Dialog.Screen == screen })
	return ok
}

// signIn opens the page, clicks login and signs in as the user from the
// dialog; the caller checks what the page shows.
func (r *run) signIn() {
	r.open()
	if !r.clickLogin() {
		r.fatal("clicking %s did not call navigator.mozId.request() (see login-from-click)", r.rp.Login)
	}
	if !r.dialogOn("ENTER_EMAIL") {
		r.fatal("clicking %s did not open the Firefox Accounts dialog (see login-from-click)", r.rp.Login)
	}
	r.steps(map[string]any{"user": "sign-in", "email": userEmail, "password": userPassword})
	r.consent(r.state())
}

// signedIn runs signIn and ends the module unless the page then shows the user.
func (r *run) signedIn() {
	r.signIn()
	if !r.waitShown(userEmail, shownWait) {
		r.fatal("the page did not show %s after signing in from the dialog (see login-from-click)", userEmail)
	}
}

// verificationsNote describes the /v2 calls for a failure message.
func verificationsNote(vs []webphone.Verification) string {
	if len(vs) == 0 {
		return "its server never called /v2"
	}
	v := vs[len(vs)-1]
	if v.Status == "okay" {
		return fmt.Sprintf("/v2 answered okay for audience %s", v.Audience)
	}
	return fmt.Sprintf("/v2 answered %s: %s", v.Status, v.Reason)
}

// afterNote says what the verifier had said when the page showed the user.
func afterNote(vs []webphone.Verification) string {
	if len(vs) == 0 {
		return "although its server never called /v2"
	}
	return "after " + verificationsNote(vs)
}

// finish logs what every module logs at its end: page errors (informational)
// and the phone's own faults.
func (r *run) finish() {
	if errs := r.tab.pageErrors(); len(errs) > 0 && r.mod.ID != "no-page-errors" {
		r.log(cPageErrorsSeen, Info, "%d: %s", len(errs), strings.Join(errs, "; "))
	}
	st, err := r.d.State(r.ctx)
	if err != nil {
		return
	}
	if len(st.Faults) > 0 {
		var fs []string
		for _, f := range st.Faults {
			fs = append(fs, f.Kind+": "+f.Message)
		}
		r.log(cPhoneFaults, WarningOut, "%s", strings.Join(fs, "; "))
	}
}

// runModule runs one module against the page and settles its result.
func (s *Suite) runModule(ctx context.Context, rp *RP, pageURL, origin string, m *Module) (mr ModuleResult) {
	start := time.Now()
	mr.Module = m.ID
	defer func() { mr.Seconds = time.Since(start).Seconds() }()
	if m.NeedsLogout && strings.TrimSpace(rp.Logout) == "" {
		mr.Result, mr.Why = Skipped, "RP.yaml has no logout selector"
		mr.Conditions = []ConditionLog{{Module: m.ID, Condition: cModuleRan, Outcome: SkippedOut, Rule: Rules[cModuleRan].Rule,
			Cite: Rules[cModuleRan].Cite, Message: mr.Why}}
		return mr
	}
	r := &run{ctx: ctx, s: s, rp: rp, url: pageURL, origin: origin, mod: m, d: s.d, start: start}
	phone, err := s.opts.Phone(App{Name: rp.Name, Origin: origin, Kind: rp.Kind}, s.opts.Era)
	if err != nil {
		r.log(cModuleRan, Failure, "the simulated phone did not start: %v", err)
	} else {
		s.front.set(phone.Handler())
		t, err := s.newTab()
		if err != nil {
			r.log(cModuleRan, Failure, "chromium: %v", err)
		} else {
			r.tab = t
			func() {
				defer func() {
					if p := recover(); p != nil {
						if _, ok := p.(abort); !ok {
							panic(p)
						}
					}
				}()
				m.run(r)
			}()
			if ctx.Err() == nil {
				r.finish()
			}
			t.close()
		}
		s.front.set(nil)
		if err := phone.Close(); err != nil {
			r.log(cPhoneFaults, WarningOut, "closing the phone: %v", err)
		}
	}
	if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		r.log(cModuleRan, Failure, "interrupted")
	}
	mr.Conditions = r.conds
	settle(&mr)
	return mr
}
