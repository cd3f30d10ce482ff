package contacts

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSameDataIgnoresIdentityAndTimestamps(t *testing.T) {
	a := Contact{ID: "a", Updated: time.Unix(1, 0), Name: []string{"X"}, Email: []Field{{Value: "x@e", Type: []string{}}}}
	b := Contact{ID: "b", Published: time.Unix(2, 0), Name: []string{"X"}, Email: []Field{{Value: "x@e"}}}
	require.True(t, a.SameData(b))
	b.Email[0].Pref = true
	require.False(t, a.SameData(b))
	require.False(t, a.SameData(Contact{Name: []string{"Y"}}))
	require.False(t, a.SameData(Contact{Name: []string{"X"}, Bday: time.Unix(3, 0)}))
}

func TestCloneIsDeep(t *testing.T) {
	a := Contact{Name: []string{"X"}, Tel: []TelField{{Type: []string{"home"}}}, Adr: []Address{{Type: []string{"w"}}},
		Email: []Field{{Type: []string{"t"}}}}
	b := a.Clone()
	b.Name[0], b.Tel[0].Type[0], b.Adr[0].Type[0], b.Email[0].Type[0] = "Y", "x", "x", "x"
	require.Equal(t, "X", a.Name[0])
	require.Equal(t, "home", a.Tel[0].Type[0])
	require.Equal(t, "w", a.Adr[0].Type[0])
	require.Equal(t, "t", a.Email[0].Type[0])
}

func TestIsEmptyAndDisplayName(t *testing.T) {
	require.True(t, Contact{ID: "x", Updated: time.Unix(1, 0)}.IsEmpty())
	require.False(t, Contact{Note: []string{""}}.IsEmpty())
	require.Equal(t, "A", Contact{Name: []string{"A"}, GivenName: []string{"G"}}.DisplayName())
	require.Equal(t, "G F", Contact{GivenName: []string{"G"}, FamilyName: []string{"F"}}.DisplayName())
	require.Equal(t, "e@x", Contact{Email: []Field{{Value: "e@x"}}}.DisplayName())
	require.Equal(t, "123", Contact{Tel: []TelField{{Value: "123"}}}.DisplayName())
}

func TestValidID(t *testing.T) {
	for _, ok := range []string{"0123456789abcdef0123456789abcdef", "a-b_c.d@e+f=g"} {
		require.True(t, ValidID(ok), ok)
	}
	for _, bad := range []string{"", ".hidden", "a/b", "..", "a b", "é", string(make([]byte, 201))} {
		require.False(t, ValidID(bad), bad)
	}
}
