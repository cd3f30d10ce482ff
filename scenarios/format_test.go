package scenarios

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/wire"
	"github.com/mozidsim/mozidsim/rp"
)

const header = `name: t
accounts:
  - {email: alice@example.com, password: "correct horse battery"}
apps:
  - {name: shop, origin: "https://shop.example.com"}
`

func TestParseRefusesBadFilesNamingFileAndLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, src, want string }{
		{"unknown top-level field", "name: t\nfoo: 1\n", "s.yaml:2: unknown field \"foo\""},
		{"unknown app field", "name: t\napps:\n  - {name: a, origin: x, colour: red}\n", "s.yaml:3: unknown field \"colour\""},
		{"wrong type", "name: t\naccounts: 3\n", "s.yaml:2: cannot unmarshal !!int `3` into []scenarios.Account"},
		{"no name", "about: x\n", "s.yaml: name is required"},
		{"empty file", "", "s.yaml: empty file"},
		{"syntax", "name: [t\n", "s.yaml:1: did not find expected ',' or ']'"},
		{"two documents", "name: t\n---\nname: u\n", "s.yaml:2: a second YAML document: a scenario file holds one"},
		{"a kind that is a number", "kind: 3\nname: t\n", `s.yaml: kind "3" is not a kind of scenario (leave kind out for a mozId scenario, or write kind: contacts)`},
		{"unknown kind", "kind: calendar\nname: t\n", `s.yaml: kind "calendar" is not a kind of scenario (leave kind out for a mozId scenario, or write kind: contacts)`},
		{"a contacts header in a mozId file", "name: t\ndevices: [{name: p}]\n", "s.yaml: devices: a list of phones is for kind: contacts; a mozId scenario has one device"},
		{"user not an account", "name: t\ndevice: {user: bob@example.com}\n", "s.yaml: device.user bob@example.com is not one of the accounts"},
		{"bad kind of app", "name: t\napps: [{name: a, origin: x, kind: hosted}]\n", `s.yaml: apps[0] (a): kind "hosted" is not one of certified, privileged, web, browser`},
		{"bad duration", header + "device: {authAge: 2 hours}\n", `s.yaml:6: "2 hours" is not a duration (want e.g. 30s, 10m, 2h)`},
		{"step of no kind", header + "steps:\n  - {watch: {}}\n", "s.yaml:7: step 1: no step kind: want one of app, user, network, advance, server, device, dialog"},
		{"misspelt call", header + "steps:\n  - {app: shop, wtach: {}}\n", `s.yaml:7: step 1: unknown field "wtach" for an app step (want one of watch, request, logout, close, open)`},
		{"two calls", header + "steps:\n  - {app: shop, watch: {}, logout: {}}\n", "s.yaml:7: step 1: both watch and logout: one call per step"},
		{"unknown app", header + "steps:\n  - {app: news, watch: {}}\n", `s.yaml:7: step 1: no app "news" (apps: shop)`},
		{"unknown watch option", header + "steps:\n  - {app: shop, watch: {onlogin: 1}}\n", `s.yaml:7: step 1: watch: unknown option "onlogin" (known: wantIssuer, audience, loggedInUser, loggedInEmail, callbacks, notFunctions)`},
		{"not a callback", header + "steps:\n  - {app: shop, watch: {callbacks: [onlogon]}}\n", `s.yaml:7: step 1: watch.callbacks: "onlogon" is not a callback (onlogin, onlogout, onready, onerror, oncancel)`},
		{"oncancel not bool", header + "steps:\n  - {app: shop, request: {oncancel: maybe}}\n", `s.yaml:7: step 1: request.oncancel: "maybe" is not true or false`},
		{"logout with options", header + "steps:\n  - {app: shop, logout: {now: true}}\n", "s.yaml:7: step 1: logout takes no options (write logout: {})"},
		{"unknown user action", header + "steps:\n  - {user: swipe}\n", `s.yaml:7: step 1: user "swipe" is not one of back, choose-year, close, done, holdhome, home, next, refresh-auth, sign-in, sign-up, type-email, type-password`},
		{"missing field", header + "steps:\n  - {user: sign-in, email: alice@example.com}\n", "s.yaml:7: step 1: user sign-in: password is required"},
		{"field of another action", header + "steps:\n  - {user: next, value: x}\n", `s.yaml:7: step 1: unknown field "value" for a user next step`},
		{"year not a number", header + "steps:\n  - {user: sign-up, email: a@b.c, password: pw123456, yearOfBirth: old}\n", `s.yaml:7: step 1: yearOfBirth: "old" is not a whole number`},
		{"network", header + "steps:\n  - {network: flaky}\n", `s.yaml:7: step 1: network "flaky": want offline or online`},
		{"negative advance", header + "steps:\n  - {advance: -1s}\n", "s.yaml:7: step 1: duration -1s is negative"},
		{"unknown endpoint", header + "steps:\n  - {server: fail, status: 503, endpoint: /account/keys}\n", `s.yaml:7: step 1: endpoint "/account/keys" is not one the device calls (/account/create, /account/login, /account/status, /recovery_email/status, /recovery_email/resend_code, /session/destroy, /certificate/sign)`},
		{"dialog screen", header + "steps:\n  - {dialog: LOGIN}\n", `s.yaml:7: step 1: dialog "LOGIN": want a screen (ENTER_EMAIL, COPPA, SET_PASSWORD, ENTER_PASSWORD, SIGNUP_SUCCESS, SIGNIN_SUCCESS, REFRESH_AUTH) or closed`},
		{"alias loop", header + "steps:\n  - {app: shop, watch: &w {audience: *w}}\n", "s.yaml:7: step 1: watch.audience: line 7: alias *w refers to a value that contains it"},
		{"browser page with a manifest", "name: t\napps: [{name: a, origin: x, kind: browser, declaresPermission: true}]\n", "s.yaml: apps[0] (a): declaresPermission: a page in the Browser app has no manifest"},
		{"declaresPermission not a bool", "name: t\napps: [{name: a, origin: x, declaresPermission: maybe}]\n", "s.yaml:2: cannot unmarshal !!str `maybe` into bool"},
		{"system-dialog with a field", header + "steps:\n  - {device: system-dialog, email: a@b.c}\n", `s.yaml:7: step 1: unknown field "email" for a device system-dialog step`},
		{"bad closeAnimation", header + "device: {closeAnimation: soon}\n", `s.yaml:6: "soon" is not a duration (want e.g. 30s, 10m, 2h)`},
		{"unknown era", "name: t\nera: 2013\n", `s.yaml:2: era "2013" is not one of 2014, 2015`},
		{"era not a scalar", "name: t\nera: [2014]\n", "s.yaml:2: era: want 2014 or 2015"},
		{"expect unknown app", header + "expect:\n  news: []\n", `s.yaml:7: expect: no app "news"`},
		{"expect not a list", header + "expect:\n  shop: onlogin\n", "s.yaml:7: expect.shop: want a list"},
		{"expect not a callback", header + "expect:\n  shop: [login]\n", `s.yaml:7: expect.shop[0]: "login" does not start with a callback (onlogin, onlogout, onready, onerror, oncancel, throws)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("s.yaml", []byte(tc.src))
			require.EqualError(t, err, tc.want)
		})
	}
}

// Aliases that expand a small file into a huge value are refused, not walked.
func TestParseRefusesAliasExpansionBombs(t *testing.T) {
	t.Parallel()
	src := header + "steps:\n  - {app: shop, watch: {audience: [&a [1,2,3,4,5,6,7,8,9,10], &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a], &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b], &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c], [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]]}}\n"
	_, err := Parse("s.yaml", []byte(src))
	require.EqualError(t, err, "s.yaml:7: step 1: watch.audience: line 7: value too large (over 10000 nodes once aliases are expanded)")
}

func TestParseReadsEveryStepKind(t *testing.T) {
	t.Parallel()
	sc, err := Parse("s.yaml", []byte(header+`device: {user: alice@example.com, authAge: 2h, online: false}
seed: 7
steps:
  - {app: shop, watch: {audience: null, loggedInUser: "alice@example.com", callbacks: [onlogin, onlogout, onready], notFunctions: [onerror]}}
  - {app: shop, request: {oncancel: false, refreshAuthentication: 60, privacyPolicy: "https://p", userInput: false, extra: {siteName: Shop}}}
  - {user: sign-up, email: a@b.c, password: pw123456, yearOfBirth: 1990}
  - {network: online}
  - {advance: 90s}
  - {server: throttle, endpoint: /certificate/sign, retryAfter: 30}
  - {device: sign-out}
  - {dialog: ENTER_PASSWORD, overlay: INVALID_PASSWORD}
expect:
  shop: [onlogout, "onlogin aud=https://shop.example.com"]
`))
	require.NoError(t, err)
	require.Equal(t, uint64(7), sc.Seed)
	require.Equal(t, Duration(7200e9), sc.Device.AuthAge)
	require.False(t, *sc.Device.Online)
	require.Len(t, sc.Steps, 8)

	w := sc.Steps[0]
	require.Equal(t, KindApp, w.Kind)
	require.Equal(t, 9, w.Line)
	require.Equal(t, "watch", w.Call)
	require.Equal(t, wire.WantIssuerFxA, w.Watch.WantIssuer, "scenario files default wantIssuer to firefox-accounts")
	require.Equal(t, rp.Null, w.Watch.Audience, "YAML null is JavaScript null, not absent")
	require.Equal(t, "alice@example.com", w.Watch.LoggedInUser)
	require.Nil(t, w.Watch.LoggedInEmail)
	require.Equal(t, []string{"onlogin", "onlogout", "onready"}, w.Watch.Callbacks)
	require.Equal(t, []string{"onerror"}, w.Watch.NotFunctions)

	q := sc.Steps[1].Request
	require.False(t, q.OnCancel)
	require.False(t, q.UserInput)
	require.Equal(t, 60.0, q.RefreshAuthentication, "numbers are JS numbers")
	require.Equal(t, "https://p", q.PrivacyPolicy)
	require.Equal(t, wire.O("siteName", "Shop"), q.Extra)

	require.Equal(t, Step{Line: 11, Kind: KindUser, Text: "{user: sign-up, email: a@b.c, password: pw123456, yearOfBirth: 1990}",
		Action: "sign-up", Email: "a@b.c", Password: "pw123456", YearOfBirth: 1990}, sc.Steps[2])
	require.Equal(t, "online", sc.Steps[3].Action)
	require.Equal(t, 90e9, float64(sc.Steps[4].Advance))
	require.Equal(t, "/certificate/sign", sc.Steps[5].Endpoint)
	require.Equal(t, 30, sc.Steps[5].RetryAfter)
	require.Equal(t, "sign-out", sc.Steps[6].Action)
	require.Equal(t, "INVALID_PASSWORD", sc.Steps[7].Overlay)
	require.Equal(t, []string{"onlogout", "onlogin aud=https://shop.example.com"}, sc.Expect["shop"])
}

func TestDefaultsOfAWatchAndARequest(t *testing.T) {
	t.Parallel()
	sc, err := Parse("s.yaml", []byte(header+"steps:\n  - {app: shop, watch: {}}\n  - {app: shop, request: {}}\n  - {app: shop, close: }\n"))
	require.NoError(t, err)
	require.Equal(t, WatchSpec{WantIssuer: "firefox-accounts", Callbacks: []string{"onlogin", "onlogout", "onready", "onerror"}}, sc.Steps[0].Watch)
	require.Equal(t, RequestSpec{OnCancel: true, UserInput: true}, sc.Steps[1].Request)
	require.Equal(t, "close", sc.Steps[2].Call)
	require.False(t, sc.HasExpect)
	require.Equal(t, uint64(1), sc.Seed)
}

// Issue 15: a 50 MB file with 2.9 million steps ran for a minute and died
// past 6 GB; `run /dev/zero` did the same. Both are refused up front now.
func TestScenarioSizeAndStepLimits(t *testing.T) {
	t.Parallel()
	big := header + "steps:\n" + strings.Repeat("  - {advance: 1s}\n", MaxScenarioBytes/18+1)
	_, err := Parse("big.yaml", []byte(big))
	require.EqualError(t, err, "big.yaml: larger than 262144 bytes, the most a scenario file may hold (shipped ones are a few KB)")

	dir := t.TempDir()
	path := filepath.Join(dir, "big.yaml")
	require.NoError(t, os.WriteFile(path, []byte(big), 0o644))
	_, _, err = Load(path)
	require.EqualError(t, err, path+": larger than 262144 bytes, the most a scenario file may hold (shipped ones are a few KB)")
	if _, statErr := os.Stat("/dev/zero"); statErr == nil {
		_, _, err = Load("/dev/zero")
		require.EqualError(t, err, "/dev/zero: larger than 262144 bytes, the most a scenario file may hold (shipped ones are a few KB)")
	}
	_, _, err = Load(dir)
	require.EqualError(t, err, dir+": a directory, not a scenario file")

	many := header + "steps:\n" + strings.Repeat("  - {advance: 1s}\n", MaxSteps+1)
	_, err = Parse("many.yaml", []byte(many))
	require.EqualError(t, err, fmt.Sprintf("many.yaml:%d: step 1001: more than 1000 steps, the most a scenario may have", strings.Count(header, "\n")+2+MaxSteps))
	_, err = Parse("ok.yaml", []byte(header+"steps:\n"+strings.Repeat("  - {advance: 1s}\n", MaxSteps)))
	require.NoError(t, err)
}

func TestRetryAfterMustBeSecondsFromZero(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"-1", "-30", "86401"} {
		_, err := Parse("s.yaml", []byte(header+"steps:\n  - {server: throttle, endpoint: /certificate/sign, retryAfter: "+v+"}\n"))
		require.EqualError(t, err, "s.yaml:7: step 1: retryAfter: "+v+" is not a number of seconds from 0 to 86400")
	}
}
