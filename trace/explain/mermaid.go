package explain

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
	"github.com/mozidsim/mozidsim/trace"
)

// A process box of the sequence diagram.
type box struct {
	label, colour string
	member        func(addr string) bool
}

// boxes in the order they are drawn, left to right: the page's content process,
// the Gecko parent, the Gaia System app (and Settings), the FxA server. The user,
// the world and the driver stand outside any box, on the left.
var boxes = []box{
	{"content process", "rgb(232,240,254)", func(a string) bool {
		return strings.HasPrefix(a, "page[") || strings.HasPrefix(a, "nsDOMIdentity[")
	}},
	{"Gecko parent process", "rgb(254,243,224)", func(a string) bool {
		switch sim.Addr(a) {
		case wire.DOMIdentity, wire.MinimalIdentity, wire.FirefoxAccounts, wire.FxAccountsManager,
			wire.FxAccounts, wire.FxAccountsUIGlue, wire.FxAccountsMgmtService:
			return true
		}
		return false
	}},
	{"Gaia System app", "rgb(232,245,233)", func(a string) bool {
		return strings.HasPrefix(a, "System/") || a == string(wire.FxAModule)
	}},
	{"Gaia Settings app", "rgb(243,229,245)", func(a string) bool { return a == string(wire.Settings) }},
	{"FxA server", "rgb(236,239,241)", func(a string) bool { return a == string(wire.FxAServer) }},
}

// Mermaid renders a run as a Mermaid sequenceDiagram (see MermaidLines).
func Mermaid(events []sim.Event) string { return MermaidLines(trace.Encode(sim.Epoch, events)) }

// MermaidLines renders a trace as a Mermaid sequenceDiagram: participants boxed
// by process, autonumber matching ExplainLines' numbering, async arrows (-)) for
// events and messages, ->> for calls, -->> for promise resolutions, notes for what
// actors logged, and the run's last callback highlighted.
func MermaidLines(lines []trace.Line) string {
	steps := ExplainLines(lines)
	ids := participantIDs(lines)

	var b strings.Builder
	b.WriteString("sequenceDiagram\n")
	b.WriteString("    autonumber\n")
	declared := map[string]bool{}
	for _, a := range ids.order {
		if boxOf(a) < 0 {
			kw := "participant"
			if a == string(wire.User) {
				kw = "actor"
			}
			fmt.Fprintf(&b, "    %s %s as %s\n", kw, ids.id[a], escapeMermaid(a))
			declared[a] = true
		}
	}
	for bi, bx := range boxes {
		var members []string
		for _, a := range ids.order {
			if !declared[a] && boxOf(a) == bi {
				members = append(members, a)
			}
		}
		if len(members) == 0 {
			continue
		}
		fmt.Fprintf(&b, "    box %s %s\n", bx.colour, bx.label)
		for _, a := range members {
			fmt.Fprintf(&b, "        participant %s as %s\n", ids.id[a], escapeMermaid(a))
		}
		b.WriteString("    end\n")
	}

	lastCallback := -1
	for i, st := range steps {
		if st.Kind == "callback" {
			lastCallback = i
		}
	}
	// Walk the lines again to interleave notes with arrows in trace order.
	si := 0
	for _, l := range lines {
		if !isArrow(l.Kind) {
			fmt.Fprintf(&b, "    Note over %s: %s\n", ids.id[l.From], escapeMermaid(trace.Clip(noteLabel(l), maxLabel)))
			continue
		}
		st := steps[si]
		arrow := fmt.Sprintf("%s%s%s: %s", ids.id[st.From], arrowFor(l), ids.id[st.To], escapeMermaid(trace.Clip(arrowLabel(st), maxLabel)))
		if si == lastCallback {
			b.WriteString("    rect rgb(255,224,130)\n")
			fmt.Fprintf(&b, "        %s\n", arrow)
			fmt.Fprintf(&b, "        Note over %s: %s\n", ids.id[st.To], escapeMermaid("the run ends with "+st.Name))
			b.WriteString("    end\n")
		} else {
			fmt.Fprintf(&b, "    %s\n", arrow)
		}
		si++
	}
	return b.String()
}

type participants struct {
	order []string
	id    map[string]string
}

// participantIDs gives every address a short Mermaid id, in order of appearance.
func participantIDs(lines []trace.Line) participants {
	p := participants{id: map[string]string{}}
	add := func(a string) {
		if _, ok := p.id[a]; !ok {
			p.id[a] = fmt.Sprintf("A%d", len(p.order)+1)
			p.order = append(p.order, a)
		}
	}
	for _, l := range lines {
		from, to := arrowEnds(l)
		add(from)
		add(to)
	}
	return p
}

func boxOf(addr string) int {
	for i, bx := range boxes {
		if bx.member(addr) {
			return i
		}
	}
	return -1
}

// arrowFor: events and messages are asynchronous, calls synchronous, promise
// answers dashed, lost messages crossed.
func arrowFor(l trace.Line) string {
	switch l.Kind {
	case "call":
		return "->>"
	case "callback", "timer":
		return "-)"
	case "dropped":
		return "-x"
	}
	if strings.HasSuffix(l.Name, wire.ResolvedSuffix) || strings.HasSuffix(l.Name, wire.RejectedSuffix) {
		return "-->>"
	}
	if isEventName(l.Name) {
		return "-)"
	}
	return "->>"
}

// isEventName: message-manager messages, DOM custom events, observer
// notifications and user input travel as events, not calls.
func isEventName(name string) bool {
	for _, prefix := range []string{"Identity:", "moz", "fxaccounts:", "network:", "user:", "settings:", "iac-"} {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return name == wire.UserHome || name == wire.UserHoldHome
}

// maxLabel keeps arrows readable: the full payload is in the trace and in explain.
const maxLabel = 72

// arrowLabel is "II.6 name detail"; JSON's double quotes become single quotes,
// which read the same and need no escaping.
func arrowLabel(st Step) string {
	s := st.Name
	if st.Tag != "" {
		s = st.Tag + " " + s
	}
	if st.Detail != "" {
		s += " " + strings.ReplaceAll(st.Detail, `"`, "'")
	}
	return s
}

func noteLabel(l trace.Line) string {
	s := l.Name
	if l.Kind == "fault" {
		s = "FAULT " + s
	}
	if l.Payload != nil {
		s += " " + strings.ReplaceAll(trace.Short(trace.WithoutRaw(l.Payload), 60), `"`, "'")
	}
	return s
}

var endWord = regexp.MustCompile(`(?i)\bend\b`)

// escapeMermaid makes text safe in a Mermaid label: characters the parser reads
// (#, ;, <, >, quotes) become entity codes, and the keyword "end", which closes
// a block even inside a label, is spelled with an entity.
func escapeMermaid(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '#':
			b.WriteString("#35;")
		case ';':
			b.WriteString("#59;")
		case '<':
			b.WriteString("#lt;")
		case '>':
			b.WriteString("#gt;")
		case '"':
			b.WriteString("#quot;")
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return endWord.ReplaceAllStringFunc(b.String(), func(w string) string { return fmt.Sprintf("#%d;%s", w[0], w[1:]) })
}

// Process names the process an actor runs in (the box the diagrams draw it in)
// and that box's colour; actors in no box are "outside the phone".
func Process(addr string) (name, colour string) {
	if i := boxOf(addr); i >= 0 {
		return boxes[i].label, boxes[i].colour
	}
	return "outside the phone", "rgb(255,255,255)"
}

// Processes lists the process names in the order the diagrams draw them.
func Processes() []string {
	out := make([]string, 0, len(boxes)+1)
	for _, b := range boxes {
		out = append(out, b.label)
	}
	return append(out, "outside the phone")
}
