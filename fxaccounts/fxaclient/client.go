// Package fxaclient is the device's HTTP client for the Firefox Accounts auth
// server: services/fxaccounts/FxAccountsClient.jsm (endpoints, onepw authPW,
// accountExists, backoff) over services/common/hawkclient.js and hawkrequest.js
// (Hawk signing with token-derived credentials, clock-offset correction from the
// server's Date header, one retry after a 401).
//
// Client implements fxaccounts.Backend, so the ServerLink actor can talk to a
// real server exactly as it talks to the in-memory authserver.Server.
package fxaclient

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mozidsim/mozidsim/fxaccounts/authserver"
	"github.com/mozidsim/mozidsim/internal/hawk"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// maxResponseBytes bounds what the client reads from a server.
const maxResponseBytes = 1 << 20

// defaultTimeout keeps a silent server from hanging the device forever.
const defaultTimeout = 30 * time.Second

// Client talks to one auth server. It is safe for concurrent use.
type Client struct {
	// SendClock adds X-Mozidsim-Now (the clock's time, ms) to every request, for
	// a server run with authserver.HandlerOptions.ClockFromHeader.
	SendClock bool
	// AdminToken goes with the clock (X-Mozidsim-Admin-Token): the server
	// honours X-Mozidsim-Now only from its admin.
	AdminToken string

	base  string // server root, without /v1
	hc    *http.Client
	clock func() time.Time
	rnd   io.Reader

	mu           sync.Mutex
	offset       time.Duration // hawkclient's localtimeOffsetMsec: server clock − our clock
	backoffErr   *wire.ServerError
	backoffUntil time.Time
	rndMu        sync.Mutex
}

// New creates a client for the server at baseURL ("https://api.accounts.firefox.com"
// or, as the identity.fxaccounts.auth.uri pref has it, ".../v1"). hc nil means a
// plain client with a 30 s timeout; clock and rnd are required (the simulator's
// virtual clock and seeded randomness, for nonces).
func New(baseURL string, hc *http.Client, clock func() time.Time, rnd io.Reader) *Client {
	base := strings.TrimSuffix(strings.TrimSuffix(baseURL, "/"), "/v1")
	if hc == nil {
		hc = &http.Client{Timeout: defaultTimeout}
	}
	return &Client{base: base, hc: hc, clock: clock, rnd: rnd}
}

// LocaltimeOffset is the current clock correction (server − local).
func (c *Client) LocaltimeOffset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}

// Do performs one device request, with the same results as authserver.Server.Do:
// wire.SignInResult, bool, wire.EmailStatus, the certificate string, or nil.
func (c *Client) Do(r wire.ServerRequest) (any, *wire.ServerError) {
	if err := c.backingOff(); err != nil {
		return nil, err
	}
	v, err := c.do(r)
	if err != nil && err.RetryAfter > 0 {
		c.backOff(err)
	}
	return v, err
}

// backingOff is FxAccountsClient's backoffError: while it is set, every request
// is rejected with it, without touching the network.
func (c *Client) backingOff() *wire.ServerError {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.backoffErr == nil {
		return nil
	}
	if !c.clock().Before(c.backoffUntil) {
		c.backoffErr = nil
		return nil
	}
	e := *c.backoffErr
	return &e
}

func (c *Client) backOff(err *wire.ServerError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := *err
	c.backoffErr = &e
	c.backoffUntil = c.clock().Add(time.Duration(err.RetryAfter) * time.Second)
}

type credentialsBody struct {
	AuthPW string `json:"authPW"`
	Email  string `json:"email"`
}

type signInBody struct {
	UID          string `json:"uid"`
	SessionToken string `json:"sessionToken"`
	Verified     bool   `json:"verified"`
	AuthAt       int64  `json:"authAt"`
}

func (c *Client) do(r wire.ServerRequest) (any, *wire.ServerError) {
	switch r.Op {
	case wire.OpAccountLogin:
		res, err := c.signIn("/v1/account/login", r.Email, authserver.AuthPW(r.Email, r.Password))
		if err != nil {
			return nil, err
		}
		res.Email = r.Email // the client adds the email it signed in with
		return res, nil
	case wire.OpAccountCreate:
		res, err := c.signIn("/v1/account/create", r.Email, authserver.AuthPW(r.Email, r.Password))
		if err != nil {
			return nil, err
		}
		return res, nil
	case wire.OpAccountExists:
		// accountExists is a sign-in with an empty password: 102 means no, 103 yes.
		_, err := c.signIn("/v1/account/login", r.Email, authserver.AuthPW(r.Email, ""))
		switch {
		case err == nil, err.Errno == 103:
			return true, nil
		case err.Errno == 102:
			return false, nil
		}
		return nil, err
	case wire.OpAccountStatus:
		var out struct {
			Exists bool `json:"exists"`
		}
		if err := c.request(http.MethodGet, "/v1/account/status?uid="+url.QueryEscape(r.UID), "", nil, &out); err != nil {
			return nil, err
		}
		return out.Exists, nil
	case wire.OpEmailStatus:
		var out struct {
			Email    string `json:"email"`
			Verified bool   `json:"verified"`
		}
		if err := c.request(http.MethodGet, "/v1/recovery_email/status", r.SessionToken, nil, &out); err != nil {
			return nil, err
		}
		return wire.EmailStatus{Email: out.Email, Verified: out.Verified}, nil
	case wire.OpResendCode:
		return nil, c.request(http.MethodPost, "/v1/recovery_email/resend_code", r.SessionToken, struct{}{}, nil)
	case wire.OpSessionDestroy:
		return nil, c.request(http.MethodPost, "/v1/session/destroy", r.SessionToken, struct{}{}, nil)
	case wire.OpCertSign:
		body := map[string]any{"duration": r.Duration}
		if k, err := json.Marshal(r.PublicKey); err == nil && r.PublicKey != nil {
			body["publicKey"] = json.RawMessage(k)
		} // otherwise the server names the missing publicKey (108)
		var out struct {
			Cert string `json:"cert"`
		}
		if err := c.request(http.MethodPost, "/v1/certificate/sign", r.SessionToken, body, &out); err != nil {
			return nil, err
		}
		return out.Cert, nil
	}
	return nil, &wire.ServerError{Code: 404, Errno: 999, Error: "Not Found", Message: "Unknown operation " + r.Op}
}

func (c *Client) signIn(path, email, authPW string) (wire.SignInResult, *wire.ServerError) {
	var out signInBody
	if err := c.request(http.MethodPost, path, "", credentialsBody{AuthPW: authPW, Email: email}, &out); err != nil {
		return wire.SignInResult{}, err
	}
	return wire.SignInResult{UID: out.UID, SessionToken: out.SessionToken, Verified: out.Verified, AuthAt: out.AuthAt}, nil
}

// request is hawkclient.request: sign (when a session token is given), send,
// learn the server's clock, retry once after a 401, and turn failures into the
// error objects FxAccountsClient rejected with. out receives a success body.
func (c *Client) request(method, path, sessionToken string, payload any, out any) *wire.ServerError {
	var body []byte
	if payload != nil {
		b, err := json.Marshal(payload)
		if err != nil {
			return &wire.ServerError{Code: 0, Errno: 999, Error: "UNKNOWN_ERROR", Message: "cannot encode request: " + err.Error()}
		}
		body = b
	}
	for retryOK := true; ; retryOK = false {
		resp, err := c.send(method, path, sessionToken, body)
		if err != nil {
			return err
		}
		if resp.status == http.StatusUnauthorized && retryOK {
			continue // the clock offset has been corrected from this response's Date
		}
		return resp.decode(out)
	}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (c *Client) send(method, path, sessionToken string, body []byte) (*response, *wire.ServerError) {
	target := c.base + path
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, target, rd)
	if err != nil {
		return nil, networkError(err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c.mu.Lock()
	local := c.clock()
	ts := local.Add(c.offset)
	c.mu.Unlock()
	if c.SendClock {
		req.Header.Set(authserver.ClockHeader, strconv.FormatInt(local.UnixMilli(), 10))
		if c.AdminToken != "" {
			req.Header.Set(authserver.AdminTokenHeader, c.AdminToken)
		}
	}
	if sessionToken != "" {
		creds, derr := hawk.DeriveCredentials(jsHexToHex(sessionToken), "sessionToken")
		if derr != nil {
			return nil, &wire.ServerError{Code: 0, Errno: 999, Error: "UNKNOWN_ERROR", Message: derr.Error()}
		}
		c.rndMu.Lock()
		nonce, nerr := hawk.NewNonce(c.rnd)
		c.rndMu.Unlock()
		if nerr != nil {
			return nil, &wire.ServerError{Code: 0, Errno: 999, Error: "UNKNOWN_ERROR", Message: nerr.Error()}
		}
		h, herr := hawk.ClientHeader(creds, hawk.ClientRequest{Method: method, URL: target, Now: ts, Nonce: nonce, ContentType: "application/json", Payload: body})
		if herr != nil {
			return nil, &wire.ServerError{Code: 0, Errno: 999, Error: "UNKNOWN_ERROR", Message: herr.Error()}
		}
		req.Header.Set("Authorization", h)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, networkError(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, networkError(err)
	}
	if d := resp.Header.Get("Date"); d != "" {
		if serverNow, perr := http.ParseTime(d); perr == nil {
			c.mu.Lock()
			c.offset = serverNow.Sub(c.clock())
			c.mu.Unlock()
		}
	}
	if len(b) > maxResponseBytes {
		return nil, parseError(resp.StatusCode, "response too large")
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// jsHexToHex reads a token the way CommonUtils.hexToBytes did: pairs that are not
// hex become zero bytes, so a garbage token still signs (and the server answers 110).
func jsHexToHex(s string) string {
	if _, err := hex.DecodeString(s); err == nil {
		return s
	}
	out := make([]byte, 0, len(s)/2)
	for i := 0; i+1 < len(s); i += 2 {
		b, err := hex.DecodeString(s[i : i+2])
		if err != nil {
			b = []byte{0}
		}
		out = append(out, b[0])
	}
	return hex.EncodeToString(out)
}

// decode turns a response into out or into the rejection: a JSON body with an
// "error" member is the server's own error object; any other failure is built
// like hawkclient's _constructError.
func (r *response) decode(out any) *wire.ServerError {
	var obj map[string]json.RawMessage
	isObject := json.Unmarshal(r.body, &obj) == nil && obj != nil
	_, hasError := obj["error"]
	if r.status < 200 || r.status > 299 || hasError {
		if isObject && hasError {
			return serverError(obj)
		}
		e := &wire.ServerError{Code: r.status, Errno: r.status, Error: "Request failed", Message: http.StatusText(r.status)}
		if ra, err := strconv.Atoi(r.header.Get("Retry-After")); err == nil && ra > 0 {
			e.RetryAfter = ra
		}
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(r.body, out); err != nil {
		return parseError(r.status, "unparsable response body")
	}
	return nil
}

func serverError(obj map[string]json.RawMessage) *wire.ServerError {
	var e wire.ServerError
	num := func(k string) int {
		var f float64
		if json.Unmarshal(obj[k], &f) == nil {
			return int(f)
		}
		return 0
	}
	str := func(k string) string {
		var s string
		if json.Unmarshal(obj[k], &s) == nil {
			return s
		}
		return strings.Trim(string(obj[k]), `"`)
	}
	e.Code, e.Errno, e.Error, e.Message, e.Info, e.RetryAfter = num("code"), num("errno"), str("error"), str("message"), str("info"), num("retryAfter")
	// AppError's extra members (error.js): kept so the rejection is the body the
	// server sent (a str of an absent member is "").
	e.Email, e.Param, e.ServerTime = str("email"), str("param"), int64(num("serverTime"))
	return &e
}

func parseError(status int, why string) *wire.ServerError {
	return &wire.ServerError{Code: status, Errno: 997, Error: "PARSE_ERROR", Message: why}
}

// networkError is a transport failure as the device reports it (errno 998). The
// reason leaves out addresses and ports so that simulated runs repeat.
func networkError(err error) *wire.ServerError {
	return &wire.ServerError{Code: 0, Errno: 998, Error: "NETWORK_ERROR", Message: transportReason(err)}
}

func transportReason(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return "unknown host"
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Err != nil {
		return opErr.Err.Error()
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}
