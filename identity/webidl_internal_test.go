package identity

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/wire"
)

// ToInt32(ToNumber(v)): what the 2015 binding makes of a `long` member.
func TestWebIDLLong(t *testing.T) {
	for _, c := range []struct {
		in   any
		want float64
	}{
		{"soon", 0}, {"60", 60}, {" 60 ", 60}, {"", 0}, {"0x10", 16}, {"1e3", 1000}, {"inf", 0}, {"Infinity", 0},
		{3.9, 3}, {-1.5, -1}, {math.NaN(), 0}, {4294967301.0, 5}, {2147483648.0, -2147483648},
		{true, 1}, {false, 0}, {Null, 0}, {wire.Obj{}, 0}, {[]any{7.0}, 7}, {[]any{}, 0},
	} {
		require.Equal(t, c.want, webidlLong(c.in), "%#v", c.in)
	}
	require.Nil(t, webidlLong(nil))
	require.Nil(t, webidlLong(wire.Undefined))
}

func TestWebIDLStringAndCallbacks(t *testing.T) {
	require.Equal(t, "null", webidlString(Null))
	require.Equal(t, "42", webidlString(42.0))
	require.Equal(t, "[object Object]", webidlString(wire.Obj{}))
	require.Nil(t, webidlString(wire.Undefined))
	require.Equal(t, "'onready' member of IdentityWatchOptions is not an object.", notCallable("onready", "IdentityWatchOptions", 0.0).Message)
	require.Equal(t, "'oncancel' member of IdentityRequestOptions is not callable.", notCallable("oncancel", "IdentityRequestOptions", wire.Obj{}).Message)
	require.Equal(t, "TypeError", notCallable("onready", "IdentityWatchOptions", Null).Name)
}
