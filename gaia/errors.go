package gaia

import "github.com/mozidsim/mozidsim/internal/wire"

// Overlay keys the module shows (fxam_errors.js, 2015 table).
const (
	ErrConnection          = "CONNECTION_ERROR"
	ErrResetPassword       = "RESET_PASSWORD_ERROR"
	ErrInvalidEmail        = "INVALID_EMAIL"
	ErrInvalidPassword     = "INVALID_PASSWORD"
	ErrCoppa               = "COPPA_ERROR"
	ErrCoppaFTU            = "COPPA_FTU_ERROR"
	ErrOffline             = "OFFLINE"
	ErrUnknown             = "UNKNOWN"
	ErrGeneric             = "GENERIC_ERROR"         // what responseToParams uses without .error
	ErrCannotCreateAccount = "CANNOT_CREATE_ACCOUNT" // asked for by fxam_set_password.js; not in the 2015 table
)

// overlayKeys is the later (2015) FxaModuleErrors table (gaia-fxa.md §6.4).
// Everything else, GENERIC_ERROR, ACCOUNT_ALREADY_EXISTS and CANNOT_CREATE_ACCOUNT
// included, shows "Unknown error".
var overlayKeys = map[string]bool{
	ErrConnection: true, ErrResetPassword: true, ErrInvalidEmail: true, ErrInvalidPassword: true,
	ErrCoppa: true, ErrCoppaFTU: true, ErrOffline: true, ErrUnknown: true,
}

// OverlayKey is FxaModuleErrors.responseToParams(resp): resp.error if present
// (else GENERIC_ERROR), mapped through the table; unknown keys become UNKNOWN.
// Gecko's ACCOUNT_DOES_NOT_EXIST carries a trailing space, so it is unknown too.
func OverlayKey(resp any) string {
	key := ErrGeneric
	if v, ok := wire.ErrorProperty(resp); ok && wire.Truthy(v) {
		s, isString := v.(string)
		if !isString {
			return ErrUnknown // an object as a property name is "[object Object]"
		}
		key = s
	}
	if overlayKeys[key] {
		return key
	}
	return ErrUnknown
}
