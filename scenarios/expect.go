package scenarios

import (
	"fmt"
	"strings"
)

// Match reports whether an expected callback line matches an actual one: equal,
// or naming only the callback ("onlogin", "onerror", "throws"), or (onlogin)
// listing only some key=value pairs of the actual line, each of which must be
// in it ("onlogin aud=https://shop.example.com").
func Match(want, got string) bool {
	if want == got {
		return true
	}
	wantCb, wantRest, _ := strings.Cut(want, " ")
	gotCb, gotRest, _ := strings.Cut(got, " ")
	if wantCb != gotCb {
		return false
	}
	if wantRest == "" {
		return true
	}
	if wantCb != "onlogin" {
		return false
	}
	have := map[string]string{}
	for _, kv := range strings.Fields(gotRest) {
		k, v, _ := strings.Cut(kv, "=")
		have[k] = v
	}
	for _, kv := range strings.Fields(wantRest) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return false // "onlogin null" and the like must be equal
		}
		if got, ok := have[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// checkExpect compares every app's log with its expected lines.
func (r *runner) checkExpect() {
	if !r.sc.HasExpect {
		return
	}
	for _, app := range r.sc.ExpectApp {
		if diff := DiffLines(r.sc.Expect[app], r.res.Lines(app)); diff != "" {
			r.problem("%s:\n%s", app, diff)
		}
	}
}

// DiffLines is empty when got matches want line by line, otherwise a listing of
// both with the first difference marked:
//
//	   1 ok    onlogout
//	   2 ok    onready
//	>  3 want  onlogin aud=https://shop.example.com
//	         got   onerror {"name":"UI_ERROR"}
func DiffLines(want, got []string) string {
	first := -1
	for i := range max(len(want), len(got)) {
		if i >= len(want) || i >= len(got) || !Match(want[i], got[i]) {
			first = i
			break
		}
	}
	if first < 0 {
		return ""
	}
	var b strings.Builder
	if len(got) == 0 {
		fmt.Fprintf(&b, "      received nothing; want %d callback(s)\n", len(want))
	}
	if len(want) == 0 {
		fmt.Fprintf(&b, "      want nothing; received %d callback(s)\n", len(got))
	}
	for i := range max(len(want), len(got)) {
		mark := "  "
		if i == first {
			mark = "> "
		}
		switch {
		case i >= len(want):
			fmt.Fprintf(&b, "    %s%2d extra %s\n", mark, i+1, got[i])
		case i >= len(got):
			fmt.Fprintf(&b, "    %s%2d want  %s\n    %s   got   (nothing)\n", mark, i+1, want[i], "  ")
		case Match(want[i], got[i]) && i < first:
			fmt.Fprintf(&b, "    %s%2d ok    %s\n", mark, i+1, got[i])
		default:
			fmt.Fprintf(&b, "    %s%2d want  %s\n    %s   got   %s\n", mark, i+1, want[i], "  ", got[i])
		}
	}
	return strings.TrimRight(b.String(), "\n")
}
