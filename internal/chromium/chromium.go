// Package chromium starts the headless Chromium that mozidsim's browser tests
// and `mozidsim conform` drive through chromedp. It stands for no historic
// component: it is the real browser a relying party's page runs in.
package chromium

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"go.uber.org/goleak"
)

// Default is where Debian's chromium package puts the browser.
const Default = "/usr/bin/chromium"

// Find returns path when set, else Debian's chromium, else chromium or
// google-chrome on PATH; the error says how to get one.
func Find(path string) (string, error) {
	if path != "" {
		if _, err := os.Stat(path); err != nil {
			return "", fmt.Errorf("no Chromium at %s: %v", path, err)
		}
		return path, nil
	}
	if _, err := os.Stat(Default); err == nil {
		return Default, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no Chromium found: install it (Debian: apt-get install -y chromium) or pass its path")
}

// Browser is one headless Chromium with a fresh profile.
type Browser struct {
	// Ctx is the browser's chromedp context: chromedp.NewContext(b.Ctx) opens a tab.
	Ctx     context.Context
	cancel  context.CancelFunc
	dataDir string
}

// Start starts headless Chromium with the flags a root CI needs (no sandbox,
// no GPU, no background networking on a machine without internet) and a fresh
// profile, and waits for it, at most 45 s; a start that times out (a machine
// under heavy load) is tried once more.
func Start(ctx context.Context, execPath string) (*Browser, error) {
	b, err := startOnce(ctx, execPath)
	if err != nil && errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		b, err = startOnce(ctx, execPath)
	}
	return b, err
}

func startOnce(ctx context.Context, execPath string) (*Browser, error) {
	dir, err := os.MkdirTemp("", "mozidsim-chromium-")
	if err != nil {
		return nil, err
	}
	defaults := chromedp.DefaultExecAllocatorOptions
	opts := append(defaults[:len(defaults):len(defaults)],
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox refuses to start
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(dir),
	)
	actx, acancel := chromedp.NewExecAllocator(context.WithoutCancel(ctx), opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	b := &Browser{Ctx: bctx, dataDir: dir, cancel: func() { bcancel(); acancel() }}
	start, cancelStart := context.WithTimeout(ctx, 45*time.Second)
	defer cancelStart()
	errc := make(chan error, 1)
	go func() { errc <- chromedp.Do(bctx) }()
	select {
	case err = <-errc:
	case <-start.Done():
		err = start.Err()
	}
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("chromium (%s) did not start: %w", execPath, err)
	}
	return b, nil
}

// Close ends the browser and removes its profile.
func (b *Browser) Close() {
	b.cancel()
	// Chromium's last helper processes may still write into the profile for
	// a moment after the browser is gone.
	for i := 0; i < 5; i++ {
		if err := os.RemoveAll(b.dataDir); err == nil {
			if _, err := os.Stat(b.dataDir); os.IsNotExist(err) {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Shared is one browser for a whole test binary (starting Chromium takes
// seconds): Get starts it the first time a test needs it, and TestMain calls
// Close after the tests.
type Shared struct {
	once sync.Once
	b    *Browser
	err  error
}

// Get returns the browser, or skips the test when none is installed, unless
// MOZIDSIM_REQUIRE_CHROMIUM is set (CI), where that fails the test.
func (s *Shared) Get(t testing.TB) *Browser {
	t.Helper()
	s.once.Do(func() {
		var path string
		if path, s.err = Find(os.Getenv("MOZIDSIM_CHROMIUM")); s.err == nil {
			s.b, s.err = Start(context.Background(), path)
		}
	})
	if s.err != nil {
		if os.Getenv("MOZIDSIM_REQUIRE_CHROMIUM") != "" {
			t.Fatalf("MOZIDSIM_REQUIRE_CHROMIUM is set: %v", s.err)
		}
		t.Skipf("skipping the browser test: %v", s.err)
	}
	return s.b
}

// TestMain runs a test binary's tests, closes the shared browser, then fails
// the binary on a leaked goroutine (goleak); its result goes to os.Exit.
func (s *Shared) TestMain(m *testing.M) int {
	code := m.Run()
	s.Close()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	return code
}

// Close ends the browser, if it was started.
func (s *Shared) Close() {
	if s.b != nil {
		s.b.Close()
	}
}
