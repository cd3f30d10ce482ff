package conform

import (
	"flag"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite docs/conform.md from the built-in plan")

// The module ids are stable API: expected-failures files and CI name them.
func TestBuiltinPlanIDsAreStable(t *testing.T) {
	require.Equal(t, []string{"watch-at-load", "signed-in-at-load", "login-from-click", "server-side-verification",
		"rejects-wrong-audience", "rejects-expired", "rejects-forged-signature", "rejects-untrusted-issuer",
		"logout-button", "logout-from-elsewhere", "cancel-no-loop", "no-request-without-click", "no-reload-loop",
		"onerror-unverified", "offline", "no-page-errors"}, BuiltinPlan().IDs())
}

func TestBuiltinPlanModulesAreDocumented(t *testing.T) {
	used := map[string]bool{cModuleRan: true, cPageErrorsSeen: true, cPhoneFaults: true}
	for _, m := range BuiltinPlan().Modules {
		require.NotEmpty(t, m.Summary, m.ID)
		require.NotEmpty(t, m.Setup, m.ID)
		require.NotEmpty(t, m.Does, m.ID)
		require.NotEmpty(t, m.Conditions, m.ID)
		require.NotNil(t, m.run, m.ID)
		for _, c := range m.Conditions {
			r, ok := Rules[c]
			require.True(t, ok, "%s: condition %s has no rule", m.ID, c)
			require.NotEmpty(t, r.Rule)
			require.NotEmpty(t, r.Cite)
			used[c] = true
		}
	}
	for c := range Rules {
		require.True(t, used[c], "condition %s is checked by no module", c)
	}
}

func TestPlanSelect(t *testing.T) {
	p := BuiltinPlan()
	q, err := p.Select([]string{"offline", "watch-at-load"})
	require.NoError(t, err)
	require.Equal(t, []string{"watch-at-load", "offline"}, q.IDs(), "plan order, not flag order")
	all, err := p.Select(nil)
	require.NoError(t, err)
	require.Len(t, all.Modules, 16)
	_, err = p.Select([]string{"rejects-everything"})
	require.ErrorContains(t, err, `no module "rejects-everything" in plan mozid-rp (modules: watch-at-load, signed-in-at-load, `)
}

func TestDocs(t *testing.T) {
	const path = "../docs/conform.md"
	got := Markdown(BuiltinPlan())
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, string(want), got, "docs/conform.md is stale: go test ./conform -run Docs -update")
}

func TestSameOrigin(t *testing.T) {
	require.True(t, sameOrigin("http://127.0.0.1:8000", "http://127.0.0.1:8000"))
	require.True(t, sameOrigin("http://127.0.0.1:8000/", "http://127.0.0.1:8000"))
	require.True(t, sameOrigin("https://shop.example.com:443", "https://shop.example.com"))
	require.False(t, sameOrigin("https://not-127.0.0.1:8000", "http://127.0.0.1:8000"))
	require.False(t, sameOrigin("http://127.0.0.1:8001", "http://127.0.0.1:8000"))
	require.False(t, sameOrigin("http://localhost:8000", "http://127.0.0.1:8000"))
}
