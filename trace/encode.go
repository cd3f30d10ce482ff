package trace

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// Role kinds: a value that is legitimately different on every run (or secret) is
// written as "<kind#n>", n counting distinct values of that kind in order of first
// appearance. Two runs that behave the same give the same tokens.
const (
	RolePassword        = "password"
	RoleSessionToken    = "sessionToken"
	RoleKey             = "key"
	RoleUID             = "uid"
	RoleUUID            = "uuid"
	RolePublicKey       = "publicKey"
	RoleSignature       = "signature"
	RoleCertificate     = "certificate"
	RoleAssertion       = "assertion"
	RoleBackedAssertion = "backedAssertion"
)

// secretFields maps a property name (lower case) to the role its value is shown
// as. These hold passwords, tokens and key material, which never appear in clear.
var secretFields = map[string]string{
	"password":            RolePassword,
	"authpw":              RolePassword,
	"sessiontoken":        RoleSessionToken,
	"keyfetchtoken":       RoleSessionToken,
	"accountresettoken":   RoleSessionToken,
	"passwordforgottoken": RoleSessionToken,
	"unwrapbkey":          RoleKey,
	"ka":                  RoleKey,
	"kb":                  RoleKey,
	"wrapkb":              RoleKey,
	"keys":                RoleKey,
	"privatekey":          RoleKey,
	"uid":                 RoleUID,
}

// Members whose names start with '$' are added by the encoder; "$raw" holds bytes
// that differ between runs (signatures, the server's key) and replay skips it.
const (
	memberRaw     = "$raw"
	memberRole    = "$role"
	memberVirtual = "$virtual"
	memberJS      = "$js"
	memberError   = "$error"
)

var uuidPattern = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)

// jwsPattern is the alphabet of a JWS or a backed assertion (padded base64url,
// dots and tildes); anything else is an ordinary string.
var jwsPattern = regexp.MustCompile(`^[A-Za-z0-9_\-=]+\.[A-Za-z0-9_\-=]+\.[A-Za-z0-9_\-=]*(~[A-Za-z0-9_\-=]+\.[A-Za-z0-9_\-=]+\.[A-Za-z0-9_\-=]*)*$`)

// Encoder turns sim events into trace lines for one trace. It keeps the role
// numbering, so use one Encoder per trace, in event order.
type Encoder struct {
	start time.Time
	roles map[string]map[string]string
	// secrets are the clear values seen in secret roles; any later string that
	// contains one (a note, an error message) is masked too.
	secrets []secret
}

type secret struct{ clear, token string }

// NewEncoder starts a trace whose virtual clock began at start (sim.Epoch unless
// the system was configured otherwise).
func NewEncoder(start time.Time) *Encoder {
	if start.IsZero() {
		start = sim.Epoch
	}
	return &Encoder{start: start, roles: make(map[string]map[string]string)}
}

// Role returns the token for a value of a kind, numbering new values.
func (e *Encoder) Role(kind, value string) string {
	m := e.roles[kind]
	if m == nil {
		m = make(map[string]string)
		e.roles[kind] = m
	}
	if tok, ok := m[value]; ok {
		return tok
	}
	tok := fmt.Sprintf("<%s#%d>", kind, len(m)+1)
	m[value] = tok
	return tok
}

func (e *Encoder) secretRole(kind, value string) string {
	tok := e.Role(kind, value)
	if len(value) >= 4 { // masking very short strings inside text would hit ordinary words
		known := false
		for _, s := range e.secrets {
			if s.clear == value {
				known = true
				break
			}
		}
		if !known {
			e.secrets = append(e.secrets, secret{value, tok})
			// Longest first, so a secret that contains another is masked whole.
			sort.SliceStable(e.secrets, func(i, j int) bool { return len(e.secrets[i].clear) > len(e.secrets[j].clear) })
		}
	}
	return tok
}

// Line encodes one event. Secrets become role tokens, UUIDs become <uuid#n>,
// assertions and certificates are decoded next to their raw form.
func (e *Encoder) Line(ev sim.Event) Line {
	l := Line{
		Seq:  ev.Seq,
		At:   ev.At,
		Kind: ev.Kind.String(),
		From: e.text(string(ev.From)),
		To:   e.text(string(ev.To)),
		Name: e.text(ev.Name),
	}
	p := e.normalise(goValue(ev.Payload, e.start, 0), "")
	if isPasswordInput(ev.Name) {
		p = e.maskInput(p)
	}
	l.Payload = p
	return l
}

// isPasswordInput: what the user types into a password field is a password,
// whatever the payload's field is called.
func isPasswordInput(name string) bool {
	return strings.Contains(strings.ToLower(name), "password") && strings.HasPrefix(name, "user:")
}

func (e *Encoder) maskInput(v any) any {
	switch x := v.(type) {
	case string:
		if x == "" {
			return x
		}
		return e.secretRole(RolePassword, x)
	case Object:
		out := make(Object, len(x))
		for i, m := range x {
			out[i] = Member{m.Key, e.maskInput(m.Value)}
		}
		return out
	}
	return v
}

// text masks UUIDs and known secrets inside free text (addresses, names, notes).
func (e *Encoder) text(s string) string {
	for _, sec := range e.secrets {
		if strings.Contains(s, sec.clear) {
			s = strings.ReplaceAll(s, sec.clear, sec.token)
		}
	}
	if uuidPattern.MatchString(s) {
		s = uuidPattern.ReplaceAllStringFunc(s, func(u string) string { return e.Role(RoleUUID, strings.ToLower(u)) })
	}
	return s
}

// normalise applies the role rules to a value tree; key is the property the
// value sits under ("" at the top).
func (e *Encoder) normalise(v any, key string) any {
	if kind, secret := secretFields[strings.ToLower(key)]; secret {
		switch x := v.(type) {
		case nil:
			return nil
		case string:
			if x == "" {
				return x
			}
			return e.secretRole(kind, x)
		default:
			s, err := marshalValue(x)
			if err != nil {
				s = fmt.Sprint(x)
			}
			return e.secretRole(kind, s)
		}
	}
	switch x := v.(type) {
	case Object:
		if pk, ok := e.publicKey(x); ok {
			return pk
		}
		out := make(Object, len(x))
		for i, m := range x {
			out[i] = Member{m.Key, e.normalise(m.Value, m.Key)}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, el := range x {
			out[i] = e.normalise(el, "")
		}
		return out
	case string:
		if d, ok := e.decodeToken(x); ok {
			return d
		}
		return e.text(x)
	}
	return v
}

// publicKey replaces a BrowserID public key's numbers by a role: keys are made
// fresh on every run (the user's DSA pair, the server's RSA key).
func (e *Encoder) publicKey(o Object) (Object, bool) {
	alg := o.String("algorithm")
	_, hasY := o.Get("y")
	_, hasN := o.Get("n")
	if !(alg == "DS" && hasY) && !(alg == "RS" && hasN) {
		return nil, false
	}
	canon, err := marshalValue(o)
	if err != nil {
		return nil, false
	}
	return Object{{"algorithm", alg}, {"key", e.Role(RolePublicKey, canon)}}, true
}

// decodeToken recognises a JWS (a certificate or a bare assertion) or a backed
// assertion ("cert~assertion") and shows it decoded.
func (e *Encoder) decodeToken(s string) (Object, bool) {
	if len(s) < 16 || !jwsPattern.MatchString(s) {
		return nil, false
	}
	if strings.Contains(s, "~") {
		certs, assertion, err := browserid.Unbundle(s)
		if err != nil {
			return nil, false
		}
		var decoded []Object
		for _, part := range append(certs, assertion) {
			d, ok := e.decodeJWS(part)
			if !ok {
				return nil, false
			}
			decoded = append(decoded, d)
		}
		certList := make([]any, 0, len(certs))
		for _, d := range decoded[:len(certs)] {
			certList = append(certList, d)
		}
		return Object{
			{memberRole, e.Role(RoleBackedAssertion, s)},
			{"certificates", certList},
			{"assertion", decoded[len(certs)]},
			{memberRaw, s},
		}, true
	}
	d, ok := e.decodeJWS(s)
	if !ok {
		return nil, false
	}
	return append(d, Member{memberRaw, s}), true
}

func (e *Encoder) decodeJWS(s string) (Object, bool) {
	t, err := browserid.ParseJWT(s)
	if err != nil {
		return nil, false
	}
	header, err := parseValue(t.HeaderJSON)
	if err != nil {
		return nil, false
	}
	claims, err := parseValue(t.PayloadJSON)
	if err != nil {
		return nil, false
	}
	co, _ := claims.(Object)
	kind := RoleAssertion
	if _, isCert := co.Get("principal"); isCert {
		kind = RoleCertificate
	} else if _, hasKey := co.Get("public-key"); hasKey {
		kind = RoleCertificate
	}
	d := Object{
		{memberRole, e.Role(kind, s)},
		{"header", e.normalise(header, "")},
		{"claims", e.normalise(claims, "")},
		{"signature", e.Role(RoleSignature, hex.EncodeToString(t.Signature))},
	}
	if vt := e.virtualTimes(co); len(vt) > 0 {
		d = append(d, Member{memberVirtual, vt})
	}
	return d, true
}

// virtualTimes shows the time claims (milliseconds since 1970) as offsets from
// the start of the run, which is how a reader of a simulation thinks of them.
func (e *Encoder) virtualTimes(claims Object) Object {
	var out Object
	for _, m := range claims {
		if m.Key != "iat" && m.Key != "exp" && m.Key != "nbf" {
			continue
		}
		n, ok := m.Value.(json.Number)
		if !ok {
			continue
		}
		ms, err := n.Int64()
		if err != nil {
			continue
		}
		out = append(out, Member{m.Key, virtualOffset(time.UnixMilli(ms).Sub(e.start))})
	}
	return out
}

// VirtualOffset is a virtual time since the start as the trace tools print it
// (T+1m30s).
func VirtualOffset(d time.Duration) string { return virtualOffset(d) }

func virtualOffset(d time.Duration) string {
	if d < 0 {
		return "T-" + (-d).String()
	}
	return "T+" + d.String()
}

// goValue turns a payload (wire structs, JS-like values, keys, errors) into a
// trace value. Struct fields become lowerCamel properties in declaration order.
func goValue(v any, start time.Time, depth int) any {
	if depth > 32 {
		return "…"
	}
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return x
	case bool:
		return x
	case float64:
		return jsNumber(x)
	case wire.JSShaped:
		// A custom event's detail: the object the historic code built.
		return goValue(x.JSObject(), start, depth+1)
	case wire.Obj:
		out := Object{}
		for _, kv := range x {
			if kv.Value == wire.Undefined {
				continue // JSON.stringify drops undefined properties
			}
			out = append(out, Member{kv.Key, goValue(kv.Value, start, depth+1)})
		}
		return out
	case *wire.FxAError:
		if x == nil {
			return nil
		}
		out := Object{{"error", goValue(x.Error, start, depth+1)}}
		if x.Details != nil {
			out = append(out, Member{"details", goValue(x.Details, start, depth+1)})
		}
		return out
	case *wire.JSError:
		if x == nil {
			return nil
		}
		return Object{{memberError, x.String()}}
	case time.Duration:
		return x.String()
	case time.Time:
		return virtualOffset(x.Sub(start))
	case json.RawMessage:
		if pv, err := parseValue(x); err == nil {
			return pv
		}
		return string(x)
	}
	if v == wire.Undefined {
		return Object{{memberJS, "undefined"}}
	}
	if m, ok := v.(json.Marshaler); ok && !isNilPointer(v) {
		if b, err := m.MarshalJSON(); err == nil {
			if pv, err := parseValue(b); err == nil {
				return pv
			}
		}
	}
	if err, ok := v.(error); ok && !isNilPointer(v) {
		return Object{{memberError, err.Error()}}
	}
	return reflectValue(reflect.ValueOf(v), start, depth)
}

func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

func jsNumber(f float64) any {
	switch {
	case math.IsNaN(f):
		return Object{{memberJS, "NaN"}}
	case math.IsInf(f, 1):
		return Object{{memberJS, "Infinity"}}
	case math.IsInf(f, -1):
		return Object{{memberJS, "-Infinity"}}
	case math.Abs(f) >= 1e21:
		return json.Number(strconv.FormatFloat(f, 'e', -1, 64))
	}
	return json.Number(strconv.FormatFloat(f, 'f', -1, 64))
}

func reflectValue(rv reflect.Value, start time.Time, depth int) any {
	switch rv.Kind() {
	case reflect.Invalid:
		return nil
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil
		}
		return goValue(rv.Elem().Interface(), start, depth+1)
	case reflect.Struct:
		t := rv.Type()
		out := Object{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, omitEmpty := fieldName(f)
			if name == "-" || omitEmpty && rv.Field(i).IsZero() {
				continue
			}
			out = append(out, Member{name, goValue(rv.Field(i).Interface(), start, depth+1)})
		}
		return out
	case reflect.Map:
		keys := rv.MapKeys()
		type kv struct {
			k string
			v reflect.Value
		}
		pairs := make([]kv, 0, len(keys))
		for _, k := range keys {
			pairs = append(pairs, kv{fmt.Sprint(k.Interface()), rv.MapIndex(k)})
		}
		sort.Slice(pairs, func(i, j int) bool { return pairs[i].k < pairs[j].k })
		out := Object{}
		for _, p := range pairs {
			out = append(out, Member{p.k, goValue(p.v.Interface(), start, depth+1)})
		}
		return out
	case reflect.Slice, reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			b := make([]byte, rv.Len())
			reflect.Copy(reflect.ValueOf(b), rv)
			return hex.EncodeToString(b)
		}
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = goValue(rv.Index(i).Interface(), start, depth+1)
		}
		return out
	case reflect.String:
		return rv.String()
	case reflect.Bool:
		return rv.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if s, ok := enumName(rv); ok {
			return s
		}
		return json.Number(strconv.FormatInt(rv.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return json.Number(strconv.FormatUint(rv.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		return jsNumber(rv.Float())
	}
	return "<" + rv.Kind().String() + ">"
}

// enumName shows named integer types that have a String method by name
// ("certified", "PROMPT_ACTION"): a trace is read by people.
func enumName(rv reflect.Value) (s string, ok bool) {
	if rv.Type().PkgPath() == "" {
		return "", false
	}
	st, isStringer := rv.Interface().(fmt.Stringer)
	if !isStringer {
		return "", false
	}
	defer func() {
		if recover() != nil { // an out-of-range enum value
			s, ok = "", false
		}
	}()
	return st.String(), true
}

// fieldName is the json tag's name, else the Go name in lowerCamel case
// (ID → id, SessionToken → sessionToken, UID → uid, HTTPCode → httpCode).
// A field tagged trace:"-" is left out ("-"): it crosses a socket but is
// bookkeeping a reader of the trace does not need (a message manager's address);
// omitEmpty is the json tag's omitempty, so an empty field is left out as
// encoding/json leaves it out.
func fieldName(f reflect.StructField) (name string, omitEmpty bool) {
	if f.Tag.Get("trace") == "-" {
		return "-", false
	}
	if tag, ok := f.Tag.Lookup("json"); ok {
		name, opts, _ := strings.Cut(tag, ",")
		omitEmpty = slices.Contains(strings.Split(opts, ","), "omitempty")
		if name != "" {
			return name, omitEmpty
		}
	}
	return lowerCamel(f.Name), omitEmpty
}

func lowerCamel(s string) string {
	r := []rune(s)
	n := 0
	for n < len(r) && unicode.IsUpper(r[n]) {
		n++
	}
	switch {
	case n == 0:
		return s
	case n == 1 || n == len(r):
		// "Email" → "email", "ID" → "id"
	default:
		n-- // "HTTPCode": the last capital starts the next word
	}
	for i := 0; i < n; i++ {
		r[i] = unicode.ToLower(r[i])
	}
	return string(r)
}
