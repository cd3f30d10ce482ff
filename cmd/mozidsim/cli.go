package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/mozidsim/mozidsim/internal/cliflag"
)

// Exit statuses, the same for every command.
const (
	exitOK      = 0
	exitFail    = 1 // a scenario failed, a replay diverged, a server could not run
	exitInvalid = 2 // bad usage or input
)

// help is what `mozidsim help CMD` and `mozidsim CMD -h` print above the flags.
type help struct {
	synopsis string // after "usage: "
	about    string // what the command does, a few lines
}

var helps = map[string]help{
	"run": {"mozidsim run [flags] FILE|DIR|NAME...",
		"Runs scenario files through the whole simulated phone and prints PASS or FAIL per\n" +
			"scenario, with the first difference and every refused action. A directory runs every\n" +
			"*.yaml in it; NAME is a shipped scenario (mozidsim list).\n" +
			"Exit status: 0 all passed, 1 an expectation failed, 2 a file or step was invalid."},
	"list": {"mozidsim list",
		"Lists the shipped scenarios, one line each."},
	"replay": {"mozidsim replay [-v] TRACE.jsonl...",
		"Re-runs the scenario each recorded trace carries (same seed) and compares the two\n" +
			"runs hop by hop. Record a trace with `mozidsim run --record FILE.trace.jsonl NAME`.\n" +
			"Exit status: 0 every trace replays, 1 a trace diverged, 2 bad input."},
	"explain": {"mozidsim explain [--step] [--markdown FILE] SCENARIO|TRACE.jsonl",
		"Prints the run as numbered steps: the seed walkthrough's step tag, the historic\n" +
			"file that took the step and why (tags and files: docs/REFERENCES.md)."},
	"diagram": {"mozidsim diagram [-o FILE.mmd] SCENARIO|TRACE.jsonl\n       mozidsim diagram --states [-o DIR]",
		"Writes a Mermaid sequence diagram of the run, or (--states) every state machine."},
	"live": {"mozidsim live [--addr 127.0.0.1:8090] [--pace 700ms] SCENARIO|TRACE.jsonl",
		"Serves the run as a sequence diagram in your browser: step forward and back, jump\n" +
			"to a step, play at a pace; /?step=N links to a step."},
	"serve-fxa": {"mozidsim serve-fxa [--addr 127.0.0.1:8081] [--issuer HOST] [--no-admin]",
		"Serves the FxA auth server over HTTP (/v1 endpoints, Hawk, certificate signing), with\n" +
			"the test-only admin API that `mozidsim run --fxa-url` drives."},
	"verify-server": {"mozidsim verify-server [--addr 127.0.0.1:8082] [--fxa-url URL] [--now TIME] [flags]",
		"Serves browserid-verifier's POST /v2: {assertion, audience} in, {\"status\":\"okay\",...}\n" +
			"or {\"status\":\"failure\",\"reason\":...} out."},
	"serve-contacts": {"mozidsim serve-contacts [--addr 127.0.0.1:8443] [--dir DIR] [flags]",
		"Serves the contacts provider: POST /browserid/login provisions CardDAV credentials\n" +
			"from a Firefox Accounts assertion; /dav/ is the CardDAV server (basic auth), over TLS."},
}

// parseFlags parses a command's flags (anywhere among its arguments) the same
// way for every command: -h and --help print the usage to stdout and exit 0; a
// bad flag is reported on its own line with a pointer to the usage, exit 2.
// ok is false when the command must return code at once.
func parseFlags(name string, fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (pos []string, code int, ok bool) {
	fs.SetOutput(io.Discard) // errors are reported below, once
	fs.Usage = func() {}
	pos, err := cliflag.Parse(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(stdout, name, fs)
		return nil, exitOK, false
	}
	if err != nil {
		return nil, usageError(stderr, name, err.Error()), false
	}
	return pos, exitOK, true
}

// usageError reports bad usage on its own line and returns exitInvalid.
func usageError(stderr io.Writer, name, msg string) int {
	fmt.Fprintf(stderr, "mozidsim %s: %s\nusage: %s\n(mozidsim help %s explains every flag)\n", name, msg, helps[name].synopsis, name)
	return exitInvalid
}

// printUsage prints a command's synopsis, description and flags.
func printUsage(w io.Writer, name string, fs *flag.FlagSet) {
	h := helps[name]
	fmt.Fprintf(w, "usage: %s\n\n%s\n", h.synopsis, h.about)
	if fs == nil {
		return
	}
	var flags strings.Builder
	fs.SetOutput(&flags)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	if flags.Len() > 0 {
		fmt.Fprintf(w, "\nflags:\n%s", flags.String())
	}
}
