package trace

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// A trace payload is a JSON value with its object keys kept in order, so that a
// line reads the way the component built it and so that writing a value that was
// read gives the same bytes. The dynamic types are: nil, bool, json.Number,
// string, []any and Object.

// Member is one property of an Object.
type Member struct {
	Key   string
	Value any
}

// Object is a JSON object with its keys in order.
type Object []Member

// Get returns a property.
func (o Object) Get(key string) (any, bool) {
	for _, m := range o {
		if m.Key == key {
			return m.Value, true
		}
	}
	return nil, false
}

// String returns a string property ("" when absent or not a string).
func (o Object) String(key string) string {
	v, _ := o.Get(key)
	s, _ := v.(string)
	return s
}

// appendJSON writes v as compact JSON. Strings are not HTML-escaped: a trace is
// read by people and by this package, never embedded in a page.
func appendJSON(b *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case json.Number:
		if !json.Valid([]byte(x)) {
			return fmt.Errorf("trace: invalid number %q", string(x))
		}
		b.WriteString(string(x))
	case string:
		appendString(b, x)
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := appendJSON(b, e); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case Object:
		b.WriteByte('{')
		for i, m := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			appendString(b, m.Key)
			b.WriteByte(':')
			if err := appendJSON(b, m.Value); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		return fmt.Errorf("trace: %T is not a trace value", v)
	}
	return nil
}

func appendString(b *bytes.Buffer, s string) {
	var tmp bytes.Buffer
	enc := json.NewEncoder(&tmp)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a Go string always encodes
	b.Write(bytes.TrimRight(tmp.Bytes(), "\n"))
}

// marshalValue is appendJSON into a fresh string.
func marshalValue(v any) (string, error) {
	var b bytes.Buffer
	if err := appendJSON(&b, v); err != nil {
		return "", err
	}
	return b.String(), nil
}

// parseValue reads exactly one JSON value, keeping object key order.
func parseValue(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := readValue(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("trailing data after the JSON value")
	}
	return v, nil
}

// maxDepth bounds nesting so a hostile trace file cannot exhaust the stack.
const maxDepth = 64

func readValue(dec *json.Decoder, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("JSON nested deeper than %d levels", maxDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			obj := Object{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("object key is %v, not a string", kt)
				}
				v, err := readValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				obj = append(obj, Member{Key: key, Value: v})
			}
			if _, err := dec.Token(); err != nil { // '}'
				return nil, err
			}
			return obj, nil
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := readValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			if _, err := dec.Token(); err != nil { // ']'
				return nil, err
			}
			return arr, nil
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case nil, bool, json.Number, string:
		return t, nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

// short renders a value compactly and JavaScript-like for labels: keys unquoted,
// cut to max runes with an ellipsis.
func short(v any, max int) string {
	var b strings.Builder
	writeShort(&b, v, 0)
	s := b.String()
	if r := []rune(s); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}

func writeShort(b *strings.Builder, v any, depth int) {
	if depth > 4 {
		b.WriteString("…")
		return
	}
	switch x := v.(type) {
	case Object:
		b.WriteByte('{')
		for i, m := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(m.Key)
			b.WriteByte(':')
			writeShort(b, m.Value, depth+1)
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeShort(b, e, depth+1)
		}
		b.WriteByte(']')
	default:
		s, err := marshalValue(v)
		if err != nil {
			s = fmt.Sprint(v)
		}
		b.WriteString(s)
	}
}

// The helpers below serve the packages that read traces (trace/explain,
// trace/live): the same compact rendering everywhere.

// MemberRole is the member the encoder adds to a masked value: its role token.
const MemberRole = memberRole

// Short renders a value compactly and JavaScript-like, cut to max runes.
func Short(v any, max int) string { return short(v, max) }

// Clip cuts s to max runes with an ellipsis.
func Clip(s string, max int) string { return clip(s, max) }

// WithoutRaw drops every "$raw" member, at any depth.
func WithoutRaw(v any) any { return withoutRawDeep(v) }

// MarshalValue is a value as compact JSON, members in order.
func MarshalValue(v any) (string, error) { return marshalValue(v) }
