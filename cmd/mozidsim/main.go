// Command mozidsim runs the Firefox OS navigator.mozId simulator: scenario files
// through the whole actor chain (run, list), recorded traces (replay, explain,
// diagram) and the servers a relying party's backend can be tested against
// (serve-fxa, verify-server, serve-contacts).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/mozidsim/mozidsim/rp/contactsprovider"
	"github.com/mozidsim/mozidsim/scenarios"
	"github.com/mozidsim/mozidsim/trace"
)

// version is written into trace headers.
const version = "0.1.0"

const usage = `mozidsim simulates how Firefox OS (2015) answered navigator.mozId.

usage: mozidsim COMMAND [flags] [args]

  run FILE|DIR|NAME...      run scenarios: PASS/FAIL per scenario (-v logs, --trace hops,
                            --record FILE writes a trace, --fxa-url URL uses a real server)
  list                      the shipped scenarios, one line each
  replay TRACE.jsonl...     re-run recorded traces and compare hop by hop
  explain SCENARIO          the run as numbered, explained steps (--step, --markdown FILE)
  diagram SCENARIO          a Mermaid sequence diagram (--states: the state machines)
  live SCENARIO             watch the messages travel in a browser (--addr 127.0.0.1:8090)
  serve-fxa                 the FxA auth server over HTTP (--addr 127.0.0.1:8081)
  verify-server             the browserid-verifier /v2 service (--addr 127.0.0.1:8082)
  serve-contacts            the contacts provider: BrowserID login + CardDAV over TLS
                            (--fxa-url URL trusts serve-fxa; data and TLS certificate in --dir)
  provision                 CardDAV credentials from an FxA account, as JSON (--fxa-url,
                            --contacts-url, --email, --password, [--create], --ca-cert)
  version                   print the version

Exit status: 0 success, 1 a scenario failed or a replay diverged, 2 invalid input.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Main dispatches a command line; ctx ends the servers.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	trace.MozidsimVersion = version
	trace.Scenarios = scenarios.TraceLibrary()
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "run":
		return scenarios.RunMain(rest, stdout, stderr)
	case "list":
		return scenarios.ListMain(rest, stdout, stderr)
	case "replay":
		return trace.ReplayMain(rest, stdout, stderr)
	case "explain":
		return trace.ExplainMain(rest, stdin, stdout, stderr)
	case "diagram":
		return trace.DiagramMain(rest, stdout, stderr)
	case "live":
		return trace.LiveMain(ctx, rest, stdout, stderr, nil)
	case "serve-fxa":
		return serveFxA(ctx, rest, stdout, stderr, nil)
	case "verify-server":
		return serveVerifier(ctx, rest, stdout, stderr, nil)
	case "serve-contacts":
		return contactsprovider.Run(ctx, rest, stdout, nil)
	case "provision":
		return contactsprovider.ProvisionMain(rest, stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "mozidsim", version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "mozidsim: unknown command %q\n\n%s", cmd, usage)
	return 2
}
