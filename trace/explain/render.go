package explain

import (
	"fmt"
	"io"
	"strings"

	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/trace"
)

// FormatStep renders one step for a terminal:
//
//  14. II.6 FxAccountsUIGlue.signInFlow → fxa_manager.handleEvent: mozFxAccountsUnsolChromeEvent {eventName:"openFlow",...}
//     b2g/components/FxAccountsUIGlue.js
//     Gecko cannot draw the dialog itself: ...
func FormatStep(st Step) string {
	var b strings.Builder
	tag := st.Tag
	if tag == "" {
		tag = "—"
	}
	fmt.Fprintf(&b, "%d. %s %s: %s", st.N, tag, st.Label, st.Name)
	if st.Detail != "" {
		b.WriteString(" " + st.Detail)
	}
	b.WriteByte('\n')
	indent := strings.Repeat(" ", len(fmt.Sprint(st.N))+2)
	if st.File != "" {
		fmt.Fprintf(&b, "%s%s\n", indent, st.File)
	}
	fmt.Fprintf(&b, "%s%s\n", indent, st.Why)
	for _, n := range st.Notes {
		fmt.Fprintf(&b, "%s· %s\n", indent, n)
	}
	return b.String()
}

// WriteExplanation prints every step for a terminal, under a title line.
func WriteExplanation(w io.Writer, title string, steps []Step) error {
	if _, err := fmt.Fprintf(w, "%s: %d steps (tags are the seed's steps, fxos-mozid-control-flow I.1–I.8, II.1–II.14; — = beyond the seed)\n\n", title, len(steps)); err != nil {
		return err
	}
	for _, st := range steps {
		if _, err := io.WriteString(w, FormatStep(st)+"\n"); err != nil {
			return err
		}
	}
	return nil
}

// Markdown is a document explaining a trace: the sequence diagram, then every
// numbered step with its seed step, historic file and why.
func Markdown(t trace.Trace) string {
	steps := ExplainLines(t.Lines)
	var b strings.Builder
	name := t.Header.Scenario
	if name == "" {
		name = "mozidsim run"
	}
	fmt.Fprintf(&b, "# %s\n\n", name)
	fmt.Fprintf(&b, "How Firefox OS (%s) resolved this `navigator.mozId` scenario, hop by hop, as recorded by mozidsim %s (seed %d). ", era.Of(era.Era(t.Header.Era)).String(), t.Header.Version, t.Header.Seed)
	b.WriteString("Step numbers match the diagram's arrows; tags such as `II.6` are the steps of the MozillaWiki walkthrough *Marketplace/FirefoxAccounts/FxOS Control Flow* (— marks steps it does not cover).\n\n")
	b.WriteString("```mermaid\n")
	b.WriteString(MermaidLines(t.Lines))
	b.WriteString("```\n\n## Steps\n\n")
	for _, st := range steps {
		tag := st.Tag
		if tag == "" {
			tag = "—"
		}
		fmt.Fprintf(&b, "%d. **%s** %s: `%s`", st.N, tag, mdEscape(st.Label), st.Name)
		if st.Detail != "" {
			fmt.Fprintf(&b, " `%s`", strings.ReplaceAll(st.Detail, "`", "'"))
		}
		fmt.Fprintf(&b, "  \n   *%s*  \n   %s\n", mdEscape(st.File), mdEscape(st.Why))
		for _, n := range st.Notes {
			fmt.Fprintf(&b, "   - note: `%s`\n", strings.ReplaceAll(n, "`", "'"))
		}
	}
	return b.String()
}

func mdEscape(s string) string {
	r := strings.NewReplacer("*", `\*`, "_", `\_`, "<", "&lt;", ">", "&gt;")
	return r.Replace(s)
}
