package trace

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// proseKeys are the top-level scenario keys that only explain: a trace
// header's source leaves them out, so that rewording a scenario's `about:`
// changes no recorded trace (golden) and a trace carries no prose to go stale.
var proseKeys = map[string]bool{"about": true}

// WithoutProse returns a scenario's text without its top-level prose keys
// (their key line through the line before the next top-level key). Text that
// is not a YAML mapping is returned as it is.
func WithoutProse(source []byte) []byte {
	var doc yaml.Node
	if yaml.Unmarshal(source, &doc) != nil || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return source
	}
	top := doc.Content[0]
	if top.Style&yaml.FlowStyle != 0 {
		return source // {name: x, about: y}: one line; nothing to cut cleanly
	}
	lines := strings.SplitAfter(string(source), "\n")
	drop := make([]bool, len(lines))
	cut := false
	for i := 0; i+1 < len(top.Content); i += 2 {
		if !proseKeys[top.Content[i].Value] {
			continue
		}
		from, to := top.Content[i].Line-1, len(lines)
		if i+2 < len(top.Content) {
			to = top.Content[i+2].Line - 1
		}
		for l := from; l < to && l < len(lines); l++ {
			drop[l], cut = true, true
		}
	}
	if !cut {
		return source
	}
	var b strings.Builder
	for i, l := range lines {
		if !drop[i] {
			b.WriteString(l)
		}
	}
	return []byte(b.String())
}
