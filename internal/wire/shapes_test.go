package wire

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Each custom event's detail, JSON.stringify'd as the historic modules' own debug
// lines printed it.
func TestEventShapes(t *testing.T) {
	for _, c := range []struct {
		name string
		ev   JSShaped
		want string
	}{
		{"openFlow: signInFlow passes no data", UnsolChromeEvent{EventName: EventOpenFlow, ID: "u1"},
			`{"eventName":"openFlow","id":"u1"}`},
		{"an empty data object is not undefined", UnsolChromeEvent{EventName: EventOpenFlow, ID: "u1", Data: Obj{}},
			`{"eventName":"openFlow","id":"u1","data":{}}`},
		{"refreshAuthentication [G-3]", UnsolChromeEvent{EventName: EventRefreshAuthentication, ID: "u2", Data: O("email", "a@b.c")},
			`{"eventName":"refreshAuthentication","id":"u2","data":{"email":"a@b.c"}}`},
		{"notification", UnsolChromeEvent{EventName: "onlogin"}, `{"eventName":"onlogin"}`},
		{"Gaia's success reply", RPContentEvent{ID: "u1", Result: O("verified", true)}, `{"id":"u1","result":{"verified":true}}`},
		{"Gaia's error reply", RPContentEvent{ID: "u1", Error: DialogClosedByUser, HasError: true}, `{"id":"u1","error":"DIALOG_CLOSED_BY_USER"}`},
		{"MgmtService data", MgmtChromeEvent{ID: "c1", Data: O("registered", true)}, `{"id":"c1","data":{"registered":true}}`},
		{"MgmtService null data", MgmtChromeEvent{ID: "c1"}, `{"id":"c1","data":null}`},
		{"MgmtService error", MgmtChromeEvent{ID: "c1", Error: NewError("INVALID_PASSWORD", nil), HasError: true}, `{"id":"c1","error":{"error":"INVALID_PASSWORD"}}`},
		{"getAccounts", ContentEvent{ID: "c1", Method: "getAccounts"}, `{"id":"c1","data":{"method":"getAccounts"}}`},
		{"logout ignores stray fields", ContentEvent{ID: "c1", Method: "logout", Email: "a@b.c"}, `{"id":"c1","data":{"method":"logout"}}`},
		{"queryAccount has no password", ContentEvent{ID: "c1", Method: "queryAccount", Email: "a@b.c"}, `{"id":"c1","data":{"method":"queryAccount","email":"a@b.c"}}`},
		{"signIn", ContentEvent{ID: "c1", Method: "signIn", Email: "a@b.c", Password: "pw"}, `{"id":"c1","data":{"method":"signIn","email":"a@b.c","password":"pw"}}`},
		{"signIn, March 2014", ContentEvent{ID: "c1", Method: "signIn", Email: "a@b.c", Password: "pw", AccountKey: AccountIDKey},
			`{"id":"c1","data":{"method":"signIn","accountId":"a@b.c","password":"pw"}}`},
		{"queryAccount, March 2014", ContentEvent{ID: "c1", Method: "queryAccount", Email: "a@b.c", AccountKey: AccountIDKey},
			`{"id":"c1","data":{"method":"queryAccount","accountId":"a@b.c"}}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := JSONStringify(c.ev.JSObject())
			require.NoError(t, err)
			require.Equal(t, c.want, got)
		})
	}
}

// error.js's order: the five payload members, then the one extra.
func TestServerErrorBody(t *testing.T) {
	const info = "https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format"
	for _, c := range []struct {
		e    *ServerError
		want string
	}{
		{&ServerError{Code: 400, Errno: 103, Error: "Bad Request", Message: "Incorrect password", Info: info, Email: "a@b.c"},
			`{"code":400,"errno":103,"error":"Bad Request","message":"Incorrect password","info":"` + info + `","email":"a@b.c"}`},
		{&ServerError{Code: 400, Errno: 108, Error: "Bad Request", Message: "Missing parameter in request body: publicKey", Info: info, Param: "publicKey"},
			`{"code":400,"errno":108,"error":"Bad Request","message":"Missing parameter in request body: publicKey","info":"` + info + `","param":"publicKey"}`},
		{&ServerError{Code: 401, Errno: 111, Error: "Unauthorized", Message: "Invalid timestamp in request signature", Info: info, ServerTime: 1433160000},
			`{"code":401,"errno":111,"error":"Unauthorized","message":"Invalid timestamp in request signature","info":"` + info + `","serverTime":1433160000}`},
		{&ServerError{Code: 0, Errno: 998, Error: "NETWORK_ERROR", Message: "offline"},
			`{"code":0,"errno":998,"error":"NETWORK_ERROR","message":"offline"}`},
	} {
		got, err := JSONStringify(c.e)
		require.NoError(t, err)
		require.Equal(t, c.want, got)
	}
}
