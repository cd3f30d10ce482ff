package trace

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMaskSourceKeepsLengthsAndEquality(t *testing.T) {
	source := `name: wrong-password-then-right
about: Alice mistypes, then types "correct horse battery".
accounts:
  - email: alice@example.com
    password: correct horse battery
  - {email: bob@example.com, password: "short"}
steps:
  - type-password: hunter22
  - [type-password, "correct horse battery"]
  - user: next
`
	got := MaskSource([]byte(source), []string{"hunter22"})
	require.Equal(t, `name: wrong-password-then-right
about: Alice mistypes, then types "pw1xxxxxxxxxxxxxxxxxx".
accounts:
  - email: alice@example.com
    password: pw1xxxxxxxxxxxxxxxxxx
  - {email: bob@example.com, password: "pw2xx"}
steps:
  - type-password: pw3xxxxx
  - [type-password, "pw1xxxxxxxxxxxxxxxxxx"]
  - user: next
`, got)
	require.Equal(t, got, MaskSource([]byte(got), nil), "masking is idempotent on placeholders' shape")
}

func TestMaskSourceWithoutYAML(t *testing.T) {
	// Not YAML: only the passwords the run carried, as whole words.
	require.Equal(t, "login alice pw1xxxxxxxxxxx; alice hunter2hunter2x",
		MaskSource([]byte("login alice hunter2hunter2; alice hunter2hunter2x"), []string{"hunter2hunter2"}))
	require.Equal(t, "no secrets here", MaskSource([]byte("no secrets here"), nil))
}

func TestPlaceholder(t *testing.T) {
	require.Equal(t, "pw12xxxx", placeholder(12, 8))
	require.Equal(t, "pw1", placeholder(1, 3))
	require.Equal(t, "bb", placeholder(2, 2))
	require.Equal(t, "", placeholder(1, 0))
}
