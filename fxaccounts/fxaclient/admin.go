package fxaclient

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mozidsim/mozidsim/fxaccounts/authserver"
	"github.com/mozidsim/mozidsim/internal/browserid"
)

// Admin drives the scenario-only API of a server started with
// authserver.HandlerOptions{Admin: true} (`mozidsim serve-fxa`): what a
// scenario does to an in-memory server directly, done to one in another
// process. It has no counterpart in Firefox OS.
type Admin struct {
	// Clock, when set, sends its time as X-Mozidsim-Now with every call, so
	// that a server run with authserver.HandlerOptions.ClockFromHeader does the
	// admin operation at the simulated phone's time: an account created or a
	// password changed "now" gets the virtual now as its verifierSetAt (the
	// certificates' fxa-generation), not the server's wall clock.
	Clock func() time.Time
	// Token is the server's admin token (serve-fxa prints it at start), sent
	// as X-Mozidsim-Admin-Token with every call.
	Token string

	base string // scheme://host[:port], without /v1
	hc   *http.Client
}

// NewAdmin returns an admin client for the server at baseURL (with or without
// the /v1 suffix). hc nil means http.DefaultClient.
func NewAdmin(baseURL string, hc *http.Client) *Admin {
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Admin{base: strings.TrimSuffix(strings.TrimSuffix(baseURL, "/"), "/v1"), hc: hc}
}

// Reset forgets every account, session and fault.
func (a *Admin) Reset() error { return a.post("/__mozidsim/reset", struct{}{}) }

// CreateAccount creates an account, verified or not.
func (a *Admin) CreateAccount(email, password string, verified bool) error {
	return a.post("/__mozidsim/accounts", map[string]any{"email": email, "password": password, "verified": verified})
}

// Verify marks an account verified.
func (a *Admin) Verify(email string) error {
	return a.post("/__mozidsim/verify", map[string]any{"email": email})
}

// ChangePassword changes an account's password (its sessions end).
func (a *Admin) ChangePassword(email, password string) error {
	return a.post("/__mozidsim/change-password", map[string]any{"email": email, "password": password})
}

// DeleteAccount deletes an account.
func (a *Admin) DeleteAccount(email string) error {
	return a.post("/__mozidsim/delete-account", map[string]any{"email": email})
}

// Fault makes endpoint ("/v1/certificate/sign", "" for all) answer status/errno
// until ClearFaults.
func (a *Admin) Fault(endpoint string, status, errno, retryAfter int) error {
	body := map[string]any{"status": status, "errno": errno, "retryAfter": retryAfter}
	if endpoint != "" {
		body["endpoint"] = endpoint
	}
	return a.post("/__mozidsim/fault", body)
}

// ClearFaults heals the server.
func (a *Admin) ClearFaults() error { return a.post("/__mozidsim/clear-faults", struct{}{}) }

// PublicKey fetches the server's BrowserID key from /.well-known/browserid.
func (a *Admin) PublicKey() (*browserid.PublicKey, error) {
	req, err := a.newRequest(http.MethodGet, "/.well-known/browserid", nil)
	if err != nil {
		return nil, fmt.Errorf("fxa admin: well-known: %w", err)
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fxa admin: well-known: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fxa admin: well-known: HTTP %d %v", resp.StatusCode, err)
	}
	var doc struct {
		PublicKey json.RawMessage `json:"public-key"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || len(doc.PublicKey) == 0 {
		return nil, fmt.Errorf("fxa admin: well-known: no public-key in %q", body)
	}
	return browserid.ParsePublicKey(doc.PublicKey)
}

func (a *Admin) newRequest(method, path string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequest(method, a.base+path, body)
	if err != nil {
		return nil, err
	}
	if a.Clock != nil {
		req.Header.Set(authserver.ClockHeader, strconv.FormatInt(a.Clock().UnixMilli(), 10))
	}
	if a.Token != "" {
		req.Header.Set(authserver.AdminTokenHeader, a.Token)
	}
	return req, nil
}

func (a *Admin) post(path string, body any) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := a.newRequest(http.MethodPost, path, bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("fxa admin %s: %w", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.hc.Do(req)
	if err != nil {
		return fmt.Errorf("fxa admin %s: %w", path, err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Errno   int    `json:"errno"`
			Message string `json:"message"`
		}
		// An auth server without the admin API answers its own 404 JSON, so
		// the hint must come before the body's message.
		if resp.StatusCode == http.StatusNotFound {
			return fmt.Errorf("fxa admin %s: HTTP 404: is the server running with the admin API (mozidsim serve-fxa without --no-admin)?", path)
		}
		if resp.StatusCode == http.StatusUnauthorized && a.Token == "" {
			return fmt.Errorf("fxa admin %s: HTTP 401: no admin token: pass the one serve-fxa printed with --admin-token or MOZIDSIM_ADMIN_TOKEN", path)
		}
		if json.Unmarshal(answer, &e) == nil && e.Message != "" {
			return fmt.Errorf("fxa admin %s: HTTP %d errno %d: %s", path, resp.StatusCode, e.Errno, e.Message)
		}
		return fmt.Errorf("fxa admin %s: HTTP %d", path, resp.StatusCode)
	}
	return nil
}
