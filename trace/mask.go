package trace

import (
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// MaskSource returns a scenario's text with its passwords replaced, so that a
// trace header can carry the scenario without carrying a secret. A password is a
// YAML value under a key that contains "password" (an account's password, a
// typed-password step), the value after such a name in a sequence, or one of
// seen (the passwords the run itself carried). Each distinct password becomes a
// placeholder of the same length ("pw1xxxxxxxxx"): the simulated world compares
// passwords only for equality and length, so the masked scenario runs exactly as
// the original did.
func MaskSource(source []byte, seen []string) string {
	text := string(source)
	secrets := map[string]bool{}
	for _, s := range seen {
		if s != "" {
			secrets[s] = true
		}
	}
	var doc yaml.Node
	var positioned []*yaml.Node
	if yaml.Unmarshal(source, &doc) == nil {
		positioned = passwordScalars(&doc, secrets)
		for _, n := range positioned {
			secrets[n.Value] = true
		}
	}
	if len(secrets) == 0 {
		return text
	}
	tokens := placeholders(text, secrets)

	// Replace at the exact positions YAML reported (this also covers passwords too
	// short to be safely replaced by a text search), then every remaining
	// whole-word occurrence of a password long enough not to hit ordinary words.
	lines := strings.SplitAfter(text, "\n")
	for _, n := range positioned {
		replaceAt(lines, n, tokens[n.Value])
	}
	text = strings.Join(lines, "")
	values := make([]string, 0, len(secrets))
	for s := range secrets {
		if utf8.RuneCountInString(s) >= 4 {
			values = append(values, s)
		}
	}
	sort.Slice(values, func(i, j int) bool { return len(values[i]) > len(values[j]) })
	for _, s := range values {
		text = replaceWords(text, s, tokens[s])
	}
	return text
}

// passwordScalars finds scalars that hold passwords: mapping values under a key
// containing "password", the element after a "…password…" scalar in a sequence,
// and any scalar equal to a known secret.
func passwordScalars(n *yaml.Node, known map[string]bool) []*yaml.Node {
	var out []*yaml.Node
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil {
			return
		}
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if k.Kind == yaml.ScalarNode && strings.Contains(strings.ToLower(k.Value), "password") && v.Kind == yaml.ScalarNode && v.Value != "" {
					out = append(out, v)
					continue
				}
				walk(k)
				walk(v)
			}
			return
		case yaml.SequenceNode:
			for i, c := range n.Content {
				if c.Kind == yaml.ScalarNode && strings.Contains(strings.ToLower(c.Value), "password") && i+1 < len(n.Content) {
					if next := n.Content[i+1]; next.Kind == yaml.ScalarNode && next.Value != "" {
						out = append(out, next)
					}
				}
			}
		case yaml.ScalarNode:
			if known[n.Value] {
				out = append(out, n)
			}
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return out
}

// placeholders numbers the secrets in order of first appearance in the text.
func placeholders(text string, secrets map[string]bool) map[string]string {
	values := make([]string, 0, len(secrets))
	for s := range secrets {
		values = append(values, s)
	}
	pos := func(s string) int {
		if i := strings.Index(text, s); i >= 0 {
			return i
		}
		return len(text)
	}
	sort.Slice(values, func(i, j int) bool {
		if pi, pj := pos(values[i]), pos(values[j]); pi != pj {
			return pi < pj
		}
		return values[i] < values[j]
	})
	out := make(map[string]string, len(values))
	for i, s := range values {
		out[s] = placeholder(i+1, utf8.RuneCountInString(s))
	}
	return out
}

// placeholder is "pw<n>" padded with x to length runes (letters only when the
// password is shorter than that), so every length check behaves the same.
func placeholder(n, length int) string {
	base := "pw" + strconv.Itoa(n)
	if length >= len(base) {
		return base + strings.Repeat("x", length-len(base))
	}
	return strings.Repeat(string(rune('a'+(n-1)%26)), length)
}

// replaceAt swaps a scalar's text where the YAML parser found it, when the text
// there is the value itself (plain or quoted without escapes).
func replaceAt(lines []string, n *yaml.Node, token string) {
	if n.Line < 1 || n.Line > len(lines) || n.Column < 1 {
		return
	}
	line := lines[n.Line-1]
	off := byteOffset(line, n.Column-1)
	if off < 0 {
		return
	}
	rest := line[off:]
	switch {
	case strings.HasPrefix(rest, n.Value):
	case (strings.HasPrefix(rest, `"`) || strings.HasPrefix(rest, `'`)) && strings.HasPrefix(rest[1:], n.Value):
		off++
	default:
		return
	}
	lines[n.Line-1] = line[:off] + token + line[off+len(n.Value):]
}

func byteOffset(s string, runes int) int {
	for i := range s {
		if runes == 0 {
			return i
		}
		runes--
	}
	if runes == 0 {
		return len(s)
	}
	return -1
}

// replaceWords replaces occurrences of s that are not part of a longer word.
func replaceWords(text, s, token string) string {
	var b strings.Builder
	for {
		i := strings.Index(text, s)
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		before, _ := utf8.DecodeLastRuneInString(text[:i])
		after, _ := utf8.DecodeRuneInString(text[i+len(s):])
		if isWordRune(before) || isWordRune(after) {
			b.WriteString(text[:i+len(s)])
		} else {
			b.WriteString(text[:i])
			b.WriteString(token)
		}
		text = text[i+len(s):]
	}
}

func isWordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_')
}
