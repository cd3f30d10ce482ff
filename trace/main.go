package trace

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/mozidsim/mozidsim/internal/cliflag"
)

// Exit codes of the Main functions.
const (
	ExitOK    = 0
	ExitDiff  = 1 // replay: a trace no longer replays
	ExitError = 2 // bad usage, unreadable file, scenario that cannot run
)

// ReplayMain is `mozidsim replay [-v] FILE.trace.jsonl...`: re-run each recorded
// scenario and compare hop by hop. It prints PASS per file, or the first
// diverging hop with context, and returns ExitDiff if any trace diverged.
func ReplayMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	verbose := fs.Bool("v", false, "also print the replayed trace, one line per event")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: mozidsim replay [-v] FILE.trace.jsonl...")
		fmt.Fprintln(stderr, "Re-runs the scenario each trace recorded and compares the runs hop by hop.")
		fs.PrintDefaults()
	}
	files, err := cliflag.Parse(fs, args)
	if err != nil {
		return ExitError
	}
	if len(files) == 0 {
		fs.Usage()
		return ExitError
	}
	code := ExitOK
	for _, path := range files {
		t, err := ReadFile(path)
		if err != nil {
			fmt.Fprintf(stderr, "replay: %v\n", err)
			return ExitError
		}
		diff, got, err := Scenarios.Replay(t)
		if err != nil {
			fmt.Fprintf(stderr, "replay %s: %v\n", path, err)
			return ExitError
		}
		if *verbose {
			for _, l := range got.Lines {
				fmt.Fprintln(stdout, Summary(l))
			}
		}
		if diff != nil {
			fmt.Fprintf(stdout, "FAIL %s (scenario %s, seed %d)\n%s", path, t.Header.Scenario, t.Header.Seed, diff)
			code = ExitDiff
			continue
		}
		fmt.Fprintf(stdout, "PASS %s (scenario %s, %d events)\n", path, t.Header.Scenario, len(t.Lines))
	}
	return code
}

// ExplainMain is `mozidsim explain [--step] [--markdown FILE] SCENARIO`: the run
// as numbered steps in plain words. SCENARIO is a shipped scenario's name, a
// scenario file, or a recorded .jsonl trace. --step waits for Enter between steps
// (q quits); --markdown writes a document with the explanation and the diagram
// ("-" for standard output).
func ExplainMain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	step := fs.Bool("step", false, "wait for Enter between steps (a terminal walk-through; q quits)")
	markdown := fs.String("markdown", "", "write a Markdown document with the explanation and the diagram to this file (- for stdout)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: mozidsim explain [--step] [--markdown FILE] SCENARIO|TRACE.jsonl")
		fs.PrintDefaults()
	}
	pos, err := cliflag.Parse(fs, args)
	if err != nil {
		return ExitError
	}
	if len(pos) != 1 {
		fs.Usage()
		return ExitError
	}
	t, err := traceFor(pos[0])
	if err != nil {
		fmt.Fprintf(stderr, "explain: %v\n", err)
		return ExitError
	}
	if *markdown != "" {
		if err := writeOut(*markdown, stdout, Markdown(t)); err != nil {
			fmt.Fprintf(stderr, "explain: %v\n", err)
			return ExitError
		}
		return ExitOK
	}
	steps := ExplainLines(t.Lines)
	if !*step {
		if err := WriteExplanation(stdout, t.Header.Title(), steps); err != nil {
			fmt.Fprintf(stderr, "explain: %v\n", err)
			return ExitError
		}
		return ExitOK
	}
	fmt.Fprintf(stdout, "%s: %d steps. Enter shows the next step, q quits.\n\n", t.Header.Title(), len(steps))
	in := bufio.NewReader(stdin)
	waiting := true
	for i, st := range steps {
		fmt.Fprint(stdout, FormatStep(st))
		if !waiting || i == len(steps)-1 {
			continue
		}
		fmt.Fprint(stdout, "-- Enter: next, q: quit -- ")
		line, err := in.ReadString('\n')
		fmt.Fprintln(stdout)
		if strings.TrimSpace(line) == "q" {
			return ExitOK
		}
		if err != nil { // no more input: show the rest without waiting
			waiting = false
		}
	}
	return ExitOK
}

// DiagramMain is `mozidsim diagram [-o FILE] SCENARIO` (a Mermaid
// sequenceDiagram of the run) and `mozidsim diagram --states [-o DIR]` (every
// state machine as a Mermaid stateDiagram: Markdown on stdout, or one .mmd file
// per machine in DIR).
func DiagramMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("diagram", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "write to this file (with --states: this directory) instead of stdout")
	states := fs.Bool("states", false, "draw the state machines instead of a run")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: mozidsim diagram [-o FILE.mmd] SCENARIO|TRACE.jsonl")
		fmt.Fprintln(stderr, "       mozidsim diagram --states [-o DIR]")
		fs.PrintDefaults()
	}
	pos, err := cliflag.Parse(fs, args)
	if err != nil {
		return ExitError
	}
	if *states {
		if len(pos) != 0 {
			fs.Usage()
			return ExitError
		}
		if err := writeStates(*out, stdout); err != nil {
			fmt.Fprintf(stderr, "diagram: %v\n", err)
			return ExitError
		}
		return ExitOK
	}
	if len(pos) != 1 {
		fs.Usage()
		return ExitError
	}
	t, err := traceFor(pos[0])
	if err != nil {
		fmt.Fprintf(stderr, "diagram: %v\n", err)
		return ExitError
	}
	// The front matter titles the drawing with the scenario and its era.
	diagram := "---\ntitle: " + t.Header.Title() + "\n---\n" + MermaidLines(t.Lines)
	if err := writeOut(*out, stdout, diagram); err != nil {
		fmt.Fprintf(stderr, "diagram: %v\n", err)
		return ExitError
	}
	return ExitOK
}

func writeStates(dir string, stdout io.Writer) error {
	machines, err := StateMachines()
	if err != nil {
		return err
	}
	if dir == "" {
		_, err := io.WriteString(stdout, StateDiagramsMarkdown(machines))
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, m := range machines {
		if err := os.WriteFile(filepath.Join(dir, m.Name+".mmd"), []byte(m.Mermaid), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// traceFor reads a recorded trace (a .jsonl file) or records a scenario run.
func traceFor(arg string) (Trace, error) {
	if strings.HasSuffix(arg, ".jsonl") {
		return ReadFile(arg)
	}
	return Scenarios.Record(arg)
}

// ReadFile reads a trace file; errors name the file.
func ReadFile(path string) (Trace, error) {
	f, err := os.Open(path)
	if err != nil {
		return Trace{}, err
	}
	defer f.Close()
	t, err := ReadJSONL(f)
	if err != nil {
		return Trace{}, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

func writeOut(path string, stdout io.Writer, text string) error {
	if path == "" || path == "-" {
		_, err := io.WriteString(stdout, text)
		return err
	}
	return os.WriteFile(path, []byte(text), 0o644)
}

// WriteFile writes a trace file, making its directory if need be.
func WriteFile(path string, t Trace) error {
	var buf bytes.Buffer
	if err := WriteLines(&buf, t.Header, t.Lines); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
