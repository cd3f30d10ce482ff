package authserver

import (
	"encoding/json"
	"strings"
)

// adminRoutes are the scenario-driving endpoints served only with
// HandlerOptions.Admin: what the simulator does to an in-memory Server directly,
// made reachable over HTTP for a server in another process.
func adminRoutes() map[string]func(h *httpHandler, c *call) (any, *Error) {
	return map[string]func(h *httpHandler, c *call) (any, *Error){
		"/__mozidsim/accounts":        (*httpHandler).adminCreateAccount,
		"/__mozidsim/verify":          (*httpHandler).adminVerify,
		"/__mozidsim/change-password": (*httpHandler).adminChangePassword,
		"/__mozidsim/delete-account":  (*httpHandler).adminDeleteAccount,
		"/__mozidsim/fault":           (*httpHandler).adminFault,
		"/__mozidsim/clear-faults":    (*httpHandler).adminClearFaults,
		"/__mozidsim/reset":           (*httpHandler).adminReset,
	}
}

// AdminAccount is what the admin API reports about an account.
type AdminAccount struct {
	Email    string `json:"email"`
	UID      string `json:"uid"`
	Verified bool   `json:"verified"`
	Sessions int    `json:"sessions"`
}

func adminFailed(err error) *Error {
	return &Error{Code: 400, Errno: 999, ErrorText: "Bad Request", Message: err.Error()}
}

func (h *httpHandler) accountReport(email string) (any, *Error) {
	info, ok := h.s.Account(email)
	if !ok {
		return nil, &Error{Code: 400, Errno: 102, ErrorText: "Bad Request", Message: "Unknown account"}
	}
	return AdminAccount{Email: info.Email, UID: info.UID, Verified: info.Verified, Sessions: info.Sessions}, nil
}

func (c *call) boolParam(name string) (bool, *Error) {
	raw, ok := c.body[name]
	if !ok || string(raw) == "null" {
		return false, nil
	}
	switch string(raw) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, errInvalidParam()
}

func (c *call) intParam(name string) (int, *Error) {
	raw, ok := c.body[name]
	if !ok || string(raw) == "null" {
		return 0, nil
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil || f != float64(int(f)) || f < 0 || f > 1<<31 {
		return 0, errInvalidParam()
	}
	return int(f), nil
}

func (h *httpHandler) adminCreateAccount(c *call) (any, *Error) {
	email, err := c.stringParam("email")
	if err != nil {
		return nil, err
	}
	password, err := c.stringParam("password")
	if err != nil {
		return nil, err
	}
	verified, err := c.boolParam("verified")
	if err != nil {
		return nil, err
	}
	if cerr := h.s.CreateAccount(email, password, verified); cerr != nil {
		return nil, adminFailed(cerr)
	}
	return h.accountReport(email)
}

func (h *httpHandler) adminVerify(c *call) (any, *Error) {
	email, err := c.stringParam("email")
	if err != nil {
		return nil, err
	}
	if verr := h.s.Verify(email); verr != nil {
		return nil, adminFailed(verr)
	}
	return h.accountReport(email)
}

func (h *httpHandler) adminChangePassword(c *call) (any, *Error) {
	email, err := c.stringParam("email")
	if err != nil {
		return nil, err
	}
	password, err := c.stringParam("password")
	if err != nil {
		return nil, err
	}
	if cerr := h.s.ChangePassword(email, password); cerr != nil {
		return nil, adminFailed(cerr)
	}
	return h.accountReport(email)
}

func (h *httpHandler) adminDeleteAccount(c *call) (any, *Error) {
	email, err := c.stringParam("email")
	if err != nil {
		return nil, err
	}
	if derr := h.s.DeleteAccount(email); derr != nil {
		return nil, adminFailed(derr)
	}
	return struct{}{}, nil
}

func (h *httpHandler) adminFault(c *call) (any, *Error) {
	var endpoint string
	if _, ok := c.body["endpoint"]; ok {
		var err *Error
		if endpoint, err = c.stringParam("endpoint"); err != nil {
			return nil, err
		}
	}
	status, err := c.intParam("status")
	if err != nil {
		return nil, err
	}
	if status < 400 || status > 599 {
		return nil, &Error{Code: 400, Errno: 107, ErrorText: "Bad Request", Message: "Invalid parameter in request body: status must be 400–599"}
	}
	errno, err := c.intParam("errno")
	if err != nil {
		return nil, err
	}
	retryAfter, err := c.intParam("retryAfter")
	if err != nil {
		return nil, err
	}
	if errno == 0 {
		errno = map[int]int{429: 114, 503: 201}[status]
		if errno == 0 {
			errno = 999
		}
	}
	if endpoint != "" && (!strings.HasPrefix(endpoint, "/v1/") || h.routes[endpoint].serve == nil) {
		return nil, &Error{Code: 400, Errno: 107, ErrorText: "Bad Request", Message: "Invalid parameter in request body: no endpoint " + endpoint}
	}
	h.s.InjectFault(endpoint, Fault{Status: status, Errno: errno, RetryAfter: retryAfter})
	return struct{}{}, nil
}

func (h *httpHandler) adminClearFaults(c *call) (any, *Error) {
	h.s.ClearFaults()
	return struct{}{}, nil
}

func (h *httpHandler) adminReset(c *call) (any, *Error) {
	h.s.Reset()
	return struct{}{}, nil
}
