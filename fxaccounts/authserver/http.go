package authserver

// The auth server's HTTP face (fxa-auth-server's hapi routes in routes/account.js,
// routes/session.js, routes/sign.js, routes/idp.js, with hapi-auth-hawk and the
// error translation in lib/error.js): the same core as the in-memory path, reached
// the way a real phone reached api.accounts.firefox.com.

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mozidsim/mozidsim/internal/hawk"
)

// MaxBodyBytes is the largest request body the server reads (hapi's payload
// limit as fxa-auth-server configured it).
const MaxBodyBytes = 16 * 1024

// ClockHeader carries the simulator's virtual time (ms since the epoch) when
// HandlerOptions.ClockFromHeader is set.
const ClockHeader = "X-Mozidsim-Now"

// HandlerOptions select the optional parts of the HTTP API.
type HandlerOptions struct {
	// Admin serves /__mozidsim/* so that scenarios can drive a remote server
	// (make accounts, verify them, change passwords, inject faults). Off by
	// default: a server reachable by others must not let them do that.
	Admin bool
	// ClockFromHeader makes a request's X-Mozidsim-Now header the server's "now"
	// for that request. The simulator runs on a virtual clock while a real server
	// would use the wall clock; certificates (iat/exp), authAt and Hawk's ±60 s
	// window only agree with the simulated phone if the server uses the phone's
	// notion of time. Requests are then handled one at a time, because the core
	// reads its clock while serving them. Enable it on at most one handler per
	// Server.
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
	h := &httpHandler{s: s, opt: opt, base: base, tokens: &hawkTokens{byID: map[string]string{}, known: map[string]string{}}}
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
	serial   sync.Mutex // one request at a time while the override is live
	override atomic.Pointer[time.Time]
}

type httpHandler struct {
	s       *Server
	opt     HandlerOptions
	base    func() time.Time
	virtual *virtualClock
	tokens  *hawkTokens
	routes  map[string]route
}

type route struct {
	method      string
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
			rt[path] = route{method: http.MethodPost, serve: serve}
		}
	}
	return rt
}

func (h *httpHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := h.base()
	if h.virtual != nil {
		h.virtual.serial.Lock()
		defer h.virtual.serial.Unlock()
		if v := r.Header.Get(ClockHeader); v != "" {
			ms, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				writeJSONError(w, now, &Error{Code: 400, Errno: 999, ErrorText: "Bad Request", Message: ClockHeader + " is not milliseconds since the epoch: " + strconv.Quote(v)}, 0)
				return
			}
			now = time.UnixMilli(ms).UTC()
			h.virtual.override.Store(&now)
			defer h.virtual.override.Store(nil)
		}
	}
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
	c := &call{r: r, now: now}
	raw, err := readBody(r)
	if err != nil {
		writeJSONError(w, now, err, 0)
		return
	}
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
		t, c, ok := h.tokens.lookup(h.s, id)
		tok = t
		return c, ok
	}, hawk.VerifyOptions{Now: now, RequirePayloadHash: needHash})
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

// hawkTokens finds a session token by the Hawk id derived from it. Tokens handed
// out over HTTP are remembered as they are issued; sessions made any other way
// (the in-memory path, another handler) are found by deriving the ids of the
// sessions not yet seen.
type hawkTokens struct {
	mu    sync.Mutex
	byID  map[string]string // Hawk id → token
	known map[string]string // token → Hawk id, for tokens already derived
	keys  map[string][]byte // Hawk id → key
}

func (t *hawkTokens) remember(token string) {
	c, err := hawk.DeriveCredentials(token, "sessionToken")
	if err != nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.add(token, c)
}

func (t *hawkTokens) add(token string, c hawk.Credentials) {
	if t.keys == nil {
		t.keys = map[string][]byte{}
	}
	t.byID[c.ID] = token
	t.keys[c.ID] = c.Key
	t.known[token] = c.ID
}

func (t *hawkTokens) forget(token string) {
	c, err := hawk.DeriveCredentials(token, "sessionToken")
	if err != nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.drop(token, c.ID)
}

func (t *hawkTokens) drop(token, id string) {
	delete(t.byID, id)
	delete(t.keys, id)
	delete(t.known, token)
}

func (t *hawkTokens) lookup(s *Server, id string) (string, hawk.Credentials, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if tok, ok := t.byID[id]; ok {
		return tok, hawk.Credentials{ID: id, Key: t.keys[id]}, true
	}
	s.mu.Lock()
	var fresh []string
	for tok := range s.sessions {
		if _, seen := t.known[tok]; !seen {
			fresh = append(fresh, tok)
		}
	}
	for tok, id := range t.known {
		if _, live := s.sessions[tok]; !live {
			t.drop(tok, id) // ended elsewhere (password change, deletion, in memory)
		}
	}
	s.mu.Unlock()
	for _, tok := range fresh {
		if c, err := hawk.DeriveCredentials(tok, "sessionToken"); err == nil {
			t.add(tok, c)
		}
	}
	if tok, ok := t.byID[id]; ok {
		return tok, hawk.Credentials{ID: id, Key: t.keys[id]}, true
	}
	return "", hawk.Credentials{}, false
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
	if email == "" || len(email) > 255 {
		return "", "", errInvalidParam()
	}
	if b, herr := hex.DecodeString(authPW); herr != nil || len(b) != 32 {
		return "", "", errInvalidParam()
	}
	return email, authPW, nil
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
	h.tokens.remember(res.SessionToken)
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
	h.tokens.remember(res.SessionToken)
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
	h.tokens.forget(c.token)
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
	writeJSON(w, now, status, errorBody{Error: e, ServerTime: serverTime})
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
