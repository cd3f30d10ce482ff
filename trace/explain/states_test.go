package explain

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestStateMachinesDrawsEveryRegisteredMachine: the registry has the four
// machines (getAssertion once per era), the backup service included, each
// drawn from its initial state with Mermaid-safe ids.
func TestStateMachinesDrawsEveryRegisteredMachine(t *testing.T) {
	machines, err := StateMachines()
	require.NoError(t, err)
	var names, starts []string
	for _, m := range machines {
		names = append(names, m.Name)
		lines := strings.Split(m.Mermaid, "\n")
		require.Equal(t, "stateDiagram-v2", lines[0], m.Name)
		for _, l := range lines {
			if strings.HasPrefix(l, "    [*] --> ") {
				starts = append(starts, m.Name+" "+strings.TrimPrefix(l, "    [*] --> "))
			}
		}
	}
	require.Equal(t, []string{"contacts-backup", "fxa-module-screens", "fxaccountsmanager-getassertion",
		"fxaccountsmanager-getassertion-2014", "page-lifecycle"}, names)
	require.Equal(t, []string{"contacts-backup idle", "fxa-module-screens LOADING", "fxaccountsmanager-getassertion start",
		"fxaccountsmanager-getassertion-2014 start", "page-lifecycle idle"}, starts)
	require.Equal(t, "apps/system/services/contacts/js/backup.js", machines[0].File)
	require.Contains(t, machines[0].Mermaid, "    idle --> account: start\n")
	// "ui-sign-in" is no Mermaid id: declared with its name as the label.
	require.Contains(t, machines[2].Mermaid, "    state \"ui-sign-in\" as ui_sign_in\n")
	require.Contains(t, machines[2].Mermaid, "    account --> ui_sign_in: no-user\n")
	require.Contains(t, machines[3].Mermaid, "    state \"signing-out\" as signing_out\n")
}

func TestStateDiagramsMarkdownHeadsEachMachine(t *testing.T) {
	md := StateDiagramsMarkdown([]Machine{{Name: "a-b", Title: "A B", File: "a.js", Mermaid: "stateDiagram-v2\n    [*] --> x\n"}})
	require.Equal(t, "# mozidsim state machines\n\nEach actor drives a looplab/fsm machine from its own goroutine; these are their tables, drawn from fresh machines.\n"+
		"\n## A B\n\n`a-b` — a.js\n\n```mermaid\nstateDiagram-v2\n    [*] --> x\n```\n", md)
}
