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

// Markdown is a document explaining a trace. A long run comes in chapters
// (Chapters), each a sequence diagram of at most a few dozen arrows followed by
// its numbered steps (seed step, historic file, why); the whole run's diagram
// closes the document, linked from the top.
func Markdown(t trace.Trace) string {
	chapters := Chapters(t.Lines)
	var b strings.Builder
	name := t.Header.Scenario
	if name == "" {
		name = "mozidsim run"
	}
	fmt.Fprintf(&b, "# %s\n\n", name)
	fmt.Fprintf(&b, "How Firefox OS (%s) resolved this `navigator.mozId` scenario, hop by hop, as recorded by mozidsim %s (seed %d). ", era.Of(era.Era(t.Header.Era)).String(), t.Header.Version, t.Header.Seed)
	b.WriteString("Step numbers match the diagram's arrows; tags such as `II.6` are the steps of the MozillaWiki walkthrough *Marketplace/FirefoxAccounts/FxOS Control Flow* (— marks steps it does not cover; every tag is defined in [REFERENCES.md](REFERENCES.md)).\n\n")
	if len(chapters) > 1 {
		b.WriteString("The run in chapters:\n\n")
		for _, ch := range chapters {
			fmt.Fprintf(&b, "%d. [%s](#%s): steps %d–%d\n", ch.N, mdEscape(ch.Title), anchor(chapterHeading(ch)), ch.First, ch.Last)
		}
		b.WriteString("\nand [the whole run in one diagram](#the-whole-run).\n\n")
	}
	for _, ch := range chapters {
		if len(chapters) > 1 {
			fmt.Fprintf(&b, "## %s\n\n", chapterHeading(ch))
		}
		b.WriteString("```mermaid\n")
		b.WriteString(ch.Mermaid)
		b.WriteString("```\n\n")
		if len(chapters) == 1 {
			b.WriteString("## Steps\n\n")
		}
		writeSteps(&b, ch.Steps)
		b.WriteString("\n")
	}
	if len(chapters) > 1 {
		b.WriteString("## The whole run\n\n```mermaid\n")
		b.WriteString(MermaidLines(t.Lines))
		b.WriteString("```\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func chapterHeading(ch Chapter) string {
	return fmt.Sprintf("%d. %s", ch.N, ch.Title)
}

// anchor is GitHub's id for a heading: lower case, punctuation dropped, spaces
// as hyphens.
func anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 && r != '–':
			b.WriteRune(r)
		}
	}
	return b.String()
}

func writeSteps(b *strings.Builder, steps []Step) {
	for _, st := range steps {
		tag := st.Tag
		if tag == "" {
			tag = "—"
		}
		fmt.Fprintf(b, "%d. **%s** %s: `%s`", st.N, tag, mdEscape(st.Label), st.Name)
		if st.Detail != "" {
			fmt.Fprintf(b, " `%s`", strings.ReplaceAll(st.Detail, "`", "'"))
		}
		fmt.Fprintf(b, "  \n   *%s*  \n   %s\n", mdEscape(st.File), mdEscape(st.Why))
		for _, n := range st.Notes {
			fmt.Fprintf(b, "   - note: `%s`\n", strings.ReplaceAll(n, "`", "'"))
		}
	}
}

func mdEscape(s string) string {
	r := strings.NewReplacer("*", `\*`, "_", `\_`, "<", "&lt;", ">", "&gt;")
	return r.Replace(s)
}
