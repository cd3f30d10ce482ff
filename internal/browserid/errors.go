package browserid

// ErrorKind mirrors the error classes of browserid-crypto lib/error.js.
type ErrorKind int

const (
	// Malformed is MalformedInputError: the input cannot be parsed.
	Malformed ErrorKind = iota + 1
	// Verification is VerificationError: well-formed but not valid (signature, time).
	Verification
	// KeySizeNotSupported is KeySizeNotSupportedError: a key of an unknown size.
	KeySizeNotSupported
	// NotImplemented is NotImplementedError: an unknown key algorithm.
	NotImplemented
)

func (k ErrorKind) String() string {
	switch k {
	case Malformed:
		return "MalformedInputError"
	case Verification:
		return "VerificationError"
	case KeySizeNotSupported:
		return "KeySizeNotSupportedError"
	case NotImplemented:
		return "NotImplementedError"
	}
	return "UnknownError"
}

// Error is a failure whose Error() is exactly the message browserid-crypto gives
// (browserid-local-verify passes that message on as the verification reason).
type Error struct {
	Kind   ErrorKind
	Reason string
}

func (e *Error) Error() string { return e.Reason }

func malformed(reason string) error { return &Error{Kind: Malformed, Reason: reason} }

func verification(reason string) error { return &Error{Kind: Verification, Reason: reason} }

// Reason strings used by more than one caller.
const (
	ReasonAlgorithmsDoNotMatch = "algorithms do not match"
	ReasonInvalidSignature     = "invalid signature"
	ReasonMalformedSignature   = "malformed signature"
	ReasonNoCertificates       = "no certificates provided"
	ReasonExpired              = "expired"
	ReasonIssuedLater          = "issued later than verification date"
)
