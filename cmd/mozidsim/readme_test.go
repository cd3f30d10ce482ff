package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/scenarios"
)

// The README is tested: every fenced block says what it is, and
//
//   - ```console blocks are transcripts: each "$ mozidsim ..." line runs through
//     Main and what it prints (stdout, then stderr) must be the lines below it. A
//     line "..." stands for any number of lines; a last line "(exit status N)"
//     gives the status, 0 otherwise.
//   - ```sh blocks are commands a reader types: mozidsim commands run and must
//     exit 0; those that serve or need a server get -h appended, which still
//     checks every flag and value; other tools must be known and the files they
//     name must exist.
//   - ```yaml blocks are scenarios: they parse and pass.
//   - ```text, ```html, ```go and ```mermaid blocks are illustrations, not run.
//
// Hand-written instead of testscript: testscript wants expected output as
// separate files, while here the README itself is the expectation and elides
// long outputs with "...".
func TestREADME(t *testing.T) {
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	blocks := fencedBlocks(string(readme))
	require.NotEmpty(t, blocks)

	// Commands run in a scratch directory that sees the repository's files, so
	// what they write (traces, documents) lands there.
	work := t.TempDir()
	entries, err := os.ReadDir(root)
	require.NoError(t, err)
	for _, e := range entries {
		if e.Name() != ".git" {
			require.NoError(t, os.Symlink(filepath.Join(root, e.Name()), filepath.Join(work, e.Name())))
		}
	}
	t.Chdir(work)

	kinds := map[string]int{}
	for _, b := range blocks {
		kinds[b.lang]++
		where := fmt.Sprintf("README.md:%d", b.line)
		switch b.lang {
		case "console":
			checkTranscript(t, where, b.text)
		case "sh":
			checkCommands(t, where, b.text)
		case "yaml":
			checkScenario(t, where, b.text)
		case "text", "html", "go", "mermaid", "json":
		default:
			t.Errorf("%s: a ```%s block: mark it console (a transcript, run), sh (commands, run), yaml (a scenario, run) or text (not run)", where, b.lang)
		}
	}
	require.Positive(t, kinds["console"], "the README shows what commands print")
	require.Positive(t, kinds["yaml"], "the README shows a scenario")
}

type block struct {
	lang, text string
	line       int // of the opening fence
}

func fencedBlocks(doc string) []block {
	var out []block
	var cur *block
	var body []string
	for i, l := range strings.Split(doc, "\n") {
		trimmed := strings.TrimSpace(l)
		if !strings.HasPrefix(trimmed, "```") {
			if cur != nil {
				body = append(body, l)
			}
			continue
		}
		if cur == nil {
			cur = &block{lang: strings.TrimPrefix(trimmed, "```"), line: i + 1}
			body = nil
			continue
		}
		cur.text = strings.Join(body, "\n")
		out = append(out, *cur)
		cur = nil
	}
	return out
}

// mozidsimArgs returns a command line's mozidsim arguments, or ok=false when
// the line is not a mozidsim command.
func mozidsimArgs(line string) (args []string, ok bool) {
	words := withoutEnv(shellWords(line))
	switch {
	case len(words) >= 1 && words[0] == "mozidsim":
		return words[1:], true
	case len(words) >= 3 && words[0] == "go" && words[1] == "run" && words[2] == "./cmd/mozidsim":
		return words[3:], true
	}
	return nil, false
}

func checkTranscript(t *testing.T, where, text string) {
	t.Helper()
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); {
		cmd, isCmd := strings.CutPrefix(lines[i], "$ ")
		if !isCmd {
			t.Errorf("%s: a transcript starts each command with \"$ \": %q", where, lines[i])
			return
		}
		j := i + 1
		for j < len(lines) && !strings.HasPrefix(lines[j], "$ ") {
			j++
		}
		want, wantCode := lines[i+1:j], 0
		if n := len(want); n > 0 {
			if m := exitLine.FindStringSubmatch(want[n-1]); m != nil {
				wantCode, _ = strconv.Atoi(m[1])
				want = want[:n-1]
			}
		}
		args, ok := mozidsimArgs(cmd)
		if !ok {
			t.Errorf("%s: %q is not a mozidsim command", where, cmd)
			return
		}
		var out bytes.Buffer
		code := Main(context.Background(), args, strings.NewReader(""), &out, &out)
		got := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
		for len(want) > 0 && strings.TrimSpace(want[len(want)-1]) == "" {
			want = want[:len(want)-1]
		}
		if code != wantCode || !matchLines(want, got) {
			t.Errorf("%s: $ %s\nREADME shows (exit status %d):\n%s\nit prints (exit status %d):\n%s", where, cmd, wantCode, strings.Join(want, "\n"), code, out.String())
		}
		i = j
	}
}

var exitLine = regexp.MustCompile(`^\(exit status (\d+)\)$`)

// matchLines matches want against got, where a want line "..." (indented or
// not) stands for any number of lines.
func matchLines(want, got []string) bool {
	if len(want) == 0 {
		return len(got) == 0 || (len(got) == 1 && got[0] == "")
	}
	if strings.TrimSpace(want[0]) == "..." {
		for k := 0; k <= len(got); k++ {
			if matchLines(want[1:], got[k:]) {
				return true
			}
		}
		return false
	}
	return len(got) > 0 && strings.TrimRight(want[0], " ") == strings.TrimRight(got[0], " ") && matchLines(want[1:], got[1:])
}

// servers are the commands that run until interrupted.
// conform counts here too: it starts the RP and a browser for minutes (CI runs
// the README's conform command for real in .ci/run).
var servers = map[string]bool{"serve": true, "serve-fxa": true, "verify-server": true, "serve-contacts": true, "live": true, "conform": true}

// tools are the other programs the README tells a reader to run.
var tools = map[string]bool{"go": true, "bash": true, "sh": true, "curl": true, "apt-get": true, "npm": true, "node": true}

func checkCommands(t *testing.T, where, text string) {
	t.Helper()
	for _, line := range joinContinued(text) {
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		args, ok := mozidsimArgs(line)
		if !ok {
			words := withoutEnv(shellWords(line))
			if !tools[words[0]] {
				t.Errorf("%s: %q: not a mozidsim command nor a known tool", where, line)
				continue
			}
			for _, w := range words[1:] {
				if looksLikeRepoFile(w) {
					if _, err := os.Stat(w); err != nil {
						t.Errorf("%s: %q names %s, which does not exist", where, line, w)
					}
				}
			}
			continue
		}
		if len(args) > 0 && (servers[args[0]] || strings.Contains(line, "--fxa-url") || strings.Contains(line, "--contacts-url")) {
			for _, w := range args[1:] {
				if strings.HasSuffix(w, ".yaml") {
					if _, err := os.Stat(w); err != nil {
						t.Errorf("%s: %q names %s, which does not exist", where, line, w)
					}
				}
			}
			args = append(args, "-h") // parses every flag and value, serves nothing
		}
		var out bytes.Buffer
		if code := Main(context.Background(), args, strings.NewReader(""), &out, &out); code != 0 {
			t.Errorf("%s: %q exits %d:\n%s", where, line, code, out.String())
		}
	}
}

// looksLikeRepoFile is a word naming a file of this repository (a script, a
// package directory).
func looksLikeRepoFile(w string) bool {
	return strings.HasSuffix(w, ".sh") || strings.HasPrefix(w, "./") && !strings.Contains(w, "...") || strings.HasPrefix(w, ".ci/")
}

// withoutEnv drops leading NAME=value words (environment for the command).
var envWord = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*=`)

func withoutEnv(words []string) []string {
	for len(words) > 0 && envWord.MatchString(words[0]) {
		words = words[1:]
	}
	return words
}

func joinContinued(text string) []string {
	var out []string
	cur := ""
	for _, l := range strings.Split(text, "\n") {
		if s, ok := strings.CutSuffix(strings.TrimRight(l, " "), "\\"); ok {
			cur += s + " "
			continue
		}
		out = append(out, cur+l)
		cur = ""
	}
	return out
}

// shellWords splits a command line as sh would for the simple lines a README
// has: words separated by blanks, single and double quotes grouping.
func shellWords(line string) []string {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

func checkScenario(t *testing.T, where, text string) {
	t.Helper()
	// A scenario shown as a repository file is that file, byte for byte.
	if first, rest, _ := strings.Cut(text, "\n"); strings.HasPrefix(first, "# ") && strings.HasSuffix(first, ".yaml") {
		file := strings.TrimPrefix(first, "# ")
		data, err := os.ReadFile(file)
		if !assertNoError(t, where, err) {
			return
		}
		if string(data) != rest+"\n" {
			t.Errorf("%s: the README shows %s other than it is", where, file)
		}
		text = rest
	}
	sc, err := scenarios.Parse(where, []byte(text))
	if !assertNoError(t, where, err) {
		return
	}
	res, err := scenarios.Run(sc, scenarios.Options{})
	if !assertNoError(t, where, err) {
		return
	}
	if !res.Pass() {
		t.Errorf("%s: the README's scenario %s fails:\n%s", where, sc.Name, strings.Join(res.Problems, "\n"))
	}
}

func assertNoError(t *testing.T, where string, err error) bool {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v", where, err)
		return false
	}
	return true
}

func TestMatchLines(t *testing.T) {
	t.Parallel()
	require.True(t, matchLines([]string{"a", "...", "d"}, []string{"a", "b", "c", "d"}))
	require.True(t, matchLines([]string{"a", "  ...", "d"}, []string{"a", "d"}))
	require.False(t, matchLines([]string{"a", "d"}, []string{"a", "b", "d"}))
	require.False(t, matchLines([]string{"a", "...", "e"}, []string{"a", "b", "d"}))
	require.True(t, matchLines([]string{"a", "..."}, []string{"a", "b"}))
	require.Equal(t, []string{"curl", "-d", `{"a": 1}`, "x"}, shellWords(`curl -d '{"a": 1}' x`))
}
