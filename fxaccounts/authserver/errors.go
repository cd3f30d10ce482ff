package authserver

import "github.com/mozidsim/mozidsim/internal/wire"

// Error is an auth server error body: {code, errno, error, message, info?,
// retryAfter?, email?} with the historic HTTP status / errno pairs.
type Error struct {
	Code       int    `json:"code"`
	Errno      int    `json:"errno"`
	ErrorText  string `json:"error"`
	Message    string `json:"message"`
	Info       string `json:"info,omitempty"`
	RetryAfter int    `json:"retryAfter,omitempty"`
	Email      string `json:"email,omitempty"` // errno 120: the stored capitalisation
}

func (e *Error) Error() string { return e.Message }

// Wire is the error as the device's JavaScript saw it: the parsed body.
func (e *Error) Wire() *wire.ServerError {
	return &wire.ServerError{Code: e.Code, Errno: e.Errno, Error: e.ErrorText, Message: e.Message, Info: e.Info, RetryAfter: e.RetryAfter}
}

func errInvalidToken() *Error {
	return &Error{Code: 401, Errno: 110, ErrorText: "Unauthorized", Message: "Invalid authentication token in request signature"}
}

func errMissingParam(name string) *Error {
	return &Error{Code: 400, Errno: 108, ErrorText: "Bad Request", Message: "Missing parameter in request body: " + name}
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
