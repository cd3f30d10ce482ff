package trace

import (
	"fmt"
	"strconv"
	"strings"
)

// Diff is the first place where a replay left its recording.
type Diff struct {
	Index     int   // position in the trace (0-based)
	Want, Got *Line // nil Want: the replay has extra events; nil Got: it stopped early
	// Field is where the two lines first differ ("name", "payload.reason.error"),
	// WantValue and GotValue the two values there, as JSON.
	Field               string
	WantValue, GotValue string
	Before              []Line // the lines just before, which matched
	WantAfter, GotAfter []Line // what followed in each trace
}

// contextLines is how much of each trace a Diff shows around the difference.
const contextLines = 3

// Compare walks both traces in step and returns the first difference, or nil.
// Role tokens (<uuid#1>, <signature#2>, ...) compare by role, since the encoder
// numbered them in order of appearance; members named "$raw" (the bytes of
// signatures and keys) are skipped. Everything else must be equal.
func Compare(want, got []Line) *Diff {
	n := min(len(want), len(got))
	for i := 0; i < n; i++ {
		if field, wv, gv, differ := lineDiff(want[i], got[i]); differ {
			return newDiff(want, got, i, field, wv, gv)
		}
	}
	if len(want) == len(got) {
		return nil
	}
	return newDiff(want, got, n, "", "", "")
}

func newDiff(want, got []Line, i int, field, wv, gv string) *Diff {
	d := &Diff{Index: i, Field: field, WantValue: wv, GotValue: gv}
	if i < len(want) {
		d.Want = &want[i]
		d.WantAfter = want[i+1 : min(len(want), i+1+contextLines)]
	}
	if i < len(got) {
		d.Got = &got[i]
		d.GotAfter = got[i+1 : min(len(got), i+1+contextLines)]
	}
	d.Before = want[max(0, i-contextLines):i]
	return d
}

func lineDiff(a, b Line) (field, av, bv string, differ bool) {
	scalar := []struct {
		name string
		a, b string
	}{
		{"seq", strconv.FormatUint(a.Seq, 10), strconv.FormatUint(b.Seq, 10)},
		{"kind", a.Kind, b.Kind},
		{"from", a.From, b.From},
		{"to", a.To, b.To},
		{"name", a.Name, b.Name},
		{"at", a.At.String(), b.At.String()},
	}
	for _, s := range scalar {
		if s.a != s.b {
			return s.name, strconv.Quote(s.a), strconv.Quote(s.b), true
		}
	}
	return valueDiff("payload", a.Payload, b.Payload)
}

// valueDiff finds the first differing path inside two values.
func valueDiff(path string, a, b any) (string, string, string, bool) {
	switch x := a.(type) {
	case Object:
		y, ok := b.(Object)
		if !ok {
			break
		}
		xs, ys := withoutRaw(x), withoutRaw(y)
		for i := 0; i < min(len(xs), len(ys)); i++ {
			if xs[i].Key != ys[i].Key {
				return path, keysOf(xs), keysOf(ys), true
			}
			if p, av, bv, d := valueDiff(path+"."+xs[i].Key, xs[i].Value, ys[i].Value); d {
				return p, av, bv, true
			}
		}
		if len(xs) != len(ys) {
			return path, keysOf(xs), keysOf(ys), true
		}
		return "", "", "", false
	case []any:
		y, ok := b.([]any)
		if !ok {
			break
		}
		for i := 0; i < min(len(x), len(y)); i++ {
			if p, av, bv, d := valueDiff(fmt.Sprintf("%s[%d]", path, i), x[i], y[i]); d {
				return p, av, bv, true
			}
		}
		if len(x) != len(y) {
			return path, fmt.Sprintf("%d elements", len(x)), fmt.Sprintf("%d elements", len(y)), true
		}
		return "", "", "", false
	}
	as, _ := marshalValue(withoutRawDeep(a))
	bs, _ := marshalValue(withoutRawDeep(b))
	if as != bs {
		return path, as, bs, true
	}
	return "", "", "", false
}

func withoutRaw(o Object) Object {
	out := make(Object, 0, len(o))
	for _, m := range o {
		if m.Key != memberRaw {
			out = append(out, m)
		}
	}
	return out
}

func withoutRawDeep(v any) any {
	switch x := v.(type) {
	case Object:
		out := make(Object, 0, len(x))
		for _, m := range x {
			if m.Key != memberRaw {
				out = append(out, Member{m.Key, withoutRawDeep(m.Value)})
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = withoutRawDeep(e)
		}
		return out
	}
	return v
}

func keysOf(o Object) string {
	keys := make([]string, len(o))
	for i, m := range o {
		keys[i] = m.Key
	}
	return "keys [" + strings.Join(keys, ", ") + "]"
}

// String is the report replay prints: where, what differs, and the context.
func (d *Diff) String() string {
	if d == nil {
		return "no difference"
	}
	var b strings.Builder
	switch {
	case d.Want == nil:
		fmt.Fprintf(&b, "replay has more events than the recording: event %d is new\n", d.Index+1)
		fmt.Fprintf(&b, "  replayed: %s\n", Summary(*d.Got))
	case d.Got == nil:
		fmt.Fprintf(&b, "replay stopped early: recorded event %d never happened\n", d.Index+1)
		fmt.Fprintf(&b, "  recorded: %s\n", Summary(*d.Want))
	default:
		fmt.Fprintf(&b, "replay diverges from the recording at event %d (seq %d, %s)\n", d.Index+1, d.Want.Seq, virtualOffset(d.Want.At))
		fmt.Fprintf(&b, "  recorded: %s\n", Summary(*d.Want))
		fmt.Fprintf(&b, "  replayed: %s\n", Summary(*d.Got))
		fmt.Fprintf(&b, "  first difference in %s:\n    recorded %s\n    replayed %s\n", d.Field, clip(d.WantValue, 300), clip(d.GotValue, 300))
	}
	if len(d.Before) > 0 {
		b.WriteString("before it (identical in both):\n")
		for _, l := range d.Before {
			fmt.Fprintf(&b, "  %s\n", Summary(l))
		}
	}
	if len(d.WantAfter) > 0 {
		b.WriteString("the recording went on with:\n")
		for _, l := range d.WantAfter {
			fmt.Fprintf(&b, "  %s\n", Summary(l))
		}
	}
	if len(d.GotAfter) > 0 {
		b.WriteString("the replay went on with:\n")
		for _, l := range d.GotAfter {
			fmt.Fprintf(&b, "  %s\n", Summary(l))
		}
	}
	return b.String()
}

// Summary is one line of a trace in a single readable line.
func Summary(l Line) string {
	from, to := l.From, l.To
	if l.Kind == "call" {
		from, to = to, from // a page calls into its navigator.mozId
	}
	s := fmt.Sprintf("#%d %s %-8s %s -> %s %s", l.Seq, virtualOffset(l.At), l.Kind, from, to, l.Name)
	if l.Payload != nil {
		s += " " + short(withoutRawDeep(l.Payload), 160)
	}
	return s
}

func clip(s string, max int) string {
	if r := []rune(s); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}
