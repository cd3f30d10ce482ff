package wire

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/mozidsim/mozidsim/internal/sim"
)

// The socket envelope. A payload's JSON form (its json tags, the MarshalJSON
// methods) is what JavaScript saw: JSON.stringify of a JSError is {}, a
// ServerError is a plain object. That is right for traces and pages but lossy,
// and the actors tell those values apart by Go type. The envelope is a second
// encoding, for a message that must come back as the same Go value: every Go
// value held by an any field is written with a type tag and its full Go fields.
//
//	{"name":"signIn:rejected","from":"FxA server","to":"FxAccounts",
//	 "payload":{"$":"wire.Rejected","v":{"Call":3,"Reason":{"$":"*wire.ServerError","v":{"Code":400,...}}}}}
//
// Inside an any field, JSON null, strings, booleans, finite float64 numbers and
// []any arrays stand for themselves; every other value is an object
// {"$": tag, "v": value}: "Obj" (v is [[key, value], ...], in order, so order and
// undefined members survive), "undefined" (no v), or a registered Go type named
// as reflect prints it ("*wire.ServerError", "contacts.Saved", "int").

// MaxMessageBytes bounds one envelope DecodeMessage reads.
const MaxMessageBytes = 1 << 20

// maxEnvelopeDepth bounds an envelope's JSON nesting. It is above ParseJS's
// maxDepth because each JS level costs the envelope up to four (tag, value,
// pair list, pair).
const maxEnvelopeDepth = 4*maxDepth + 16

// Custom is a value type the reflective form cannot carry (unexported fields,
// a cache): its own encoding and decoding.
type Custom struct {
	Proto  any // a value of the type
	Encode func(v any) ([]byte, error)
	Decode func(data []byte) (any, error)
}

// Codec writes messages as envelopes and reads them back. A Codec knows the
// payload types of Messages and the Go values this package puts into any
// fields; the packages whose messages and values are their own add theirs
// (internal/device assembles the phone's codec). It is immutable once built.
type Codec struct {
	byType map[reflect.Type]*valueType
	byTag  map[string]*valueType
}

type valueType struct {
	tag    string
	t      reflect.Type
	custom *Custom
}

// builtinValues are the Go values this package's own code puts into any fields
// (promise answers, rejection reasons, error details) and the numbers Go code
// writes into Obj members.
func builtinValues() []any {
	vs := []any{
		Undefined, Obj(nil), "", false, float64(0), []any(nil),
		int(0), int64(0), int32(0), uint64(0), uint32(0), float32(0),
		&AccountData{}, AccountData{}, SignInResult{}, EmailStatus{},
		&ServerError{}, &FxAError{}, &JSError{}, Principal{}, &Principal{},
	}
	for _, p := range Messages {
		switch p.(type) {
		case none, JSValue:
			continue
		}
		vs = append(vs, p)
	}
	return vs
}

// NewCodec builds a codec knowing this package's types and values (each a
// value of a type to register, or a Custom). A type whose fields the
// reflective form cannot carry, or two types printing the same name, are an
// error.
func NewCodec(values ...any) (*Codec, error) {
	c := &Codec{byType: map[reflect.Type]*valueType{}, byTag: map[string]*valueType{}}
	for _, v := range append(builtinValues(), values...) {
		vt := &valueType{}
		if cu, ok := v.(Custom); ok {
			if cu.Proto == nil || cu.Encode == nil || cu.Decode == nil {
				return nil, errors.New("wire: a Custom value type needs Proto, Encode and Decode")
			}
			vt.custom = &cu
			v = cu.Proto
		}
		if v == nil {
			return nil, errors.New("wire: cannot register nil as a value type")
		}
		vt.t = reflect.TypeOf(v)
		vt.tag = vt.t.String()
		if v == Undefined {
			vt.tag = "undefined"
		} else if vt.t == reflect.TypeFor[Obj]() {
			vt.tag = "Obj"
		}
		if old, ok := c.byTag[vt.tag]; ok {
			if old.t == vt.t {
				continue // registered twice: harmless
			}
			return nil, fmt.Errorf("wire: types %v and %v both print as %q", old.t, vt.t, vt.tag)
		}
		if vt.custom == nil {
			if err := checkCarriable(vt.t, map[reflect.Type]bool{}); err != nil {
				return nil, fmt.Errorf("wire: cannot register %v: %w", vt.t, err)
			}
		}
		c.byType[vt.t], c.byTag[vt.tag] = vt, vt
	}
	return c, nil
}

var (
	textMarshaler   = reflect.TypeFor[encoding.TextMarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	anyType         = reflect.TypeFor[any]()
	objType         = reflect.TypeFor[Obj]()
	undefinedType   = reflect.TypeOf(Undefined)
)

// usesText reports whether t travels as its MarshalText form (time.Time, big.Int).
func usesText(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t.Implements(textMarshaler) && reflect.PointerTo(t).Implements(textUnmarshaler)
}

// checkCarriable refuses types whose values the reflective form would lose.
func checkCarriable(t reflect.Type, seen map[reflect.Type]bool) error {
	if seen[t] {
		return nil
	}
	seen[t] = true
	if t == undefinedType || usesText(t) {
		return nil
	}
	switch t.Kind() {
	case reflect.Bool, reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return nil
	case reflect.Interface:
		if t != anyType {
			return fmt.Errorf("field of interface type %v (only any is carried)", t)
		}
		return nil
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return checkCarriable(t.Elem(), seen)
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return fmt.Errorf("map key type %v (only string keys are carried)", t.Key())
		}
		return checkCarriable(t.Elem(), seen)
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				return fmt.Errorf("%v has unexported field %s (register it as a Custom)", t, f.Name)
			}
			if err := checkCarriable(f.Type, seen); err != nil {
				return fmt.Errorf("%v.%s: %w", t, f.Name, err)
			}
		}
		return nil
	}
	return fmt.Errorf("kind %v is not carried", t.Kind())
}

// envelope is a message on the socket.
type envelope struct {
	Name    string          `json:"name"`
	From    sim.Addr        `json:"from"`
	To      sim.Addr        `json:"to"`
	Payload json.RawMessage `json:"payload"`
}

// EncodeMessage writes m as an envelope. A value of a type the codec does not
// know is an error naming the message and the field that held it.
func (c *Codec) EncodeMessage(m sim.Message) ([]byte, error) {
	var b bytes.Buffer
	if err := c.encodeAny(&b, reflect.ValueOf(m.Payload), "payload", 0); err != nil {
		return nil, fmt.Errorf("wire: message %q: %w", m.Name, err)
	}
	return json.Marshal(envelope{Name: m.Name, From: m.From, To: m.To, Payload: b.Bytes()})
}

// DecodeMessage reads an envelope back into the message EncodeMessage was
// given. Errors name the message and the field. The payload's type is the one
// its tag names, not Messages' entry for the name: names are per receiver (Gaia's
// FxAccountsClient takes "signIn" with a gaia.ClientCall, FxAccountsManager with
// a wire.Credentials).
func (c *Codec) DecodeMessage(data []byte) (sim.Message, error) {
	if len(data) > MaxMessageBytes {
		return sim.Message{}, fmt.Errorf("wire: envelope of %d bytes, more than the %d a message may have", len(data), MaxMessageBytes)
	}
	root, err := parseTree(data)
	if err != nil {
		return sim.Message{}, fmt.Errorf("wire: envelope: %w", err)
	}
	o, ok := root.(Obj)
	if !ok {
		return sim.Message{}, fmt.Errorf("wire: envelope: want an object, got %s", jsonKind(root))
	}
	var m sim.Message
	var payload any
	seen := map[string]bool{}
	for _, kv := range o {
		if seen[kv.Key] {
			return sim.Message{}, fmt.Errorf("wire: envelope: member %q twice", kv.Key)
		}
		seen[kv.Key] = true
		switch kv.Key {
		case "name", "from", "to":
			s, ok := kv.Value.(string)
			if !ok {
				return sim.Message{}, fmt.Errorf("wire: envelope: %s: want a string, got %s", kv.Key, jsonKind(kv.Value))
			}
			switch kv.Key {
			case "name":
				m.Name = s
			case "from":
				m.From = sim.Addr(s)
			default:
				m.To = sim.Addr(s)
			}
		case "payload":
			payload = kv.Value
		default:
			return sim.Message{}, fmt.Errorf("wire: envelope: unknown member %q", kv.Key)
		}
	}
	if !seen["name"] || !seen["payload"] {
		return sim.Message{}, errors.New(`wire: envelope: want members "name" and "payload"`)
	}
	v, err := c.decodeAny(payload, "payload", 0)
	if err != nil {
		return sim.Message{}, fmt.Errorf("wire: message %q: %w", m.Name, err)
	}
	if v.IsValid() {
		m.Payload = v.Interface()
	}
	return m, nil
}

// encodeAny writes the value of an any field.
func (c *Codec) encodeAny(b *bytes.Buffer, v reflect.Value, path string, depth int) error {
	if !v.IsValid() {
		b.WriteString("null")
		return nil
	}
	if v.Kind() == reflect.Interface {
		if v.IsNil() {
			b.WriteString("null")
			return nil
		}
		v = v.Elem()
	}
	switch v.Type() {
	case reflect.TypeFor[string](), reflect.TypeFor[bool]():
		return writeJSON(b, v.Interface())
	case reflect.TypeFor[float64]():
		if f := v.Float(); !math.IsNaN(f) && !math.IsInf(f, 0) {
			return writeJSON(b, f)
		}
	case reflect.TypeFor[[]any]():
		if !v.IsNil() {
			return c.encodeTyped(b, v, path, depth+1)
		}
	}
	vt, ok := c.byType[v.Type()]
	if !ok {
		return fmt.Errorf("%s holds a %v, a type the codec does not know (register it)", path, v.Type())
	}
	b.WriteString(`{"$":`)
	_ = writeJSON(b, vt.tag)
	if vt.t == undefinedType {
		b.WriteByte('}')
		return nil
	}
	b.WriteString(`,"v":`)
	if vt.custom != nil {
		data, err := vt.custom.Encode(v.Interface())
		if err != nil {
			return fmt.Errorf("%s (%s): %w", path, vt.tag, err)
		}
		// Compact checks it is one JSON value and keeps the envelope one line.
		if err := json.Compact(b, data); err != nil {
			return fmt.Errorf("%s (%s): %w", path, vt.tag, err)
		}
	} else if err := c.encodeTyped(b, v, path+"("+vt.tag+")", depth+1); err != nil {
		return err
	}
	b.WriteByte('}')
	return nil
}

func writeJSON(b *bytes.Buffer, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b.Write(data)
	return nil
}

// encodeTyped writes a value whose Go type the reader knows from the field.
func (c *Codec) encodeTyped(b *bytes.Buffer, v reflect.Value, path string, depth int) error {
	// A value that holds itself (a slice in its own element) would recurse
	// for ever; nothing a reader accepts is deeper than this.
	if depth > maxEnvelopeDepth {
		return fmt.Errorf("%s: nested deeper than %d levels", path, maxEnvelopeDepth)
	}
	t := v.Type()
	if t == undefinedType {
		b.WriteString("{}")
		return nil
	}
	if t == objType && !v.IsNil() {
		// [[key, value], ...]: order and duplicate keys kept, no Key/Value names.
		b.WriteByte('[')
		for i, kv := range v.Interface().(Obj) {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('[')
			_ = writeJSON(b, kv.Key)
			b.WriteByte(',')
			if err := c.encodeAny(b, reflect.ValueOf(&kv.Value).Elem(), path+"["+strconv.Quote(kv.Key)+"]", depth+1); err != nil {
				return err
			}
			b.WriteByte(']')
		}
		b.WriteByte(']')
		return nil
	}
	if usesText(t) {
		text, err := v.Interface().(encoding.TextMarshaler).MarshalText()
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return writeJSON(b, string(text))
	}
	switch t.Kind() {
	case reflect.Interface:
		return c.encodeAny(b, v, path, depth+1)
	case reflect.Bool:
		return writeJSON(b, v.Bool())
	case reflect.String:
		return writeJSON(b, v.String())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		b.WriteString(strconv.FormatUint(v.Uint(), 10))
		return nil
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return writeJSON(b, strconv.FormatFloat(f, 'g', -1, 64)) // "NaN", "+Inf", "-Inf"
		}
		b.WriteString(strconv.FormatFloat(f, 'g', -1, t.Bits()))
		return nil
	case reflect.Pointer:
		if v.IsNil() {
			b.WriteString("null")
			return nil
		}
		return c.encodeTyped(b, v.Elem(), path, depth+1)
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && v.IsNil() {
			b.WriteString("null")
			return nil
		}
		b.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := c.encodeTyped(b, v.Index(i), path+"["+strconv.Itoa(i)+"]", depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	case reflect.Map:
		if v.IsNil() {
			b.WriteString("null")
			return nil
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			_ = writeJSON(b, k.String())
			b.WriteByte(':')
			if err := c.encodeTyped(b, v.MapIndex(k), path+"["+strconv.Quote(k.String())+"]", depth+1); err != nil {
				return err
			}
		}
		b.WriteByte('}')
		return nil
	case reflect.Struct:
		b.WriteByte('{')
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				return fmt.Errorf("%s: %v has unexported field %s", path, t, f.Name)
			}
			if i > 0 {
				b.WriteByte(',')
			}
			_ = writeJSON(b, f.Name)
			b.WriteByte(':')
			if err := c.encodeTyped(b, v.Field(i), path+"."+f.Name, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte('}')
		return nil
	}
	return fmt.Errorf("%s: kind %v is not carried", path, t.Kind())
}

// decodeAny reads the value of an any field; the zero Value is nil.
func (c *Codec) decodeAny(n any, path string, depth int) (reflect.Value, error) {
	switch x := n.(type) {
	case nil:
		return reflect.Value{}, nil
	case string:
		return reflect.ValueOf(x), nil
	case bool:
		return reflect.ValueOf(x), nil
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return reflect.Value{}, fmt.Errorf("%s: number %s: %w", path, x, err)
		}
		return reflect.ValueOf(f), nil
	case []any:
		return c.decodeTyped(n, reflect.TypeFor[[]any](), path, depth)
	}
	o := n.(Obj)
	tagV, ok := o.Get("$")
	tag, isStr := tagV.(string)
	if !ok || !isStr {
		return reflect.Value{}, fmt.Errorf(`%s: want a value {"$": type, "v": value}, got an object without a "$" type`, path)
	}
	vt, ok := c.byTag[tag]
	if !ok {
		return reflect.Value{}, fmt.Errorf("%s: unknown type %q", path, tag)
	}
	want := 2
	if vt.t == undefinedType {
		want = 1
	}
	val, hasV := o.Get("v")
	if len(o) != want || (want == 2 && !hasV) {
		return reflect.Value{}, fmt.Errorf(`%s (%s): want exactly the members "$"%s`, path, tag, map[bool]string{true: ` and "v"`}[want == 2])
	}
	if vt.t == undefinedType {
		return reflect.ValueOf(Undefined), nil
	}
	if vt.custom != nil {
		raw, err := json.Marshal(treeJSON{val})
		if err != nil {
			return reflect.Value{}, fmt.Errorf("%s (%s): %w", path, tag, err)
		}
		v, err := vt.custom.Decode(raw)
		if err != nil {
			return reflect.Value{}, fmt.Errorf("%s (%s): %w", path, tag, err)
		}
		if v == nil || reflect.TypeOf(v) != vt.t {
			return reflect.Value{}, fmt.Errorf("%s (%s): the type's decoder gave %T", path, tag, v)
		}
		return reflect.ValueOf(v), nil
	}
	return c.decodeTyped(val, vt.t, path+"("+tag+")", depth+1)
}

// decodeTyped reads a value of type t.
func (c *Codec) decodeTyped(n any, t reflect.Type, path string, depth int) (reflect.Value, error) {
	if depth > maxEnvelopeDepth {
		return reflect.Value{}, fmt.Errorf("%s: nested deeper than %d levels", path, maxEnvelopeDepth)
	}
	out := reflect.New(t).Elem()
	bad := func() (reflect.Value, error) {
		return reflect.Value{}, fmt.Errorf("%s: want %s for %v, got %s", path, wantKind(t), t, jsonKind(n))
	}
	if t == undefinedType {
		if o, ok := n.(Obj); !ok || len(o) != 0 {
			return bad()
		}
		return out, nil
	}
	if t == objType && n != nil {
		a, ok := n.([]any)
		if !ok {
			return reflect.Value{}, fmt.Errorf("%s: want an array of [key, value] pairs for wire.Obj, got %s", path, jsonKind(n))
		}
		o := make(Obj, 0, len(a))
		for i, e := range a {
			pair, _ := e.([]any)
			var key string
			ok := len(pair) == 2
			if ok {
				key, ok = pair[0].(string)
			}
			if !ok {
				return reflect.Value{}, fmt.Errorf("%s[%d]: want a [key, value] pair", path, i)
			}
			v, err := c.decodeAny(pair[1], path+"["+strconv.Quote(key)+"]", depth+1)
			if err != nil {
				return reflect.Value{}, err
			}
			var val any
			if v.IsValid() {
				val = v.Interface()
			}
			o = append(o, KV{Key: key, Value: val})
		}
		out.Set(reflect.ValueOf(o))
		return out, nil
	}
	if usesText(t) {
		s, ok := n.(string)
		if !ok {
			return bad()
		}
		if err := out.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			return reflect.Value{}, fmt.Errorf("%s: %w", path, err)
		}
		return out, nil
	}
	switch t.Kind() {
	case reflect.Interface:
		v, err := c.decodeAny(n, path, depth+1)
		if err != nil || !v.IsValid() {
			return out, err
		}
		out.Set(v)
		return out, nil
	case reflect.Bool:
		x, ok := n.(bool)
		if !ok {
			return bad()
		}
		out.SetBool(x)
	case reflect.String:
		x, ok := n.(string)
		if !ok {
			return bad()
		}
		out.SetString(x)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		x, ok := n.(json.Number)
		if !ok {
			return bad()
		}
		i, err := strconv.ParseInt(string(x), 10, t.Bits())
		if err != nil {
			return reflect.Value{}, fmt.Errorf("%s: %v: %w", path, t, err)
		}
		out.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		x, ok := n.(json.Number)
		if !ok {
			return bad()
		}
		u, err := strconv.ParseUint(string(x), 10, t.Bits())
		if err != nil {
			return reflect.Value{}, fmt.Errorf("%s: %v: %w", path, t, err)
		}
		out.SetUint(u)
	case reflect.Float32, reflect.Float64:
		var s string
		switch x := n.(type) {
		case json.Number:
			s = string(x)
		case string:
			if x != "NaN" && x != "+Inf" && x != "-Inf" {
				return bad()
			}
			s = x
		default:
			return bad()
		}
		f, err := strconv.ParseFloat(s, t.Bits())
		if err != nil {
			return reflect.Value{}, fmt.Errorf("%s: %v: %w", path, t, err)
		}
		out.SetFloat(f)
	case reflect.Pointer:
		if n == nil {
			return out, nil
		}
		e, err := c.decodeTyped(n, t.Elem(), path, depth+1)
		if err != nil {
			return reflect.Value{}, err
		}
		p := reflect.New(t.Elem())
		p.Elem().Set(e)
		out.Set(p)
	case reflect.Slice, reflect.Array:
		if n == nil && t.Kind() == reflect.Slice {
			return out, nil
		}
		a, ok := n.([]any)
		if !ok {
			return bad()
		}
		if t.Kind() == reflect.Array && len(a) != t.Len() {
			return reflect.Value{}, fmt.Errorf("%s: want %d elements for %v, got %d", path, t.Len(), t, len(a))
		}
		if t.Kind() == reflect.Slice {
			out.Set(reflect.MakeSlice(t, len(a), len(a)))
		}
		for i, e := range a {
			ev, err := c.decodeTyped(e, t.Elem(), path+"["+strconv.Itoa(i)+"]", depth+1)
			if err != nil {
				return reflect.Value{}, err
			}
			out.Index(i).Set(ev)
		}
	case reflect.Map:
		if n == nil {
			return out, nil
		}
		o, ok := n.(Obj)
		if !ok {
			return bad()
		}
		out.Set(reflect.MakeMapWithSize(t, len(o)))
		for _, kv := range o {
			k := reflect.ValueOf(kv.Key).Convert(t.Key())
			if out.MapIndex(k).IsValid() {
				return reflect.Value{}, fmt.Errorf("%s: key %q twice", path, kv.Key)
			}
			ev, err := c.decodeTyped(kv.Value, t.Elem(), path+"["+strconv.Quote(kv.Key)+"]", depth+1)
			if err != nil {
				return reflect.Value{}, err
			}
			out.SetMapIndex(k, ev)
		}
	case reflect.Struct:
		o, ok := n.(Obj)
		if !ok {
			return bad()
		}
		// The writer puts every field, in order: anything else is not an envelope.
		if len(o) != t.NumField() {
			return reflect.Value{}, fmt.Errorf("%s: want the %d fields of %v, got %d members", path, t.NumField(), t, len(o))
		}
		for i, kv := range o {
			f := t.Field(i)
			if kv.Key != f.Name || !f.IsExported() {
				return reflect.Value{}, fmt.Errorf("%s: member %d of %v is field %s, got %q", path, i+1, t, f.Name, kv.Key)
			}
			fv, err := c.decodeTyped(kv.Value, f.Type, path+"."+f.Name, depth+1)
			if err != nil {
				return reflect.Value{}, err
			}
			out.Field(i).Set(fv)
		}
	default:
		return reflect.Value{}, fmt.Errorf("%s: kind %v is not carried", path, t.Kind())
	}
	return out, nil
}

func wantKind(t reflect.Type) string {
	if usesText(t) {
		return "a string"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "a boolean"
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Pointer:
		return wantKind(t.Elem()) + " or null"
	}
	return "an object"
}

func jsonKind(n any) string {
	switch n.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case []any:
		return "an array"
	}
	return "an object"
}

// parseTree reads JSON as ParseJS does, but with numbers kept exact
// (json.Number: an int64 or uint64 field must not pass through float64) and
// the envelope's own depth bound.
func parseTree(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := parseOrdered(dec, 0, maxEnvelopeDepth)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("text after the JSON value")
	}
	return v, nil
}

// treeJSON writes a parsed tree back as JSON (for a Custom decoder).
type treeJSON struct{ v any }

func (t treeJSON) MarshalJSON() ([]byte, error) {
	switch x := t.v.(type) {
	case Obj:
		var b bytes.Buffer
		b.WriteByte('{')
		for i, kv := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			_ = writeJSON(&b, kv.Key)
			b.WriteByte(':')
			data, err := treeJSON{kv.Value}.MarshalJSON()
			if err != nil {
				return nil, err
			}
			b.Write(data)
		}
		b.WriteByte('}')
		return b.Bytes(), nil
	case []any:
		var b bytes.Buffer
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			data, err := treeJSON{e}.MarshalJSON()
			if err != nil {
				return nil, err
			}
			b.Write(data)
		}
		b.WriteByte(']')
		return b.Bytes(), nil
	}
	return json.Marshal(t.v)
}

// defaultCodec knows this package's own payloads and values.
var defaultCodec = func() *Codec {
	c, err := NewCodec()
	if err != nil {
		panic(err) // this package's own types: a test catches it first
	}
	return c
}()

// EncodeMessage writes m as an envelope with the codec of this package's own
// types (a phone's codec, knowing every package's: device.Codec).
func EncodeMessage(m sim.Message) ([]byte, error) { return defaultCodec.EncodeMessage(m) }

// DecodeMessage reads an envelope EncodeMessage wrote.
func DecodeMessage(data []byte) (sim.Message, error) { return defaultCodec.DecodeMessage(data) }
