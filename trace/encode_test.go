package trace

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
	"github.com/mozidsim/mozidsim/trace/internal/tracetest"
)

func lineJSON(t *testing.T, l Line) string {
	t.Helper()
	s, err := MarshalLine(l)
	require.NoError(t, err)
	return s
}

func TestSecretsBecomeRolesNumberedByFirstAppearance(t *testing.T) {
	t.Parallel()
	enc := NewEncoder(sim.Epoch)
	login := enc.Line(sim.Event{Seq: 1, At: 1500 * time.Millisecond, Kind: sim.KindHop, From: wire.FxAccountsManager, To: wire.FxAServer, Name: wire.OpAccountLogin,
		Payload: wire.ServerRequest{Call: 4, Op: wire.OpAccountLogin, Email: tracetest.Alice, Password: tracetest.Password}})
	require.Equal(t, `{"seq":1,"at":"1.5s","kind":"hop","from":"FxAccountsManager","to":"FxA server","name":"POST /v1/account/login","payload":{"call":4,"op":"POST /v1/account/login","email":"alice@example.com","password":"<password#1>","sessionToken":"","uid":"","publicKey":null,"duration":0}}`,
		lineJSON(t, login))

	result := enc.Line(sim.Event{Seq: 2, Kind: sim.KindHop, From: wire.FxAServer, To: wire.FxAccountsManager, Name: wire.OpAccountLogin + ":resolved",
		Payload: wire.Resolved{Call: 4, Value: wire.SignInResult{UID: "4a7fb1c2", SessionToken: tracetest.Token, Verified: true, AuthAt: 1433160000, Email: tracetest.Alice}}})
	require.Equal(t, `{"call":4,"value":{"uid":"<uid#1>","sessionToken":"<sessionToken#1>","verified":true,"authAt":1433160000,"email":"alice@example.com"}}`, mustJSON(t, result.Payload))

	// The same token again is the same role; a new one is #2.
	again := enc.Line(sim.Event{Seq: 3, Kind: sim.KindHop, From: wire.FxAccountsManager, To: wire.FxAServer, Name: wire.OpSessionDestroy,
		Payload: []wire.ServerRequest{{SessionToken: tracetest.Token}, {SessionToken: "ffff0000"}}})
	require.Contains(t, mustJSON(t, again.Payload), `"sessionToken":"<sessionToken#1>"`)
	require.Contains(t, mustJSON(t, again.Payload), `"sessionToken":"<sessionToken#2>"`)

	// Typing a password is a password whatever the payload calls it; a note that
	// later quotes a known secret is masked too.
	typed := enc.Line(sim.Event{Seq: 4, Kind: sim.KindHop, From: wire.User, To: wire.FxAModule, Name: wire.UserTypePassword, Payload: wire.UserInput{Value: "hunter2hunter2"}})
	require.Equal(t, `{"value":"<password#2>"}`, mustJSON(t, typed.Payload))
	note := enc.Line(sim.Event{Seq: 5, Kind: sim.KindNote, From: wire.FxAModule, To: wire.FxAModule, Name: "signIn failed for hunter2hunter2", Payload: "token " + tracetest.Token})
	require.Equal(t, "signIn failed for <password#2>", note.Name)
	require.Equal(t, "token <sessionToken#1>", note.Payload)

	require.Equal(t, []string{tracetest.Password, "hunter2hunter2"}, enc.Passwords()) // sorted
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	s, err := marshalValue(v)
	require.NoError(t, err)
	return s
}

func TestNoSecretInAWrittenTrace(t *testing.T) {
	t.Parallel()
	evs := tracetest.Events(
		tracetest.Hop(wire.SystemFxAccountsClient, wire.FxAccountsMgmtService, wire.MozFxAccountsContentEvent, wire.ContentEvent{ID: tracetest.UIID, Method: "signIn", Email: tracetest.Alice, Password: tracetest.Password}),
		tracetest.Hop(wire.FxAccountsMgmtService, wire.FxAccountsManager, wire.SignIn, wire.Credentials{Call: 1, Email: tracetest.Alice, Password: tracetest.Password}),
		tracetest.Hop(wire.FxAccountsManager, wire.FxAccounts, wire.SetSignedInUser, wire.SetSignedInUserCall{Call: 2, User: wire.AccountData{Email: tracetest.Alice, UID: "abc123", SessionToken: tracetest.Token, Verified: true}}),
		tracetest.Hop(wire.FxAccountsMgmtService, wire.SystemFxAccountsClient, wire.MozFxAccountsChromeEvent, wire.MgmtChromeEvent{ID: tracetest.UIID, Data: wire.O("email", tracetest.Alice, "password", tracetest.Password, "sessionToken", tracetest.Token)}),
	)
	var b bytes.Buffer
	require.NoError(t, WriteJSONL(&b, Header{Scenario: "secrets", Seed: 7}, evs))
	out := b.String()
	for _, secret := range []string{tracetest.Password, tracetest.Token, tracetest.UIID, "abc123"} {
		require.NotContains(t, out, secret)
	}
	require.Equal(t, 3, strings.Count(out, "<password#1>"))
	require.Equal(t, 2, strings.Count(out, "<sessionToken#1>"))
	require.Equal(t, 2, strings.Count(out, "<uuid#1>"))
}

func TestAssertionsAreDecodedAndKeptRaw(t *testing.T) {
	t.Parallel()
	backed := tracetest.BackedAssertion(t, "https://shop.example.com")
	lines := Encode(sim.Epoch, tracetest.Events(
		tracetest.Hop(wire.FirefoxAccounts, wire.DOMIdentity, wire.DoLogin, wire.RPCallback{ID: tracetest.WinID, Assertion: &backed}),
		tracetest.Hop(wire.DOMIdentity, wire.NSDOMIdentity(tracetest.Shop), wire.MsgOnLogin, wire.RPCallback{ID: tracetest.WinID, Assertion: &backed}),
	))
	a := objectPath(lines[0].Payload, "assertion").(Object)
	require.Equal(t, backed, a.String("$raw"))
	withoutBytes := mustJSON(t, withoutRawDeep(a))
	require.Equal(t, `{"$role":"<backedAssertion#1>","certificates":[{"$role":"<certificate#1>","header":{"alg":"RS256"},"claims":{"public-key":{"algorithm":"DS","key":"<publicKey#1>"},"principal":{"email":"uid1@api.accounts.firefox.com"},"iat":1433160000000,"exp":1433181600000,"iss":"api.accounts.firefox.com"},"signature":"<signature#1>","$virtual":{"iat":"T+0s","exp":"T+6h0m0s"}}],"assertion":{"$role":"<assertion#1>","header":{"alg":"DS128"},"claims":{"exp":2221560000000,"aud":"https://shop.example.com"},"signature":"<signature#2>","$virtual":{"exp":"T+219000h0m0s"}}}`,
		withoutBytes)
	// The second appearance is the same roles: replay compares roles, not bytes.
	require.Equal(t, withoutBytes, mustJSON(t, withoutRawDeep(objectPath(lines[1].Payload, "assertion"))))
	fresh := tracetest.BackedAssertion(t, "https://shop.example.com")
	require.Nil(t, Compare(lines, Encode(sim.Epoch, tracetest.Events(
		tracetest.Hop(wire.FirefoxAccounts, wire.DOMIdentity, wire.DoLogin, wire.RPCallback{ID: tracetest.WinID, Assertion: &fresh}),
		tracetest.Hop(wire.DOMIdentity, wire.NSDOMIdentity(tracetest.Shop), wire.MsgOnLogin, wire.RPCallback{ID: tracetest.WinID, Assertion: &fresh}),
	))), "fresh keys and signatures are the same roles")
	// Two different assertions where the recording had one are a difference.
	d := Compare(lines, Encode(sim.Epoch, tracetest.Events(
		tracetest.Hop(wire.FirefoxAccounts, wire.DOMIdentity, wire.DoLogin, wire.RPCallback{ID: tracetest.WinID, Assertion: &fresh}),
		tracetest.Hop(wire.DOMIdentity, wire.NSDOMIdentity(tracetest.Shop), wire.MsgOnLogin, wire.RPCallback{ID: tracetest.WinID, Assertion: &backed}),
	)))
	require.NotNil(t, d)
	require.Equal(t, "payload.assertion.$role", d.Field)
	require.Equal(t, `"<backedAssertion#1>"`, d.WantValue)
	require.Equal(t, `"<backedAssertion#2>"`, d.GotValue)
}

func TestJSLikeValues(t *testing.T) {
	t.Parallel()
	lines := Encode(sim.Epoch, tracetest.Events(
		tracetest.Hop(wire.FxAccountsManager, wire.FirefoxAccounts, "getAssertion:rejected", wire.Rejected{Call: 1, Reason: &wire.FxAError{Error: &wire.FxAError{Error: "UI_ERROR", Details: wire.DialogClosedByUser}}}),
		tracetest.Hop(wire.FxAccounts, wire.FxAccountsManager, "getAssertion:rejected", wire.Rejected{Call: 2, Reason: &wire.JSError{Message: "OFFLINE"}}),
		tracetest.Hop(wire.FxAServer, wire.FxAccounts, wire.OpCertSign+":rejected", wire.Rejected{Call: 3, Reason: &wire.ServerError{Code: 401, Errno: 110, Error: "Unauthorized", Message: "Invalid authentication token in request signature"}}),
		tracetest.Hop(wire.FxAccountsManager, wire.FxAccountsUIGlue, "x", wire.Resolved{Call: 4, Value: wire.O("user", wire.Undefined, "n", math.NaN(), "d", 90*time.Second)}),
		tracetest.Hop(wire.FxAccountsManager, wire.FxAccountsUIGlue, "y", wire.Resolved{Call: 5, Value: wire.Undefined}),
	))
	want := []string{
		`{"call":1,"reason":{"error":{"error":"UI_ERROR","details":"DIALOG_CLOSED_BY_USER"}}}`,
		`{"call":2,"reason":{"$error":"Error: OFFLINE"}}`,
		`{"call":3,"reason":{"code":401,"errno":110,"error":"Unauthorized","message":"Invalid authentication token in request signature"}}`,
		`{"call":4,"value":{"n":{"$js":"NaN"},"d":"1m30s"}}`,
		`{"call":5,"value":{"$js":"undefined"}}`,
	}
	for i, w := range want {
		require.Equal(t, w, mustJSON(t, lines[i].Payload), "line %d", i+1)
	}
}

func TestLowerCamel(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"ID": "id", "UID": "uid", "SessionToken": "sessionToken", "HTTPCode": "httpCode", "Email": "email", "appID": "appID", "EventName": "eventName"} {
		require.Equal(t, want, lowerCamel(in), in)
	}
}

// objectPath follows object members; nil when one is missing.
func objectPath(v any, path ...string) any {
	for _, k := range path {
		o, ok := v.(Object)
		if !ok {
			return nil
		}
		v, _ = o.Get(k)
	}
	return v
}

// A payload's json names are its trace names; a field tagged trace:"-" crosses
// a socket but stays out of the trace; an empty omitempty field is left out.
func TestTraceTagsAndOmitEmpty(t *testing.T) {
	t.Parallel()
	enc := NewEncoder(sim.Epoch)
	payload := func(p any) string {
		return mustJSON(t, enc.Line(sim.Event{Seq: 1, Kind: sim.KindHop, From: "a", To: "b", Name: "x", Payload: p}).Payload)
	}
	require.Equal(t, `{"id":"w","target":"nsDOMIdentity[shop]"}`,
		payload(wire.UnwatchMessage{ID: "w", Target: wire.NSDOMIdentity("shop"), MM: wire.MessageManager("shop")}))
	require.Equal(t, `{"call":3}`, payload(wire.SignOutCall{Call: 3}))
	require.Equal(t, `{"call":3,"localOnly":true}`, payload(wire.SignOutCall{Call: 3, LocalOnly: true}))
	require.Equal(t, `{"origin":"app://a","appID":0,"appStatus":"certified"}`,
		payload(wire.Principal{Origin: "app://a", AppStatus: wire.AppCertified, Undeclared: true}))
}
