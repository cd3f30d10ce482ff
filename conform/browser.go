package conform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/mozidsim/mozidsim/internal/chromium"
)

// DefaultChromium is where Debian's chromium package puts the browser.
const DefaultChromium = chromium.Default

// FindChromium returns path when set (--chromium), else Debian's chromium,
// else chromium or google-chrome on PATH; the error says how to get one.
func FindChromium(path string) (string, error) {
	p, err := chromium.Find(path)
	if err == nil {
		return p, nil
	}
	if path != "" {
		_, serr := os.Stat(path)
		return "", fmt.Errorf("no Chromium at %s (--chromium): %v", path, serr)
	}
	return "", errors.New("no Chromium found: install it (Debian: apt-get install -y chromium) or pass --chromium PATH")
}

// browser is the one Chromium of a plan run.
type browser struct {
	ctx context.Context // the browser's chromedp context
	b   *chromium.Browser
}

// startBrowser starts headless Chromium with the flags a root CI needs and a
// fresh profile (package internal/chromium).
func startBrowser(ctx context.Context, execPath string) (*browser, error) {
	b, err := chromium.Start(ctx, execPath)
	if err != nil {
		return nil, err
	}
	return &browser{ctx: b.Ctx, b: b}, nil
}

func (b *browser) close() { b.b.Close() }

// tab is one page in a fresh browser context (its own cookies and storage).
type tab struct {
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	errors []string // uncaught exceptions and console.error calls, in order
	loads  int      // main-frame navigations
}

func (b *browser) newTab() (*tab, error) {
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t := &tab{ctx: ctx, cancel: cancel}
	if err := chromedp.Listen(ctx, t.event); err != nil {
		cancel()
		return nil, err
	}
	return t, nil
}

// event runs on chromedp's reader goroutine: record and return.
func (t *tab) event(ev any) {
	switch e := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg = firstLine(d.Exception.Description)
		}
		t.mu.Lock()
		t.errors = append(t.errors, "uncaught "+msg)
		t.mu.Unlock()
	case *runtime.EventConsoleAPICalled:
		if e.Type != runtime.ConsoleAPICalledTypeError && e.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		var parts []string
		for _, a := range e.Args {
			if len(a.Value) > 0 {
				var s string
				if json.Unmarshal([]byte(a.Value), &s) == nil {
					parts = append(parts, s)
				} else {
					parts = append(parts, string(a.Value))
				}
			} else if a.Description != "" {
				parts = append(parts, firstLine(a.Description))
			}
		}
		t.mu.Lock()
		t.errors = append(t.errors, "console.error "+strings.Join(parts, " "))
		t.mu.Unlock()
	case *page.EventFrameNavigated:
		if e.Frame != nil && e.Frame.ParentID == "" {
			t.mu.Lock()
			t.loads++
			t.mu.Unlock()
		}
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func (t *tab) pageErrors() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.errors...)
}

func (t *tab) loadCount() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.loads
}

func (t *tab) close() {
	if t.cancel != nil {
		t.cancel()
	}
}

// navigate opens url and waits for its load event (bounded).
func (t *tab) navigate(url string, d time.Duration) error {
	ctx, cancel := context.WithTimeout(t.ctx, d)
	defer cancel()
	return chromedp.Do(ctx, chromedp.Navigate(url))
}

// text is the trimmed text of the first element matching the CSS selector, ""
// when there is none; ok is false when the page could not be read (it is
// navigating, or still parsing). It evaluates without a user gesture (chromedp.Poll would pass
// one, and a request() called from the page would then look clicked).
func (t *tab) text(sel string) (s string, ok bool) {
	q, _ := json.Marshal(sel)
	ctx, cancel := context.WithTimeout(t.ctx, 2*time.Second)
	defer cancel()
	// A document still being parsed (a blocking script in its head) has no
	// body yet: that is not a page showing nobody.
	p, err := chromedp.Run(ctx, chromedp.Evaluate[*string](
		`(function(){if(document.readyState==="loading")return null;var e=document.querySelector(`+string(q)+`);return e?(e.textContent||"").trim():""})()`))
	if err != nil || p == nil {
		return "", false
	}
	return *p, true
}

// click sends a real mouse click (trusted input events) to the first element
// matching sel, waiting for it to be visible.
func (t *tab) click(sel string, d time.Duration) error {
	ctx, cancel := context.WithTimeout(t.ctx, d)
	defer cancel()
	err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel)))
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no visible %s on the page within %s", sel, d)
	}
	return err
}
