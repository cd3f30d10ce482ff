package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"

	httpserve "github.com/mozidsim/mozidsim/internal/serve"
	"github.com/mozidsim/mozidsim/webphone"
)

const serveUsage = `usage: mozidsim serve [--addr 127.0.0.1:8090] [--world FILE] [--app NAME=ORIGIN[:KIND]]...
                      [--era 2014|2015] [--wall-clock] [--seed N]

Serves the simulated Firefox OS phone (2015, or spring 2014) to real web pages. A page adds

    <script src="http://ADDR/mozid-shim.js"></script>

and gets navigator.mozId (watch, request, logout) backed by the phone. Its origin
must be one of the phone's apps (--app, or the --world file's apps). Open
http://ADDR/ to see the phone: the Firefox Accounts dialog, Settings, network and
server switches, each window's callbacks and the messages between the components.

  --addr ADDR           where to listen (default 127.0.0.1:8090; loopback)
  --world FILE          a scenario file: its accounts, device and apps (its steps are not run).
                        Without it: one verified account alice@example.com, password
                        "correct horse battery", nobody signed in.
  --app NAME=ORIGIN[:KIND]
                        an app whose pages may use navigator.mozId; KIND is certified,
                        privileged (default: what a third-party RP was), web or browser.
                        Repeatable; replaces a world app of the same name.
  --era 2014|2015       the stack to simulate; default the --world file's era:, else 2015.
                        2014: the page's navigator.mozId is D-early's (no WebIDL, the
                        Error's own message, onerror gets the error object, web apps
                        refused Firefox Accounts in the window); README "serve --era 2014"
  --wall-clock          the phone's clock is the real one, so an RP that verifies with its
                        own BrowserID library accepts the assertions; otherwise the clock is
                        virtual (from 2015-06-01 12:00 UTC) and moves with {"advance"} steps
  --seed N              seeds window ids and keys

Driver API (JSON):
  GET  /__mozidsim/state            the clock, the signed-in user, the dialog, every window's calls
                                    and callbacks, every /v2 verification, faults
  POST /__mozidsim/steps            scenario steps, e.g. [{"user":"sign-in","email":"...","password":"..."}]
  GET  /__mozidsim/trace            the run as a trace file (mozidsim explain/replay read it)
  POST /__mozidsim/next-assertion   {"app":"shop","defect":"expired"} (test-only; also wrong-audience,
                                    bad-signature, untrusted-issuer, unverified-email)
  POST /v2                          verify {assertion, audience} at the phone's time
`

// appFlags collects --app NAME=ORIGIN[:KIND].
type appFlags []webphone.App

func (a *appFlags) String() string { return fmt.Sprint(*a) }

func (a *appFlags) Set(v string) error {
	name, rest, ok := strings.Cut(v, "=")
	if !ok || name == "" || rest == "" {
		return fmt.Errorf("want NAME=ORIGIN[:KIND], e.g. shop=http://127.0.0.1:8000:privileged")
	}
	app := webphone.App{Name: name, Origin: rest}
	if i := strings.LastIndex(rest, ":"); i >= 0 {
		switch kind := rest[i+1:]; kind {
		case "certified", "privileged", "web", "browser":
			app.Origin, app.Kind = rest[:i], kind
		}
	}
	*a = append(*a, app)
	return nil
}

// serveWebPhone is `mozidsim serve`. ready, when not nil, receives the address.
func serveWebPhone(ctx context.Context, args []string, stdout, stderr io.Writer, ready chan<- string) int {
	fl := flag.NewFlagSet("mozidsim serve", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() {} // -h prints the usage to stdout; a bad flag gets the short line below
	addr := fl.String("addr", "127.0.0.1:8090", "")
	world := fl.String("world", "", "")
	era := fl.String("era", "", "")
	wall := fl.Bool("wall-clock", false, "")
	seed := fl.Uint64("seed", 0, "")
	var apps appFlags
	fl.Var(&apps, "app", "")
	if err := fl.Parse(args); errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, serveUsage)
		return 0
	} else if err != nil {
		fmt.Fprintln(stderr, "usage: mozidsim serve [flags]; mozidsim serve -h explains them")
		return 2
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "mozidsim serve: unexpected argument %q (a world file goes after --world)\n", fl.Arg(0))
		return 2
	}
	phone, err := webphone.New(webphone.Config{World: *world, Apps: apps, Era: *era, WallClock: *wall, Seed: *seed, Version: version})
	if err != nil {
		fmt.Fprintf(stderr, "mozidsim serve: %v\n", err)
		return 2
	}
	defer phone.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "mozidsim serve: %v\n", err)
		return 1
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "mozidsim serve: the phone is at %s/\n", base)
	fmt.Fprintf(stdout, "  in your page:  <script src=\"%s/mozid-shim.js\"></script>\n", base)
	fmt.Fprintf(stdout, "  verifier:      POST %s/v2   driver API: %s/__mozidsim/state\n", base, base)
	if len(phone.Apps()) == 0 {
		fmt.Fprintf(stdout, "  no apps yet: add --app NAME=ORIGIN so a page of ORIGIN may use navigator.mozId\n")
	}
	for _, a := range phone.Apps() {
		fmt.Fprintf(stdout, "  app %s: %s (%s)\n", a.Name, a.Origin, a.Kind)
	}
	if ready != nil {
		ready <- ln.Addr().String()
	}
	if err := httpserve.Until(ctx, ln, phone.Handler()); err != nil {
		fmt.Fprintf(stderr, "mozidsim serve: %v\n", err)
		return 1
	}
	return 0
}
