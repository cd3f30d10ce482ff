package authserver

import (
	"encoding/json"
	"time"

	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// Do performs one device request in memory: what FxAccountsClient.jsm would send
// over HTTP, minus the transport. The password is stretched to authPW here, on the
// device's side of the wire, exactly as onepw does before anything is sent.
func (s *Server) Do(r wire.ServerRequest) (any, *wire.ServerError) {
	var (
		v   any
		err *Error
	)
	switch r.Op {
	case wire.OpAccountLogin:
		v, err = s.Login(r.Email, AuthPW(r.Email, r.Password))
	case wire.OpAccountCreate:
		v, err = s.Create(r.Email, AuthPW(r.Email, r.Password))
	case wire.OpAccountExists:
		// FxAccountsClient.accountExists: a login with an empty password; 102 means
		// no, 103 means yes.
		_, err = s.Login(r.Email, AuthPW(r.Email, ""))
		switch {
		case err == nil, err.Errno == 103:
			v, err = true, nil
		case err.Errno == 102:
			v, err = false, nil
		}
	case wire.OpAccountStatus:
		v, err = s.AccountStatus(r.UID)
	case wire.OpEmailStatus:
		v, err = s.EmailStatus(r.SessionToken)
	case wire.OpResendCode:
		err = s.ResendCode(r.SessionToken)
	case wire.OpSessionDestroy:
		err = s.DestroySession(r.SessionToken)
	case wire.OpCertSign:
		obj, ok := publicKeyObject(r.PublicKey)
		if !ok {
			return nil, errMissingParam("publicKey").Wire()
		}
		v, err = s.SignCertificate(r.SessionToken, obj, time.Duration(r.Duration)*time.Millisecond)
	default:
		return nil, &wire.ServerError{Code: 404, Errno: 999, Error: "Not Found", Message: "Unknown operation " + r.Op}
	}
	if err != nil {
		return nil, err.Wire()
	}
	return v, nil
}

// publicKeyObject is the JSON object the device would post for its key.
func publicKeyObject(k any) (map[string]any, bool) {
	switch key := k.(type) {
	case map[string]any:
		return key, true
	case *browserid.PublicKey:
		if key == nil {
			return nil, false
		}
		b, err := json.Marshal(key)
		if err != nil {
			return nil, false
		}
		var m map[string]any
		return m, json.Unmarshal(b, &m) == nil
	}
	return nil, false
}
