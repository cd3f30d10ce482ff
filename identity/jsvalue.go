package identity

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/mozidsim/mozidsim/internal/wire"
)

// jsNull is JavaScript's null as a page can pass it in an options object. Go's nil
// means "property absent" (undefined), which is a different thing for the D-late
// checks: checkRenamed counts null as defined, truthiness does not.
type jsNull struct{}

// MarshalJSON makes wire.JSONStringify write null.
func (jsNull) MarshalJSON() ([]byte, error) { return []byte("null"), nil }

func (jsNull) String() string { return "null" }

// Null is JavaScript's null in an options value (loggedInUser: null, audience: null).
var Null any = jsNull{}

// jsValue turns Go numbers into JS numbers (float64) so every later check sees one
// numeric type; wire.Undefined becomes nil (absent).
func jsValue(v any) any {
	switch x := v.(type) {
	case int:
		return float64(x)
	case int8:
		return float64(x)
	case int16:
		return float64(x)
	case int32:
		return float64(x)
	case int64:
		return float64(x)
	case uint:
		return float64(x)
	case uint8:
		return float64(x)
	case uint16:
		return float64(x)
	case uint32:
		return float64(x)
	case uint64:
		return float64(x)
	case float32:
		return float64(x)
	}
	if v == wire.Undefined {
		return nil
	}
	return v
}

// defined is IdentityUtils' defined(): typeof v !== "undefined".
func defined(v any) bool { return v != nil && v != wire.Undefined }

// truthy is JS ToBoolean, with null falsy.
func truthy(v any) bool {
	if v == Null {
		return false
	}
	return wire.Truthy(v)
}

// jsString is JS ToString for the values a page can pass.
func jsString(v any) string {
	switch x := v.(type) {
	case nil:
		return "undefined"
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return numberString(x)
	case jsNull:
		return "null"
	case wire.Obj:
		return "[object Object]"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			if e != nil && e != Null && e != wire.Undefined {
				parts[i] = jsString(jsValue(e))
			}
		}
		return strings.Join(parts, ",")
	}
	if v == wire.Undefined {
		return "undefined"
	}
	return "[object Object]"
}

func numberString(x float64) string {
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 1):
		return "Infinity"
	case math.IsInf(x, -1):
		return "-Infinity"
	case math.Abs(x) >= 1e21 || (x != 0 && math.Abs(x) < 1e-6):
		s := strconv.FormatFloat(x, 'g', -1, 64)
		return strings.Replace(s, "e+0", "e+", 1)
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}

// looseNotEqual is `v != s` with JS abstract equality, for a string s: strings
// compare as strings, objects through their string form, numbers and booleans
// numerically (an origin is never numeric, so they always differ).
func looseNotEqual(v any, s string) bool {
	switch x := v.(type) {
	case string:
		return x != s
	case wire.Obj, []any:
		return jsString(x) != s
	case float64:
		n, ok := stringNumber(s)
		return !ok || n != x
	case bool:
		n, ok := stringNumber(s)
		b := 0.0
		if x {
			b = 1
		}
		return !ok || n != b
	}
	return true // null and undefined equal only each other
}

func stringNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	n, err := strconv.ParseFloat(s, 64)
	return n, err == nil && !math.IsNaN(n)
}

// jsLength is String.prototype.length: UTF-16 code units, not bytes.
func jsLength(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
