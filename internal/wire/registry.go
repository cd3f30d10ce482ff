package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/mozidsim/mozidsim/internal/sim"
)

// JSValue is the prototype of a payload that is a bare JavaScript value (a page
// callback's argument, a call's description): it decodes with ParseJS.
type JSValue struct{}

// none is the prototype of a message that carries no payload (nil).
type none struct{}

// Messages maps every message name this package declares to the zero value of
// the payload it carries: the contract Decode reads a message from a socket
// with, and the list the round-trip test walks. A name added to the package
// without an entry here fails that test.
var Messages = func() map[string]any {
	m := map[string]any{
		MsgRPWatch: RPMessage{}, MsgRPRequest: RPMessage{}, MsgRPLogout: RPMessage{}, MsgRPUnwatch: UnwatchMessage{},
		MsgOnLogin: RPCallback{}, MsgOnLogout: RPCallback{}, MsgOnReady: RPCallback{}, MsgOnCancel: RPCallback{}, MsgOnError: RPCallback{},

		// What the page calls and is called back with: recorded, never sent, but
		// they are what a browser on the far side of a socket sees.
		CallWatch: JSValue{}, CallRequest: JSValue{}, CallLogout: none{}, CallClose: none{},
		CbLogin: JSValue{}, CbLogout: none{}, CbReady: none{}, CbCancel: none{}, CbError: JSValue{}, CbThrows: JSValue{},

		RPWatch: RPMessage{}, RPRequest: RPMessage{}, RPLogout: RPMessage{}, RPUnwatch: UnwatchMessage{},
		DoLogin: RPCallback{}, DoLogout: RPCallback{}, DoReady: RPCallback{}, DoCancel: RPCallback{}, DoError: RPCallback{},

		NotifyOnLogin: Notification{}, NotifyOnVerified: Notification{}, NotifyOnLogout: Notification{}, NotifyUpdate: Notification{},
		NotifyNetwork: NetworkStatus{},

		MozFxAccountsUnsolChromeEvent: UnsolChromeEvent{}, MozFxAccountsRPContentEvent: RPContentEvent{},
		MozFxAccountsContentEvent: ContentEvent{}, MozFxAccountsChromeEvent: MgmtChromeEvent{},

		UserTypeEmail: UserInput{}, UserTypePassword: UserInput{}, UserChooseYear: UserInput{}, UserNext: UserInput{},
		UserBack: UserInput{}, UserDone: UserInput{}, UserClose: UserInput{}, UserHome: UserInput{}, UserHoldHome: UserInput{},
		SettingsSignIn: Credentials{}, SettingsSignOut: none{},
	}
	// Promise-style calls: the call, then its two answers.
	for method, call := range map[string]any{
		GetAssertion: GetAssertionCall{}, SignOut: SignOutCall{}, SignIn: Credentials{}, SignUp: Credentials{},
		GetAccount: PlainCall{}, QueryAccount: EmailCall{}, ResendVerification: EmailCall{},
		GetSignedInUser: PlainCall{}, SetSignedInUser: SetSignedInUserCall{}, AccountStatus: PlainCall{},
		SignInFlow: PlainCall{}, RefreshAuthentication: EmailCall{},
		OpAccountCreate: ServerRequest{}, OpAccountLogin: ServerRequest{}, OpAccountStatus: ServerRequest{},
		OpAccountExists: ServerRequest{}, OpEmailStatus: ServerRequest{}, OpResendCode: ServerRequest{},
		OpSessionDestroy: ServerRequest{}, OpCertSign: ServerRequest{},
	} {
		m[method] = call
		m[ResolvedName(method)] = Resolved{}
		m[RejectedName(method)] = Rejected{}
	}
	return m
}()

// Decode reads the payload of message name from its JSON form: the registered
// payload type, with JavaScript values (any fields, Obj) as ParseJS gives them.
func Decode(name string, data []byte) (any, error) {
	proto, ok := Messages[name]
	if !ok {
		return nil, fmt.Errorf("wire: unknown message %q", name)
	}
	switch proto.(type) {
	case none:
		if v, err := ParseJS(data); err != nil || v != nil {
			return nil, fmt.Errorf("wire: message %q carries no payload, got %s", name, clip(data))
		}
		return nil, nil
	case JSValue:
		v, err := ParseJS(data)
		if err != nil {
			return nil, fmt.Errorf("wire: message %q: %w", name, err)
		}
		return v, nil
	}
	p := reflect.New(reflect.TypeOf(proto))
	if err := json.Unmarshal(data, p.Interface()); err != nil {
		return nil, fmt.Errorf("wire: message %q (%T): %w", name, proto, err)
	}
	return p.Elem().Interface(), nil
}

// clip keeps an error message short whatever a peer sent.
func clip(b []byte) string {
	if len(b) > 64 {
		return string(b[:64]) + "…"
	}
	return string(b)
}

// PayloadError is a message whose payload is not of the type its receiver reads.
type PayloadError struct {
	Message string
	Want    string // the Go type the receiver expected
	Got     string // the Go type that came
}

func (e *PayloadError) Error() string {
	return fmt.Sprintf("message %q carries %s, want %s", e.Message, e.Got, e.Want)
}

// Payload is the one way actors read a message's payload: m's payload as T, or
// a *PayloadError naming the message and the type expected. A nil payload is
// T's zero value only when T is itself nullable (a pointer, any): a message
// that should carry a struct and carries nothing is an error.
func Payload[T any](m sim.Message) (T, error) {
	if p, ok := m.Payload.(T); ok {
		return p, nil
	}
	var zero T
	want := reflect.TypeFor[T]()
	if m.Payload == nil {
		switch want.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice:
			return zero, nil
		}
	}
	got := "nothing"
	if m.Payload != nil {
		got = fmt.Sprintf("%T", m.Payload)
	}
	return zero, &PayloadError{Message: m.Name, Want: want.String(), Got: got}
}

// Read is how every actor's Receive reads a payload: m's payload as T, or, when
// it is not one, false after Refuse has recorded the PayloadError.
//
//	c, ok := wire.Read[wire.Credentials](ctx, m)
//	if !ok {
//		return
//	}
func Read[T any](ctx *sim.Ctx, m sim.Message) (T, bool) {
	p, err := Payload[T](m)
	if err != nil {
		Refuse(ctx, m, err)
		return p, false
	}
	return p, true
}

// Refuse records that an actor could not read message m: a fault in the trace
// and in the system's fault list naming the actor, the message and the types
// (Gecko's receiveMessage would have thrown). The actor carries on.
func Refuse(ctx *sim.Ctx, m sim.Message, err error) {
	ctx.Fault(m.Name, err)
}

// Callable is a call payload that carries its call id: promise.Calls fills it in.
type Callable interface {
	WithCall(id uint64) any
}

// WithCall sets the call id.
func (c GetAssertionCall) WithCall(id uint64) any { c.Call = id; return c }

// WithCall sets the call id.
func (c Credentials) WithCall(id uint64) any { c.Call = id; return c }

// WithCall sets the call id.
func (c EmailCall) WithCall(id uint64) any { c.Call = id; return c }

// WithCall sets the call id.
func (c PlainCall) WithCall(id uint64) any { c.Call = id; return c }

// WithCall sets the call id.
func (c SignOutCall) WithCall(id uint64) any { c.Call = id; return c }

// WithCall sets the call id.
func (c SetSignedInUserCall) WithCall(id uint64) any { c.Call = id; return c }

// WithCall sets the call id.
func (c ServerRequest) WithCall(id uint64) any { c.Call = id; return c }

// ParseJS reads JSON as the JavaScript values payloads carry: objects as Obj
// (in their order), arrays as []any, numbers as float64, and strings, booleans
// and null as themselves.
func ParseJS(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	v, err := parseOrdered(dec, 0, maxDepth)
	if err != nil {
		return nil, fmt.Errorf("wire: %w", err)
	}
	if len(bytes.TrimSpace(data[dec.InputOffset():])) > 0 {
		return nil, errors.New("wire: text after the JSON value")
	}
	return v, nil
}

// maxDepth bounds nesting, so a hostile peer cannot exhaust the stack.
const maxDepth = 64

// parseOrdered reads one JSON value as a tree of JavaScript values: objects
// as Obj in their order, arrays as []any, other values as the decoder's
// tokens (float64 numbers, or json.Number after UseNumber). limit bounds the
// nesting. Its errors name no package: callers say where they come from.
func parseOrdered(dec *json.Decoder, depth, limit int) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("bad JSON value: %w", err)
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return tok, nil // string, number, bool or nil
	}
	if depth >= limit {
		return nil, fmt.Errorf("JSON nested deeper than %d levels", limit)
	}
	switch d {
	case '{':
		o := Obj{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, fmt.Errorf("bad JSON object: %w", err)
			}
			k, _ := kt.(string)
			v, err := parseOrdered(dec, depth+1, limit)
			if err != nil {
				return nil, err
			}
			o = append(o, KV{Key: k, Value: v})
		}
		if _, err := dec.Token(); err != nil {
			return nil, fmt.Errorf("bad JSON object: %w", err)
		}
		return o, nil
	case '[':
		a := []any{}
		for dec.More() {
			v, err := parseOrdered(dec, depth+1, limit)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		if _, err := dec.Token(); err != nil {
			return nil, fmt.Errorf("bad JSON array: %w", err)
		}
		return a, nil
	}
	return nil, fmt.Errorf("unexpected %v in JSON", d)
}

// UnmarshalJSON reads an object keeping its property order.
func (o *Obj) UnmarshalJSON(b []byte) error {
	v, err := ParseJS(b)
	if err != nil {
		return err
	}
	switch x := v.(type) {
	case Obj:
		*o = x
	case nil:
		*o = nil
	default:
		return fmt.Errorf("wire: want a JSON object, got %T", v)
	}
	return nil
}

// unmarshalStruct decodes a payload struct whose any fields hold JavaScript
// values: those get ParseJS's values (encoding/json would give maps, losing
// the property order JSON.stringify shows); the other fields decode as usual.
func unmarshalStruct(b []byte, dst any) error {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(b, &members); err != nil {
		return err
	}
	rv := reflect.ValueOf(dst).Elem()
	t := rv.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := bytes.Cut([]byte(f.Tag.Get("json")), []byte(","))
		raw, ok := members[string(name)]
		if !f.IsExported() || !ok {
			continue
		}
		if f.Type.Kind() == reflect.Interface {
			v, err := ParseJS(raw)
			if err != nil {
				return fmt.Errorf("%s.%s: %w", t.Name(), f.Name, err)
			}
			if v != nil {
				rv.Field(i).Set(reflect.ValueOf(v))
			}
			continue
		}
		if err := json.Unmarshal(raw, rv.Field(i).Addr().Interface()); err != nil {
			return fmt.Errorf("%s.%s: %w", t.Name(), f.Name, err)
		}
	}
	return nil
}

// UnmarshalJSON keeps the JavaScript value of RefreshAuthentication.
func (o *AssertionOptions) UnmarshalJSON(b []byte) error { return unmarshalStruct(b, o) }

// UnmarshalJSON keeps the JavaScript value of Message.
func (c *RPCallback) UnmarshalJSON(b []byte) error { return unmarshalStruct(b, c) }

// UnmarshalJSON keeps the JavaScript value of Value.
func (r *Resolved) UnmarshalJSON(b []byte) error { return unmarshalStruct(b, r) }

// UnmarshalJSON keeps the JavaScript value of Reason.
func (r *Rejected) UnmarshalJSON(b []byte) error { return unmarshalStruct(b, r) }

// UnmarshalJSON keeps the JavaScript values of Result and Error.
func (e *RPContentEvent) UnmarshalJSON(b []byte) error { return unmarshalStruct(b, e) }

// UnmarshalJSON keeps the JavaScript values of Data and Error.
func (e *MgmtChromeEvent) UnmarshalJSON(b []byte) error { return unmarshalStruct(b, e) }

// UnmarshalJSON keeps the JavaScript value of PublicKey.
func (r *ServerRequest) UnmarshalJSON(b []byte) error { return unmarshalStruct(b, r) }
