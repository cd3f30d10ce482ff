package webphone

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/mozidsim/mozidsim/identity"
	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/wire"
	"github.com/mozidsim/mozidsim/rp"
)

// A JS value crosses the socket as JSON, with the values JSON cannot spell
// described: {"$":"undefined"}, {"$":"function"}, {"$":"number","value":"NaN"},
// {"$":"object"} (a plain object; only its truthiness and string form matter to
// nsDOMIdentity), {"$":"array","value":[...]}. null is null.

// function is a page callback: only its presence crosses the socket.
type function struct{}

// Prop is one own enumerable property of an options object, in the page's order.
type Prop struct {
	Key   string
	Value any // a Go JS value as package identity reads it (see jsFromJSON)
}

// UnmarshalJSON reads ["key", value].
func (p *Prop) UnmarshalJSON(b []byte) error {
	var pair []json.RawMessage
	if err := json.Unmarshal(b, &pair); err != nil || len(pair) != 2 {
		return fmt.Errorf(`an option must be ["name", value], got %.60s`, b)
	}
	if err := json.Unmarshal(pair[0], &p.Key); err != nil {
		return fmt.Errorf("an option name must be a string, got %.60s", pair[0])
	}
	var raw any
	if err := json.Unmarshal(pair[1], &raw); err != nil {
		return err
	}
	v, err := jsFromJSON(raw, 0)
	if err != nil {
		return fmt.Errorf("option %q: %v", p.Key, err)
	}
	p.Value = v
	return nil
}

// MarshalJSON writes ["key", described value].
func (p Prop) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{p.Key, describe(p.Value)})
}

const maxValueDepth = 8

// jsFromJSON turns a described value into the Go JS value package identity reads.
func jsFromJSON(v any, depth int) (any, error) {
	if depth > maxValueDepth {
		return nil, fmt.Errorf("value nested deeper than %d", maxValueDepth)
	}
	switch x := v.(type) {
	case nil:
		return identity.Null, nil
	case string, bool, float64:
		return x, nil
	case []any:
		return nil, fmt.Errorf(`arrays are described as {"$":"array","value":[...]}`)
	case map[string]any:
		switch x["$"] {
		case "undefined":
			return wire.Undefined, nil
		case "function":
			return function{}, nil
		case "object":
			return wire.Obj{}, nil
		case "number":
			switch x["value"] {
			case "NaN":
				return math.NaN(), nil
			case "Infinity":
				return math.Inf(1), nil
			case "-Infinity":
				return math.Inf(-1), nil
			}
			return nil, fmt.Errorf("unknown number %v", x["value"])
		case "array":
			items, ok := x["value"].([]any)
			if !ok {
				return nil, fmt.Errorf("an array needs a value list")
			}
			out := make([]any, len(items))
			for i, e := range items {
				ev, err := jsFromJSON(e, depth+1)
				if err != nil {
					return nil, err
				}
				out[i] = ev
			}
			return out, nil
		}
		return nil, fmt.Errorf("unknown described value %v", x["$"])
	}
	return nil, fmt.Errorf("unexpected JSON value %T", v)
}

// describe is jsFromJSON's inverse, for values Go computed (outcomes, vectors).
func describe(v any) any {
	switch x := v.(type) {
	case nil:
		return map[string]any{"$": "undefined"}
	case function:
		return map[string]any{"$": "function"}
	case string, bool:
		return x
	case int:
		return float64(x)
	case float64:
		switch {
		case math.IsNaN(x):
			return map[string]any{"$": "number", "value": "NaN"}
		case math.IsInf(x, 1):
			return map[string]any{"$": "number", "value": "Infinity"}
		case math.IsInf(x, -1):
			return map[string]any{"$": "number", "value": "-Infinity"}
		}
		return x
	case wire.Obj:
		return map[string]any{"$": "object"}
	case []any:
		items := make([]any, len(x))
		for i, e := range x {
			items[i] = describe(e)
		}
		return map[string]any{"$": "array", "value": items}
	}
	if v == identity.Null {
		return nil
	}
	if v == wire.Undefined {
		return map[string]any{"$": "undefined"}
	}
	return fmt.Sprint(v)
}

// Call is one navigator.mozId call as the shim reports it, with what the shim did.
type Call struct {
	Call      string  `json:"call"` // watch | request | logout
	Options   []Prop  `json:"options"`
	UserInput bool    `json:"userInput"`
	Result    Outcome `json:"result"`
}

// Outcome is what a call did synchronously: the exception it threw, the onerror
// codes it delivered during the call, and the message it sent to the parent.
type Outcome struct {
	Throws  string   `json:"throws,omitempty"`
	OnError []string `json:"onerror,omitempty"`
	Sent    *Sent    `json:"sent,omitempty"`
}

// Sent is the Identity:RP:* message a call sent, as far as the page decides it
// (DOMIdentityMessage without the window id and origin).
type Sent struct {
	Name                  string  `json:"name"`
	Audience              string  `json:"audience"`
	WantIssuer            string  `json:"wantIssuer,omitempty"`
	LoggedInUser          *string `json:"loggedInUser"`
	RefreshAuthentication any     `json:"refreshAuthentication,omitempty"`
	Silent                bool    `json:"silent,omitempty"`
	Extra                 []Prop  `json:"extra,omitempty"`
}

// sentFrom is the page-decided part of a message nsDOMIdentity sent.
func sentFrom(name string, m wire.RPMessage) *Sent {
	s := &Sent{Name: name, Audience: m.Audience, WantIssuer: m.WantIssuer, LoggedInUser: m.LoggedInUser,
		Silent: m.Options.Silent}
	if m.Options.RefreshAuthentication != nil {
		s.RefreshAuthentication = describe(m.Options.RefreshAuthentication)
	}
	for _, kv := range m.Options.Extra {
		s.Extra = append(s.Extra, Prop{Key: kv.Key, Value: kv.Value})
	}
	return s
}

// canonical is an outcome as comparable JSON.
func (o Outcome) canonical() string {
	b, err := json.Marshal(o)
	if err != nil {
		return fmt.Sprintf("<%v>", err)
	}
	return string(b)
}

// callbacks a page passes are forwarded to the socket; the rest of an options
// object is copied as the page gave it.
type forwarders struct {
	onLogin  func(assertion string)
	onLogout func()
	onReady  func()
	onError  func(string)
	onCancel func()
}

// isCallbackValue reports how an options property that names a callback was
// passed: a function, a truthy non-function (refused), or absent/falsy.
func callbackKind(v any) (fn, notFn bool) {
	if _, ok := v.(function); ok {
		return true, false
	}
	if v == nil || v == identity.Null || v == wire.Undefined {
		return false, false
	}
	return false, wire.Truthy(v)
}

// own is an options object's own properties as JS keeps them: a name given
// twice (only a hand-made frame can) keeps its first place and its last value.
func own(props []Prop) []Prop {
	out := make([]Prop, 0, len(props))
	at := make(map[string]int, len(props))
	for _, p := range props {
		if i, dup := at[p.Key]; dup {
			out[i].Value = p.Value
			continue
		}
		at[p.Key] = len(out)
		out = append(out, p)
	}
	return out
}

// watchOptions builds the Go page's watch options from the shim's report, for
// a page of era e.
func watchOptions(props []Prop, f forwarders, e era.Era) rp.WatchOptions {
	var o rp.WatchOptions
	for _, p := range own(props) {
		switch p.Key {
		case "wantIssuer":
			// A DOMString member of IdentityWatchOptions: ToString'd by the
			// 2015 binding. [D-early] reads the page's value as it is: only
			// the string "firefox-accounts" asks for Firefox Accounts, and
			// a value that is no string is taken as no issuer (the shim
			// does the same).
			if s, ok := p.Value.(string); ok {
				o.WantIssuer = s
			} else if p.Value != wire.Undefined && e.WebIDL() {
				o.WantIssuer = identity.ToString(p.Value)
			}
		case "audience":
			o.Audience = p.Value
		case "loggedInUser":
			o.LoggedInUser = p.Value
		case "loggedInEmail":
			o.LoggedInEmail = p.Value
		case wire.CbLogin, wire.CbLogout, wire.CbReady, wire.CbError:
			fn, notFn := callbackKind(p.Value)
			if notFn {
				o.NotFunctions = append(o.NotFunctions, p.Key)
			}
			if !fn && p.Value != wire.Undefined {
				o.CallbackValues = setValue(o.CallbackValues, p.Key, p.Value)
			}
			if !fn {
				continue
			}
			switch p.Key {
			case wire.CbLogin:
				o.OnLogin = f.onLogin
			case wire.CbLogout:
				o.OnLogout = f.onLogout
			case wire.CbReady:
				o.OnReady = f.onReady
			case wire.CbError:
				o.OnError = f.onError
			}
		}
	}
	return o
}

// requestOptions builds the Go page's request options from the shim's report.
// id, origin and errors are dropped: DOMIdentityMessage overwrites them.
// Function-valued extras are dropped too (the shim does the same): they could
// not cross the message manager.
func requestOptions(props []Prop, userInput bool, f forwarders) rp.RequestOptions {
	o := rp.RequestOptions{NotUserInput: !userInput}
	for _, p := range own(props) {
		switch p.Key {
		case wire.CbCancel:
			fn, notFn := callbackKind(p.Value)
			if fn {
				o.OnCancel = f.onCancel
			} else if notFn {
				o.NotFunctions = append(o.NotFunctions, p.Key)
			}
			if !fn && p.Value != wire.Undefined {
				o.CallbackValues = setValue(o.CallbackValues, p.Key, p.Value)
			}
		case "audience":
			o.Audience = p.Value
		case "refreshAuthentication":
			o.RefreshAuthentication = p.Value
		case "privacyPolicy":
			o.PrivacyPolicy = p.Value
		case "termsOfService":
			o.TermsOfService = p.Value
		case "id", "origin", "errors":
		default:
			if _, isFn := p.Value.(function); !isFn {
				o.Extra = append(o.Extra, wire.KV{Key: p.Key, Value: p.Value})
			}
		}
	}
	return o
}

// setValue records a callback member's non-function value (for the WebIDL
// binding's TypeError).
func setValue(m map[string]any, k string, v any) map[string]any {
	if m == nil {
		m = map[string]any{}
	}
	m[k] = v
	return m
}
