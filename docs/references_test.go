package docs

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The file that defines the tags, relative to the repository root.
const referencesFile = "docs/REFERENCES.md"

// Files whose text may cite the reference material.
var scannedExt = map[string]bool{".go": true, ".md": true, ".yaml": true, ".yml": true, ".js": true, ".html": true, ".mmd": true}

var (
	// [D-late], [M-C], [T], [BV]: a bracketed tag not glued to an identifier
	// (so Go's map[ID] is not one) and not a Markdown link text.
	bracketTag = regexp.MustCompile(`(?:^|[^\w\]\[])\[([A-Z][A-Z]{0,3}(?:-[A-Za-z0-9]+)?)\]`)
	// The same version tags written bare, as in "the F-v3 quirk".
	bareTag = regexp.MustCompile(`\b(D-(?:early|mid|late|20\d\d)|P-(?:early|mid|late)|F-v\d|F-\d|M-[0-9A-Z]|G-\d|C-\d)\b`)
	// The callback orders of gecko-identity §7: S1..S19 and S5'.
	situation = regexp.MustCompile(`\bS([0-9]{1,2})\b('?)`)
	// The seed's steps, I.1..I.8 and II.1..II.14, and its parts.
	seedStep = regexp.MustCompile(`\b(II|I)\.(\d{1,2})\b`)
	seedPart = regexp.MustCompile(`\b[Pp]art (II|I)\b`)
	// Bugzilla numbers: "Bug 945363", "Bug 971379/982460".
	bug = regexp.MustCompile(`\b[Bb]ugs? (\d{4,7}(?:/\d{4,7})*)`)
	// The fxa_manager.js versions of gaia-fxa §2.1.
	gaiaVersion = regexp.MustCompile(`\bV([0-9])\b`)
	// A section sign, and the names a section can belong to.
	section  = regexp.MustCompile(`§(\d+(?:\.\d+)*)`)
	document = regexp.MustCompile(`\b(gecko-identity|fxaccounts-crypto|gaia-fxa|anchors-libs|sources-2014-2015)(?:\.md)?\b|\b(RFC \d+|FIPS [0-9-]+)`)
	// [A-Z] in a regular expression is not a tag: no tag family starts with A.
	characterClass = regexp.MustCompile(`^A-[A-Z]$`)
	// One-letter bracketed tags that are reference tags rather than data ([A]).
	oneLetterTags = map[string]bool{"T": true, "U": true, "W": true, "M": true}
)

// A citation is one tag found in a file: Key is what REFERENCES.md must define.
type citation struct {
	File string
	Line int
	pos  int
	Text string // as written
	Key  string // "" when the citation needs no definition (an RFC section)
	Err  string // a citation that cannot be resolved at all
}

// citations lists every tag in text, in order of appearance.
func citations(file, text string) []citation {
	var out []citation
	var newlines []int
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			newlines = append(newlines, i)
		}
	}
	line := func(pos int) int { return sort.SearchInts(newlines, pos) + 1 }
	add := func(pos int, written, key string) {
		out = append(out, citation{File: file, Line: line(pos), pos: pos, Text: written, Key: key})
	}
	for _, m := range bracketTag.FindAllStringSubmatchIndex(text, -1) {
		tag := text[m[2]:m[3]]
		if len(tag) == 1 && !oneLetterTags[tag] || characterClass.MatchString(tag) {
			continue
		}
		if m[1] < len(text) && text[m[1]] == '(' {
			continue // a Markdown link
		}
		add(m[2]-1, "["+tag+"]", "["+tag+"]")
	}
	for _, m := range bareTag.FindAllStringSubmatchIndex(text, -1) {
		if m[0] > 0 && text[m[0]-1] == '[' && m[1] < len(text) && text[m[1]] == ']' {
			continue // already found as [tag]
		}
		tag := text[m[2]:m[3]]
		add(m[0], tag, "["+tag+"]")
	}
	for _, m := range situation.FindAllStringSubmatchIndex(text, -1) {
		key := "S" + text[m[2]:m[3]] + text[m[4]:m[5]]
		add(m[0], key, key)
	}
	for _, m := range seedStep.FindAllStringSubmatchIndex(text, -1) {
		add(m[0], text[m[0]:m[1]], text[m[0]:m[1]])
	}
	for _, m := range seedPart.FindAllStringSubmatchIndex(text, -1) {
		add(m[0], text[m[0]:m[1]], "part "+text[m[2]:m[3]])
	}
	for _, m := range bug.FindAllStringSubmatchIndex(text, -1) {
		for _, n := range strings.Split(text[m[2]:m[3]], "/") {
			add(m[0], text[m[0]:m[1]], "Bug "+n)
		}
	}
	for _, m := range gaiaVersion.FindAllStringSubmatchIndex(text, -1) {
		add(m[0], text[m[0]:m[1]], text[m[0]:m[1]])
	}
	docs := document.FindAllStringSubmatchIndex(text, -1)
	for _, m := range section.FindAllStringSubmatchIndex(text, -1) {
		sec := "§" + text[m[2]:m[3]]
		c := citation{File: file, Line: line(m[0]), pos: m[0], Text: sec}
		// A bare § belongs to the document named last before it in the file.
		last := -1
		for i, d := range docs {
			if d[1] <= m[0] {
				last = i
			}
		}
		switch {
		case last < 0:
			c.Key = file + " " + sec
			c.Err = "names no document before it (write e.g. \"gecko-identity " + sec + "\")"
		case docs[last][4] >= 0:
			// A section of an RFC or FIPS standard: defined by the standard.
		default:
			c.Key = text[docs[last][2]:docs[last][3]] + " " + sec
		}
		out = append(out, c)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].pos < out[j].pos })
	return out
}

// definitions are the backquoted spans in the first cell of REFERENCES.md's table rows.
func definitions(text string) map[string]bool {
	defined := map[string]bool{}
	span := regexp.MustCompile("`([^`]+)`")
	for _, row := range strings.Split(text, "\n") {
		cells := strings.Split(row, "|")
		if !strings.HasPrefix(strings.TrimSpace(row), "|") || len(cells) < 3 {
			continue
		}
		for _, m := range span.FindAllStringSubmatch(cells[1], -1) {
			defined[m[1]] = true
		}
	}
	return defined
}

// repoFiles lists the scanned files under root, slash-separated and relative to it.
func repoFiles(t *testing.T, root string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		// This test's own examples are not citations.
		if !scannedExt[filepath.Ext(p)] || rel == referencesFile || rel == "docs/references_test.go" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files[rel] = string(b)
		return nil
	})
	require.NoError(t, err)
	return files
}

func TestEveryCitationIsDefined(t *testing.T) {
	refs, err := os.ReadFile(filepath.Join("..", referencesFile))
	require.NoError(t, err)
	defined := definitions(string(refs))
	files := repoFiles(t, "..")
	require.Contains(t, files, "README.md", "the walk must start at the repository root")

	var problems []string
	found := 0
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, c := range citations(name, files[name]) {
			found++
			where := fmt.Sprintf("%s:%d: %s", c.File, c.Line, c.Text)
			switch {
			case defined[c.File+" "+c.Text]:
				// An explicit row for this bare § in this file.
			case c.Err != "":
				problems = append(problems, where+" "+c.Err)
			case c.Key != "" && !defined[c.Key]:
				problems = append(problems, fmt.Sprintf("%s is not defined in %s (add a table row whose first cell is `%s`)", where, referencesFile, c.Key))
			}
		}
	}
	require.Greater(t, found, 300, "the scan found almost no citations: is it reading the repository?")
	require.Empty(t, problems, "undefined citation tags:\n%s", strings.Join(problems, "\n"))
}

// Every scenario named in the S1–S19 table is a shipped scenario file.
func TestSituationScenariosExist(t *testing.T) {
	refs, err := os.ReadFile(filepath.Join("..", referencesFile))
	require.NoError(t, err)
	span := regexp.MustCompile("`([a-z0-9-]+)`")
	rows := 0
	for _, row := range strings.Split(string(refs), "\n") {
		cells := strings.Split(row, "|")
		if len(cells) < 4 || !regexp.MustCompile("^ *`S[0-9]+'?` *$").MatchString(cells[1]) {
			continue
		}
		rows++
		for _, m := range span.FindAllStringSubmatch(cells[len(cells)-2], -1) {
			_, err := os.Stat(filepath.Join("..", "scenarios", m[1]+".yaml"))
			require.NoError(t, err, "%s names scenario %q, which is not in scenarios/", strings.TrimSpace(cells[1]), m[1])
		}
	}
	require.Equal(t, 20, rows, "S1–S19 and S5' each have one row")
}

func TestCitationsFindsEveryForm(t *testing.T) {
	text := "// [M-C] and F-v3, [T] but not map[ID]x, [A-Z] or name: [A]; [API](x)\n" +
		"// S5' and S12 (S20 too); seed part II, steps I.8 and II.14; Bug 971379/982460; V5\n" +
		"// gaia-fxa §6.6, then bare §11.1; RFC 6350\n// §3.2\n"
	var keys []string
	for _, c := range citations("f.go", text) {
		keys = append(keys, c.Key)
	}
	require.Equal(t, []string{"[M-C]", "[F-v3]", "[T]", "S5'", "S12", "S20", "part II", "I.8", "II.14", "Bug 971379", "Bug 982460", "V5", "gaia-fxa §6.6", "gaia-fxa §11.1", ""}, keys)

	bare := citations("g.go", "// see §2.7\n")
	require.Len(t, bare, 1)
	require.Contains(t, bare[0].Err, "names no document before it")

	defined := definitions("| `[M-C]` x | `[F-v3]` |\n| tag | text |\n|---|---|\nnot `a row`\n")
	require.Equal(t, map[string]bool{"[M-C]": true, "tag": false}["[M-C]"], defined["[M-C]"])
	require.False(t, defined["[F-v3]"], "only the first cell defines")
	require.False(t, defined["a row"])
}
