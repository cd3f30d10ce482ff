package trace

import (
	"fmt"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
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

// Every way YAML can write a password is masked in the trace header's source
// (issue 15: escapes, single quotes and folded blocks stayed readable).
func TestMaskSourceEveryScalarForm(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		secret     string // the value YAML reads
		visible    []string
	}{
		{"escapes", `password: "p\x41ss\u0077ord\t!"`, "pAssword\t!", []string{`p\x41ss`, `\u0077ord`}},
		{"escaped quote", `password: "pa\"ss"`, `pa"ss`, []string{`pa\"ss`}},
		{"single quotes", `password: 'it''s a secret'`, "it's a secret", []string{"it''s", "secret"}},
		{"folded block", "password: >\n  correct horse\n  battery staple\nname: x", "correct horse battery staple\n", []string{"horse", "staple"}},
		{"literal block", "password: |-\n    sesame\n    open\nname: x", "sesame\nopen", []string{"sesame", "open"}},
		{"folded block in a list", "accounts:\n  - email: a@b.c\n    password: >-\n      two\n      words\n  - email: d@e.f\n", "two words", []string{"two", "words"}},
		{"anchor", "password: &pw abc\nname: x", "abc", []string{" abc"}},
		{"tag", "password: !!str 123", "123", []string{"123"}},
		{"multi-line plain", "password: one\n  two\nname: x", "one two", []string{"one", "two"}},
		{"multi-line double quotes", "password: \"one\n  two\"\nname: x", "one two", []string{"one", "two"}},
		{"flow, escaped", `accounts: [{email: a@b.c, password: "x\ty"}]`, "x\ty", []string{`x\ty`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := MaskSource([]byte(tc.yaml), nil)
			for _, v := range tc.visible {
				require.NotContains(t, got, v)
			}
			var doc map[string]any
			require.NoError(t, yaml.Unmarshal([]byte(got), &doc), got)
			var masked string
			if pw, ok := doc["password"]; ok {
				masked = fmt.Sprint(pw)
			} else {
				masked = fmt.Sprint(doc["accounts"].([]any)[0].(map[string]any)["password"])
			}
			require.Equal(t, utf8.RuneCountInString(tc.secret), utf8.RuneCountInString(masked), "same length: %q", got)
			require.NotEqual(t, tc.secret, masked)
			if name, ok := doc["name"]; ok {
				require.Equal(t, "x", name, "what follows is untouched")
			}
		})
	}
}
