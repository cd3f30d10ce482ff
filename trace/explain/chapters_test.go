package explain

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/trace"
)

func golden(t *testing.T, name string) trace.Trace {
	t.Helper()
	tr, err := trace.ReadFile(filepath.Join("..", "..", "scenarios", "testdata", "golden", name+".trace.jsonl"))
	require.NoError(t, err)
	return tr
}

// A long run is cut along the seed's phases; each chapter keeps the run's
// numbering, holds every step once, and only the last marks the run's end.
func TestLongRunsComeInChapters(t *testing.T) {
	tr := golden(t, "request-sign-in")
	chapters := Chapters(tr.Lines)
	type span struct {
		first, last int
		title       string
	}
	var got []span
	for _, ch := range chapters {
		got = append(got, span{ch.First, ch.Last, ch.Title})
		require.LessOrEqual(t, ch.Last-ch.First+1, maxChapter)
	}
	require.Equal(t, []span{
		{1, 13, "watch(): who is signed in? (seed part I)"},
		{14, 25, "request(): up to the Firefox Accounts dialog (seed II.1–II.8)"},
		{26, 54, "The user signs in (seed II.9)"},
		{55, 69, "The answer travels back to the page (seed II.10–II.14)"},
	}, got)
	require.True(t, strings.HasPrefix(chapters[1].Mermaid, "sequenceDiagram\n    autonumber 14\n"), chapters[1].Mermaid)
	require.Equal(t, 12, strings.Count(chapters[1].Mermaid, ": II."), "one arrow per step, tagged")
	require.NotContains(t, chapters[2].Mermaid, "the run ends with")
	require.Contains(t, chapters[3].Mermaid, "the run ends with onlogin")
	notes := 0
	for _, ch := range chapters {
		for _, l := range ch.Lines {
			if l.Kind == "note" {
				notes++
			}
		}
	}
	all := 0
	for _, l := range tr.Lines {
		if l.Kind == "note" {
			all++
		}
	}
	require.Equal(t, all, notes, "every note is in exactly one chapter")

	// A short run is one chapter: the whole diagram.
	short := Chapters(golden(t, "watch-signed-out").Lines)
	require.Len(t, short, 1)
	require.Equal(t, MermaidLines(golden(t, "watch-signed-out").Lines), short[0].Mermaid)

	// A phase too long for one chapter is split, and its parts numbered.
	loops := Chapters(golden(t, "server-invalid-token").Lines)
	require.Greater(t, len(loops), 4)
	require.Contains(t, loops[1].Title, "(1 of ")
}

func TestAnchorsAreGitHubs(t *testing.T) {
	require.Equal(t, "2-request-up-to-the-firefox-accounts-dialog-seed-ii1ii8", anchor("2. request(): up to the Firefox Accounts dialog (seed II.1–II.8)"))
}
