package wire

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestOnErrorStringMatchesNsDOMIdentity(t *testing.T) {
	t.Parallel()
	cases := []struct {
		reason any
		want   string
	}{
		{NewError("UNVERIFIED_ACCOUNT", Obj{{"user", Obj{{"email", "a@b.c"}}}}), `{"name":"UNVERIFIED_ACCOUNT"}`},
		{NewError("ACCOUNT_DOES_NOT_EXIST ", nil), `{"name":"ACCOUNT_DOES_NOT_EXIST "}`},
		{&FxAError{Error: NewError("UI_ERROR", "boom")}, `{"name":{"error":"UI_ERROR","details":"boom"}}`},
		{&JSError{Message: "OFFLINE"}, `{}`},
		{"a bare string", `{}`},
		{&ServerError{Code: 503, Errno: 201, Error: "Service Unavailable", Message: "Service unavailable"}, `{"name":"Service Unavailable"}`},
	}
	for _, c := range cases {
		require.Equal(t, c.want, OnErrorString(c.reason))
	}
}

func TestObjKeepsOrderAndDropsUndefined(t *testing.T) {
	o := Obj{{"email", "x@y.z"}, {"success", true}, {"skip", Undefined}, {"n", 1.5}}
	o = o.Set("success", false).Set("done", true)
	s, err := JSONStringify(o)
	require.NoError(t, err)
	require.Equal(t, `{"email":"x@y.z","success":false,"n":1.5,"done":true}`, s)
	require.False(t, NewError("X", "").Details != nil, "falsy details are dropped like _error does")
	require.False(t, Truthy(0.0))
	require.True(t, Truthy("0"))
}
