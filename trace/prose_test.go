package trace

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWithoutProseCutsTheAboutKeyOnly(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{"folded block", "name: x\nabout: >\n  Why it matters,\n  in two lines.\nseed: 2\n", "name: x\nseed: 2\n"},
		{"plain scalar", "# a comment stays\nname: x\nabout: One line.\nsteps: []\n", "# a comment stays\nname: x\nsteps: []\n"},
		{"last key", "name: x\nabout: |\n  Last.\n", "name: x\n"},
		{"no about", "name: x\nsteps:\n  - {note: \"about: quoted\"}\n", "name: x\nsteps:\n  - {note: \"about: quoted\"}\n"},
		{"nested about is data", "name: x\nsteps:\n  - {about: y}\n", "name: x\nsteps:\n  - {about: y}\n"},
		{"flow mapping", "{name: x, about: y}\n", "{name: x, about: y}\n"},
		{"not YAML", "name: [x\n", "name: [x\n"},
	} {
		require.Equal(t, tc.want, string(WithoutProse([]byte(tc.in))), tc.name)
	}
}

// A contacts expectation's "passwords: 1" counts device passwords: the source
// a trace carries keeps it, so that the trace replays.
func TestMaskSourceKeepsACountOfPasswords(t *testing.T) {
	t.Parallel()
	src := "accounts:\n  - {email: a@example.com, password: \"correct horse\"}\nexpect:\n  server:\n    - {account: a@example.com, passwords: 1}\n"
	require.Equal(t, "accounts:\n  - {email: a@example.com, password: \"pw1xxxxxxxxxx\"}\nexpect:\n  server:\n    - {account: a@example.com, passwords: 1}\n",
		MaskSource([]byte(src), nil))
}
