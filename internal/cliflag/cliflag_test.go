package cliflag

import (
	"flag"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFlagsAnywhere(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		pos     []string
		verbose bool
		seed    int
	}{
		{[]string{"a.yaml", "-v", "b.yaml"}, []string{"a.yaml", "b.yaml"}, true, 0},
		{[]string{"-seed", "3", "a.yaml"}, []string{"a.yaml"}, false, 3},
		{[]string{"a.yaml", "--seed=4"}, []string{"a.yaml"}, false, 4},
		{[]string{"a.yaml", "--", "-v", "b"}, []string{"a.yaml", "-v", "b"}, false, 0},
		{nil, nil, false, 0},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		v := fs.Bool("v", false, "")
		seed := fs.Int("seed", 0, "")
		pos, err := Parse(fs, tc.args)
		require.NoError(t, err, tc.args)
		require.Equal(t, tc.pos, pos, tc.args)
		require.Equal(t, tc.verbose, *v, tc.args)
		require.Equal(t, tc.seed, *seed, tc.args)
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	_, err := Parse(fs, []string{"a", "-h"})
	require.ErrorIs(t, err, flag.ErrHelp)
	_, err = Parse(fs, []string{"-nope"})
	require.EqualError(t, err, "flag provided but not defined: -nope")
}

func TestNearest(t *testing.T) {
	names := []string{"run", "list", "replay", "explain", "serve", "serve-fxa"}
	require.Equal(t, "run", Nearest("rnu", names))
	require.Equal(t, "explain", Nearest("EXPLIAN", names))
	require.Equal(t, "serve-fxa", Nearest("serve-fx", names))
	require.Equal(t, "", Nearest("frobnicate", names))
	require.Equal(t, "", Nearest("x", nil))
	require.Equal(t, `; did you mean "list"?`, DidYouMean("lsit", names))
	require.Equal(t, "", DidYouMean("zzzzzz", names))
}

func TestURLAndDurationValues(t *testing.T) {
	u := URLValue{Example: "http://127.0.0.1:8081"}
	require.NoError(t, u.Set("http://127.0.0.1:8081/"))
	require.Equal(t, "http://127.0.0.1:8081", u.URL)
	for _, bad := range []string{"127.0.0.1:8081", "localhost", "ftp://x", "http://", "http//x"} {
		require.EqualError(t, u.Set(bad), `"`+bad+`" is not an http(s) URL with a host; write it like http://127.0.0.1:8081`, bad)
	}
	d := DurationValue{Example: "700ms"}
	require.NoError(t, d.Set("2s"))
	require.Equal(t, "2s", d.String())
	require.EqualError(t, d.Set("0s"), `"0s" is not a positive duration; write it like 700ms (units ns, us, ms, s, m, h)`)
}
