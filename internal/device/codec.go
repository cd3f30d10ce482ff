package device

import (
	"github.com/mozidsim/mozidsim/contacts"
	"github.com/mozidsim/mozidsim/fxaccounts"
	"github.com/mozidsim/mozidsim/gaia"
	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// Codec is the socket envelope of every message a phone's actors send to one
// another: wire's own payloads and values plus those of gaia, contacts and
// fxaccounts, which wire cannot import. The scenario library's round-trip
// test (scenarios.TestEnvelopeRoundTrip) fails when a production package puts
// a Go value into a payload that this list does not name.
func Codec() (*wire.Codec, error) {
	return wire.NewCodec(
		// gaia: System app internals (FxAccountsUI, the dialog, the module).
		gaia.FlowRequest{}, gaia.FlowAnswer{}, gaia.HideRequest{}, gaia.ModuleLoad{}, gaia.ClientCall{},
		// contacts: mozContacts calls, their answers, contactchange, IAC settings.
		contacts.SaveCall{}, contacts.RemoveCall{}, contacts.FindCall{}, contacts.PlainCall{},
		[]contacts.Stored(nil), contacts.ChangeEvent{}, contacts.SettingsMessage{}, contacts.Saved{},
		// fxaccounts: the server link's test hook.
		fxaccounts.SetDelay{},
		// The key certificate/sign carries: its JSON form is its whole value
		// but for the table Precompute adds, which only the RP verifier's
		// certificate cache does (to keys that never travel in a message).
		wire.Custom{
			Proto:  &browserid.PublicKey{},
			Encode: func(v any) ([]byte, error) { return v.(*browserid.PublicKey).MarshalJSON() },
			Decode: func(data []byte) (any, error) { return browserid.ParsePublicKey(data) },
		},
	)
}
