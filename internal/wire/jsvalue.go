package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// KV is one property of an Obj.
type KV struct {
	Key   string
	Value any
}

// Obj is a JavaScript object with its insertion order, so JSON.stringify of it
// (an onerror string, a trace payload) comes out exactly as Gecko produced it.
type Obj []KV

// O builds an Obj from key, value pairs: wire.O("email", e, "verified", true).
// (Unkeyed KV literals would trip go vet outside this package.)
func O(pairs ...any) Obj {
	o := make(Obj, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		k, _ := pairs[i].(string)
		o = append(o, KV{Key: k, Value: pairs[i+1]})
	}
	return o
}

// Get returns a property.
func (o Obj) Get(key string) (any, bool) {
	for _, kv := range o {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return nil, false
}

// Set replaces a property in place or appends it (JS assignment semantics).
func (o Obj) Set(key string, v any) Obj {
	for i, kv := range o {
		if kv.Key == key {
			o[i].Value = v
			return o
		}
	}
	return append(o, KV{key, v})
}

// String returns a property as a string ("" when absent or not a string).
func (o Obj) String(key string) string {
	v, _ := o.Get(key)
	s, _ := v.(string)
	return s
}

// Truthy reports JS truthiness of a property.
func (o Obj) Truthy(key string) bool {
	v, ok := o.Get(key)
	return ok && Truthy(v)
}

// Clone copies the object (one level).
func (o Obj) Clone() Obj { return append(Obj(nil), o...) }

// MarshalJSON writes the properties in order; undefined (Undefined) ones are skipped
// as JSON.stringify does. A nil Obj is no object at all (an absent property)
// and writes null, so that it reads back as nil, not as an empty object.
func (o Obj) MarshalJSON() ([]byte, error) {
	if o == nil {
		return []byte("null"), nil
	}
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	for _, kv := range o {
		if _, undef := kv.Value.(undefined); undef {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		k, _ := json.Marshal(kv.Key)
		b.Write(k)
		b.WriteByte(':')
		v, err := marshalJS(kv.Value)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

type undefined struct{}

// Undefined is JavaScript's undefined; JSON.stringify drops properties holding it.
var Undefined any = undefined{}

// Truthy is JavaScript's ToBoolean.
func Truthy(v any) bool {
	switch x := v.(type) {
	case nil, undefined:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case float64:
		return x != 0 && !math.IsNaN(x)
	case int:
		return x != 0
	case int64:
		return x != 0
	}
	return true
}

// FxAError is a rejection reason of the shape {error: CODE, details?} built by
// FxAccountsManager._error. Error is usually a string, but on the refresh path it is
// itself an *FxAError (the nesting FirefoxAccounts.jsm inspects).
type FxAError struct {
	Error   any
	Details any
}

// MarshalJSON keeps "error" before "details" and omits absent details.
func (e *FxAError) MarshalJSON() ([]byte, error) {
	o := Obj{{"error", e.Error}}
	if e.Details != nil {
		o = append(o, KV{"details", e.Details})
	}
	return o.MarshalJSON()
}

// Code returns the error code when Error is a string.
func (e *FxAError) Code() string { s, _ := e.Error.(string); return s }

// NewError is FxAccountsManager._error(code, details): details only when truthy.
func NewError(code string, details any) *FxAError {
	if !Truthy(details) {
		details = nil
	}
	return &FxAError{Error: code, Details: details}
}

// JSError is a plain JavaScript Error (e.g. new Error("OFFLINE") from FxAccounts.jsm).
// JSON.stringify gives "{}" and it has no "error" property: that is why such a
// rejection reaches the page as onerror('{}').
type JSError struct {
	Message string
}

// MarshalJSON mimics JSON.stringify(new Error(...)).
func (e *JSError) MarshalJSON() ([]byte, error) { return []byte("{}"), nil }

func (e *JSError) String() string { return "Error: " + e.Message }

// ServerError is a parsed FxA auth server error body (or a transport failure built
// like hawkclient's _constructError): {code, errno, error, message, info, extra?}.
// The extra member is the one AppError appended after info for some errors
// (fxa-auth-server error.js, 2014 and 2015 alike): email on 101/102/103/120,
// param on 108, serverTime on 111, retryAfter on 114/201. No error carries two.
type ServerError struct {
	Code       int
	Errno      int
	Error      string
	Message    string
	Info       string
	RetryAfter int
	Email      string // 101, 102, 103, 120: AppError's extra {email}
	Param      string // 108: {param}
	ServerTime int64  // 111: {serverTime}, seconds
}

// MarshalJSON keeps the server's field order.
func (e *ServerError) MarshalJSON() ([]byte, error) {
	o := Obj{{"code", e.Code}, {"errno", e.Errno}, {"error", e.Error}, {"message", e.Message}}
	if e.Info != "" {
		o = append(o, KV{"info", e.Info})
	}
	if e.Email != "" {
		o = append(o, KV{"email", e.Email})
	}
	if e.Param != "" {
		o = append(o, KV{"param", e.Param})
	}
	if e.ServerTime != 0 {
		o = append(o, KV{"serverTime", e.ServerTime})
	}
	if e.RetryAfter != 0 {
		o = append(o, KV{"retryAfter", e.RetryAfter})
	}
	return o.MarshalJSON()
}

// ErrorProperty reads the ".error" property of a JS rejection value, the way
// nsDOMIdentity.js does when it builds the onerror string.
func ErrorProperty(v any) (any, bool) {
	switch x := v.(type) {
	case *FxAError:
		return x.Error, true
	case *ServerError:
		return x.Error, true
	case Obj:
		return x.Get("error")
	case map[string]any:
		e, ok := x["error"]
		return e, ok
	}
	return nil, false
}

// OnErrorString is JSON.stringify({name: reason.error}): the string a page's onerror
// receives for an error that came back from the parent (D-mid/D-late).
func OnErrorString(reason any) string {
	name, ok := ErrorProperty(reason)
	if !ok {
		return "{}"
	}
	b, err := JSONStringify(Obj{{"name", name}})
	if err != nil {
		return "{}"
	}
	return b
}

// JSONStringify serialises a JS-like value as JSON.stringify would.
func JSONStringify(v any) (string, error) {
	b, err := marshalJS(v)
	return string(b), err
}

func marshalJS(v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return []byte("null"), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return []byte("null"), nil
		}
		return []byte(strconv.FormatFloat(x, 'f', -1, 64)), nil
	case []any:
		var b bytes.Buffer
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			if _, undef := e.(undefined); undef {
				b.WriteString("null")
				continue
			}
			eb, err := marshalJS(e)
			if err != nil {
				return nil, err
			}
			b.Write(eb)
		}
		b.WriteByte(']')
		return b.Bytes(), nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // JSON.stringify does not escape <, >, &
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("wire: cannot stringify %T: %w", v, err)
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
