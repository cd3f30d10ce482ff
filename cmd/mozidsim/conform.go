package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mozidsim/mozidsim/conform"
	"github.com/mozidsim/mozidsim/internal/cliflag"
	"github.com/mozidsim/mozidsim/webphone"
)

const conformUsage = `usage: mozidsim conform RP.yaml [--module ID]... [--jsonl FILE] [--junit FILE]
                        [--expected-failures FILE] [--era 2014|2015] [--chromium PATH]
                        [--addr ADDR] [--list] [-v]

Runs the conformance plan against a relying party in headless Chromium, with
the simulated phone of 'mozidsim serve' (a fresh one per module). RP.yaml:

  name: shop                       # required
  start: go run .                  # optional: sh -c in RP.yaml's folder, with PORT and MOZIDSIM_URL
  url: http://127.0.0.1:${PORT}/   # the page to open (required)
  kind: privileged                 # certified | privileged | web | browser
  login: "#login"                  # CSS selector clicked to sign in (required)
  logout: "#logout"                # CSS selector clicked to sign out (optional)
  signedIn: "#email"               # CSS selector whose text is the signed-in email (required)

Prints one line per module (PASSED, FAILED, WARNING, REVIEW or SKIPPED) and a
summary. Exit status: 0 nothing FAILED unexpectedly, 1 something did, 2 invalid
input (bad RP.yaml, RP not answering, no Chromium).

`

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// conformMain is `mozidsim conform`.
func conformMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("mozidsim conform", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() {} // -h prints to stdout below; a bad flag prints the usage to stderr
	usageTo := func(w io.Writer) {
		fmt.Fprint(w, conformUsage)
		fl.SetOutput(w)
		fl.PrintDefaults()
		fl.SetOutput(stderr)
	}
	var modules multiFlag
	fl.Var(&modules, "module", "run only this module (repeatable)")
	jsonl := fl.String("jsonl", "", "write a JSON Lines report to FILE (one line per condition, per module, then the summary)")
	junit := fl.String("junit", "", "write a JUnit XML report to FILE (one testcase per module)")
	expected := fl.String("expected-failures", "", "YAML list of {module, condition, result, comment} known to fail")
	era := fl.String("era", "2015", "the phone's era: 2015, or 2014 (the spring-2014 stack; the page shim is then D-early's navigator.mozId)")
	chromium := fl.String("chromium", "", "Chromium binary (default /usr/bin/chromium, or chromium on PATH)")
	addr := fl.String("addr", "", "where MOZIDSIM_URL listens (default: a free loopback port; 127.0.0.1:8090 when RP.yaml has no start)")
	list := fl.Bool("list", false, "list the plan's modules and exit")
	verbose := fl.Bool("v", false, "show the RP's own output")
	// Flags may follow RP.yaml, as the usage line shows.
	files, err := cliflag.Parse(fl, args)
	if errors.Is(err, flag.ErrHelp) {
		usageTo(stdout)
		return 0
	} else if err != nil {
		usageTo(stderr)
		return 2
	}
	plan := conform.BuiltinPlan()
	if *list {
		for _, m := range plan.Modules {
			fmt.Fprintf(stdout, "%-26s %s\n", m.ID, m.Summary)
		}
		return 0
	}
	if len(files) != 1 {
		fmt.Fprintf(stderr, "mozidsim conform: want one RP.yaml, got %d\n\n", len(files))
		usageTo(stderr)
		return 2
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "mozidsim conform: "+format+"\n", a...)
		return 2
	}
	rp, err := conform.LoadRP(files[0])
	if err != nil {
		return bad("%v", err)
	}
	if plan, err = plan.Select(modules); err != nil {
		return bad("%v", err)
	}
	if *era != "2015" && *era != "2014" {
		return bad("--era %q: want 2014 or 2015", *era)
	}
	// Ask the phone itself whether it simulates the era, before starting the
	// RP and Chromium.
	probe, err := webphone.New(webphone.Config{Era: *era})
	if err != nil {
		return bad("--era %s: %v", *era, err)
	}
	_ = probe.Close()
	opts := conform.Options{Era: *era, Chromium: *chromium, Addr: *addr, Phone: conform.WebPhones(version),
		Reporters: []conform.Reporter{conform.Console{W: stdout}}}
	if *expected != "" {
		ef, err := conform.LoadExpectedFailures(*expected, conform.BuiltinPlan())
		if err != nil {
			return bad("%v", err)
		}
		opts.Expected = ef
	}
	var closers []func() error
	for _, r := range []struct {
		path string
		mk   func(io.Writer) conform.Reporter
	}{{*jsonl, func(w io.Writer) conform.Reporter { return conform.JSONLines{W: w} }}, {*junit, func(w io.Writer) conform.Reporter { return &conform.JUnit{W: w} }}} {
		if r.path == "" {
			continue
		}
		f, err := os.Create(r.path)
		if err != nil {
			return bad("%v", err)
		}
		closers = append(closers, f.Close)
		opts.Reporters = append(opts.Reporters, r.mk(f))
	}
	var rpOut io.Writer
	if *verbose {
		rpOut = stderr
	}
	sum, err := conform.RunRP(ctx, rp, plan, opts, rpOut)
	for _, c := range closers {
		if cerr := c(); cerr != nil && err == nil {
			err = cerr
		}
	}
	switch {
	case ctx.Err() != nil:
		return bad("interrupted; the RP and Chromium were stopped")
	case err != nil:
		return bad("%v", err)
	case sum.Unexpected > 0:
		return 1
	}
	return 0
}
