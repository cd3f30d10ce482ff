package explain

import (
	"fmt"
	"strings"

	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
	"github.com/mozidsim/mozidsim/trace"
)

// Step is one numbered step of an explanation: one arrow of the sequence
// diagram (a hop, a timer, a call into a page's API, a callback, a dropped
// message). Notes an actor logged while handling it are attached to it.
type Step struct {
	N        int    // 1, 2, ...: the diagram's autonumber
	Seq      uint64 // the trace line
	Kind     string
	From, To string // as drawn: a call goes from the page to its navigator.mozId
	Name     string
	// Tag is the step of the seed walkthrough (fxos-mozid-control-flow) the arrow
	// belongs to, "I.1".."I.8", "II.1".."II.14", or "" when the seed does not
	// cover it (logout, Settings, polling, ...).
	Tag    string
	Label  string // "FxAccountsManager._uiRequest → FxAccountsUIGlue.signInFlow"
	Detail string // the telling part of the payload, e.g. {eventName:"openFlow"}
	File   string // the historic file whose code takes this step
	Why    string // one sentence
	Notes  []string
	// Known is false when no rule of the table matched: the step is explained
	// only generically.
	Known bool
}

// Explain numbers a run's events as steps (see ExplainLines).
func Explain(events []sim.Event) []Step {
	return ExplainLines(trace.Encode(sim.Epoch, events))
}

// ExplainLines turns a trace into numbered steps, each tagged with its seed step,
// historic file and a sentence of why. Numbering counts the arrows Mermaid
// draws (Mermaid's autonumber), so step N is arrow N of Mermaid(lines).
func ExplainLines(lines []trace.Line) []Step {
	var steps []Step
	ph := newPhaseTracker()
	var pending []string // notes logged before the first arrow
	for _, l := range lines {
		if !isArrow(l.Kind) {
			note := noteText(l)
			if len(steps) == 0 {
				pending = append(pending, note)
			} else {
				steps[len(steps)-1].Notes = append(steps[len(steps)-1].Notes, note)
			}
			continue
		}
		// A world of several phones prefixes each actor with its phone
		// ("two/FxAccounts"): the table knows the actors, so match without it.
		own, phone := unprefixed(l)
		phase := ph.phaseOf(own)
		st := explainLine(own, phase)
		if phone != "" {
			st.From, st.To = arrowEnds(l)
			st.Label = phone + ": " + st.Label
		}
		st.N = len(steps) + 1
		if len(steps) == 0 {
			st.Notes, pending = pending, nil
		}
		steps = append(steps, st)
	}
	return steps
}

// isArrow: kinds drawn as arrows (and so numbered).
func isArrow(kind string) bool {
	switch kind {
	case "hop", "timer", "call", "callback", "dropped":
		return true
	}
	return false
}

func noteText(l trace.Line) string {
	s := l.From + ": " + l.Name
	if l.Kind == "fault" {
		s = l.From + " FAULT: " + l.Name
	}
	if l.Payload != nil {
		s += " " + trace.Short(trace.WithoutRaw(l.Payload), 120)
	}
	return s
}

// arrowEnds is who an arrow goes from and to: a call is the page calling into its
// navigator.mozId, recorded by nsDOMIdentity with the page as its target.
func arrowEnds(l trace.Line) (from, to string) {
	if l.Kind == "call" {
		return l.To, l.From
	}
	return l.From, l.To
}

func explainLine(l trace.Line, phase string) Step {
	from, to := arrowEnds(l)
	st := Step{Seq: l.Seq, Kind: l.Kind, From: from, To: to, Name: l.Name}
	for i := range rules {
		r := &rules[i]
		if !r.matches(l, from, to, phase) {
			continue
		}
		st.Known = true
		st.Tag = r.Tag
		st.Label = r.label(from, to)
		st.File = r.File
		if st.File == "" {
			st.File = componentFile(from)
		}
		st.Why = r.Why
		st.Detail = detail(l.Payload, r.Show)
		return st
	}
	st.Label = from + " → " + to
	st.File = componentFile(from)
	st.Why = "(not in the explanation table)"
	return st
}

// phaseTracker reads the trace as it goes to know which walkthrough a hop belongs
// to: part I (watch), part II (request), the dialog in between (II.7–II.11), or
// neither. It only looks at lines already seen.
type phaseTracker struct {
	current string
	inUI    bool
	calls   map[string]string // "caller|callee|method|id" -> phase when called
}

// Phases.
const (
	phaseWatch   = "I"
	phaseRequest = "II"
	phaseUI      = "UI" // between the openFlow chrome event and the UI promise settling
	phaseOther   = "-"
)

func newPhaseTracker() *phaseTracker {
	return &phaseTracker{current: phaseOther, calls: map[string]string{}}
}

func (p *phaseTracker) phaseOf(l trace.Line) string {
	from, to := arrowEnds(l)
	switch l.Kind {
	case "call":
		switch l.Name {
		case wire.CallWatch:
			p.current = phaseWatch
		case wire.CallRequest:
			p.current = phaseRequest
		default:
			p.current = phaseOther
		}
		return p.current
	case "callback":
		return p.current
	case "hop":
	default:
		return p.current
	}
	obj, _ := l.Payload.(trace.Object)
	callID := ""
	if v, ok := obj.Get("call"); ok {
		callID, _ = trace.MarshalValue(v)
	}
	// Answers belong to the phase of their call.
	for _, suffix := range []string{wire.ResolvedSuffix, wire.RejectedSuffix} {
		if method, ok := strings.CutSuffix(l.Name, suffix); ok {
			key := to + "|" + from + "|" + method + "|" + callID
			ph, known := p.calls[key]
			if method == wire.SignInFlow || method == wire.RefreshAuthentication {
				p.inUI = false
			}
			if known {
				if ph != phaseUI {
					p.current = ph
				}
				return ph
			}
			if p.inUI {
				return phaseUI
			}
			return p.current
		}
	}
	phase := p.current
	if l.Name == wire.GetAssertion && from == string(wire.FirefoxAccounts) {
		// watch() asks silently; request() (and the observers' re-runs) do not.
		if silent, _ := objectPath(obj, "options", "silent").(bool); silent {
			phase = phaseWatch
		} else {
			phase = phaseRequest
		}
		p.current = phase
	}
	if p.inUI {
		phase = phaseUI
	}
	if callID != "" {
		p.calls[from+"|"+to+"|"+l.Name+"|"+callID] = phase
	}
	if l.Name == wire.MozFxAccountsUnsolChromeEvent && from == string(wire.FxAccountsUIGlue) {
		switch obj.String("eventName") {
		case wire.EventOpenFlow, wire.EventRefreshAuthentication:
			p.inUI = true // from the next hop on
		}
	}
	return phase
}

func objectPath(v any, path ...string) any {
	for _, k := range path {
		o, ok := v.(trace.Object)
		if !ok {
			return nil
		}
		v, _ = o.Get(k)
	}
	return v
}

// rule explains the hops it matches. From, To and Name are patterns in which '*'
// matches any text ("page[*]"); Kind "" means a hop; Phase "" any phase. The
// first matching rule wins, so specific rules come before general ones.
type rule struct {
	Kind           string
	From, To, Name string
	Phase          string
	When           func(payload any) bool
	Tag            string
	Caller, Callee string // function-level names for the label ("FxAccountsManager._uiRequest")
	File           string // "" means the sender's file
	Why            string
	Show           []string // payload members shown in the step's detail
}

func (r *rule) matches(l trace.Line, from, to, phase string) bool {
	kind := r.Kind
	if kind == "" {
		kind = "hop"
	}
	if kind != l.Kind || !glob(r.From, from) || !glob(r.To, to) || !glob(r.Name, l.Name) {
		return false
	}
	if r.Phase != "" && !phaseMatches(r.Phase, phase) {
		return false
	}
	return r.When == nil || r.When(l.Payload)
}

// phaseMatches accepts a list of phases separated by '|'.
func phaseMatches(want, phase string) bool {
	for _, p := range strings.Split(want, "|") {
		if p == phase {
			return true
		}
	}
	return false
}

func (r *rule) label(from, to string) string {
	caller, callee := r.Caller, r.Callee
	if caller == "" {
		caller = from
	}
	if callee == "" {
		callee = to
	}
	return caller + " → " + callee
}

// glob matches s against a pattern where '*' stands for any run of characters.
func glob(pattern, s string) bool {
	if pattern == "" || pattern == "*" {
		return true
	}
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

// detail renders the payload members a rule shows; a decoded assertion shows as
// its role with its audience and e-mail.
func detail(payload any, keys []string) string {
	if len(keys) == 0 || payload == nil {
		return ""
	}
	if keys[0] == "." {
		return shortValue(payload)
	}
	obj, ok := payload.(trace.Object)
	if !ok {
		return shortValue(payload)
	}
	var parts []string
	for _, path := range keys {
		// "data.method": a member of a nested object, labelled with its own name.
		v, ok, k := any(obj), true, path
		for _, seg := range strings.Split(path, ".") {
			o, isObj := v.(trace.Object)
			if !isObj {
				ok = false
				break
			}
			v, ok = o.Get(seg)
			k = seg
			if !ok {
				break
			}
		}
		if !ok || (v == nil && k != "value") {
			continue // absent and null members say nothing; a null answer does
		}
		if o, isObj := v.(trace.Object); isObj && len(o) == 0 {
			continue
		}
		if v == "" {
			continue
		}
		parts = append(parts, k+":"+shortValue(v))
	}
	if len(parts) == 0 {
		return ""
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func shortValue(v any) string {
	if o, ok := v.(trace.Object); ok {
		if role := o.String(trace.MemberRole); role != "" {
			return describeToken(o)
		}
	}
	return trace.Short(prune(trace.WithoutRaw(v)), 80)
}

// prune drops null and empty-object members inside objects, which only add noise
// to a one-line detail.
func prune(v any) any {
	switch x := v.(type) {
	case trace.Object:
		out := trace.Object{}
		for _, m := range x {
			pv := prune(m.Value)
			if pv == nil {
				continue
			}
			if o, isObj := pv.(trace.Object); isObj && len(o) == 0 {
				continue
			}
			out = append(out, trace.Member{Key: m.Key, Value: pv})
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = prune(e)
		}
		return out
	}
	return v
}

// describeToken: "<backedAssertion#1> (aud https://shop.example.com, alice@example.com)".
func describeToken(o trace.Object) string {
	role := o.String(trace.MemberRole)
	var facts []string
	claims := func(jwt any) trace.Object {
		c, _ := objectPath(jwt, "claims").(trace.Object)
		return c
	}
	if a, ok := o.Get("assertion"); ok {
		if aud := claims(a).String("aud"); aud != "" {
			facts = append(facts, "aud "+aud)
		}
		if certs, _ := o.Get("certificates"); certs != nil {
			if list, _ := certs.([]any); len(list) > 0 {
				if email, _ := objectPath(claims(list[0]), "principal", "email").(string); email != "" {
					facts = append(facts, email)
				}
			}
		}
	} else if email, _ := objectPath(o, "claims", "principal", "email").(string); email != "" {
		facts = append(facts, "for "+email)
	}
	if len(facts) == 0 {
		return role
	}
	return fmt.Sprintf("%s (%s)", role, strings.Join(facts, ", "))
}

// unprefixed returns the line with a multi-phone world's phone prefix taken
// off both ends, and that phone ("" when the addresses carry none).
func unprefixed(l trace.Line) (trace.Line, string) {
	from, fromPhone := splitPhone(l.From)
	to, toPhone := splitPhone(l.To)
	if fromPhone == "" || fromPhone != toPhone {
		return l, ""
	}
	l.From, l.To = from, to
	return l, fromPhone
}

// splitPhone splits "two/System/ContactsBackup" into the phone "two" and the
// actor "System/ContactsBackup"; an address the table knows as it is stays.
func splitPhone(addr string) (actor, phone string) {
	if componentFile(addr) != "" {
		return addr, ""
	}
	p, rest, ok := strings.Cut(addr, "/")
	if !ok || componentFile(rest) == "" {
		return addr, ""
	}
	return rest, p
}

// componentFile is the historic file behind an actor address.
func componentFile(addr string) string {
	switch {
	case strings.HasPrefix(addr, "page["):
		return "the relying party's own page script"
	case strings.HasPrefix(addr, "nsDOMIdentity["):
		return "dom/identity/nsDOMIdentity.js"
	}
	if f, ok := componentFiles[addr]; ok {
		return f
	}
	return ""
}

var componentFiles = map[string]string{
	string(wire.DOMIdentity):             "dom/identity/DOMIdentity.jsm",
	string(wire.MinimalIdentity):         "toolkit/identity/MinimalIdentity.jsm",
	string(wire.FirefoxAccounts):         "toolkit/identity/FirefoxAccounts.jsm",
	string(wire.FxAccountsManager):       "services/fxaccounts/FxAccountsManager.jsm",
	string(wire.FxAccounts):              "services/fxaccounts/FxAccounts.jsm",
	string(wire.FxAServer):               "services/fxaccounts/FxAccountsClient.jsm (hawk over HTTPS to fxa-auth-server)",
	string(wire.FxAccountsUIGlue):        "b2g/components/FxAccountsUIGlue.js",
	string(wire.FxAccountsMgmtService):   "b2g/components/FxAccountsMgmtService.jsm",
	string(wire.SystemFxAccountsManager): "apps/system/js/fxa_manager.js",
	string(wire.SystemFxAccountsUI):      "apps/system/js/fxa_ui.js",
	string(wire.SystemFxAccountsDialog):  "apps/system/js/fxa_dialog.js",
	string(wire.SystemFxAccountsClient):  "apps/system/js/fxa_client.js",
	string(wire.SystemDialogManager):     "apps/system/js/system_dialog_manager.js",
	string(wire.FxAModule):               "apps/system/fxa/js/fxam_*.js",
	string(wire.Settings):                "apps/settings (Firefox Accounts panel)",
	string(wire.User):                    "the person holding the phone",
	string(wire.World):                   "the scenario (the world around the phone)",
	string(wire.Driver):                  "the scenario driver",
	backupAddr:                           "apps/system/services/contacts (the 2014 contacts-backup prototype, gaia-fxa §10.2)",
	mozContacts:                          "dom/contacts (navigator.mozContacts, ContactManager.js)",
	settingsApp:                          "apps/communications/contacts (its backup settings)",
	otherDialog:                          "apps/system/js/system_dialog.js (another System app dialog)",
}
