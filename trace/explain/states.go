package explain

import (
	"fmt"
	"sort"
	"strings"

	"github.com/looplab/fsm"

	"github.com/mozidsim/mozidsim/fxaccounts"
	"github.com/mozidsim/mozidsim/gaia"
	"github.com/mozidsim/mozidsim/identity"
)

// Machine is one of the simulator's state machines, drawn for people.
type Machine struct {
	Name    string // file-name friendly, e.g. "fxaccountsmanager-getassertion"
	Title   string
	File    string // the historic code the machine reads
	Mermaid string // a Mermaid stateDiagram-v2
}

// machineSource builds a fresh machine from an actor package's exported table:
// looplab's renderer starts the chart at the machine's current state, so it must
// be drawn from its initial state, never from a running actor's.
type machineSource struct {
	name, title, file string
	fresh             func() *fsm.FSM
}

// machineSources lists every state machine the actors run.
var machineSources = []machineSource{
	{"page-lifecycle", "A page's navigator.mozId lifecycle", "dom/identity/nsDOMIdentity.js",
		func() *fsm.FSM { return fsm.NewFSM(identity.StateIdle, identity.PageFSMEvents(), nil) }},
	{"fxaccountsmanager-getassertion", "FxAccountsManager.getAssertion", "services/fxaccounts/FxAccountsManager.jsm",
		fxaccounts.NewGetAssertionFSM},
	{"fxa-module-screens", "The FxA dialog module's screens", "apps/system/fxa/js/fxam_*.js",
		gaia.NewDialogFSM},
}

// StateMachines renders every machine from its looplab/fsm table.
func StateMachines() ([]Machine, error) {
	out := make([]Machine, 0, len(machineSources))
	for _, src := range machineSources {
		text, err := fsm.VisualizeWithType(src.fresh(), fsm.MermaidStateDiagram)
		if err != nil {
			return nil, fmt.Errorf("state machine %s: %w", src.name, err)
		}
		out = append(out, Machine{Name: src.name, Title: src.title, File: src.file, Mermaid: mermaidStateIDs(text)})
	}
	return out, nil
}

// mermaidStateIDs keeps looplab's output but makes state names Mermaid ids:
// stateDiagram ids cannot hold '-' or spaces, so "ui-sign-in" is declared as an
// id ui_sign_in with the original name as its label.
func mermaidStateIDs(text string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	labels := map[string]string{}
	id := func(state string) string {
		if state == "[*]" {
			return state
		}
		safe := strings.Map(func(r rune) rune {
			if r == '-' || r == ' ' || r == '.' || r == '/' {
				return '_'
			}
			return r
		}, state)
		if safe != state {
			labels[safe] = state
		}
		return safe
	}
	var body []string
	for _, l := range lines[1:] {
		t := strings.TrimSpace(l)
		lhs, label, hasLabel := strings.Cut(t, ": ")
		src, dst, ok := strings.Cut(lhs, " --> ")
		if !ok {
			body = append(body, l)
			continue
		}
		s := "    " + id(src) + " --> " + id(dst)
		if hasLabel {
			s += ": " + label
		}
		body = append(body, s)
	}
	out := []string{lines[0]}
	// Declarations in a stable order.
	var decl []string
	for safe, state := range labels {
		decl = append(decl, fmt.Sprintf("    state \"%s\" as %s", state, safe))
	}
	sort.Strings(decl)
	out = append(out, decl...)
	out = append(out, body...)
	return strings.Join(out, "\n") + "\n"
}

// StateDiagrams renders every machine into one Markdown document, each as a
// fenced Mermaid block under its title.
func StateDiagrams() string {
	machines, err := StateMachines()
	if err != nil {
		return "state machines: " + err.Error() + "\n"
	}
	return StateDiagramsMarkdown(machines)
}

// StateDiagramsMarkdown is StateDiagrams for already rendered machines.
func StateDiagramsMarkdown(machines []Machine) string {
	var b strings.Builder
	b.WriteString("# mozidsim state machines\n\nEach actor drives a looplab/fsm machine from its own goroutine; these are their tables, drawn from fresh machines.\n")
	for _, m := range machines {
		fmt.Fprintf(&b, "\n## %s\n\n`%s` — %s\n\n```mermaid\n%s```\n", m.Title, m.Name, m.File, m.Mermaid)
	}
	return b.String()
}
