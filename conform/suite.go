package conform

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mozidsim/mozidsim/webphone"
)

// Options configure a Suite.
type Options struct {
	// Phone builds the fresh simulated phone of each module (webphone.New).
	Phone PhoneFactory
	Era   string // "" or "2015"; "2014" as webphone allows
	// Chromium is the browser binary; "" finds Debian's /usr/bin/chromium or
	// one on PATH.
	Chromium string
	// Addr is where the phone's base URL (MOZIDSIM_URL) listens; "" is a free
	// loopback port.
	Addr string
	// Expected marks known failures.
	Expected *ExpectedFailures
	// Reporters get each module as it finishes, then the summary.
	Reporters []Reporter
	// StartTimeout bounds how long RunRP waits for a started RP's url to
	// answer (default 90 s: `go run` may compile first).
	StartTimeout time.Duration
}

// WebPhones builds each module's phone with webphone.New: no world file, so
// the one verified account alice@example.com exists and nobody is signed in.
func WebPhones(version string) PhoneFactory {
	return func(app App, era string) (Phone, error) {
		return webphone.New(webphone.Config{Apps: []webphone.App{{Name: app.Name, Origin: app.Origin, Kind: app.Kind}}, Era: era, Version: version})
	}
}

// Suite is one plan run's machinery: the phone's base URL and one Chromium.
// A Go RP's test can start a Suite, start its server with ServeURL as
// MOZIDSIM_URL (an httptest.Server), and Run the plan against it.
type Suite struct {
	opts    Options
	exe     string // Chromium
	front   *front
	browser *browser // started by the first Run
	d       *driver
	// newTab opens a module's page; tests without a browser replace it.
	newTab func() (*tab, error)
}

// NewSuite finds Chromium and starts the phone's base URL; Chromium itself
// starts with the first Run.
func NewSuite(ctx context.Context, opts Options) (*Suite, error) {
	if opts.Phone == nil {
		opts.Phone = WebPhones("")
	}
	exe, err := FindChromium(opts.Chromium)
	if err != nil {
		return nil, err
	}
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	f, err := newFront(addr)
	if err != nil {
		return nil, err
	}
	s := &Suite{opts: opts, exe: exe, front: f, d: &driver{base: f.URL(), client: &http.Client{Timeout: 30 * time.Second}}}
	s.newTab = func() (*tab, error) { return s.browser.newTab() }
	return s, nil
}

// startBrowser starts the plan's one Chromium unless it runs already.
func (s *Suite) startBrowser(ctx context.Context) error {
	if s.browser != nil {
		return nil
	}
	b, err := startBrowser(ctx, s.exe)
	if err != nil {
		return err
	}
	s.browser = b
	return nil
}

// ServeURL is the phone's base URL: give it to the RP as MOZIDSIM_URL.
func (s *Suite) ServeURL() string { return s.front.URL() }

// Close stops Chromium and the base URL.
func (s *Suite) Close() {
	if s.browser != nil {
		s.browser.close()
	}
	_ = s.front.close()
}

// Origin is the origin of a page URL (scheme://host[:port]).
func Origin(pageURL string) (string, error) {
	u, err := url.Parse(pageURL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("%q is not an absolute URL", pageURL)
	}
	return u.Scheme + "://" + u.Host, nil
}

// Run runs plan against the RP whose page is pageURL (rp.URL with ${PORT}
// expanded), reporting as it goes.
func (s *Suite) Run(ctx context.Context, rp *RP, pageURL string, plan *Plan) (*Summary, error) {
	origin, err := Origin(pageURL)
	if err != nil {
		return nil, err
	}
	if s.newTab == nil {
		return nil, errors.New("conform: Suite not made by NewSuite")
	}
	if s.exe != "" { // tests without a browser clear exe
		if err := s.startBrowser(ctx); err != nil {
			return nil, err
		}
	}
	sum := &Summary{RP: rp.Name, Plan: plan.Name, Era: s.opts.Era, Counts: map[Result]int{}, Started: time.Now().UTC()}
	if sum.Era == "" {
		sum.Era = "2015"
	}
	ran, used := map[string]bool{}, map[string]bool{}
	for _, m := range plan.Modules {
		if ctx.Err() != nil {
			return sum, ctx.Err()
		}
		mr := s.runModule(ctx, rp, pageURL, origin, m)
		for _, k := range s.opts.Expected.apply(&mr) {
			used[k] = true
		}
		ran[m.ID] = true
		sum.Counts[mr.Result]++
		if mr.Result == Failed && !mr.Expected {
			sum.Unexpected++
		}
		sum.Modules = append(sum.Modules, mr)
		for _, rep := range s.opts.Reporters {
			if err := rep.Module(&mr); err != nil {
				return sum, err
			}
		}
		if ctx.Err() != nil {
			return sum, ctx.Err()
		}
	}
	sum.Unused = s.opts.Expected.unused(ran, used)
	sum.Seconds = time.Since(sum.Started).Seconds()
	for _, rep := range s.opts.Reporters {
		if err := rep.Summary(sum); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// RunRP is `mozidsim conform`: it starts the suite, the RP's start command
// (with PORT and MOZIDSIM_URL) when there is one, waits until the RP's url
// answers, runs the plan and stops everything it started, also on failure and
// when ctx ends (Ctrl-C). rpOutput receives the start command's output.
// An error means the plan could not run (exit status 2).
func RunRP(ctx context.Context, rp *RP, plan *Plan, opts Options, rpOutput io.Writer) (*Summary, error) {
	if opts.Addr == "" && strings.TrimSpace(rp.Start) == "" {
		// An RP started by hand must be told MOZIDSIM_URL in advance: use
		// the same default address as `mozidsim serve`.
		opts.Addr = "127.0.0.1:8090"
	}
	s, err := NewSuite(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	pageURL := rp.URL
	if strings.TrimSpace(rp.Start) != "" {
		port, err := FreePort()
		if err != nil {
			return nil, err
		}
		pageURL = strings.ReplaceAll(rp.URL, "${PORT}", strconv.Itoa(port))
		p, err := StartProcess(rp.Start, rp.Dir, port, s.ServeURL(), rpOutput)
		if err != nil {
			return nil, err
		}
		defer p.Stop(3 * time.Second)
		if err := WaitAnswering(ctx, pageURL, p, cmp.Or(opts.StartTimeout, 90*time.Second)); err != nil {
			return nil, fmt.Errorf("the RP (start: %s) is not answering: %w", rp.Start, err)
		}
	} else if err := WaitAnswering(ctx, pageURL, nil, cmp.Or(opts.StartTimeout, 10*time.Second)); err != nil {
		return nil, fmt.Errorf("the RP is not answering: %w; start it with MOZIDSIM_URL=%s, or give RP.yaml a start command", err, s.ServeURL())
	}
	return s.Run(ctx, rp, pageURL, plan)
}
