package conform

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/mozidsim/mozidsim/internal/jsonhttp"
	"github.com/mozidsim/mozidsim/webphone"
)

// App is the RP as the phone knows it (webphone.App).
type App struct{ Name, Origin, Kind string }

// Phone is one simulated phone serving the mozidsim serve HTTP API
// (webphone.Server). Each module gets a fresh one.
type Phone interface {
	Handler() http.Handler
	Close() error
}

// PhoneFactory builds a fresh phone that knows app.
type PhoneFactory func(app App, era string) (Phone, error)

// front is the one base URL the RP is started with (MOZIDSIM_URL): it serves
// whichever phone the running module built, so that a module starts from a
// fresh phone while the RP process keeps its configuration.
type front struct {
	cur atomic.Pointer[http.Handler]
	srv *http.Server
	ln  net.Listener
}

func newFront(addr string) (*front, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("the simulated phone cannot listen on %s: %w", addr, err)
	}
	f := &front{ln: ln}
	f.srv = &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = f.srv.Serve(ln) }()
	return f, nil
}

func (f *front) URL() string { return "http://" + f.ln.Addr().String() }

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := f.cur.Load()
	if h == nil {
		http.Error(w, "mozidsim conform: no module is running", http.StatusServiceUnavailable)
		return
	}
	(*h).ServeHTTP(w, r)
}

func (f *front) set(h http.Handler) {
	if h == nil {
		f.cur.Store(nil)
		return
	}
	f.cur.Store(&h)
}

func (f *front) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := f.srv.Shutdown(ctx); err != nil {
		return f.srv.Close()
	}
	return nil
}

// PhoneState is GET /__mozidsim/state, decoded into webphone's own type:
// one definition of what the phone reports.
type PhoneState = webphone.State

// driver speaks the phone's driver API.
type driver struct {
	base   string
	client *http.Client
}

func (d *driver) State(ctx context.Context) (*PhoneState, error) {
	var st PhoneState
	if err := d.do(ctx, http.MethodGet, "/__mozidsim/state", nil, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// Steps runs scenario steps on the phone, each until idle.
func (d *driver) Steps(ctx context.Context, steps ...map[string]any) error {
	return d.do(ctx, http.MethodPost, "/__mozidsim/steps", steps, nil)
}

// NextAssertion makes the next assertion handed to app wrong in one way.
func (d *driver) NextAssertion(ctx context.Context, app, defect string) error {
	return d.do(ctx, http.MethodPost, "/__mozidsim/next-assertion", map[string]string{"app": app, "defect": defect}, nil)
}

func (d *driver) do(ctx context.Context, method, path string, in, out any) error {
	status, data, err := jsonhttp.Do(ctx, d.client, method, d.base+path, in, 8<<20)
	if err != nil {
		return fmt.Errorf("phone %s %s: %w", method, path, err)
	}
	if status != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(data, &e) == nil && e.Error != "" {
			return fmt.Errorf("phone %s %s: %s", method, path, e.Error)
		}
		return fmt.Errorf("phone %s %s: HTTP %d: %s", method, path, status, bytes.TrimSpace(data))
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("phone %s %s: %w", method, path, err)
		}
	}
	return nil
}
