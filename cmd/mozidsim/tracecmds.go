package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mozidsim/mozidsim/internal/cliflag"
	httpserve "github.com/mozidsim/mozidsim/internal/serve"
	"github.com/mozidsim/mozidsim/trace"
	"github.com/mozidsim/mozidsim/trace/explain"
	"github.com/mozidsim/mozidsim/trace/live"
)

// replayCmd is `mozidsim replay [-v] FILE.trace.jsonl...`: re-run each recorded
// scenario and compare hop by hop. It prints PASS per file, or the first
// diverging hop with context, and returns exitFail if any trace diverged.
func replayCmd(lib trace.Library, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	verbose := fs.Bool("v", false, "also print the replayed trace, one line per event")
	files, code, ok := parseFlags("replay", fs, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(files) == 0 {
		return usageError(stderr, "replay", "no trace file given")
	}
	code = exitOK
	for _, path := range files {
		t, err := trace.ReadFile(path)
		if err != nil {
			fmt.Fprintf(stderr, "mozidsim replay: %v\n", err)
			return exitInvalid
		}
		diff, got, err := lib.Replay(t)
		if err != nil {
			fmt.Fprintf(stderr, "mozidsim replay %s: %v\n", path, err)
			return exitInvalid
		}
		if *verbose {
			for _, l := range got.Lines {
				fmt.Fprintln(stdout, trace.Summary(l))
			}
		}
		if diff != nil {
			fmt.Fprintf(stdout, "FAIL %s (scenario %s, seed %d)\n%s", path, t.Header.Scenario, t.Header.Seed, diff)
			code = exitFail
			continue
		}
		fmt.Fprintf(stdout, "PASS %s (scenario %s, %d events)\n", path, t.Header.Scenario, len(t.Lines))
	}
	return code
}

// explainCmd is `mozidsim explain [--step] [--markdown FILE] SCENARIO`: the run
// as numbered steps in plain words. --step waits for Enter between steps (q
// quits); --markdown writes a document with the explanation and the diagram
// ("-" for standard output).
func explainCmd(lib trace.Library, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	step := fs.Bool("step", false, "wait for Enter between steps (a terminal walk-through; q quits)")
	markdown := fs.String("markdown", "", "write a Markdown document with the explanation and the diagram to this `FILE` (- for stdout)")
	pos, code, ok := parseFlags("explain", fs, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return usageError(stderr, "explain", fmt.Sprintf("want one scenario or trace, got %d", len(pos)))
	}
	t, err := lib.TraceFor(pos[0])
	if err != nil {
		fmt.Fprintf(stderr, "mozidsim explain: %v\n", err)
		return exitInvalid
	}
	if *markdown != "" {
		if err := writeOut(*markdown, stdout, explain.Markdown(t)); err != nil {
			fmt.Fprintf(stderr, "mozidsim explain: %v\n", err)
			return exitInvalid
		}
		return exitOK
	}
	steps := explain.ExplainLines(t.Lines)
	if !*step {
		if err := explain.WriteExplanation(stdout, t.Header.Title(), steps); err != nil {
			fmt.Fprintf(stderr, "mozidsim explain: %v\n", err)
			return exitInvalid
		}
		return exitOK
	}
	fmt.Fprintf(stdout, "%s: %d steps. Enter shows the next step, q quits.\n\n", t.Header.Title(), len(steps))
	in := bufio.NewReader(stdin)
	waiting := true
	for i, st := range steps {
		fmt.Fprint(stdout, explain.FormatStep(st))
		if !waiting || i == len(steps)-1 {
			continue
		}
		fmt.Fprint(stdout, "-- Enter: next, q: quit -- ")
		line, err := in.ReadString('\n')
		fmt.Fprintln(stdout)
		if strings.TrimSpace(line) == "q" {
			return exitOK
		}
		if err != nil { // no more input: show the rest without waiting
			waiting = false
		}
	}
	return exitOK
}

// diagramCmd is `mozidsim diagram [-o FILE] SCENARIO` (a Mermaid
// sequenceDiagram of the run) and `mozidsim diagram --states [-o DIR]` (every
// state machine: Markdown on stdout, or one .mmd file per machine in DIR).
func diagramCmd(lib trace.Library, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("diagram", flag.ContinueOnError)
	out := fs.String("o", "", "write to this `FILE` (with --states: this directory) instead of stdout")
	states := fs.Bool("states", false, "draw the state machines instead of a run")
	pos, code, ok := parseFlags("diagram", fs, args, stdout, stderr)
	if !ok {
		return code
	}
	if *states {
		if len(pos) != 0 {
			return usageError(stderr, "diagram", "--states takes no scenario")
		}
		if err := writeStates(*out, stdout); err != nil {
			fmt.Fprintf(stderr, "mozidsim diagram: %v\n", err)
			return exitInvalid
		}
		return exitOK
	}
	if len(pos) != 1 {
		return usageError(stderr, "diagram", fmt.Sprintf("want one scenario or trace, got %d", len(pos)))
	}
	t, err := lib.TraceFor(pos[0])
	if err != nil {
		fmt.Fprintf(stderr, "mozidsim diagram: %v\n", err)
		return exitInvalid
	}
	// The front matter titles the drawing with the scenario and its era.
	diagram := "---\ntitle: " + t.Header.Title() + "\n---\n" + explain.MermaidLines(t.Lines)
	if err := writeOut(*out, stdout, diagram); err != nil {
		fmt.Fprintf(stderr, "mozidsim diagram: %v\n", err)
		return exitInvalid
	}
	return exitOK
}

func writeStates(dir string, stdout io.Writer) error {
	machines, err := explain.StateMachines()
	if err != nil {
		return err
	}
	if dir == "" {
		_, err := io.WriteString(stdout, explain.StateDiagramsMarkdown(machines))
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

func writeOut(path string, stdout io.Writer, text string) error {
	if path == "" || path == "-" {
		_, err := io.WriteString(stdout, text)
		return err
	}
	return os.WriteFile(path, []byte(text), 0o644)
}

// liveCmd is `mozidsim live [--addr ADDR] [--pace D] SCENARIO|TRACE.jsonl`:
// serve the live view until ctx ends. ready, when not nil, receives the address.
func liveCmd(ctx context.Context, lib trace.Library, args []string, stdout, stderr io.Writer, ready chan<- string) int {
	fs := flag.NewFlagSet("live", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8090", "`ADDR`ess to serve the live view on")
	pace := cliflag.DurationValue{D: 700 * time.Millisecond, Example: "700ms"}
	fs.Var(&pace, "pace", "time between two messages while playing, e.g. 700ms or 2s")
	pos, code, ok := parseFlags("live", fs, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return usageError(stderr, "live", fmt.Sprintf("want one scenario or trace, got %d", len(pos)))
	}
	t, err := lib.TraceFor(pos[0])
	if err != nil {
		fmt.Fprintf(stderr, "mozidsim live: %v\n", err)
		return exitInvalid
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "mozidsim live: %v\n", err)
		return exitFail
	}
	fmt.Fprintf(stdout, "live view of %s (%d steps): open http://%s/\n", t.Header.Title(), len(explain.ExplainLines(t.Lines)), ln.Addr())
	if ready != nil {
		ready <- ln.Addr().String()
	}
	if err := httpserve.Until(ctx, ln, live.Handler(t, pace.D)); err != nil {
		fmt.Fprintf(stderr, "mozidsim live: %v\n", err)
		return exitFail
	}
	return exitOK
}
