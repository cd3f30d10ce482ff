package scenarios

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/device"
	"github.com/mozidsim/mozidsim/internal/wire"
	"github.com/mozidsim/mozidsim/rp"
)

// A World (mozidsim serve, the phone API) names the refused action as a run does.
func TestAWorldSaysWhichActionWasRefused(t *testing.T) {
	d, err := device.New(device.Config{Seed: 1, Accounts: []device.Account{{Email: "alice@example.com", Password: "correct horse battery", Verified: true}}})
	require.NoError(t, err)
	defer func() { require.NoError(t, d.Close()) }()
	p, err := d.Open(rp.App{Name: "shop", Origin: "https://shop.example.com", Status: wire.AppCertified})
	require.NoError(t, err)
	require.NoError(t, p.Watch(rp.WatchOptions{WantIssuer: wire.WantIssuerFxA, OnLogin: func(string) {}, OnLogout: func() {}, OnReady: func() {}}))
	require.NoError(t, p.Request(rp.RequestOptions{}))
	require.NoError(t, d.RunUntilIdle())

	w := NewWorld(d)
	steps, err := ParseSteps([]byte(`[{"user": "sign-in", "email": "alice@example.com", "password": "pw"}, {"user": "next"}]`))
	require.NoError(t, err)
	require.EqualError(t, w.Step(steps[0]), "user sign-in: on ENTER_PASSWORD, user next was refused: Next is disabled: the password is shorter than 8 characters")
	require.EqualError(t, w.Step(steps[1]), "user next was refused: Next is disabled: the password is shorter than 8 characters")
}
