package identity

import (
	"math"
	"strconv"
	"strings"

	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// The 2015 navigator.mozId is a JS-implemented WebIDL interface
// (dom/webidl/Identity.webidl, marco-c/gecko-dev-wordified@f4ad2993; Gaia's
// fix for Bug 1011084, 2014-09-11). Before nsDOMIdentity.js sees an options
// object, the binding converts it to the IdentityWatchOptions or
// IdentityRequestOptions dictionary: members it does not declare are dropped,
// DOMString members are ToString'd, `long` members ToInt32'd (no
// [EnforceRange], so NaN is 0), and a callback member that is not callable is
// refused with the binding's own TypeError (dom/bindings/Errors.msg
// MSG_NOT_OBJECT / MSG_NOT_CALLABLE). Every member is non-nullable, so null
// becomes "null" for a DOMString and a TypeError for a callback.
//
// What the page sees of an Error thrown by nsDOMIdentity.js itself is decided
// by CallbackObject::CallSetup (rmottola/Arctic-Fox
// dom/bindings/CallbackObject.cpp, ShouldRethrowException and ~CallSetup):
// a JS-implemented call rethrows only exceptions that live in the caller's
// compartment. nsDOMIdentity.js throws chrome `new Error(...)` objects, so
// the Error is reported to the console and the binding throws
// NS_ERROR_UNEXPECTED instead: the page catches an exception whose message is
// xpc.msg's "Unexpected error".

// UnexpectedError is the message of the exception a 2015 page catches when
// nsDOMIdentity.js threw (NS_ERROR_UNEXPECTED).
const UnexpectedError = "Unexpected error"

// The dictionaries' members in the order the binding converts them
// (lexicographic, as Gecko's codegen sorts them).
var (
	watchCallbackMembers = []string{nameOnError, nameOnLogin, nameOnLogout, nameOnReady}
	requestStringMembers = []string{"backgroundColor", "origin", "privacyPolicy", "returnTo", "siteLogo", "siteName", "termsOfService"}
)

// notCallable is the binding's TypeError for a callback member whose value is
// no function: an object that cannot be called, or any other value (null
// included: the members are not nullable).
func notCallable(member, dictionary string, v any) *Exception {
	what := "'" + member + "' member of " + dictionary
	switch v.(type) {
	case wire.Obj, []any:
		return &Exception{Message: what + " is not callable.", Name: "TypeError"}
	}
	return &Exception{Message: what + " is not an object.", Name: "TypeError"}
}

// callbackValue is the value a page passed for a callback it did not pass as a
// function: the one in CallbackValues, else a truthy non-object (NotFunctions
// says only that), else absent.
func callbackValue(name string, notFunctions []string, values map[string]any) (any, bool) {
	if v, ok := values[name]; ok && v != nil && v != wire.Undefined {
		return v, true
	}
	if contains(notFunctions, name) {
		return true, true
	}
	return nil, false
}

// webidlString is a present DOMString member: ToString of the value, absent
// when undefined.
func webidlString(v any) any {
	v = jsValue(v)
	if v == nil {
		return nil
	}
	return jsString(v)
}

// webidlLong is ToInt32(ToNumber(v)) of a present `long` member.
func webidlLong(v any) any {
	v = jsValue(v)
	if v == nil {
		return nil
	}
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case bool:
		if x {
			f = 1
		}
	case jsNull:
		f = 0
	default:
		f = toNumber(jsString(x))
	}
	return float64(toInt32(f))
}

// toNumber is ToNumber of a string: whitespace trimmed, "" is 0, anything not
// a number literal NaN.
func toNumber(s string) float64 {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		if n, err := strconv.ParseUint(s[2:], 16, 64); err == nil {
			return float64(n)
		}
		return math.NaN()
	}
	switch s {
	case "Infinity", "+Infinity":
		return math.Inf(1)
	case "-Infinity":
		return math.Inf(-1)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || strings.ContainsAny(s, "_pPxX") || strings.EqualFold(s, "inf") || strings.EqualFold(s, "+inf") || strings.EqualFold(s, "-inf") || strings.EqualFold(s, "nan") {
		return math.NaN()
	}
	return f
}

// toInt32 is ECMAScript ToInt32: NaN and infinities are 0, the rest truncated
// and wrapped modulo 2^32.
func toInt32(f float64) int32 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	f = math.Trunc(f)
	m := math.Mod(f, 4294967296)
	if m < 0 {
		m += 4294967296
	}
	return int32(uint32(m))
}

// convertWatch is the IdentityWatchOptions conversion (2015 only).
func (n *NSDOMIdentity) convertWatch(ctx *sim.Ctx, o WatchOptions) (WatchOptions, error) {
	for _, name := range watchCallbackMembers {
		if v, bad := callbackValue(name, o.NotFunctions, o.CallbackValues); bad {
			return o, n.throwBinding(ctx, notCallable(name, "IdentityWatchOptions", v))
		}
	}
	o.NotFunctions, o.CallbackValues = nil, nil
	if o.LoggedInEmail != nil {
		ctx.Record(sim.KindNote, ctx.Self(), "IdentityWatchOptions has no member loggedInEmail: dropped", nil)
		o.LoggedInEmail = nil
	}
	o.Audience = webidlString(o.Audience)
	o.LoggedInUser = webidlString(o.LoggedInUser)
	return o, nil
}

// convertRequest is the IdentityRequestOptions conversion (2015 only).
func (n *NSDOMIdentity) convertRequest(ctx *sim.Ctx, o RequestOptions) (RequestOptions, error) {
	if v, bad := callbackValue(nameOnCancel, o.NotFunctions, o.CallbackValues); bad {
		return o, n.throwBinding(ctx, notCallable(nameOnCancel, "IdentityRequestOptions", v))
	}
	o.NotFunctions, o.CallbackValues = nil, nil
	var dropped []string
	if o.Audience != nil {
		dropped = append(dropped, "audience")
		o.Audience = nil
	}
	o.RefreshAuthentication = webidlLong(o.RefreshAuthentication)
	o.PrivacyPolicy = webidlString(o.PrivacyPolicy)
	o.TermsOfService = webidlString(o.TermsOfService)
	// The dictionary reaches nsDOMIdentity.js as an object whose members are
	// in the dictionary's (sorted) order, whatever the page's order was.
	for _, kv := range o.Extra {
		if !contains(requestStringMembers, kv.Key) {
			dropped = append(dropped, kv.Key)
		}
	}
	var extra wire.Obj
	for _, name := range requestStringMembers {
		if raw, ok := o.Extra.Get(name); ok {
			if v := webidlString(raw); v != nil {
				extra = append(extra, wire.KV{Key: name, Value: v})
			}
		}
	}
	o.Extra = extra
	if len(dropped) > 0 {
		ctx.Record(sim.KindNote, ctx.Self(), "IdentityRequestOptions has no member "+strings.Join(dropped, ", ")+": dropped", nil)
	}
	return o, nil
}

// throwBinding records and returns a TypeError the binding throws: it lives in
// the page's compartment, so the page sees it as it is.
func (n *NSDOMIdentity) throwBinding(ctx *sim.Ctx, ex *Exception) error {
	ctx.Record(sim.KindCallback, n.page(), wire.CbThrows, ex.Message)
	return ex
}

// ToString is JS ToString for the values a page can pass (what a DOMString
// member makes of them).
func ToString(v any) string { return jsString(jsValue(v)) }
