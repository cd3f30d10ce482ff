package device

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/mozidsim/mozidsim/fxaccounts/authserver"
	"github.com/mozidsim/mozidsim/internal/runns"
)

// runTransport names the phone's run on a shared serve-fxa server in every
// request (runns.Transport: below the phone's link, so the id never enters
// the trace).
type runTransport struct{ runns.Transport }

func runTransportFor(id string) (*runTransport, error) {
	if id == "" {
		var err error
		if id, err = runns.NewID(); err != nil {
			return nil, err
		}
	}
	return &runTransport{runns.Transport{ID: id, Next: http.DefaultTransport}}, nil
}

// drop frees the run on the server.
func (t *runTransport) drop(baseURL, token string) error {
	base := strings.TrimSuffix(strings.TrimSuffix(baseURL, "/"), "/v1")
	req, err := http.NewRequest(http.MethodPost, base+runns.DropPath, bytes.NewReader([]byte("{}")))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(authserver.AdminTokenHeader, token)
	resp, err := (&http.Client{Transport: t, Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	// 404: a server without runs (authserver's plain handler) ignored the
	// header and has nothing to drop.
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNotFound {
		return fmt.Errorf("POST "+runns.DropPath+": HTTP %d: %s", resp.StatusCode, body)
	}
	return nil
}
