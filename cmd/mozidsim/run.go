package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/mozidsim/mozidsim/internal/cliflag"
	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/scenarios"
	"github.com/mozidsim/mozidsim/trace"
)

// adminTokenEnv names the environment variable run --fxa-url and serve-fxa
// take the admin token from when --admin-token is not given.
const adminTokenEnv = "MOZIDSIM_ADMIN_TOKEN"

type runFlags struct {
	verbose, trace bool
	record, fxaURL string
	adminToken     string
	contacts       *scenarios.ContactsRemote // --contacts-url
	seed           uint64
	era            era.Era
	parallel       int
	shard          shard
	junit, json    string
}

// runCmd is `mozidsim run [-v] [--trace] [--record FILE] [--fxa-url URL]
// [--seed N] FILE|DIR|NAME...`. Each scenario prints PASS or FAIL with its
// problems; the exit status is the worst of them.
func runCmd(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("run", flag.ContinueOnError)
	var f runFlags
	fxaURL := cliflag.URLValue{Example: "http://127.0.0.1:8081"}
	fl.BoolVar(&f.verbose, "v", false, "print each app's callback log")
	fl.BoolVar(&f.trace, "trace", false, "print every message hop")
	fl.StringVar(&f.record, "record", "", "write the run's trace (JSON Lines, mozidsim-trace/1) to `FILE`; one scenario only")
	fl.Var(&fxaURL, "fxa-url", "run against the FxA auth server at `URL` (mozidsim serve-fxa) instead of the in-memory one")
	fl.Uint64Var(&f.seed, "seed", 0, "override the scenarios' seeds")
	eraFlag := fl.String("era", "", "run scenarios whose file names no `era` (2014 or 2015; default 2015) in this one; a file's own era: wins")
	fl.StringVar(&f.adminToken, "admin-token", "", "the admin token `mozidsim serve-fxa` (or serve-contacts) printed at start, for --fxa-url and --contacts-url (default $"+adminTokenEnv+")")
	contactsURL := cliflag.URLValue{Example: "https://127.0.0.1:8443"}
	fl.Var(&contactsURL, "contacts-url", "run contacts scenarios against the provider at `URL` (mozidsim serve-contacts), each in a run of its own, instead of one in this process")
	contactsCA := fl.String("contacts-ca", "", "the certificate `FILE` to trust for --contacts-url (serve-contacts' --cert-out, or its --dir/tls-cert.pem)")
	fl.IntVar(&f.parallel, "parallel", runtime.NumCPU(), "run up to `N` scenarios at once (output stays in file order)")
	fl.Var(&f.shard, "shard", "run only shard `I/N` of the scenarios (1 <= I <= N), a stable partition by scenario name for CI matrix jobs")
	fl.StringVar(&f.junit, "junit", "", "write a JUnit XML report to `FILE` (one testcase per scenario)")
	fl.StringVar(&f.json, "json", "", "write a JSON report to `FILE` (one entry per scenario)")
	files, code, ok := parseFlags("run", fl, args, stdout, stderr)
	if !ok {
		return code
	}
	f.fxaURL = fxaURL.URL
	if *eraFlag != "" {
		e, err := era.Parse(*eraFlag)
		if err != nil {
			fmt.Fprintf(stderr, "mozidsim run: --era: %v\n", err)
			return exitInvalid
		}
		f.era = e
	}
	if len(files) == 0 {
		return usageError(stderr, "run", "no scenario given")
	}
	var paths []string
	for _, p := range files {
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			matches, _ := filepath.Glob(filepath.Join(p, "*.yaml"))
			if len(matches) == 0 {
				fmt.Fprintf(stderr, "mozidsim run: %s: no *.yaml files\n", p)
				return exitInvalid
			}
			paths = append(paths, matches...)
			continue
		}
		paths = append(paths, p)
	}
	if f.record != "" && len(paths) != 1 {
		return usageError(stderr, "run", fmt.Sprintf("--record takes one scenario, got %d", len(paths)))
	}
	if f.adminToken == "" {
		f.adminToken = os.Getenv(adminTokenEnv)
	}
	if f.fxaURL != "" && f.adminToken == "" {
		fmt.Fprintf(stderr, "mozidsim run: --fxa-url needs the server's admin token: pass the one serve-fxa printed with --admin-token or set %s\n", adminTokenEnv)
		return exitInvalid
	}
	if contactsURL.URL != "" {
		if f.adminToken == "" {
			fmt.Fprintf(stderr, "mozidsim run: --contacts-url needs the server's admin token: pass the one serve-contacts printed with --admin-token or set %s\n", adminTokenEnv)
			return exitInvalid
		}
		f.contacts = &scenarios.ContactsRemote{URL: contactsURL.URL, AdminToken: f.adminToken}
		if *contactsCA != "" {
			pem, err := os.ReadFile(*contactsCA)
			if err != nil {
				fmt.Fprintf(stderr, "mozidsim run: --contacts-ca: %v\n", err)
				return exitInvalid
			}
			f.contacts.CertPEM = pem
		}
	} else if *contactsCA != "" {
		return usageError(stderr, "run", "--contacts-ca goes with --contacts-url")
	}
	if f.parallel < 1 {
		return usageError(stderr, "run", fmt.Sprintf("--parallel %d: want at least 1", f.parallel))
	}
	if f.shard.n > 0 {
		paths = f.shard.pick(paths)
	}
	return runAll(paths, f, stdout, stderr)
}

// runOne runs one scenario and writes what `mozidsim run` prints for it to
// stdout; the report gets its name, outcome and failure text.
func runOne(name string, f runFlags, stdout, stderr io.Writer, rep *caseReport) int {
	file, source, err := scenarios.Load(name)
	if err != nil {
		fmt.Fprintf(stdout, "FAIL %s\n    %v\n", name, err)
		rep.failure = err.Error()
		return exitInvalid
	}
	rep.file = file
	rep.contacts = scenarios.KindOf(source) == scenarios.KindContacts
	sc, err := scenarios.Parse(file, source)
	if err != nil {
		fmt.Fprintf(stdout, "FAIL %s\n%s\n", file, indent(err.Error(), "    "))
		rep.failure = err.Error()
		return exitInvalid
	}
	rep.name = sc.Name
	opts := scenarios.Options{Seed: f.seed, FxAURL: f.fxaURL, FxAAdminToken: f.adminToken, Era: f.era, ContactsProvider: f.contacts}
	if f.verbose && rep.contacts {
		opts.Progress = stdout
	}
	res, err := scenarios.Run(sc, opts)
	if err != nil {
		fmt.Fprintf(stdout, "FAIL %s\n%s\n", sc.Name, indent(err.Error(), "    "))
		rep.failure = err.Error()
		return exitInvalid
	}
	if f.trace {
		fmt.Fprintf(stdout, "== %s: trace\n", sc.Name)
		for _, l := range trace.Encode(sim.Epoch, res.Events) {
			fmt.Fprintln(stdout, "  "+trace.Summary(l))
		}
	}
	if f.record != "" {
		t := trace.NewTrace(sc.Name, file, source, res.Seed, res.Events)
		t.Header.Version = version
		t.Header.Era = res.Era.String()
		if err := trace.WriteFile(f.record, t); err != nil {
			fmt.Fprintf(stderr, "mozidsim run: --record: %v\n", err)
			return exitInvalid
		}
	}
	// The era is named when it is not the default one, so 2015 output stays as it was.
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
		rep.failure = strings.Join(res.Problems, "\n")
	}
	if rep.contacts && f.verbose {
		writeBackupLogs(stdout, res)
	} else if f.verbose || !sc.HasExpect {
		writeLogs(stdout, res)
	}
	if res.Pass() {
		return exitOK
	}
	return exitFail
}

// writeLogs prints every app's callback log.
func writeLogs(w io.Writer, res *scenarios.Result) {
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

// writeBackupLogs prints each phone's contacts backup log.
func writeBackupLogs(w io.Writer, res *scenarios.Result) {
	for _, d := range res.Scenario.Contacts.Devices {
		fmt.Fprintf(w, "    -- %s log (virtual time since the start)\n", d.Name)
		for _, l := range res.BackupLogs[d.Name] {
			fmt.Fprintf(w, "    %8s  %s\n", "+"+l.At.Sub(sim.Epoch).String(), l.Text)
		}
	}
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

// listCmd is `mozidsim list`: every shipped scenario with a one-line summary.
func listCmd(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("list", flag.ContinueOnError)
	pos, code, ok := parseFlags("list", fl, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return usageError(stderr, "list", fmt.Sprintf("unexpected argument %q", pos[0]))
	}
	lib, err := scenarios.Library()
	if err != nil {
		fmt.Fprintf(stderr, "mozidsim list: %v\n", err)
		return exitInvalid
	}
	width := 0
	for _, s := range lib {
		width = max(width, len(s.Name))
	}
	// The era column is the era a scenario runs in: its file's era:, or the
	// default (which run --era changes for those files only).
	fmt.Fprintln(stdout, "mozId scenarios (mozidsim run NAME, mozidsim explain NAME), with the era each runs in:")
	for _, s := range lib {
		if s.Kind == scenarios.KindMozID {
			fmt.Fprintf(stdout, "  %-*s  %s  %s\n", width, s.Name, era.Of(s.Era), scenarios.Summary(s.About))
		}
	}
	fmt.Fprintln(stdout, "\ncontacts backup scenarios (kind: contacts; every command takes them too):")
	for _, s := range lib {
		if s.Kind == scenarios.KindContacts {
			fmt.Fprintf(stdout, "  %-*s  %s  %s\n", width, s.Name, era.Of(s.Era), scenarios.Summary(s.About))
		}
	}
	return exitOK
}
