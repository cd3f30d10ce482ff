package authserver

// The auth server's HTTP face (fxa-auth-server's hapi routes in routes/account.js,
// routes/session.js, routes/sign.js, routes/idp.js, with hapi-auth-hawk and the
// error translation in lib/error.js): the same core as the in-memory path, reached
// the way a real phone reached api.accounts.firefox.com.

import (
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/mozidsim/mozidsim/internal/hawk"
)

// MaxBodyBytes is the largest request body the server reads (hapi's payload
// limit as fxa-auth-server configured it).
const MaxBodyBytes = 16 * 1024

// ClockHeader carries the simulator's virtual time (ms since the epoch) when
// HandlerOptions.ClockFromHeader is set. It is an admin power: it needs
// AdminTokenHeader too, or anyone could replay an old signed request "at" its
// own time.
const ClockHeader = "X-Mozidsim-Now"

// AdminTokenHeader carries HandlerOptions.AdminToken on admin requests. A web
// page cannot send it cross-site without a CORS preflight, which this server
// never grants, and cannot learn the token.
const AdminTokenHeader = "X-Mozidsim-Admin-Token"

// HandlerOptions select the optional parts of the HTTP API.
type HandlerOptions struct {
	// Admin serves /__mozidsim/* so that scenarios can drive a remote server
	// (make accounts, verify them, change passwords, inject faults). Off by
	// default: a server reachable by others must not let them do that. Admin
	// requests must carry AdminToken in AdminTokenHeader, under an allowed Host.
	Admin bool
	// AdminToken is the admin credential (for the admin API and ClockHeader).
	// Empty means every admin request is refused.
	AdminToken string
	// AllowedHosts are host names (without port) under which admin requests are
	// served, besides IP literals and "localhost": a page on another name
	// rebound to this address (DNS rebinding) is refused before the token is
	// even looked at.
	AllowedHosts []string
	// ClockFromHeader makes an admin request's X-Mozidsim-Now header the
	// server's "now" for that request. The simulator runs on a virtual clock
	// while a real server would use the wall clock; certificates (iat/exp),
	// authAt and Hawk's ±60 s window only agree with the simulated phone if the
	// server uses the phone's notion of time. A request with the header runs
	// alone (the core reads its clock while serving it); bodies are read before
	// that, so a slow client holds nothing up. Enable it on at most one handler
	// per Server.
	ClockFromHeader bool
}

// Handler serves the auth server API (and, with options, the admin API and the
// virtual clock). Every response carries a Date header from the server's clock,
// because hawk clients correct their skew from it.
func (s *Server) Handler(opts ...HandlerOptions) http.Handler {
	var opt HandlerOptions
	if len(opts) > 0 {
		opt = opts[0]
	}
	s.mu.Lock()
	base := s.cfg.Clock
	h := &httpHandler{s: s, opt: opt, base: base, nonces: &hawk.NonceCache{}}
	if opt.ClockFromHeader {
		h.virtual = &virtualClock{}
		// The core reads cfg.Clock under s.mu; an override set for one request
		// replaces it for exactly that request.
		s.cfg.Clock = func() time.Time {
			if t := h.virtual.override.Load(); t != nil {
				return *t
			}
			return base()
		}
	}
	s.mu.Unlock()
	h.routes = h.routeTable()
	return h
}

type virtualClock struct {
	// Requests with a clock override hold it exclusively, all others shared:
	// an override is never seen by a request it was not meant for. It is held
	// only while the core works, never while a body is read.
	mu       sync.RWMutex
	override atomic.Pointer[time.Time]
}

type httpHandler struct {
	s       *Server
	opt     HandlerOptions
	base    func() time.Time
	virtual *virtualClock
	nonces  *hawk.NonceCache
	routes  map[string]route
}

type route struct {
	method      string
	admin       bool // needs the admin token
	session     bool // Hawk with a sessionToken
	payloadHash bool // Hawk must cover the body
	maxAge      int  // seconds a success may be cached
	serve       func(h *httpHandler, c *call) (any, *Error)
}

// call is one request in flight.
type call struct {
	r     *http.Request
	now   time.Time
	body  map[string]json.RawMessage
	token string // session token, for session routes
}

func (h *httpHandler) routeTable() map[string]route {
	rt := map[string]route{
		"/v1/account/create":             {method: http.MethodPost, serve: (*httpHandler).create},
		"/v1/account/login":              {method: http.MethodPost, serve: (*httpHandler).login},
		"/v1/account/status":             {method: http.MethodGet, serve: (*httpHandler).accountStatus},
		"/v1/recovery_email/status":      {method: http.MethodGet, session: true, serve: (*httpHandler).emailStatus},
		"/v1/recovery_email/resend_code": {method: http.MethodPost, session: true, serve: (*httpHandler).resendCode},
		"/v1/session/destroy":            {method: http.MethodPost, session: true, serve: (*httpHandler).destroySession},
		"/v1/certificate/sign":           {method: http.MethodPost, session: true, payloadHash: true, serve: (*httpHandler).signCertificate},
		"/.well-known/browserid":         {method: http.MethodGet, maxAge: 10, serve: (*httpHandler).wellKnown},
	}
	if h.opt.Admin {
		for path, serve := range adminRoutes() {
			rt[path] = route{method: http.MethodPost, admin: true, serve: serve}
		}
	}
	return rt
}

func (h *httpHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := h.base()
	rt, ok := h.routes[r.URL.Path]
	if !ok {
		writeJSONError(w, now, &Error{Code: 404, Errno: 999, ErrorText: "Not Found", Message: "Not Found"}, 0)
		return
	}
	if r.Method != rt.method {
		w.Header().Set("Allow", rt.method)
		writeJSONError(w, now, &Error{Code: 405, Errno: 999, ErrorText: "Method Not Allowed", Message: "Method Not Allowed"}, 0)
		return
	}
	clock := ""
	if h.virtual != nil {
		clock = r.Header.Get(ClockHeader)
	}
	if rt.admin || clock != "" {
		what := "the admin API"
		if !rt.admin {
			what = ClockHeader + " (the virtual clock)"
		}
		if err := h.checkAdmin(r, what); err != nil {
			writeJSONError(w, now, err, 0)
			return
		}
	}
	if clock != "" {
		ms, err := strconv.ParseInt(clock, 10, 64)
		if err != nil {
			writeJSONError(w, now, &Error{Code: 400, Errno: 999, ErrorText: "Bad Request", Message: ClockHeader + " is not milliseconds since the epoch: " + strconv.Quote(clock)}, 0)
			return
		}
		now = time.UnixMilli(ms).UTC()
	}
	// The body is read before any lock: the server's read timeout bounds a slow
	// client, and it stalls nobody else.
	raw, err := readBody(r)
	if err != nil {
		writeJSONError(w, now, err, 0)
		return
	}
	if err := checkContent(r, raw, rt.admin); err != nil {
		writeJSONError(w, now, err, 0)
		return
	}
	if h.virtual != nil {
		if clock != "" {
			h.virtual.mu.Lock()
			defer h.virtual.mu.Unlock()
			h.virtual.override.Store(&now)
			defer h.virtual.override.Store(nil)
		} else {
			h.virtual.mu.RLock()
			defer h.virtual.mu.RUnlock()
		}
	}
	c := &call{r: r, now: now}
	if rt.session {
		token, serverTime, err := h.authenticate(r, raw, now, rt.payloadHash)
		if err != nil {
			writeJSONError(w, now, err, serverTime)
			return
		}
		c.token = token
	}
	if r.Method == http.MethodPost {
		if c.body, err = parseObject(raw); err != nil {
			writeJSONError(w, now, err, 0)
			return
		}
	}
	v, err := rt.serve(h, c)
	if err != nil {
		writeJSONError(w, now, err, 0)
		return
	}
	if rt.maxAge > 0 {
		w.Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(rt.maxAge))
	}
	writeJSON(w, now, http.StatusOK, v)
}

// checkAdmin lets an admin request through only under an allowed Host and
// with the admin token.
func (h *httpHandler) checkAdmin(r *http.Request, what string) *Error {
	if !h.hostAllowed(r.Host) {
		return &Error{Code: 403, Errno: 999, ErrorText: "Forbidden", Message: fmt.Sprintf("%s is not served under Host %q (a DNS rebinding guard): use an IP address or localhost, or allow the name with serve-fxa --allow-host", what, r.Host)}
	}
	got := r.Header.Get(AdminTokenHeader)
	if h.opt.AdminToken == "" || subtle.ConstantTimeCompare([]byte(got), []byte(h.opt.AdminToken)) != 1 {
		msg := fmt.Sprintf("%s is an admin power: send the token serve-fxa printed at start in %s (mozidsim run --admin-token or MOZIDSIM_ADMIN_TOKEN)", what, AdminTokenHeader)
		if got != "" {
			msg = fmt.Sprintf("%s: wrong %s", what, AdminTokenHeader)
		}
		return &Error{Code: 401, Errno: 999, ErrorText: "Unauthorized", Message: msg}
	}
	return nil
}

// hostAllowed: IP literals and localhost need no DNS, so no page can rebind
// them; any other name must be allowed by name.
func (h *httpHandler) hostAllowed(hostport string) bool {
	host := hostport
	if hst, _, err := net.SplitHostPort(hostport); err == nil {
		host = hst
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "" {
		return false
	}
	if host == "localhost" || net.ParseIP(host) != nil {
		return true
	}
	for _, a := range h.opt.AllowedHosts {
		if strings.EqualFold(strings.TrimSuffix(a, "."), host) {
			return true
		}
	}
	return false
}

// checkContent: a body must be declared JSON (a cross-site form or text/plain
// post cannot be) and be UTF-8. Admin posts must be JSON even when empty.
func checkContent(r *http.Request, raw []byte, admin bool) *Error {
	if len(raw) == 0 && !(admin && r.Method == http.MethodPost) {
		return nil
	}
	ct := r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		if ct == "" {
			ct = "none"
		}
		return &Error{Code: 415, Errno: 999, ErrorText: "Unsupported Media Type", Message: "Unsupported Content-Type: " + ct + " (expected application/json)"}
	}
	if !utf8.Valid(raw) {
		return &Error{Code: 400, Errno: 106, ErrorText: "Bad Request", Message: "Invalid JSON in request body: not UTF-8"}
	}
	return nil
}

func readBody(r *http.Request) ([]byte, *Error) {
	if r.Body == nil {
		return nil, nil
	}
	if r.ContentLength > MaxBodyBytes {
		return nil, errBodyTooLarge()
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return nil, &Error{Code: 400, Errno: 999, ErrorText: "Bad Request", Message: "Unable to read request body"}
	}
	if len(b) > MaxBodyBytes {
		return nil, errBodyTooLarge()
	}
	return b, nil
}

func errBodyTooLarge() *Error {
	return &Error{Code: 413, Errno: 113, ErrorText: "Request Entity Too Large", Message: "Request body too large"}
}

func errInvalidJSON() *Error {
	return &Error{Code: 400, Errno: 106, ErrorText: "Bad Request", Message: "Invalid JSON in request body"}
}

// parseObject reads a JSON object body; an empty body counts as {} so that a
// missing parameter is reported by name.
func parseObject(raw []byte) (map[string]json.RawMessage, *Error) {
	if len(strings.TrimSpace(string(raw))) == 0 {
		return map[string]json.RawMessage{}, nil
	}
	if !json.Valid(raw) {
		return nil, errInvalidJSON()
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, errInvalidParam() // valid JSON, but not an object
	}
	return m, nil
}

// authenticate checks the Hawk header against the session token it names and
// maps hawk's failures the way fxa-auth-server's error translation did.
func (h *httpHandler) authenticate(r *http.Request, body []byte, now time.Time, needHash bool) (token string, serverTime int64, e *Error) {
	resource := r.RequestURI // as sent, so a client's own escaping still matches
	if !strings.HasPrefix(resource, "/") {
		resource = r.URL.RequestURI() // empty (client-side request) or absolute-form
	}
	host, port := hawk.HostPort(r.Host, r.TLS != nil)
	var tok string
	_, _, err := hawk.Verify(hawk.ServerRequest{
		Method: r.Method, Resource: resource, Host: host, Port: port,
		Authorization: r.Header.Get("Authorization"), ContentType: r.Header.Get("Content-Type"), Payload: body,
	}, func(id string) (hawk.Credentials, bool) {
		t, c, ok := h.s.SessionByHawkID(id)
		tok = t
		return c, ok
	}, hawk.VerifyOptions{Now: now, RequirePayloadHash: needHash, Nonces: h.nonces})
	if err == nil {
		return tok, 0, nil
	}
	var he *hawk.Error
	if !errors.As(err, &he) {
		return "", 0, &Error{Code: 500, Errno: 999, ErrorText: "Internal Server Error", Message: "Unspecified error"}
	}
	switch {
	case !he.Unauthorized:
		// hawk's 400s (a header it cannot parse) kept their message and got the default errno.
		return "", 0, &Error{Code: 400, Errno: 999, ErrorText: "Bad Request", Message: he.Reason}
	case he.Reason == hawk.ReasonUnknownID:
		return "", 0, errInvalidToken()
	case he.Reason == hawk.ReasonStale:
		return "", he.ServerTime.Unix(), &Error{Code: 401, Errno: 111, ErrorText: "Unauthorized", Message: "Invalid timestamp in request signature"}
	case he.Reason == hawk.ReasonReplay:
		return "", 0, &Error{Code: 401, Errno: 115, ErrorText: "Unauthorized", Message: "Invalid nonce in request signature"}
	default:
		return "", 0, &Error{Code: 401, Errno: 109, ErrorText: "Unauthorized", Message: "Invalid request signature"}
	}
}

// Request parameters, checked the way the routes' Joi schemas did: absent → 108
// naming the parameter, wrong type or shape → 107.

func (c *call) stringParam(name string) (string, *Error) {
	raw, ok := c.body[name]
	if !ok || string(raw) == "null" {
		return "", errMissingParam(name)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", errInvalidParam()
	}
	return s, nil
}

func (c *call) credentials() (email, authPW string, err *Error) {
	if email, err = c.stringParam("email"); err != nil {
		return "", "", err
	}
	if authPW, err = c.stringParam("authPW"); err != nil {
		return "", "", err
	}
	if email == "" || len(email) > 255 || !printable(email) {
		return "", "", errInvalidParam()
	}
	if b, herr := hex.DecodeString(authPW); herr != nil || len(b) != 32 {
		return "", "", errInvalidParam()
	}
	return email, authPW, nil
}

// printable refuses control characters and U+FFFD, which is what JSON decoding
// makes of invalid UTF-8 or a lone surrogate escape: such an email was not
// what the client meant.
func printable(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return false
		}
	}
	return true
}

type signUpBody struct {
	UID          string `json:"uid"`
	SessionToken string `json:"sessionToken"`
	AuthAt       int64  `json:"authAt"`
}

type signInBody struct {
	UID          string `json:"uid"`
	SessionToken string `json:"sessionToken"`
	Verified     bool   `json:"verified"`
	AuthAt       int64  `json:"authAt"`
}

func (h *httpHandler) create(c *call) (any, *Error) {
	email, authPW, err := c.credentials()
	if err != nil {
		return nil, err
	}
	res, err := h.s.Create(email, authPW)
	if err != nil {
		return nil, err
	}
	return signUpBody{UID: res.UID, SessionToken: res.SessionToken, AuthAt: res.AuthAt}, nil
}

func (h *httpHandler) login(c *call) (any, *Error) {
	email, authPW, err := c.credentials()
	if err != nil {
		return nil, err
	}
	res, err := h.s.Login(email, authPW)
	if err != nil {
		return nil, err
	}
	return signInBody{UID: res.UID, SessionToken: res.SessionToken, Verified: res.Verified, AuthAt: res.AuthAt}, nil
}

func (h *httpHandler) accountStatus(c *call) (any, *Error) {
	exists, err := h.s.AccountStatus(c.r.URL.Query().Get("uid"))
	if err != nil {
		return nil, err
	}
	return struct {
		Exists bool `json:"exists"`
	}{exists}, nil
}

func (h *httpHandler) emailStatus(c *call) (any, *Error) {
	st, err := h.s.EmailStatus(c.token)
	if err != nil {
		return nil, err
	}
	return struct {
		Email    string `json:"email"`
		Verified bool   `json:"verified"`
	}{st.Email, st.Verified}, nil
}

func (h *httpHandler) resendCode(c *call) (any, *Error) {
	if err := h.s.ResendCode(c.token); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (h *httpHandler) destroySession(c *call) (any, *Error) {
	if err := h.s.DestroySession(c.token); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (h *httpHandler) signCertificate(c *call) (any, *Error) {
	rawKey, ok := c.body["publicKey"]
	if !ok || string(rawKey) == "null" {
		return nil, errMissingParam("publicKey")
	}
	var key map[string]any
	if err := json.Unmarshal(rawKey, &key); err != nil {
		return nil, errInvalidParam()
	}
	for _, v := range key {
		if _, isString := v.(string); !isString {
			return nil, errInvalidParam() // the schema allows only string members
		}
	}
	rawDur, ok := c.body["duration"]
	if !ok || string(rawDur) == "null" {
		return nil, errMissingParam("duration")
	}
	var ms float64
	if err := json.Unmarshal(rawDur, &ms); err != nil || ms != math.Trunc(ms) || ms < 0 {
		return nil, errInvalidParam()
	}
	if ms > float64(MaxCertDuration.Milliseconds()) {
		return nil, errInvalidParam()
	}
	cert, err := h.s.SignCertificate(c.token, key, time.Duration(ms)*time.Millisecond)
	if err != nil {
		return nil, err
	}
	return struct {
		Cert string `json:"cert"`
	}{cert}, nil
}

func (h *httpHandler) wellKnown(c *call) (any, *Error) {
	return wellKnownBody{PublicKey: h.s.PublicKey(), Authentication: "/.well-known/browserid/sign_in.html", Provisioning: "/.well-known/browserid/provision.html"}, nil
}

type wellKnownBody struct {
	PublicKey      any    `json:"public-key"`
	Authentication string `json:"authentication"`
	Provisioning   string `json:"provisioning"`
}

// errorBody is an error response: the core's Error plus serverTime on 111.
type errorBody struct {
	*Error
	ServerTime int64 `json:"serverTime,omitempty"`
}

func writeJSONError(w http.ResponseWriter, now time.Time, e *Error, serverTime int64) {
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	status := e.Code
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError // a fault with a nonsense status still fails
	}
	writeJSON(w, now, status, errorBody{Error: e.body(), ServerTime: serverTime})
}

func writeJSON(w http.ResponseWriter, now time.Time, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"code":500,"errno":999,"error":"Internal Server Error","message":"Unspecified error"}`)
	}
	hd := w.Header()
	hd.Set("Date", now.UTC().Format(http.TimeFormat))
	hd.Set("Content-Type", "application/json; charset=utf-8")
	hd.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}
