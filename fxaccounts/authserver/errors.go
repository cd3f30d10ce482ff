package authserver

import "github.com/mozidsim/mozidsim/internal/wire"

// Error is an auth server error body: {code, errno, error, message, info, then
// at most one extra: retryAfter, email or param} with the historic HTTP status /
// errno pairs. The order is AppError's (fxa-auth-server error.js): the five
// members of output.payload, then the keys of its extra argument.
type Error struct {
	Code       int    `json:"code"`
	Errno      int    `json:"errno"`
	ErrorText  string `json:"error"`
	Message    string `json:"message"`
	Info       string `json:"info,omitempty"` // "" is DefaultInfo (see body)
	RetryAfter int    `json:"retryAfter,omitempty"`
	Email      string `json:"email,omitempty"` // 101, 102: the e-mail asked for; 103, 120: the stored one
	Param      string `json:"param,omitempty"` // 108: the missing member
}

// DefaultInfo is AppError's DEFAULTS.info: the error.js of spring 2014
// (mozilla/fxa-auth-server@c8123c0c, 2014-03-19) and of 2015 (@2bbdc7e9
// lib/error.js, 2015-07-16) put it in every error body (AppError:
// info: options.info || DEFAULTS.info), so the device's rejections carried it.
const DefaultInfo = "https://github.com/mozilla/fxa-auth-server/blob/master/docs/api.md#response-format"

func (e *Error) Error() string { return e.Message }

// body is the error as the server sent it: Info filled in as AppError did.
func (e *Error) body() *Error {
	b := *e
	if b.Info == "" {
		b.Info = DefaultInfo
	}
	return &b
}

// Wire is the error as the device's JavaScript saw it: the parsed body.
func (e *Error) Wire() *wire.ServerError {
	b := e.body()
	return &wire.ServerError{Code: b.Code, Errno: b.Errno, Error: b.ErrorText, Message: b.Message, Info: b.Info, RetryAfter: b.RetryAfter, Email: b.Email, Param: b.Param}
}

func errInvalidToken() *Error {
	return &Error{Code: 401, Errno: 110, ErrorText: "Unauthorized", Message: "Invalid authentication token in request signature"}
}

func errMissingParam(name string) *Error {
	// error.js missingRequestParameter: extra {param}.
	return &Error{Code: 400, Errno: 108, ErrorText: "Bad Request", Message: "Missing parameter in request body: " + name, Param: name}
}

func errInvalidParam() *Error {
	return &Error{Code: 400, Errno: 107, ErrorText: "Bad Request", Message: "Invalid parameter in request body"}
}

// Fault makes an endpoint fail the way a sick server does.
type Fault struct {
	Status     int // HTTP status, e.g. 503 or 429
	Errno      int // e.g. 201 or 114
	RetryAfter int // seconds
}

func (f Fault) err() *Error {
	e := &Error{Code: f.Status, Errno: f.Errno, RetryAfter: f.RetryAfter}
	switch f.Status {
	case 429:
		e.ErrorText, e.Message = "Too Many Requests", "Client has sent too many requests"
	case 503:
		e.ErrorText, e.Message = "Service Unavailable", "Service unavailable"
	case 401:
		e.ErrorText, e.Message = "Unauthorized", "Invalid authentication token in request signature"
	case 400:
		e.ErrorText, e.Message = "Bad Request", "Bad request"
	default:
		e.ErrorText, e.Message = "Internal Server Error", "Unspecified error"
	}
	return e
}

// InjectFault makes endpoint ("/v1/certificate/sign", or "" for all) fail until cleared.
func (s *Server) InjectFault(endpoint string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[endpoint] = f
}

// ClearFaults heals the server.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.faults)
}

// fault returns the injected failure for endpoint, if any; callers hold mu.
func (s *Server) fault(endpoint string) *Error {
	if f, ok := s.faults[endpoint]; ok {
		return f.err()
	}
	if f, ok := s.faults[""]; ok {
		return f.err()
	}
	return nil
}

func errTooManyAccounts() *Error {
	return &Error{Code: 503, Errno: 201, ErrorText: "Service Unavailable", Message: "Service unavailable"}
}
