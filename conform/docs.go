package conform

import (
	"fmt"
	"strings"
)

// Markdown documents a plan: per module what it sets up, what it does, and
// each condition with the rule it enforces and where the rule comes from.
// docs/conform.md is this output for the built-in plan.
func Markdown(p *Plan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Conformance plan `%s`: %s\n\n", p.Name, p.Title)
	b.WriteString("Generated from package conform (`go test ./conform -run Docs -update`). Module ids are stable:\n")
	b.WriteString("`--module`, expected-failures files and CI name them. Every module starts from a fresh phone\n")
	b.WriteString("(`mozidsim serve`'s webphone, one verified account alice@example.com) and a fresh Chromium browser context.\n\n")
	b.WriteString("| module | checks |\n|---|---|\n")
	for _, m := range p.Modules {
		fmt.Fprintf(&b, "| [`%s`](#%s) | %s |\n", m.ID, m.ID, m.Summary)
	}
	for _, m := range p.Modules {
		fmt.Fprintf(&b, "\n## %s\n\n%s\n\n- **Sets up:** %s\n- **Does:** %s\n", m.ID, m.Summary, m.Setup, m.Does)
		if m.NeedsLogout {
			b.WriteString("- **Needs** `logout` in RP.yaml; SKIPPED without it.\n")
		}
		b.WriteString("\n| condition | rule | source |\n|---|---|---|\n")
		for _, c := range m.Conditions {
			r := Rules[c]
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", c, r.Rule, r.Cite)
		}
	}
	b.WriteString("\n## Conditions every module may log\n\n| condition | rule | source |\n|---|---|---|\n")
	for _, c := range []string{cModuleRan, cPageErrorsSeen, cPhoneFaults} {
		r := Rules[c]
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", c, r.Rule, r.Cite)
	}
	b.WriteString("\n`module-ran` FAILURE: the module could not drive the page (a selector never became visible, the page did not load);\n")
	b.WriteString("`page-errors-seen` is INFO (the `no-page-errors` module judges errors); `phone-faults` is a WARNING.\n")
	return b.String()
}
