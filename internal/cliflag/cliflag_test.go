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
