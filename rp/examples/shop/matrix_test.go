package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mozidsim/mozidsim/conform"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// needChromium skips without Chromium, unless MOZIDSIM_REQUIRE_CHROMIUM=1
// (CI) makes its absence a failure.
func needChromium(t testing.TB) {
	t.Helper()
	if _, err := conform.FindChromium(""); err != nil {
		if os.Getenv("MOZIDSIM_REQUIRE_CHROMIUM") == "1" {
			t.Fatalf("MOZIDSIM_REQUIRE_CHROMIUM=1: %v", err)
		}
		t.Skipf("skipped: %v (CI sets MOZIDSIM_REQUIRE_CHROMIUM=1 and installs it)", err)
	}
}

// Every bug has its RP.yaml and every bug-*.yaml names a bug.
func TestEveryBugHasAnRPFile(t *testing.T) {
	files, err := filepath.Glob("bug-*.yaml")
	require.NoError(t, err)
	var got []string
	for _, f := range files {
		rp, err := conform.LoadRP(f)
		require.NoError(t, err)
		name := strings.TrimSuffix(strings.TrimPrefix(f, "bug-"), ".yaml")
		require.Equal(t, "shop-"+name, rp.Name)
		require.Equal(t, "BUG="+name+" go run .", rp.Start)
		got = append(got, name)
	}
	require.Equal(t, bugNames(), got)
	require.GreaterOrEqual(t, len(got), 8)
	plan := conform.BuiltinPlan()
	for name, b := range Bugs {
		_, err := plan.Select(b.Fails)
		require.NoError(t, err, name)
	}
}

// shopServer serves the shop in-process with the bug, verifying at serveURL
// with the httptest server's own origin as audience.
func shopServer(t testing.TB, serveURL, bug string) *httptest.Server {
	t.Helper()
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	shop, err := New(Config{ServeURL: serveURL, Origin: srv.URL, Bug: bug})
	require.NoError(t, err)
	h = shop.Handler()
	return srv
}

// TestConformanceMatrix runs the whole built-in plan against the correct shop
// (every module PASSED) and each buggy one (exactly its intended modules
// FAILED, every other module PASSED), in real Chromium.
func TestConformanceMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the matrix runs the plan 15 times in Chromium")
	}
	needChromium(t)
	variants := append([]string{""}, bugNames()...)
	// Three browsers at once: most of a module's time is spent waiting for
	// the page or in quiet periods, so they share a 2-core machine well.
	const parallel = 3
	work := make(chan string)
	type outcome struct {
		bug     string
		results map[string]conform.Result
		whys    map[string]string
		err     error
	}
	out := make(chan outcome)
	var wg sync.WaitGroup
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := conform.NewSuite(context.Background(), conform.Options{})
			if err != nil {
				for bug := range work {
					out <- outcome{bug: bug, err: err}
				}
				return
			}
			defer s.Close()
			for bug := range work {
				file := "rp.yaml"
				if bug != "" {
					file = "bug-" + bug + ".yaml"
				}
				rp, err := conform.LoadRP(file)
				if err != nil {
					out <- outcome{bug: bug, err: err}
					continue
				}
				srv := shopServer(t, s.ServeURL(), bug)
				sum, err := s.Run(context.Background(), rp, srv.URL+"/", conform.BuiltinPlan())
				srv.Close()
				o := outcome{bug: bug, err: err, results: map[string]conform.Result{}, whys: map[string]string{}}
				if sum != nil {
					for _, m := range sum.Modules {
						o.results[m.Module] = m.Result
						o.whys[m.Module] = m.Why
					}
				}
				out <- o
			}
		}()
	}
	go func() {
		for _, v := range variants {
			work <- v
		}
		close(work)
		wg.Wait()
		close(out)
	}()
	got := map[string]outcome{}
	for o := range out {
		got[o.bug] = o
	}
	for _, bug := range variants {
		o := got[bug]
		name := "correct shop"
		var want []string
		if bug != "" {
			name, want = "BUG="+bug, Bugs[bug].Fails
		}
		require.NoError(t, o.err, name)
		var failed, other []string
		for id, r := range o.results {
			switch r {
			case conform.Failed:
				failed = append(failed, id)
			case conform.Passed:
			default:
				other = append(other, id+" "+string(r)+": "+o.whys[id])
			}
		}
		sort.Strings(failed)
		sort.Strings(other)
		wantSorted := append([]string(nil), want...)
		sort.Strings(wantSorted)
		if wantSorted == nil {
			wantSorted = []string(nil)
		}
		var why []string
		for _, id := range failed {
			why = append(why, id+": "+o.whys[id])
		}
		require.Equal(t, wantSorted, failed, "%s: FAILED modules\n%s", name, strings.Join(why, "\n"))
		require.Empty(t, other, "%s: modules neither PASSED nor FAILED", name)
		require.Len(t, o.results, 16, name)
	}
}
