// Package devicephone builds the phones of a contacts scenario on internal/device:
// the real Gecko FxAccountsManager, FxAccounts and FxA auth server actors, the
// Gaia System and Settings apps, so the backup service's assertion travels
// FxAccountsManager.getAssertion → FxAccounts → the FxA server's
// /v1/certificate/sign, as in the prototype. Phone is a contacts/scenario
// PhoneFactory; `mozidsim run` uses it, while contacts/scenario's default,
// StubPhone, stays on contacts/fxastub.
//
// What differs from the stub: every phone of a world shares one
// authserver.Server on the world's virtual time, whose key the provider trusts;
// sign-in and sign-out are the Settings app's; the backup service hears them as
// the System window's mozFxAccountsUnsolChromeEvent (a System window listener
// of the FxA management service, device.Config.SystemWindowListeners); an
// account the scenario gives no password gets a fixed one (password).
package devicephone

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	mrand "math/rand/v2"
	"sync"
	"time"

	"github.com/mozidsim/mozidsim/contacts"
	"github.com/mozidsim/mozidsim/contacts/backup"
	"github.com/mozidsim/mozidsim/contacts/phone"
	"github.com/mozidsim/mozidsim/contacts/scenario"
	"github.com/mozidsim/mozidsim/fxaccounts/authserver"
	"github.com/mozidsim/mozidsim/internal/device"
	"github.com/mozidsim/mozidsim/internal/sim"
)

// serverKey is the shared auth server's RS256 key: RSA-2048 generation costs
// tens of milliseconds, so one key serves every world in the process.
var serverKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// world is what the phones of one scenario.World share: one FxA auth server, so
// two devices signed in to one account see the same account.
type world struct {
	server *authserver.Server
	phones int // open phones; the entry goes when the last one closes
}

var (
	worldsMu sync.Mutex
	worlds   = map[*scenario.World]*world{}
)

// Phone is a scenario.PhoneFactory: it builds d as an internal/device phone
// whose FxA auth server is shared by every phone of w, and attaches the
// contacts store and backup service to it.
func Phone(w *scenario.World, d scenario.Device, cfg backup.Config) (*phone.Phone, error) {
	wd, err := join(w)
	if err != nil {
		return nil, err
	}
	p, err := build(w, wd, d, cfg)
	if err != nil {
		leave(w)
		return nil, err
	}
	return p, nil
}

// join returns w's shared state, making the auth server and its accounts for
// the world's first phone.
func join(w *scenario.World) (*world, error) {
	worldsMu.Lock()
	defer worldsMu.Unlock()
	if wd, ok := worlds[w]; ok {
		wd.phones++
		return wd, nil
	}
	key, err := serverKey()
	if err != nil {
		return nil, fmt.Errorf("devicephone: server key: %w", err)
	}
	srv := authserver.New(authserver.Config{
		Issuer: device.Issuer,
		Key:    key,
		Clock:  func() time.Time { return worldNow(w) },
		// Seeded, so uids and session tokens repeat from run to run.
		Rand: &seededReader{r: mrand.New(mrand.NewPCG(w.Scenario.Seed, 0x6678612d73727672))},
	})
	for _, a := range w.Scenario.Accounts {
		verified := a.Verified == nil || *a.Verified
		if err := srv.CreateAccount(a.Email, password(a.Email, a.Password), verified); err != nil {
			return nil, fmt.Errorf("devicephone: account %s: %w", a.Email, err)
		}
	}
	// The provider's /.well-known/browserid now serves this server's key.
	w.SetIssuerKey(srv.PublicKey())
	wd := &world{server: srv, phones: 1}
	worlds[w] = wd
	return wd, nil
}

func leave(w *scenario.World) {
	worldsMu.Lock()
	defer worldsMu.Unlock()
	if wd, ok := worlds[w]; ok {
		if wd.phones--; wd.phones <= 0 {
			delete(worlds, w)
		}
	}
}

// worldNow is the shared auth server's clock: the latest virtual time of any
// phone of the world. World.AdvanceAll moves the phones one after the other by
// the same step, so the phone that is running (the one asking the server) is
// never behind another; the latest time is its time.
//
// It runs on the asking phone's actor goroutine while the driver waits for that
// actor, and the driver is the only writer of the phones' clocks and of
// w.Phones, so the reads are ordered after the writes.
func worldNow(w *scenario.World) time.Time {
	now := w.Clock.Now()
	for _, p := range w.Phones {
		if t := p.Sys.Now(); t.After(now) {
			now = t
		}
	}
	return now
}

func build(w *scenario.World, wd *world, d scenario.Device, cfg backup.Config) (*phone.Phone, error) {
	accounts := make([]device.Account, len(w.Scenario.Accounts))
	for i, a := range w.Scenario.Accounts {
		accounts[i] = device.Account{Email: a.Email, Password: password(a.Email, a.Password), Verified: a.Verified == nil || *a.Verified}
	}
	// The same seeds as StubPhone: phone i of the world gets Seed+i+1.
	seed := w.Scenario.Seed + uint64(len(w.Phones)) + 1
	dev, err := device.New(device.Config{Seed: seed, Accounts: accounts, User: d.User, Server: wd.server,
		SystemWindowListeners: []sim.Addr{contacts.Backup}})
	if err != nil {
		return nil, err
	}
	p, err := phone.Attach(d.Name, dev.Sys, cfg, w.Clock)
	if err != nil {
		dev.Close()
		return nil, err
	}
	// Sign-in and sign-out are the user's, in the Settings app: Settings → the
	// management service → FxAccountsManager → FxAccounts, which notifies its
	// observers.
	p.SignIn = func(email, pw string) error { return dev.SettingsSignIn(email, password(email, pw)) }
	p.SignOut = dev.SettingsSignOut
	var once sync.Once
	p.SetCloser(func() error {
		err := dev.Close()
		once.Do(func() { leave(w) })
		return err
	})
	return p, nil
}

// password is an account's password: the scenario's, or, when the scenario
// leaves it out (the stub never checks one), a fixed one derived from the
// e-mail, used both to create the account and to sign in.
func password(email, pw string) string {
	if pw != "" {
		return pw
	}
	return "password of " + email
}

// seededReader is a deterministic byte source (the auth server's uids, salts and
// session tokens). The server reads it under its own lock.
type seededReader struct{ r *mrand.Rand }

func (s *seededReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(s.r.Uint32())
	}
	return len(p), nil
}
