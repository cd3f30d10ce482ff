package fxaccounts

import "github.com/mozidsim/mozidsim/internal/era"

// SERVER_ERRNO_TO_ERROR of FxAccountsCommon.js ([C-2], fxaccounts-crypto.md §2.5):
// each errno maps to the same-named ERROR_* string except 103 → INVALID_PASSWORD;
// note the trailing space of "ACCOUNT_DOES_NOT_EXIST ", a historic typo that Gaia's
// error table then never matched.
var serverErrnoToError = map[int]string{
	101: "ACCOUNT_ALREADY_EXISTS",
	102: "ACCOUNT_DOES_NOT_EXIST ",
	103: ErrInvalidPassword,
	104: ErrUnverifiedAccount,
	105: "INVALID_VERIFICATION_CODE",
	106: "NOT_VALID_JSON_BODY",
	107: "INVALID_BODY_PARAMETERS",
	108: "MISSING_BODY_PARAMETERS",
	109: "INVALID_REQUEST_SIGNATURE",
	110: "INVALID_AUTH_TOKEN",
	111: "INVALID_AUTH_TIMESTAMP",
	112: "MISSING_CONTENT_LENGTH",
	113: "REQUEST_BODY_TOO_LARGE",
	114: "TOO_MANY_CLIENT_REQUESTS",
	115: "INVALID_AUTH_NONCE",
	116: "ENDPOINT_NO_LONGER_SUPPORTED",
	117: "INCORRECT_LOGIN_METHOD",
	118: "INCORRECT_KEY_RETRIEVAL_METHOD",
	119: "INCORRECT_API_VERSION",
	120: "INCORRECT_EMAIL_CASE",
	201: "SERVICE_TEMPORARY_UNAVAILABLE",
	998: "NETWORK_ERROR",
	999: "UNKNOWN_ERROR",
}

// ErrnoToError maps a server errno; "" for one the table lacks (callers then say SERVER_ERROR).
func ErrnoToError(errno int) string { return serverErrnoToError[errno] }

// Option configures an actor of this package.
type Option func(*config)

type config struct{ era era.Era }

// InEra makes the actor the version of era e: FirefoxAccounts [F-v1] or
// [F-v3], FxAccountsManager [M-A] or [M-C] (era.Default when not given).
func InEra(e era.Era) Option { return func(c *config) { c.era = era.Of(e) } }

func configure(opts []Option) config {
	c := config{era: era.Default}
	for _, o := range opts {
		o(&c)
	}
	return c
}
