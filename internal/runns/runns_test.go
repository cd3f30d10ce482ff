package runns

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeClock is a wall clock the test moves.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// run is a value with an identity, so the test sees which one was closed.
type run struct{ name string }

func newTable(t *testing.T, max int) (*Table[*run], *fakeClock, func() []string) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	var mu sync.Mutex
	var closed []string
	tab := New[*run](Options{Server: "serve-x", Max: max, Idle: time.Minute, Now: clock.Now}, func(r *run) {
		mu.Lock()
		closed = append(closed, r.name)
		mu.Unlock()
	})
	return tab, clock, func() []string { mu.Lock(); defer mu.Unlock(); return slices.Clone(closed) }
}

func mk(name string) func() (*run, error) { return func() (*run, error) { return &run{name}, nil } }

func TestTableOpenGetDropAndReplace(t *testing.T) {
	tab, _, closed := newTable(t, 0)
	require.NoError(t, tab.Open("a", mk("a1")))
	r, err := tab.Get("a")
	require.NoError(t, err)
	require.Equal(t, "a1", r.name)

	require.NoError(t, tab.Open("a", mk("a2")), "reopening replaces")
	r, _ = tab.Get("a")
	require.Equal(t, "a2", r.name)
	require.Equal(t, []string{"a1"}, closed(), "the replaced run is closed")

	tab.Drop("a")
	tab.Drop("a") // twice is nothing
	require.Equal(t, []string{"a1", "a2"}, closed())
	_, err = tab.Get("a")
	require.EqualError(t, err, `X-Mozidsim-Run "a": no such run (never opened, dropped, or idle for 1m0s): a run starts with POST /__mozidsim/reset`)
	var re *Error
	require.True(t, errors.As(err, &re))
	require.Equal(t, 400, re.Status)

	boom := errors.New("no disk")
	require.Equal(t, boom, tab.Open("b", func() (*run, error) { return nil, boom }))
	require.Equal(t, 0, tab.Len())
}

func TestTableBoundAndIdleDrop(t *testing.T) {
	tab, clock, closed := newTable(t, 2)
	require.NoError(t, tab.Open("a", mk("a")))
	require.NoError(t, tab.Open("b", mk("b")))
	err := tab.Open("c", mk("c"))
	require.EqualError(t, err, "this server holds 2 runs, its limit (serve-x --max-runs): wait for one to end or idle out (1m0s)")
	require.Equal(t, 503, err.(*Error).Status)
	require.NoError(t, tab.Open("b", mk("b2")), "reopening a held run needs no new place")

	clock.add(40 * time.Second)
	_, err = tab.Get("a") // a stays busy, b idles
	require.NoError(t, err)
	clock.add(40 * time.Second)
	require.NoError(t, tab.Open("c", mk("c")), "b idled out, so c has its place")
	require.Equal(t, []string{"b", "b2"}, closed(), "the idle run was closed")
	require.Equal(t, 2, tab.Len())

	tab.Close()
	require.Equal(t, 0, tab.Len())
	require.ElementsMatch(t, []string{"b", "b2", "a", "c"}, closed())
}

func TestCheckID(t *testing.T) {
	require.Nil(t, CheckID("run-0123abcdef._X"))
	require.EqualError(t, CheckID("a b"), `X-Mozidsim-Run "a b": want 1 to 64 letters, digits, '.', '_' or '-'`)
	require.NotNil(t, CheckID(""))
	require.NotNil(t, CheckID(string(make([]byte, 65))))
	require.EqualError(t, New[*run](Options{}, nil).Open("a/b", mk("x")), `X-Mozidsim-Run "a/b": want 1 to 64 letters, digits, '.', '_' or '-'`)
}

// Many clients opening at once never hold more than Max.
func TestTableBoundHoldsUnderConcurrency(t *testing.T) {
	tab, _, _ := newTable(t, 5)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if tab.Open(string(rune('a'+i%26))+string(rune('a'+i/26)), mk("x")) == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	require.Equal(t, 5, ok)
	require.Equal(t, 5, tab.Len())
}

func TestTransportNamesTheRun(t *testing.T) {
	id, err := NewID()
	require.NoError(t, err)
	require.Nil(t, CheckID(id))
	other, _ := NewID()
	require.NotEqual(t, id, other)
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r.Header.Get(Header) }))
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL, nil)
	resp, err := (&http.Client{Transport: &Transport{ID: id}}).Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, id, got)
	require.Empty(t, req.Header.Get(Header), "the caller's request is not changed")
}
