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
	text = replaceScalars(text, positioned, tokens)
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
	if len(positioned) > 0 && !masked(text, secrets, tokens) {
		// A form the text edits did not reach: give up the file's layout
		// rather than a password.
		return remarshal(&doc, positioned, tokens, text)
	}
	return text
}

// masked reports whether text, read as YAML, holds no password scalar that is
// one of secrets (a secret that is its own placeholder is no secret).
func masked(text string, secrets map[string]bool, tokens map[string]string) bool {
	var doc yaml.Node
	if yaml.Unmarshal([]byte(text), &doc) != nil {
		return false
	}
	for _, n := range passwordScalars(&doc, secrets) {
		if secrets[n.Value] && tokens[n.Value] != n.Value {
			return false
		}
	}
	return true
}

// remarshal writes the document again with every password scalar replaced.
func remarshal(doc *yaml.Node, positioned []*yaml.Node, tokens map[string]string, fallback string) string {
	for _, n := range positioned {
		n.Value, n.Style, n.Tag = tokens[n.Value], yaml.DoubleQuotedStyle, "!!str"
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		return fallback
	}
	return string(out)
}

// edit replaces text[start:end] with repl.
type edit struct {
	start, end int
	repl       string
}

// replaceScalars replaces each password scalar where the YAML parser found
// it. A scalar written as its value (plain, or quoted without escapes) keeps
// its quotes and gets the placeholder; any other form (escapes, doubled single
// quotes, a folded or literal block, a value after an anchor or tag) is
// replaced whole by the double-quoted placeholder.
func replaceScalars(text string, nodes []*yaml.Node, tokens map[string]string) string {
	starts := lineStarts(text)
	var edits []edit
	seen := map[int]bool{}
	for _, n := range nodes {
		if n.Line < 1 || n.Line > len(starts) || n.Column < 1 {
			continue
		}
		lineEnd := len(text)
		if n.Line < len(starts) {
			lineEnd = starts[n.Line]
		}
		off := byteOffset(text[starts[n.Line-1]:lineEnd], n.Column-1)
		if off < 0 {
			continue
		}
		off += starts[n.Line-1]
		off = skipProperties(text, off)
		if seen[off] {
			continue
		}
		seen[off] = true
		token := tokens[n.Value]
		rest := text[off:]
		switch {
		case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 && n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 &&
			strings.HasPrefix(rest, n.Value) && !strings.Contains(n.Value, "\n"):
			edits = append(edits, edit{off, off + len(n.Value), token})
		case (strings.HasPrefix(rest, `"`) || strings.HasPrefix(rest, `'`)) && strings.HasPrefix(rest[1:], n.Value) &&
			len(rest) > len(n.Value)+1 && rest[1+len(n.Value)] == rest[0]:
			edits = append(edits, edit{off + 1, off + 1 + len(n.Value), token})
		default:
			if end := scalarEnd(text, off); end > off {
				edits = append(edits, edit{off, end, `"` + token + `"`})
			}
		}
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	last := len(text) + 1
	for _, e := range edits {
		if e.end > last {
			continue // overlapping: the remarshal fallback will catch what is left
		}
		text = text[:e.start] + e.repl + text[e.end:]
		last = e.start
	}
	return text
}

func lineStarts(text string) []int {
	starts := []int{0}
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' && i+1 <= len(text) {
			starts = append(starts, i+1)
		}
	}
	if starts[len(starts)-1] == len(text) && len(starts) > 1 {
		starts = starts[:len(starts)-1]
	}
	return starts
}

// skipProperties moves past an anchor (&a) or tag (!!str) before a value.
func skipProperties(text string, off int) int {
	for off < len(text) && (text[off] == '&' || text[off] == '!') {
		i := off
		for i < len(text) && text[i] != ' ' && text[i] != '\t' && text[i] != '\n' {
			i++
		}
		for i < len(text) && (text[i] == ' ' || text[i] == '\t') {
			i++
		}
		off = i
	}
	return off
}

// scalarEnd finds where the scalar starting at off ends: the closing quote,
// or a block scalar's last content line. 0 when it cannot tell.
func scalarEnd(text string, off int) int {
	switch text[off] {
	case '"':
		for i := off + 1; i < len(text); i++ {
			switch text[i] {
			case '\\':
				i++
			case '"':
				return i + 1
			}
		}
	case '\'':
		for i := off + 1; i < len(text); i++ {
			if text[i] == '\'' {
				if i+1 < len(text) && text[i+1] == '\'' {
					i++
					continue
				}
				return i + 1
			}
		}
	case '|', '>':
		lineStart := strings.LastIndexByte(text[:off], '\n') + 1
		parent := indentOf(text[lineStart:])
		nl := strings.IndexByte(text[off:], '\n')
		if nl < 0 {
			return len(text)
		}
		end := off + nl
		for pos := end + 1; pos < len(text); {
			next := strings.IndexByte(text[pos:], '\n')
			line := text[pos:]
			if next >= 0 {
				line = text[pos : pos+next]
			}
			if strings.TrimSpace(line) != "" {
				if indentOf(line) <= parent {
					break
				}
				end = pos + len(line)
			}
			if next < 0 {
				break
			}
			pos += next + 1
		}
		return end
	default:
		// A plain scalar over several lines: up to the line's end, then any
		// more-indented continuation lines.
		lineStart := strings.LastIndexByte(text[:off], '\n') + 1
		parent := indentOf(text[lineStart:])
		end := off
		for end < len(text) && text[end] != '\n' {
			end++
		}
		for pos := end + 1; pos < len(text); {
			next := strings.IndexByte(text[pos:], '\n')
			line := text[pos:]
			if next >= 0 {
				line = text[pos : pos+next]
			}
			if strings.TrimSpace(line) == "" || indentOf(line) <= parent || strings.HasPrefix(strings.TrimSpace(line), "#") {
				break
			}
			end = pos + len(line)
			if next < 0 {
				break
			}
			pos += next + 1
		}
		return end
	}
	return 0
}

func indentOf(line string) int {
	return len(line) - len(strings.TrimLeft(line, " "))
}

// isPasswordKey: a key that names a password. "passwords" is a contacts
// expectation's count of device passwords, not one.
func isPasswordKey(k string) bool {
	k = strings.ToLower(k)
	return strings.Contains(k, "password") && k != "passwords"
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
				if k.Kind == yaml.ScalarNode && isPasswordKey(k.Value) && v.Kind == yaml.ScalarNode && v.Value != "" {
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
