package wire

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/stretchr/testify/require"
)

// notMessages are the exported string constants of this package that name no
// message: values inside payloads, suffixes, a permission.
var notMessages = map[string]bool{
	"FirefoxAccountsPermission":  true,
	"WantIssuerFxA":              true,
	"ResolvedSuffix":             true,
	"RejectedSuffix":             true,
	"EventOpenFlow":              true,
	"EventRefreshAuthentication": true,
	"DialogClosedByUser":         true,
	"AccountIDKey":               true, // a property name inside a payload's data, where declared
}

// declaredNames reads the package's own source: every exported constant
// holding a string literal, by constant name.
func declaredNames(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	names := map[string]string{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		require.NoError(t, err)
		for _, decl := range file.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				if vs.Type != nil {
					continue // typed: actor addresses (sim.Addr), not names
				}
				for i, id := range vs.Names {
					if !id.IsExported() || i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					v, err := strconv.Unquote(lit.Value)
					require.NoError(t, err)
					names[id.Name] = v
				}
			}
		}
	}
	require.NotEmpty(t, names)
	return names
}

// TestEveryDeclaredMessageIsRegistered: a message name declared in this package
// without a Messages entry (or an entry for a name declared nowhere) fails.
func TestEveryDeclaredMessageIsRegistered(t *testing.T) {
	declared := declaredNames(t)
	values := map[string]bool{}
	for id, v := range declared {
		if notMessages[id] {
			continue
		}
		values[v] = true
		_, ok := Messages[v]
		require.True(t, ok, "message %s (%q) has no entry in wire.Messages", id, v)
	}
	for name := range Messages {
		base := strings.TrimSuffix(strings.TrimSuffix(name, ResolvedSuffix), RejectedSuffix)
		require.True(t, values[base], "wire.Messages has %q, which no constant of the package declares", name)
	}
}

// samples are representative payloads: every field set, JavaScript values of
// the kinds pages and services pass (objects keep their order).
var samples = map[reflect.Type]any{}

func sample(v any) { samples[reflect.TypeOf(v)] = v }

func init() {
	user := "someone@example.com"
	principal := Principal{Origin: "https://shop.example", AppID: 7, AppStatus: AppCertified, Undeclared: true}
	opts := AssertionOptions{Silent: true, RefreshAuthentication: 600.0, Extra: O("siteName", "Shop", "n", 1.5, "nested", O("a", []any{true, nil, "x"}))}
	sample(RPMessage{ID: "win-1", Origin: "https://shop.example", Audience: "https://shop.example", Errors: []string{"ERROR_INVALID_ASSERTION_AUDIENCE"},
		WantIssuer: WantIssuerFxA, LoggedInUser: &user, Options: opts, Principal: principal, Target: NSDOMIdentity("shop"), MM: MessageManager("shop")})
	sample(UnwatchMessage{ID: "win-1", Target: NSDOMIdentity("shop"), MM: MessageManager("shop")})
	sample(RPCallback{ID: "win-1", Assertion: &user, Message: O("error", "UNVERIFIED_ACCOUNT", "details", O("user", O("email", user))),
		Target: NSDOMIdentity("shop"), MM: MessageManager("shop")})
	sample(Resolved{Call: 3, Value: O("email", user, "verified", true)})
	sample(Rejected{Call: 4, Reason: O("error", "OFFLINE")})
	sample(GetAssertionCall{Call: 5, Audience: "https://shop.example", Principal: &principal, Options: opts})
	sample(Credentials{Call: 6, Email: user, Password: "hunter2"})
	sample(EmailCall{Call: 7, Email: user})
	sample(PlainCall{Call: 8})
	sample(SignOutCall{Call: 9, LocalOnly: true})
	sample(SetSignedInUserCall{Call: 10, User: AccountData{Email: user, UID: "uid", SessionToken: "tok", Verified: true, AuthAt: 1420070400}})
	sample(Notification{Data: "someone"})
	sample(NetworkStatus{Offline: true})
	sample(UnsolChromeEvent{EventName: EventRefreshAuthentication, ID: "ev-1", Data: O("email", user)})
	sample(RPContentEvent{ID: "ev-1", Result: O("success", true), Error: DialogClosedByUser, HasError: true})
	sample(ContentEvent{ID: "ev-2", Method: "signIn", Email: user, Password: "hunter2", AccountKey: AccountIDKey})
	sample(MgmtChromeEvent{ID: "ev-2", Data: O("email", user, "verified", false), Error: O("error", "INVALID_PASSWORD"), HasError: true})
	sample(UserInput{Value: "1990"})
	sample(ServerRequest{Call: 11, Op: OpCertSign, Email: user, Password: "hunter2", SessionToken: "tok", UID: "uid",
		PublicKey: O("algorithm", "DS", "y", "ab12"), Duration: 21600000})
	sample(JSValue{})
	sample(none{})
}

// payloadProblems lists what would stop a payload type crossing a socket:
// unexported fields (encoding/json drops them), fields without a json tag
// (their name on the wire would be the Go name), tags that are not lowerCamel,
// and fields the sample leaves zero (the round trip would not test them).
func payloadProblems(v any) []string {
	var out []string
	var walk func(path string, rv reflect.Value)
	walk = func(path string, rv reflect.Value) {
		t := rv.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			where := path + "." + f.Name
			if !f.IsExported() {
				out = append(out, where+": unexported")
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" || !unicode.IsLower([]rune(name)[0]) {
				out = append(out, fmt.Sprintf("%s: json tag %q, want a lowerCamel name", where, f.Tag.Get("json")))
			}
			fv := rv.Field(i)
			if fv.IsZero() {
				out = append(out, where+": zero in the sample")
				continue
			}
			for fv.Kind() == reflect.Pointer {
				fv = fv.Elem()
			}
			if fv.Kind() == reflect.Struct && fv.Type().PkgPath() == t.PkgPath() {
				walk(where, fv)
			}
		}
	}
	rv := reflect.ValueOf(v)
	walk(rv.Type().Name(), rv)
	return out
}

// The checks catch what they are there for: a missing tag, an unexported field,
// a field the sample forgot.
func TestPayloadProblemsCatchesBadTypes(t *testing.T) {
	type bad struct {
		Tagged   string `json:"tagged"`
		Untagged string
		hidden   string
		Upper    string `json:"Upper"`
		Empty    string `json:"empty"`
	}
	require.Equal(t, []string{
		"bad.Untagged: json tag \"\", want a lowerCamel name",
		"bad.hidden: unexported",
		"bad.Upper: json tag \"Upper\", want a lowerCamel name",
		"bad.Empty: zero in the sample",
	}, payloadProblems(bad{Tagged: "a", Untagged: "b", hidden: "c", Upper: "d"}))
}

// TestEveryMessageRoundTrips: every registered message's payload JSON-encodes
// and decodes (Decode, through the registry) back to the same value.
func TestEveryMessageRoundTrips(t *testing.T) {
	names := make([]string, 0, len(Messages))
	for name := range Messages {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		proto := Messages[name]
		s, ok := samples[reflect.TypeOf(proto)]
		require.True(t, ok, "%s: no sample payload of type %T in this test", name, proto)
		require.Empty(t, payloadProblems(s), "%s (%T)", name, proto)
		if _, isNone := proto.(none); isNone {
			got, err := Decode(name, []byte("null"))
			require.NoError(t, err, name)
			require.Nil(t, got, name)
			_, err = Decode(name, []byte(`{"x":1}`))
			require.EqualError(t, err, fmt.Sprintf(`wire: message %q carries no payload, got {"x":1}`, name))
			continue
		}
		if _, isJS := proto.(JSValue); isJS {
			js := O("wantIssuer", "firefox-accounts", "list", []any{1.5, "two", false, nil})
			b, err := json.Marshal(js)
			require.NoError(t, err)
			got, err := Decode(name, b)
			require.NoError(t, err, name)
			require.Equal(t, any(js), got, name)
			continue
		}
		b, err := json.Marshal(s)
		require.NoError(t, err, name)
		got, err := Decode(name, b)
		require.NoError(t, err, "%s: %s", name, b)
		require.Equal(t, s, got, "%s: %s", name, b)
	}
}

func TestDecodeErrorsNameTheMessage(t *testing.T) {
	_, err := Decode("Identity:RP:Nope", []byte("{}"))
	require.EqualError(t, err, `wire: unknown message "Identity:RP:Nope"`)
	_, err = Decode(MsgRPWatch, []byte(`{"id":3}`))
	require.EqualError(t, err, `wire: message "Identity:RP:Watch" (wire.RPMessage): json: cannot unmarshal number into Go struct field RPMessage.id of type string`)
	_, err = Decode(DoError, []byte(`{"id":"w","assertion":5}`))
	require.EqualError(t, err, `wire: message "doError" (wire.RPCallback): RPCallback.Assertion: json: cannot unmarshal number into Go value of type string`)
	for _, trailing := range []string{`{"a":1} 2`, `{"a":1} x`, `"s"}`} {
		_, err = ParseJS([]byte(trailing))
		require.EqualError(t, err, "wire: text after the JSON value", trailing)
	}
	_, err = ParseJS([]byte(strings.Repeat("[", 65) + strings.Repeat("]", 65)))
	require.EqualError(t, err, "wire: JSON nested deeper than 64 levels")
	v, err := ParseJS([]byte(strings.Repeat("[", 64) + strings.Repeat("]", 64)))
	require.NoError(t, err)
	require.NotNil(t, v)
	_, err = ParseJS([]byte(`{"a":`))
	require.ErrorContains(t, err, "wire: bad JSON value")
}

func TestPayloadNamesMessageAndType(t *testing.T) {
	m := sim.Message{Name: MsgRPWatch, Payload: RPMessage{ID: "w"}}
	p, err := Payload[RPMessage](m)
	require.NoError(t, err)
	require.Equal(t, "w", p.ID)

	_, err = Payload[UnwatchMessage](m)
	require.EqualError(t, err, `message "Identity:RP:Watch" carries wire.RPMessage, want wire.UnwatchMessage`)
	var pe *PayloadError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, PayloadError{Message: MsgRPWatch, Want: "wire.UnwatchMessage", Got: "wire.RPMessage"}, *pe)

	_, err = Payload[RPCallback](sim.Message{Name: DoLogin})
	require.EqualError(t, err, `message "doLogin" carries nothing, want wire.RPCallback`)

	// A nullable payload type accepts a message that carries nothing.
	u, err := Payload[*AccountData](sim.Message{Name: "x"})
	require.NoError(t, err)
	require.Nil(t, u)
	v, err := Payload[any](sim.Message{Name: "x"})
	require.NoError(t, err)
	require.Nil(t, v)
}

// WithCall fills in the id of every call payload (and only that).
func TestWithCallSetsTheCallID(t *testing.T) {
	for _, c := range []Callable{GetAssertionCall{Audience: "a"}, Credentials{Email: "e"}, EmailCall{Email: "e"}, PlainCall{},
		SignOutCall{LocalOnly: true}, SetSignedInUserCall{User: AccountData{Email: "e"}}, ServerRequest{Op: OpCertSign}} {
		got := reflect.ValueOf(c.WithCall(42))
		require.Equal(t, reflect.TypeOf(c), got.Type())
		require.Equal(t, uint64(42), got.FieldByName("Call").Uint(), "%T", c)
		want := reflect.New(got.Type()).Elem()
		want.Set(reflect.ValueOf(c))
		want.FieldByName("Call").SetUint(42)
		require.Equal(t, want.Interface(), got.Interface())
	}
}

// Whatever a peer sends for whatever name, Decode answers with a value or an
// error, never a panic; what it accepts encodes and decodes to itself again.
func FuzzDecode(f *testing.F) {
	for name, proto := range Messages {
		if s, ok := samples[reflect.TypeOf(proto)]; ok {
			b, err := json.Marshal(s)
			require.NoError(f, err)
			f.Add(name, b)
		}
	}
	f.Add(MsgRPWatch, []byte(`{"options":{"extra":{"a":[1,{"b":null}]}},"principal":{"appStatus":9}}`))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		v, err := Decode(name, data)
		if err != nil {
			return
		}
		b, err := json.Marshal(v)
		if err != nil {
			return // NaN cannot be written, as JSON.stringify cannot either
		}
		again, err := Decode(name, b)
		require.NoError(t, err, "%s", b)
		require.Equal(t, v, again, "%s", b)
	})
}
