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
	"slices"
	"syscall"

	"github.com/mozidsim/mozidsim/internal/cliflag"
	"github.com/mozidsim/mozidsim/rp/contactsprovider"
	"github.com/mozidsim/mozidsim/scenarios"
	"github.com/mozidsim/mozidsim/trace"
)

// version is written into trace headers.
const version = trace.Version

const usage = `mozidsim simulates how Firefox OS (2015) answered navigator.mozId.

usage: mozidsim COMMAND [flags] [args]

  run FILE|DIR|NAME...      run scenarios: PASS/FAIL per scenario (-v logs, --trace hops,
                            --record FILE writes a trace, --fxa-url URL uses a real server)
  list                      the shipped scenarios, one line each
  replay TRACE.jsonl...     re-run recorded traces and compare hop by hop
  explain SCENARIO          the run as numbered, explained steps (--step, --markdown FILE)
  diagram SCENARIO          a Mermaid sequence diagram (--states: the state machines)
  live SCENARIO             watch the messages travel in a browser (--addr 127.0.0.1:8090)
  serve                     the phone for real web pages: navigator.mozId shim, FxA dialog
                            in HTML, /v2, driver API (--app NAME=ORIGIN, --world FILE)
  conform RP.yaml           test a relying party in Chromium against the phone, rule by rule
  serve-fxa                 the FxA auth server over HTTP (--addr 127.0.0.1:8081)
  verify-server             the browserid-verifier /v2 service (--addr 127.0.0.1:8082)
  serve-contacts            the contacts provider: BrowserID login + CardDAV over TLS
                            (--fxa-url URL trusts serve-fxa; data and TLS certificate in --dir)
  provision                 CardDAV credentials from an FxA account, as JSON (--fxa-url,
                            --contacts-url, --email, --password, [--create], --ca-cert)
  version                   print the version
  help COMMAND              a command's usage, description and flags (also COMMAND -h)

Exit status: 0 success, 1 a scenario failed or a replay diverged, 2 invalid input.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// commandNames are the commands Main knows, for "did you mean".
var commandNames = []string{"run", "list", "replay", "explain", "diagram", "live", "serve", "serve-fxa", "verify-server", "serve-contacts", "version", "help"}

// Main dispatches a command line; ctx ends the servers.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitInvalid
	}
	cmd, rest := args[0], args[1:]
	if cmd == "help" && len(rest) > 0 {
		// `help CMD` is `CMD -h`: the same text, exit 0.
		if rest[0] == "help" || rest[0] == "version" {
			fmt.Fprint(stdout, usage)
			return exitOK
		}
		cmd, rest = rest[0], []string{"-h"}
		if !slices.Contains(commandNames, cmd) {
			fmt.Fprintf(stderr, "mozidsim help: unknown command %q%s\n\n%s", cmd, cliflag.DidYouMean(cmd, commandNames), usage)
			return exitInvalid
		}
	}
	lib := scenarios.TraceLibrary(version)
	switch cmd {
	case "run":
		return runCmd(rest, stdout, stderr)
	case "list":
		return listCmd(rest, stdout, stderr)
	case "replay":
		return replayCmd(lib, rest, stdout, stderr)
	case "explain":
		return explainCmd(lib, rest, stdin, stdout, stderr)
	case "diagram":
		return diagramCmd(lib, rest, stdout, stderr)
	case "live":
		return liveCmd(ctx, lib, rest, stdout, stderr, nil)
	case "serve":
		return serveWebPhone(ctx, rest, stdout, stderr, nil)
	case "serve-fxa":
		return serveFxA(ctx, rest, stdout, stderr, nil)
	case "verify-server":
		return serveVerifier(ctx, rest, stdout, stderr, nil)
	case "conform":
		return conformMain(ctx, rest, stdout, stderr)
	case "serve-contacts":
		return serveContacts(ctx, rest, stdout, stderr, nil)
	case "provision":
		return contactsprovider.ProvisionMain(rest, stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "mozidsim", version)
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "mozidsim: unknown command %q%s\n\n%s", cmd, cliflag.DidYouMean(cmd, commandNames), usage)
	return exitInvalid
}
