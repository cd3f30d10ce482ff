package explain_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/scenarios"
	"github.com/mozidsim/mozidsim/trace/explain"
)

// TestEveryShippedStepIsExplained: `mozidsim explain` on any shipped scenario,
// of either kind (a contacts world of several phones included), gives every
// arrow a caller, a callee and a sentence of why; a new message, actor or
// step kind without a rule fails here, not in a reader's face.
func TestEveryShippedStepIsExplained(t *testing.T) {
	lib, err := scenarios.Library()
	require.NoError(t, err)
	kinds := map[string]int{}
	for _, s := range lib {
		src, err := s.Source()
		require.NoError(t, err)
		sc, err := scenarios.Parse(s.File, src)
		require.NoError(t, err)
		res, err := scenarios.Run(sc, scenarios.Options{})
		require.NoError(t, err, s.File)
		steps := explain.Explain(res.Events)
		require.NotEmpty(t, steps, s.File)
		for _, st := range steps {
			require.True(t, st.Known, "%s step %d %s -> %s %q is not in the explanation table", s.File, st.N, st.From, st.To, st.Name)
		}
		kinds[s.Kind]++
	}
	require.Positive(t, kinds[scenarios.KindMozID])
	require.Positive(t, kinds[scenarios.KindContacts])
}
