package seeded

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

func read(t *testing.T, r io.Reader) []byte {
	t.Helper()
	b := make([]byte, 32)
	_, err := io.ReadFull(r, b)
	require.NoError(t, err)
	return b
}

func TestSameSeedSameBytesOtherStreamOtherBytes(t *testing.T) {
	a, b, c := read(t, Reader(7, 1)), read(t, Reader(7, 1)), read(t, Reader(7, 2))
	require.Equal(t, a, b)
	require.NotEqual(t, a, c)
	require.NotEqual(t, a, read(t, Reader(8, 1)))
}
