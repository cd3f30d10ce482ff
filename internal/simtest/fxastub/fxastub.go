// Package fxastub is a small stand-in for the Firefox Accounts side of a phone, so
// the contacts backup can be tested without the whole device: the two
// FxAccountsManager calls the System app makes (services/fxaccounts/
// FxAccountsManager.jsm getAccount and getAssertion, answered at
// wire.FxAccountsManager with the same message names and value shapes) and the
// FxA auth server's certificate signing behind them (FxAccounts.jsm's DSA key,
// /v1/certificate/sign's RS256 certificate with the fxa-* claims, Gecko's
// assertion). The assertions are real: rp/verifier accepts them.
//
// One Server can serve several phones (several sim.Systems), so two devices can
// be signed in to the same Firefox Account, as a real FxA server allows.
// Not simulated: the sign-in UI, permissions, refreshAuthentication, errno 110.
package fxastub

import (
	"crypto/rsa"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"sync"
	"time"

	"github.com/mozidsim/mozidsim/fxaccounts"
	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/fxaissuer"
	"github.com/mozidsim/mozidsim/internal/promise"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
	"github.com/mozidsim/mozidsim/rp/verifier"
)

// Issuer is the FxA BrowserID issuer.
const Issuer = fxaissuer.Name

// Error codes (FxAccountsCommon.js).
const (
	ErrUnverifiedAccount = "UNVERIFIED_ACCOUNT"
	ErrOffline           = "OFFLINE"
)

// Server is the FxA auth server's account table and signing key.
type Server struct {
	key *rsa.PrivateKey

	mu       sync.Mutex
	rng      *mrand.Rand
	accounts map[string]*Account
}

// Account is an FxA account.
type Account struct {
	Email    string
	UID      string
	Verified bool
}

// NewServer returns a server with no accounts; seed makes the uids repeat.
func NewServer(seed uint64) (*Server, error) {
	key, err := fxaissuer.Key()
	if err != nil {
		return nil, fmt.Errorf("fxastub: issuer key: %w", err)
	}
	return &Server{key: key, rng: mrand.New(mrand.NewPCG(seed, seed^0x5bd1e995)), accounts: make(map[string]*Account)}, nil
}

// AddAccount creates an account and returns its uid (32 hex digits).
func (s *Server) AddAccount(email string, verified bool) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.accounts[email]; dup {
		return "", fmt.Errorf("fxastub: account %s already exists", email)
	}
	var b [16]byte
	for i := range b {
		b[i] = byte(s.rng.Uint32())
	}
	a := &Account{Email: email, UID: hex.EncodeToString(b[:]), Verified: verified}
	s.accounts[email] = a
	return a.UID, nil
}

// SetVerified marks an account verified or not.
func (s *Server) SetVerified(email string, verified bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[email]
	if !ok {
		return fmt.Errorf("fxastub: no account %s", email)
	}
	a.Verified = verified
	return nil
}

// Lookup returns a copy of an account.
func (s *Server) Lookup(email string) (Account, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[email]
	if !ok {
		return Account{}, false
	}
	return *a, true
}

// PublicKey is the issuer's public key (what /.well-known/browserid serves).
func (s *Server) PublicKey() *browserid.PublicKey { return &browserid.PublicKey{RSA: &s.key.PublicKey} }

// Verifier returns a verifier that trusts this server, on the given clock.
func (s *Server) Verifier(now func() time.Time) *verifier.Verifier {
	pub := s.PublicKey()
	return &verifier.Verifier{Now: now, LookupIssuerKey: func(issuer, _ string) (*browserid.PublicKey, error) {
		if issuer != Issuer {
			return nil, fmt.Errorf("no support document for %s", issuer)
		}
		return pub, nil
	}}
}

// Certificate signs the user's public key for an account, as
// /v1/certificate/sign did.
func (s *Server) Certificate(a Account, pub *browserid.PublicKey, now time.Time) (string, error) {
	return browserid.SignCertificate(browserid.CertParams{
		PublicKey: pub,
		Email:     a.UID + "@" + Issuer,
		IssuedAt:  now,
		ExpiresAt: now.Add(fxaccounts.CertLifetime),
		Issuer:    Issuer,
		Extra: []browserid.Claim{
			{Name: "fxa-generation", Value: now.Add(-time.Hour).UnixMilli()},
			{Name: "fxa-lastAuthAt", Value: now.Add(-time.Minute).Unix()},
			{Name: "fxa-verifiedEmail", Value: a.Email},
		},
	}, s.key)
}

// Assertion makes a backed assertion for an account and audience at now, with a
// fresh user key (for tests that talk to a provider directly).
func (s *Server) Assertion(email, audience string, now time.Time) (string, error) {
	a, ok := s.Lookup(email)
	if !ok {
		return "", fmt.Errorf("fxastub: no account %s", email)
	}
	key, err := browserid.GenerateDSAKey(nil)
	if err != nil {
		return "", err
	}
	return assertion(s, a, key, audience, now)
}

func assertion(s *Server, a Account, key *browserid.DSAKey, audience string, now time.Time) (string, error) {
	cert, err := s.Certificate(a, key.Public(), now)
	if err != nil {
		return "", err
	}
	signed, err := browserid.SignAssertion(key, audience, now.Add(fxaccounts.AssertionLifetime))
	if err != nil {
		return "", err
	}
	return browserid.Bundle([]string{cert}, signed), nil
}

// Manager is the FxAccountsManager actor of one phone (spawn it at
// wire.FxAccountsManager). Observers get fxaccounts:onlogin / onlogout when the
// user signs in or out from Settings, the way the System app hears of it.
type Manager struct {
	server    *Server
	user      string // signed-in email, "" for nobody
	offline   bool
	key       *browserid.DSAKey
	observers []sim.Addr
}

// NewManager returns a manager with user signed in ("" for nobody).
func (s *Server) NewManager(user string, observers ...sim.Addr) *Manager {
	return &Manager{server: s, user: user, observers: observers}
}

// Receive answers getAccount and getAssertion, and the Settings sign-in/out and
// network switches.
func (m *Manager) Receive(ctx *sim.Ctx, msg sim.Message) {
	switch msg.Name {
	case wire.GetAccount:
		call, ok := wire.Read[wire.PlainCall](ctx, msg)
		if !ok {
			return
		}
		promise.Resolve(ctx, msg.From, wire.GetAccount, call.Call, m.accountValue())
	case wire.GetAssertion:
		call, ok := wire.Read[wire.GetAssertionCall](ctx, msg)
		if !ok {
			return
		}
		value, reason := m.getAssertion(ctx, call)
		if reason != nil {
			promise.Reject(ctx, msg.From, wire.GetAssertion, call.Call, reason)
			return
		}
		promise.Resolve(ctx, msg.From, wire.GetAssertion, call.Call, value)
	case wire.SettingsSignIn:
		cred, ok := wire.Read[wire.Credentials](ctx, msg)
		if !ok {
			return
		}
		if _, ok := m.server.Lookup(cred.Email); !ok {
			ctx.Record(sim.KindNote, ctx.Self(), "sign-in refused: no such account", cred.Email)
			return
		}
		m.user, m.key = cred.Email, nil
		m.notify(ctx, wire.NotifyOnLogin)
	case wire.SettingsSignOut:
		if m.user == "" {
			return
		}
		m.user, m.key = "", nil
		m.notify(ctx, wire.NotifyOnLogout)
	case wire.NotifyNetwork:
		if st, ok := wire.Read[wire.NetworkStatus](ctx, msg); ok {
			m.offline = st.Offline
		}
	default:
		ctx.Record(sim.KindNote, ctx.Self(), "ignored message", msg.Name)
	}
}

func (m *Manager) notify(ctx *sim.Ctx, topic string) {
	for _, o := range m.observers {
		ctx.Send(o, topic, wire.Notification{})
	}
}

// accountValue is the manager's _user: {email, verified} or null.
func (m *Manager) accountValue() any {
	if m.user == "" {
		return nil
	}
	a, ok := m.server.Lookup(m.user)
	if !ok {
		return nil
	}
	return wire.O("email", a.Email, "verified", a.Verified)
}

func (m *Manager) getAssertion(ctx *sim.Ctx, call wire.GetAssertionCall) (any, any) {
	if m.user == "" {
		return nil, nil // no user: what a silent request resolves with
	}
	a, ok := m.server.Lookup(m.user)
	if !ok {
		return nil, nil
	}
	if !a.Verified {
		return nil, wire.NewError(ErrUnverifiedAccount, wire.O("user", m.accountValue()))
	}
	if m.offline {
		return nil, wire.NewError(ErrOffline, nil)
	}
	if m.key == nil {
		key, err := browserid.GenerateDSAKey(ctx.RandReader())
		if err != nil {
			return nil, wire.NewError("SERVER_ERROR", err.Error())
		}
		m.key = key
	}
	s, err := assertion(m.server, a, m.key, call.Audience, ctx.Now())
	if err != nil {
		return nil, wire.NewError("SERVER_ERROR", err.Error())
	}
	return s, nil
}
