package wire

import (
	"encoding/json"
	"math"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/sim"
)

// goValues are the Go values production code puts into any fields, as the
// envelope must give them back: the JS-visible JSON of each is lossy (a
// JSError is {}), the envelope is not.
var goValues = []any{
	&ServerError{Code: 400, Errno: 111, Error: "Bad Request", Message: "Invalid timestamp", Info: "https://example/info",
		RetryAfter: 30, Email: "a@b.c", Param: "email", ServerTime: 1420070400},
	&FxAError{Error: &FxAError{Error: "SERVER_ERROR", Details: &ServerError{Code: 401, Errno: 110, Error: "Unauthorized"}}},
	NewError("UNVERIFIED_ACCOUNT", O("user", O("email", "a@b.c", "verified", false))),
	&JSError{Message: "OFFLINE"},
	&AccountData{Email: "a@b.c", UID: "u1", SessionToken: "tok", Verified: true, AuthAt: 1420070400},
	SignInResult{UID: "u1", SessionToken: "tok", Verified: true, AuthAt: 1420070400, Email: "a@b.c"},
	EmailStatus{Email: "a@b.c", Verified: true},
	Undefined,
	O("b", 1.0, "a", Undefined, "c", O(), "d", []any{Undefined, nil, "x", math.Inf(-1)}, "e", int64(1)<<62),
	Obj(nil), Obj{}, []any(nil), []any{}, nil, "", "déjà \u2028 <script>", true, 0.1, math.NaN(), math.Copysign(0, -1),
	7, int64(-9007199254740993), uint64(math.MaxUint64),
}

func TestEnvelopeRoundTripsGoValues(t *testing.T) {
	for _, v := range goValues {
		for _, m := range []sim.Message{
			{Name: ResolvedName(SignIn), From: FxAccounts, To: FxAccountsManager, Payload: Resolved{Call: 3, Value: v}},
			{Name: RejectedName(OpCertSign), From: FxAServer, To: FxAccounts, Payload: Rejected{Call: 4, Reason: v}},
			{Name: DoError, From: FirefoxAccounts, To: DOMIdentity, Payload: RPCallback{ID: "w", Message: v, Target: "t", MM: "mm"}},
			{Name: "done", From: FxAModule, To: SystemFxAccountsUI, Payload: v}, // a bare value
		} {
			data, err := EncodeMessage(m)
			require.NoError(t, err, "%#v", v)
			back, err := DecodeMessage(data)
			require.NoError(t, err, "%s", data)
			if f, ok := v.(float64); ok && math.IsNaN(f) {
				// NaN is no value DeepEqual finds equal: compare the encodings.
				again, err := EncodeMessage(back)
				require.NoError(t, err)
				require.Equal(t, string(data), string(again))
				require.Contains(t, string(data), `{"$":"float64","v":"NaN"}`)
				continue
			}
			require.Equal(t, m, back, "%s", data)
		}
	}
}

func TestEnvelopeRoundTripsEveryMessageSample(t *testing.T) {
	names := make([]string, 0, len(Messages))
	for name := range Messages {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		var payload any
		switch p := Messages[name].(type) {
		case none:
		case JSValue:
			payload = O("wantIssuer", "firefox-accounts", "list", []any{1.5, "two", false, nil})
		default:
			s, ok := samples[reflect.TypeOf(p)]
			require.True(t, ok, name)
			payload = s
		}
		m := sim.Message{Name: name, From: "a", To: "b", Payload: payload}
		data, err := EncodeMessage(m)
		require.NoError(t, err, name)
		back, err := DecodeMessage(data)
		require.NoError(t, err, "%s", data)
		require.Equal(t, m, back, "%s", data)
	}
}

// The format is part of the contract with the far side of a socket: pinned.
func TestEnvelopeFormat(t *testing.T) {
	m := sim.Message{Name: RejectedName(SignIn), From: FxAccounts, To: FxAccountsManager,
		Payload: Rejected{Call: 3, Reason: NewError("SERVER_ERROR", &ServerError{Code: 503, Errno: 201, Error: "Service Unavailable", RetryAfter: 30})}}
	data, err := EncodeMessage(m)
	require.NoError(t, err)
	require.Equal(t, `{"name":"signIn:rejected","from":"FxAccounts","to":"FxAccountsManager","payload":{"$":"wire.Rejected","v":{"Call":3,"Reason":{"$":"*wire.FxAError","v":{"Error":"SERVER_ERROR","Details":{"$":"*wire.ServerError","v":{"Code":503,"Errno":201,"Error":"Service Unavailable","Message":"","Info":"","RetryAfter":30,"Email":"","Param":"","ServerTime":0}}}}}}}`, string(data))

	data, err = EncodeMessage(sim.Message{Name: "done", Payload: O("a", Undefined, "b", []any{1.0, nil})})
	require.NoError(t, err)
	require.Equal(t, `{"name":"done","from":"","to":"","payload":{"$":"Obj","v":[["a",{"$":"undefined"}],["b",[1,null]]]}}`, string(data))

	// The JS-visible form of the same values is untouched: JSON.stringify's.
	js, err := JSONStringify(Rejected{Call: 1, Reason: &JSError{Message: "OFFLINE"}})
	require.NoError(t, err)
	require.Equal(t, `{"call":1,"reason":{}}`, js)
}

func TestEncodeNamesTheUnknownType(t *testing.T) {
	type secret struct{ X int }
	_, err := EncodeMessage(sim.Message{Name: "getAccount:resolved", Payload: Resolved{Call: 1, Value: O("user", secret{1})}})
	require.EqualError(t, err, `wire: message "getAccount:resolved": payload(wire.Resolved).Value(Obj)["user"] holds a wire.secret, a type the codec does not know (register it)`)
}

func TestDecodeErrorsNameMessageAndField(t *testing.T) {
	for _, c := range []struct{ in, err string }{
		{`{"name":"signIn:rejected","payload":{"$":"wire.Rejected","v":{"Call":3,"Reason":{"$":"*wire.ServerError","v":{"Code":"x"}}}}}`,
			`wire: message "signIn:rejected": payload(wire.Rejected).Reason(*wire.ServerError): want the 9 fields of wire.ServerError, got 1 members`},
		{`{"name":"signIn:rejected","payload":{"$":"wire.Rejected","v":{"Call":3,"Reason":{"$":"*wire.JSError","v":{"Message":7}}}}}`,
			`wire: message "signIn:rejected": payload(wire.Rejected).Reason(*wire.JSError).Message: want a string for string, got a number`},
		{`{"name":"signIn:rejected","payload":{"$":"wire.Rejected","v":{"Call":-1,"Reason":null}}}`,
			`wire: message "signIn:rejected": payload(wire.Rejected).Call: uint64: strconv.ParseUint: parsing "-1": invalid syntax`},
		{`{"name":"x","payload":{"$":"os.File","v":{}}}`, `wire: message "x": payload: unknown type "os.File"`},
		{`{"name":"x","payload":{"a":1}}`, `wire: message "x": payload: want a value {"$": type, "v": value}, got an object without a "$" type`},
		{`{"name":"x","payload":{"$":"undefined","v":1}}`, `wire: message "x": payload (undefined): want exactly the members "$"`},
		{`{"name":"x","payload":{"$":"Obj","v":[["a"]]}}`, `wire: message "x": payload(Obj)[0]: want a [key, value] pair`},
		{`{"name":"x","payload":null,"extra":1}`, `wire: envelope: unknown member "extra"`},
		{`{"name":"x","name":"y","payload":null}`, `wire: envelope: member "name" twice`},
		{`{"name":"x"}`, `wire: envelope: want members "name" and "payload"`},
		{`[]`, `wire: envelope: want an object, got an array`},
		{`{"name":"x","payload":null} {}`, `wire: envelope: text after the JSON value`},
		{`{"name":"x","payload":` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + `}`,
			`wire: envelope: JSON nested deeper than 272 levels`},
	} {
		_, err := DecodeMessage([]byte(c.in))
		require.EqualError(t, err, c.err, c.in)
	}
	_, err := DecodeMessage(make([]byte, MaxMessageBytes+1))
	require.EqualError(t, err, "wire: envelope of 1048577 bytes, more than the 1048576 a message may have")
}

func TestNewCodecRefusesWhatItCannotCarry(t *testing.T) {
	type hidden struct{ a int }
	_, err := NewCodec(hidden{})
	require.EqualError(t, err, "wire: cannot register wire.hidden: wire.hidden has unexported field a (register it as a Custom)")
	type withErr struct{ E error }
	_, err = NewCodec(withErr{})
	require.EqualError(t, err, "wire: cannot register wire.withErr: wire.withErr.E: field of interface type error (only any is carried)")
	_, err = NewCodec(Custom{Proto: 1})
	require.EqualError(t, err, "wire: a Custom value type needs Proto, Encode and Decode")
	// time.Time travels as its text form, to the nanosecond and the zone offset.
	c, err := NewCodec(time.Time{})
	require.NoError(t, err)
	at := time.Date(2015, 3, 1, 12, 0, 0, 5, time.UTC)
	data, err := c.EncodeMessage(sim.Message{Name: "x", Payload: at})
	require.NoError(t, err)
	back, err := c.DecodeMessage(data)
	require.NoError(t, err)
	require.Equal(t, at, back.Payload)
}

// FuzzDecodeMessage: whatever DecodeMessage accepts, it accepts again after
// EncodeMessage, with the same encoding (NaN forbids comparing values).
func FuzzDecodeMessage(f *testing.F) {
	for _, v := range goValues {
		data, err := EncodeMessage(sim.Message{Name: "x:rejected", From: "a", To: "b", Payload: Rejected{Call: 1, Reason: v}})
		require.NoError(f, err)
		f.Add(data)
	}
	for _, s := range samples {
		if data, err := EncodeMessage(sim.Message{Name: "y", Payload: s}); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"name":"x","payload":{"$":"Obj","v":[["a",{"$":"int","v":1e3}]]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeMessage(data)
		if err != nil {
			return
		}
		enc, err := EncodeMessage(m)
		require.NoError(t, err, "%s", data)
		back, err := DecodeMessage(enc)
		require.NoError(t, err, "%s", enc)
		again, err := EncodeMessage(back)
		require.NoError(t, err)
		require.Equal(t, string(enc), string(again))
		var anyJSON any
		require.NoError(t, json.Unmarshal(enc, &anyJSON), "%s", enc)
	})
}

func TestEncodeRefusesAValueHoldingItself(t *testing.T) {
	loop := []any{nil}
	loop[0] = loop
	_, err := EncodeMessage(sim.Message{Name: "x", Payload: loop})
	require.ErrorContains(t, err, `wire: message "x": payload`)
	require.ErrorContains(t, err, "nested deeper than 272 levels")
}

// BenchmarkEnvelope is one promise rejection of the refresh path (an FxAError
// nesting another around a ServerError) written and read back.
func BenchmarkEnvelope(b *testing.B) {
	m := sim.Message{Name: RejectedName(GetAssertion), From: FxAccountsManager, To: FirefoxAccounts,
		Payload: Rejected{Call: 9, Reason: &FxAError{Error: NewError("SERVER_ERROR", &ServerError{Code: 401, Errno: 110, Error: "Unauthorized", Message: "Invalid authentication token in request signature"}), Details: O("user", O("email", "a@b.c", "verified", true))}}}
	b.ReportAllocs()
	for b.Loop() {
		data, err := EncodeMessage(m)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := DecodeMessage(data); err != nil {
			b.Fatal(err)
		}
	}
}
