// Package jsonhttp is the one JSON request helper of mozidsim's own HTTP
// clients (conform's phone driver, a serve-contacts run's admin client): send
// a value as JSON, read a bounded answer. It stands for no historic component.
package jsonhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// Do sends in as JSON (no body when in is nil) and returns the answer's status
// and at most limit bytes of its body. A transport error or an unreadable body
// is an error; any status is not: callers word their server's error bodies.
func Do(ctx context.Context, client *http.Client, method, url string, in any, limit int64) (int, []byte, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, nil, fmt.Errorf("%s %s: encode the request: %w", method, url, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return 0, nil, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		return resp.StatusCode, nil, err
	}
	return resp.StatusCode, data, nil
}
