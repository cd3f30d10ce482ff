package scenarios

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mozidsim/mozidsim/contacts/devicephone"
	contactscenario "github.com/mozidsim/mozidsim/contacts/scenario"
	"github.com/mozidsim/mozidsim/internal/cliflag"
	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/sim"
	contactfiles "github.com/mozidsim/mozidsim/scenarios/contacts"
	"github.com/mozidsim/mozidsim/trace"
)

// Exit codes of `mozidsim run`.
const (
	ExitPass    = 0
	ExitFail    = 1 // an expectation failed
	ExitInvalid = 2 // a file or step was invalid, or bad usage
)

// RunMain is `mozidsim run [-v] [--trace] [--record FILE] [--fxa-url URL]
// [--seed N] FILE|DIR|NAME...`. Each scenario prints PASS or FAIL with a diff;
// the exit status is the worst of them.
func RunMain(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("mozidsim run", flag.ContinueOnError)
	fl.SetOutput(stderr)
	verbose := fl.Bool("v", false, "print each app's callback log")
	showTrace := fl.Bool("trace", false, "print every message hop")
	record := fl.String("record", "", "write the run's trace (JSON Lines, mozidsim-trace/1) to `FILE`; one scenario only")
	fxaURL := fl.String("fxa-url", "", "run against the FxA auth server at `URL` (mozidsim serve-fxa) instead of the in-memory one")
	seed := fl.Uint64("seed", 0, "override the scenarios' seeds")
	eraFlag := fl.String("era", "", "run scenarios whose file names no `era` (2014 or 2015; default 2015) in this one; a file's own era: wins")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: mozidsim run [flags] FILE|DIR|NAME...\n\nRuns scenario files (a directory runs every *.yaml in it; NAME is a shipped scenario).")
		fl.PrintDefaults()
	}
	files, err := cliflag.Parse(fl, args)
	if errors.Is(err, flag.ErrHelp) {
		return ExitPass
	} else if err != nil {
		return ExitInvalid
	}
	if len(files) == 0 {
		fl.Usage()
		return ExitInvalid
	}
	var runEra era.Era
	if *eraFlag != "" {
		if runEra, err = era.Parse(*eraFlag); err != nil {
			fmt.Fprintf(stderr, "mozidsim run: --era: %v\n", err)
			return ExitInvalid
		}
	}
	var paths []string
	for _, f := range files {
		if st, err := os.Stat(f); err == nil && st.IsDir() {
			matches, _ := filepath.Glob(filepath.Join(f, "*.yaml"))
			if len(matches) == 0 {
				fmt.Fprintf(stderr, "mozidsim run: %s: no *.yaml files\n", f)
				return ExitInvalid
			}
			paths = append(paths, matches...)
			continue
		}
		paths = append(paths, f)
	}
	if *record != "" && len(paths) != 1 {
		fmt.Fprintf(stderr, "mozidsim run: --record takes one scenario, got %d\n", len(paths))
		return ExitInvalid
	}
	worst := ExitPass
	for _, p := range paths {
		code := runOne(p, runFlags{verbose: *verbose, trace: *showTrace, record: *record, fxaURL: *fxaURL, seed: *seed, era: runEra}, stdout, stderr)
		worst = max(worst, code)
	}
	return worst
}

type runFlags struct {
	verbose, trace bool
	record, fxaURL string
	seed           uint64
	era            era.Era
}

func runOne(name string, f runFlags, stdout, stderr io.Writer) int {
	file, source, err := Load(name)
	if err != nil {
		fmt.Fprintf(stdout, "FAIL %s\n    %v\n", name, err)
		return ExitInvalid
	}
	if contactscenario.IsContactsScenario(source) {
		if f.record != "" || f.fxaURL != "" || f.seed != 0 || f.era != "" {
			fmt.Fprintf(stdout, "FAIL %s\n    a contacts scenario: --record, --fxa-url, --seed and --era do not apply to it\n", file)
			return ExitInvalid
		}
		// Phones on internal/device: the backup's assertions come from the real
		// FxAccountsManager, FxAccounts and FxA auth server.
		return contactscenario.RunFileWith(file, source, contactscenario.Options{Verbose: f.verbose, Trace: f.trace, NewPhone: devicephone.Phone}, stdout)
	}
	sc, err := Parse(file, source)
	if err != nil {
		fmt.Fprintf(stdout, "FAIL %s\n%s\n", file, indent(err.Error(), "    "))
		return ExitInvalid
	}
	res, err := Run(sc, Options{Seed: f.seed, FxAURL: f.fxaURL, Era: f.era})
	if err != nil {
		fmt.Fprintf(stdout, "FAIL %s\n%s\n", sc.Name, indent(err.Error(), "    "))
		return ExitInvalid
	}
	if f.trace {
		fmt.Fprintf(stdout, "== %s: trace\n", sc.Name)
		for _, l := range trace.Encode(sim.Epoch, res.Events) {
			fmt.Fprintln(stdout, "  "+trace.Summary(l))
		}
	}
	if f.record != "" {
		if err := writeRecording(f.record, sc, file, source, res); err != nil {
			fmt.Fprintf(stderr, "mozidsim run: --record: %v\n", err)
			return ExitInvalid
		}
	}
	// The era is named when it is not the default one, so that 2015 output
	// stays as it was.
	label := sc.Name
	if res.Era != era.Default {
		label += " (era " + res.Era.String() + ")"
	}
	if res.Pass() {
		fmt.Fprintf(stdout, "PASS %s\n", label)
	} else {
		fmt.Fprintf(stdout, "FAIL %s\n", label)
		for _, p := range res.Problems {
			fmt.Fprintln(stdout, indent(p, "    "))
		}
	}
	if f.verbose || !sc.HasExpect {
		writeLogs(stdout, res)
	}
	if res.Pass() {
		return ExitPass
	}
	return ExitFail
}

func writeRecording(path string, sc *Scenario, file string, source []byte, res *Result) error {
	t := trace.NewTrace(sc.Name, file, source, res.Seed, res.Events)
	t.Header.Era = res.Era.String()
	return trace.WriteFile(path, t)
}

// writeLogs prints every app's callback log.
func writeLogs(w io.Writer, res *Result) {
	for _, a := range res.Scenario.Apps {
		lines := res.Lines(a.Name)
		if len(lines) == 0 {
			fmt.Fprintf(w, "    %s: (nothing)\n", a.Name)
			continue
		}
		pad := strings.Repeat(" ", len(a.Name)+2)
		for i, l := range lines {
			if i == 0 {
				fmt.Fprintf(w, "    %s: %s\n", a.Name, l)
			} else {
				fmt.Fprintf(w, "    %s%s\n", pad, l)
			}
		}
	}
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

// ListMain is `mozidsim list`: every shipped scenario with a one-line summary.
func ListMain(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "usage: mozidsim list")
		return ExitInvalid
	}
	lib, err := Library()
	if err != nil {
		fmt.Fprintf(stderr, "mozidsim list: %v\n", err)
		return ExitInvalid
	}
	width := 0
	for _, s := range lib {
		width = max(width, len(s.Name))
	}
	// The era column is the era a scenario runs in: its file's era:, or the
	// default (which run --era changes for those files only).
	fmt.Fprintln(stdout, "mozId scenarios (mozidsim run NAME, mozidsim explain NAME), with the era each runs in:")
	for _, s := range lib {
		fmt.Fprintf(stdout, "  %-*s  %s  %s\n", width, s.Name, era.Of(s.Era), Summary(s.About))
	}
	entries, err := contactfiles.Files.ReadDir(".")
	if err != nil {
		fmt.Fprintf(stderr, "mozidsim list: %v\n", err)
		return ExitInvalid
	}
	fmt.Fprintln(stdout, "\ncontacts backup scenarios (mozidsim run scenarios/contacts/FILE.yaml):")
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	for _, n := range names {
		data, _ := contactfiles.Files.ReadFile(n)
		fmt.Fprintf(stdout, "  %-*s  %s  %s\n", width, strings.TrimSuffix(n, ".yaml"), era.Default, Summary(aboutOf(data)))
	}
	return ExitPass
}

// aboutOf reads a contacts scenario's description without its full format.
func aboutOf(data []byte) string {
	var head struct {
		About       string `yaml:"about"`
		Description string `yaml:"description"`
	}
	_ = yaml.Unmarshal(data, &head)
	return head.About + head.Description
}
