package device

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/mozidsim/mozidsim/fxaccounts/authserver"
)

// runTransport names the phone's run on a shared serve-fxa server in every
// request (X-Mozidsim-Run). It sits below the phone's link, so the id never
// enters the trace: a run traces the same whatever id it drew.
type runTransport struct {
	id   string
	next http.RoundTripper
}

func runTransportFor(id string) (*runTransport, error) {
	if id == "" {
		// crypto/rand, not the simulation's seeded source: the id is not part
		// of the simulated world, and two runs of one seed must not collide.
		b := make([]byte, 12)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		id = "run-" + hex.EncodeToString(b)
	}
	return &runTransport{id: id, next: http.DefaultTransport}, nil
}

func (t *runTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(authserver.RunHeader, t.id)
	return t.next.RoundTrip(r)
}

// drop frees the run on the server.
func (t *runTransport) drop(baseURL, token string) error {
	base := strings.TrimSuffix(strings.TrimSuffix(baseURL, "/"), "/v1")
	req, err := http.NewRequest(http.MethodPost, base+"/__mozidsim/drop", bytes.NewReader([]byte("{}")))
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
		return fmt.Errorf("POST /__mozidsim/drop: HTTP %d: %s", resp.StatusCode, body)
	}
	return nil
}
