package explain

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mozidsim/mozidsim/trace"
)

// A diagram of a whole sign-in has 69 arrows: too many to read at once. Long
// runs are cut into chapters along the seed walkthrough's phases, each drawn on
// its own with the run's numbering, and the whole diagram stays available.

// Chapter is a run of consecutive steps drawn as one diagram.
type Chapter struct {
	N           int
	Title       string
	First, Last int          // step numbers, inclusive
	Lines       []trace.Line // the trace lines of these steps, with their notes
	Steps       []Step
	Mermaid     string
}

// Chapter sizes: a phase shorter than minChapter joins its neighbour, and a
// chapter never has more than maxChapter arrows.
const (
	minChapter = 8
	maxChapter = 32
)

// phase names the part of the seed walkthrough a tag belongs to; "" (a step
// the seed does not cover) belongs to whatever phase is going on.
func phase(tag string) string {
	switch {
	case strings.HasPrefix(tag, "I."):
		return "watch(): who is signed in? (seed part I)"
	case strings.HasPrefix(tag, "II."):
		n, _ := strconv.Atoi(strings.TrimPrefix(tag, "II."))
		switch {
		case n <= 8:
			return "request(): up to the Firefox Accounts dialog (seed II.1–II.8)"
		case n == 9:
			return "The user signs in (seed II.9)"
		default:
			return "The answer travels back to the page (seed II.10–II.14)"
		}
	}
	return ""
}

// Chapters cuts a trace into chapters. A run of at most maxChapter steps is one
// chapter.
func Chapters(lines []trace.Line) []Chapter {
	steps := ExplainLines(lines)
	if len(steps) == 0 {
		return nil
	}
	// Where each step's arrow is among the lines; notes go with the arrow
	// before them (the first arrow for notes before any).
	arrowAt := make([]int, 0, len(steps))
	for i, l := range lines {
		if isArrow(l.Kind) {
			arrowAt = append(arrowAt, i)
		}
	}
	type cut struct {
		start int // step index
		title string
	}
	cuts := []cut{{0, phase(steps[0].Tag)}}
	current := cuts[0].title
	for i, st := range steps {
		p := phase(st.Tag)
		size := i - cuts[len(cuts)-1].start
		switch {
		case size >= maxChapter:
			cuts = append(cuts, cut{i, p})
		case p != "" && p != current && size >= minChapter:
			cuts = append(cuts, cut{i, p})
		}
		if p != "" {
			current = p
			if cuts[len(cuts)-1].title == "" {
				cuts[len(cuts)-1].title = p
			}
		}
	}
	if len(steps) <= maxChapter {
		cuts = cuts[:1]
	}
	last := -1
	for i, st := range steps {
		if st.Kind == "callback" {
			last = i
		}
	}
	var out []Chapter
	for ci, c := range cuts {
		end := len(steps)
		if ci+1 < len(cuts) {
			end = cuts[ci+1].start
		}
		from, to := arrowAt[c.start], len(lines)
		if c.start == 0 {
			from = 0
		}
		if end < len(steps) {
			to = arrowAt[end]
		}
		title := c.title
		if title == "" {
			title = "Beyond the seed walkthrough"
		}
		ch := Chapter{N: ci + 1, Title: title, First: c.start + 1, Last: end, Lines: lines[from:to], Steps: steps[c.start:end]}
		highlight := -1
		if last >= c.start && last < end {
			highlight = last - c.start
		}
		ch.Mermaid = renderMermaid(ch.Lines, ch.Steps, ch.First, highlight)
		out = append(out, ch)
	}
	// A phase split in several chapters (by size, or resumed later) numbers
	// its parts.
	count, seen := map[string]int{}, map[string]int{}
	for _, ch := range out {
		count[ch.Title]++
	}
	for i := range out {
		if n := count[out[i].Title]; n > 1 {
			seen[out[i].Title]++
			out[i].Title += fmt.Sprintf(" (%d of %d)", seen[out[i].Title], n)
		}
	}
	return out
}
