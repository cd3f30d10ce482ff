// Package authserver is the Firefox Accounts auth server as a Firefox OS phone saw it
// in 2015 (mozilla/fxa-auth-server: routes/account.js, routes/sign.js, the BrowserID
// signer): accounts with onepw authPW verifiers, sessions with authAt, e-mail
// verification, and RS256 certificate signing for the device's DS128 keys, with
// the historic HTTP status / errno pairs.
//
// Server is goroutine-safe: the simulator calls it in memory from one actor, and
// the same core serves real HTTP clients.
package authserver

import (
	"container/list"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/fxaissuer"
	"github.com/mozidsim/mozidsim/internal/hawk"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// MaxCertDuration is the longest certificate the server signs.
const MaxCertDuration = 24 * time.Hour

// Limits on what clients can make the server keep. Logins are unauthenticated,
// so without them anyone could grow the session table without end.
const (
	// DefaultSessionTTL is how long a session token lives after it was issued.
	DefaultSessionTTL = 30 * 24 * time.Hour
	// MaxSessionsPerAccount: a login beyond it ends the account's oldest session.
	MaxSessionsPerAccount = 100
	// MaxSessions: a session beyond it ends the oldest session of all.
	MaxSessions = 100_000
	// MaxAccounts: account creation beyond it fails with 503 errno 201.
	MaxAccounts = 100_000
)

// Config sets a server up.
type Config struct {
	Issuer     string          // BrowserID issuer: the public URL's host, e.g. "api.accounts.firefox.com"
	Key        *rsa.PrivateKey // RS256 signing key
	Clock      func() time.Time
	Rand       io.Reader     // uids, session tokens, salts
	SessionTTL time.Duration // 0 means DefaultSessionTTL
}

type account struct {
	email         string // as created; lookups fold case
	uid           string
	salt          []byte
	verifyHash    []byte // HMAC(salt, authPW): the server never sees the password
	verified      bool
	verifierSetAt int64               // ms; fxa-generation
	sessions      map[string]*session // by token
}

type session struct {
	token     string
	uid       string
	createdAt time.Time
	hawk      hawk.Credentials // derived once, so a Hawk id finds its session by map
	age       *list.Element    // in Server.byAge
}

// Server is the auth server core.
type Server struct {
	mu       sync.Mutex
	cfg      Config
	accounts map[string]*account // by lower-cased email
	byUID    map[string]*account
	sessions map[string]*session // by session token
	byHawkID map[string]*session
	byAge    *list.List       // of *session, oldest first: expiry and the global cap end sessions from the front
	faults   map[string]Fault // by endpoint ("" = every endpoint)
}

// New creates a server. Clock, Rand and Key are required.
func New(cfg Config) *Server {
	if cfg.Issuer == "" {
		cfg.Issuer = fxaissuer.Name
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = DefaultSessionTTL
	}
	return &Server{cfg: cfg, accounts: map[string]*account{}, byUID: map[string]*account{}, sessions: map[string]*session{},
		byHawkID: map[string]*session{}, byAge: list.New(), faults: map[string]Fault{}}
}

// Issuer is the BrowserID issuer name in certificates.
func (s *Server) Issuer() string { return s.cfg.Issuer }

// PublicKey is the key relying parties verify certificates with.
func (s *Server) PublicKey() *browserid.PublicKey {
	return &browserid.PublicKey{RSA: &s.cfg.Key.PublicKey}
}

func (s *Server) random(n int) []byte {
	b := make([]byte, n)
	if _, err := io.ReadFull(s.cfg.Rand, b); err != nil {
		panic(fmt.Sprintf("authserver: random source failed: %v", err))
	}
	return b
}

func (s *Server) verifier(salt []byte, authPW string) []byte {
	m := hmac.New(sha256.New, salt)
	m.Write([]byte(authPW))
	return m.Sum(nil)
}

func (s *Server) lookup(email string) *account { return s.accounts[strings.ToLower(email)] }

func (s *Server) newSession(a *account) (token string, authAt int64) {
	now := s.cfg.Clock()
	s.expireSessions(now)
	token = hex.EncodeToString(s.random(32))
	creds, err := hawk.DeriveCredentials(token, "sessionToken")
	if err != nil {
		panic("authserver: a fresh token has no Hawk credentials: " + err.Error()) // 64 hex digits always derive
	}
	se := &session{token: token, uid: a.uid, createdAt: now, hawk: creds}
	se.age = s.byAge.PushBack(se)
	s.sessions[token] = se
	s.byHawkID[creds.ID] = se
	a.sessions[token] = se
	if len(a.sessions) > MaxSessionsPerAccount {
		var oldest *session
		for _, o := range a.sessions {
			if oldest == nil || o.createdAt.Before(oldest.createdAt) {
				oldest = o
			}
		}
		s.endSession(oldest)
	}
	for len(s.sessions) > MaxSessions {
		s.endSession(s.byAge.Front().Value.(*session))
	}
	return token, now.Unix()
}

// expireSessions ends the sessions older than the TTL. byAge is in issuing
// order, so this stops at the first live one: amortised O(1) per login.
func (s *Server) expireSessions(now time.Time) {
	for e := s.byAge.Front(); e != nil; e = s.byAge.Front() {
		se := e.Value.(*session)
		if !s.expired(se, now) {
			return
		}
		s.endSession(se)
	}
}

func (s *Server) expired(se *session, now time.Time) bool {
	return now.Sub(se.createdAt) >= s.cfg.SessionTTL
}

func (s *Server) endSession(se *session) {
	delete(s.sessions, se.token)
	delete(s.byHawkID, se.hawk.ID)
	if a, ok := s.byUID[se.uid]; ok {
		delete(a.sessions, se.token)
	}
	s.byAge.Remove(se.age)
}

func (s *Server) session(token string) (*session, *account, *Error) {
	se, ok := s.sessions[token]
	if !ok {
		return nil, nil, errInvalidToken()
	}
	if s.expired(se, s.cfg.Clock()) {
		s.endSession(se)
		return nil, nil, errInvalidToken()
	}
	a, ok := s.byUID[se.uid]
	if !ok {
		return nil, nil, errInvalidToken()
	}
	return se, a, nil
}

// SessionByHawkID finds a live session by the Hawk id derived from its token:
// the token and its Hawk credentials.
func (s *Server) SessionByHawkID(id string) (string, hawk.Credentials, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	se, ok := s.byHawkID[id]
	if !ok || s.expired(se, s.cfg.Clock()) {
		return "", hawk.Credentials{}, false
	}
	return se.token, se.hawk, true
}

// Create is POST /account/create with an onepw authPW (hex).
func (s *Server) Create(email, authPW string) (wire.SignInResult, *Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fault("/v1/account/create"); err != nil {
		return wire.SignInResult{}, err
	}
	if email == "" {
		return wire.SignInResult{}, errMissingParam("email")
	}
	if authPW == "" {
		return wire.SignInResult{}, errMissingParam("authPW")
	}
	if s.lookup(email) != nil {
		return wire.SignInResult{}, &Error{Code: 400, Errno: 101, ErrorText: "Bad Request", Message: "Account already exists", Email: email} // error.js accountExists(email)
	}
	if len(s.accounts) >= MaxAccounts {
		return wire.SignInResult{}, errTooManyAccounts()
	}
	a := s.addAccount(email, authPW, false)
	token, authAt := s.newSession(a)
	return wire.SignInResult{UID: a.uid, SessionToken: token, Verified: false, AuthAt: authAt}, nil
}

func (s *Server) addAccount(email, authPW string, verified bool) *account {
	a := &account{email: email, uid: hex.EncodeToString(s.random(16)), salt: s.random(32), verified: verified, verifierSetAt: s.cfg.Clock().UnixMilli(), sessions: map[string]*session{}}
	a.verifyHash = s.verifier(a.salt, authPW)
	s.accounts[strings.ToLower(email)] = a
	s.byUID[a.uid] = a
	return a
}

// Login is POST /account/login.
func (s *Server) Login(email, authPW string) (wire.SignInResult, *Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fault("/v1/account/login"); err != nil {
		return wire.SignInResult{}, err
	}
	if email == "" {
		return wire.SignInResult{}, errMissingParam("email")
	}
	a := s.lookup(email)
	if a == nil {
		return wire.SignInResult{}, &Error{Code: 400, Errno: 102, ErrorText: "Bad Request", Message: "Unknown account", Email: email} // error.js unknownAccount(email)
	}
	if a.email != email {
		// The password was stretched with the typed capitalisation: tell the client the stored one.
		return wire.SignInResult{}, &Error{Code: 400, Errno: 120, ErrorText: "Bad Request", Message: "Incorrect email case", Email: a.email}
	}
	if !hmac.Equal(a.verifyHash, s.verifier(a.salt, authPW)) {
		return wire.SignInResult{}, &Error{Code: 400, Errno: 103, ErrorText: "Bad Request", Message: "Incorrect password", Email: a.email} // error.js incorrectPassword(dbEmail, ...)
	}
	token, authAt := s.newSession(a)
	return wire.SignInResult{UID: a.uid, SessionToken: token, Verified: a.verified, AuthAt: authAt, Email: a.email}, nil
}

// AccountStatus is GET /account/status?uid=.
func (s *Server) AccountStatus(uid string) (bool, *Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fault("/v1/account/status"); err != nil {
		return false, err
	}
	if uid == "" {
		return false, errMissingParam("uid")
	}
	_, ok := s.byUID[uid]
	return ok, nil
}

// EmailStatus is GET /recovery_email/status.
func (s *Server) EmailStatus(token string) (wire.EmailStatus, *Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fault("/v1/recovery_email/status"); err != nil {
		return wire.EmailStatus{}, err
	}
	_, a, err := s.session(token)
	if err != nil {
		return wire.EmailStatus{}, err
	}
	return wire.EmailStatus{Email: a.email, Verified: a.verified}, nil
}

// ResendCode is POST /recovery_email/resend_code.
func (s *Server) ResendCode(token string) *Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fault("/v1/recovery_email/resend_code"); err != nil {
		return err
	}
	_, _, err := s.session(token)
	return err
}

// DestroySession is POST /session/destroy.
func (s *Server) DestroySession(token string) *Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fault("/v1/session/destroy"); err != nil {
		return err
	}
	se, _, err := s.session(token)
	if err != nil {
		return err
	}
	s.endSession(se)
	return nil
}

// SignCertificate is POST /certificate/sign: the device's public key, certified for
// "<uid>@<issuer>" for duration, with the three fxa-* claims.
func (s *Server) SignCertificate(token string, publicKey map[string]any, duration time.Duration) (string, *Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fault("/v1/certificate/sign"); err != nil {
		return "", err
	}
	se, a, err := s.session(token)
	if err != nil {
		return "", err
	}
	if !a.verified {
		return "", &Error{Code: 400, Errno: 104, ErrorText: "Bad Request", Message: "Unverified account"}
	}
	if publicKey == nil {
		return "", errMissingParam("publicKey")
	}
	switch alg, _ := publicKey["algorithm"].(string); alg {
	case "DS":
		for _, f := range []string{"y", "p", "q", "g"} {
			if _, ok := publicKey[f]; !ok {
				return "", errMissingParam(f)
			}
		}
	case "RS":
		for _, f := range []string{"n", "e"} {
			if _, ok := publicKey[f]; !ok {
				return "", errMissingParam(f)
			}
		}
	default:
		return "", errInvalidParam()
	}
	if duration < 0 || duration > MaxCertDuration {
		return "", errInvalidParam()
	}
	pub, perr := browserid.PublicKeyFromObject(publicKey)
	if perr != nil {
		return "", errInvalidParam()
	}
	now := s.cfg.Clock()
	cert, serr := browserid.SignCertificate(browserid.CertParams{
		PublicKey: pub, Email: a.uid + "@" + s.cfg.Issuer,
		IssuedAt:  now.Add(-10 * time.Second), // pads for verifier clock skew, as the signer did
		ExpiresAt: now.Add(duration), Issuer: s.cfg.Issuer,
		Extra: []browserid.Claim{
			{Name: "fxa-generation", Value: float64(a.verifierSetAt)},
			{Name: "fxa-lastAuthAt", Value: float64(se.createdAt.Unix())},
			{Name: "fxa-verifiedEmail", Value: a.email},
		},
	}, s.cfg.Key)
	if serr != nil {
		return "", &Error{Code: 503, Errno: 201, ErrorText: "Service Unavailable", Message: "Service unavailable"}
	}
	return cert, nil
}

// CreateAccount makes an account directly (scenario set-up), computing authPW itself.
func (s *Server) CreateAccount(email, password string, verified bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lookup(email) != nil {
		return fmt.Errorf("account %s already exists", email)
	}
	if len(s.accounts) >= MaxAccounts {
		return fmt.Errorf("account %s: the server already holds %d accounts", email, MaxAccounts)
	}
	s.addAccount(email, AuthPW(email, password), verified)
	return nil
}

// Verify marks an account verified, as following the e-mailed link does.
func (s *Server) Verify(email string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.lookup(email)
	if a == nil {
		return fmt.Errorf("no account %s", email)
	}
	a.verified = true
	return nil
}

// ChangePassword changes the password from elsewhere: every session dies (their
// tokens then answer errno 110) and the generation moves on.
func (s *Server) ChangePassword(email, password string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.lookup(email)
	if a == nil {
		return fmt.Errorf("no account %s", email)
	}
	a.salt = s.random(32)
	a.verifyHash = s.verifier(a.salt, AuthPW(a.email, password))
	a.verifierSetAt = s.cfg.Clock().UnixMilli()
	s.dropSessions(a.uid)
	return nil
}

// DeleteAccount removes an account and its sessions.
func (s *Server) DeleteAccount(email string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.lookup(email)
	if a == nil {
		return fmt.Errorf("no account %s", email)
	}
	s.dropSessions(a.uid)
	delete(s.accounts, strings.ToLower(email))
	delete(s.byUID, a.uid)
	return nil
}

func (s *Server) dropSessions(uid string) {
	if a, ok := s.byUID[uid]; ok {
		for _, se := range a.sessions {
			s.endSession(se)
		}
	}
}

// AccountInfo describes an account for tests and expectations.
type AccountInfo struct {
	Email    string
	UID      string
	Verified bool
	Sessions int
}

// Account reports on an account.
func (s *Server) Account(email string) (AccountInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.lookup(email)
	if a == nil {
		return AccountInfo{}, false
	}
	now := s.cfg.Clock()
	n := 0
	for _, se := range a.sessions {
		if !s.expired(se, now) {
			n++
		}
	}
	return AccountInfo{Email: a.email, UID: a.uid, Verified: a.verified, Sessions: n}, true
}

// Reset forgets every account, session and injected fault: a server shared by a
// run of several scenarios starts each one empty.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.accounts)
	clear(s.byUID)
	clear(s.sessions)
	clear(s.byHawkID)
	s.byAge.Init()
	clear(s.faults)
}
