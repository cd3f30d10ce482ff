package explain

import (
	"fmt"
	"sort"
	"strings"

	// The packages whose actors run state machines: importing them registers their tables.
	_ "github.com/mozidsim/mozidsim/contacts/backup"
	_ "github.com/mozidsim/mozidsim/fxaccounts"
	_ "github.com/mozidsim/mozidsim/gaia"
	_ "github.com/mozidsim/mozidsim/identity"
	"github.com/mozidsim/mozidsim/internal/machine"
)

// Machine is one of the simulator's state machines, drawn for people.
type Machine struct {
	Name    string // file-name friendly, e.g. "fxaccountsmanager-getassertion"
	Title   string
	File    string // the historic code the machine reads
	Mermaid string // a Mermaid stateDiagram-v2
}

// StateMachines renders every registered machine (internal/machine) from its
// table: the actor packages register theirs as they initialise, and this
// package links all four in.
func StateMachines() ([]Machine, error) {
	tables := machine.All()
	out := make([]Machine, 0, len(tables))
	for _, t := range tables {
		text, err := t.Mermaid()
		if err != nil {
			return nil, fmt.Errorf("state machine %s: %w", t.Name(), err)
		}
		out = append(out, Machine{Name: t.Name(), Title: t.Title(), File: t.File(), Mermaid: mermaidStateIDs(text)})
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

// StateDiagramsMarkdown puts the rendered machines into one Markdown document,
// each as a fenced Mermaid block under its title.
func StateDiagramsMarkdown(machines []Machine) string {
	var b strings.Builder
	b.WriteString("# mozidsim state machines\n\nEach actor drives a looplab/fsm machine from its own goroutine; these are their tables, drawn from fresh machines.\n")
	for _, m := range machines {
		fmt.Fprintf(&b, "\n## %s\n\n`%s` — %s\n\n```mermaid\n%s```\n", m.Title, m.Name, m.File, m.Mermaid)
	}
	return b.String()
}
