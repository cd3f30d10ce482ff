package era

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestParse(t *testing.T) {
	for _, s := range []string{"2014", "2015"} {
		e, err := Parse(s)
		require.NoError(t, err)
		require.Equal(t, s, e.String())
	}
	for _, s := range []string{"", "2013", "spring-2014", " 2015"} {
		_, err := Parse(s)
		require.EqualError(t, err, `era "`+s+`" is not one of 2014, 2015`)
	}
	require.Equal(t, Y2015, Of(""), "no era is the default one")
	require.Equal(t, "2015", Era("").String())
	require.Equal(t, []Era{Spring2014, Y2015}, All)
}

// Each switch names what changed between the two stacks; the table is the
// reference's, read version by version.
func TestSwitches(t *testing.T) {
	type row struct {
		name           string
		got            func(Era) bool
		in2014, in2015 bool
	}
	for _, r := range []row{
		{"WebIDL", Era.WebIDL, false, true},
		{"ChildSideAuthorisation", Era.ChildSideAuthorisation, true, false},
		{"PrivilegedSkipsUserInputGate", Era.PrivilegedSkipsUserInputGate, false, true},
		{"RawOnError", Era.RawOnError, true, false},
		{"NormalisesNullStrings", Era.NormalisesNullStrings, false, true},
		{"ParentPermissionCheck", Era.ParentPermissionCheck, false, true},
		{"UnwatchDeletesContext", Era.UnwatchDeletesContext, false, true},
		{"LoginLogoutNotifications", Era.LoginLogoutNotifications, false, true},
		{"PendingRequest", Era.PendingRequest, false, true},
		{"NestedCancel", Era.NestedCancel, false, true},
		{"PrincipalToManager", Era.PrincipalToManager, false, true},
		{"OfflineFirst", Era.OfflineFirst, true, false},
		{"WaitsForVerification", Era.WaitsForVerification, true, false},
		{"RefreshSignsOutFirst", Era.RefreshSignsOutFirst, true, false},
		{"WholeDetailRejection", Era.WholeDetailRejection, true, false},
		{"AccountIDKey", Era.AccountIDKey, true, false},
	} {
		require.Equal(t, r.in2014, r.got(Spring2014), "%s in 2014", r.name)
		require.Equal(t, r.in2015, r.got(Y2015), "%s in 2015", r.name)
		require.Equal(t, r.in2015, r.got(""), "%s with no era (the default, 2015)", r.name)
	}
}
