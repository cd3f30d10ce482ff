package authserver

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/simtest"
	"github.com/mozidsim/mozidsim/internal/wire"
)

type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }

func newServer(t *testing.T) (*Server, *fakeClock) {
	t.Helper()
	clock := &fakeClock{now: time.Date(2015, 6, 1, 12, 0, 0, 0, time.UTC)}
	return New(Config{Issuer: "api.accounts.firefox.com", Key: simtest.IssuerKey(), Clock: clock.Now, Rand: rand.Reader}), clock
}

func dsKey(t *testing.T) map[string]any {
	t.Helper()
	k, err := browserid.GenerateDSAKey(rand.Reader)
	require.NoError(t, err)
	obj, ok := publicKeyObject(k.Public())
	require.True(t, ok)
	return obj
}

func TestAuthPWIsStableAndHidesThePassword(t *testing.T) {
	t.Parallel()
	a := AuthPW("alice@example.com", "correct horse")
	require.Len(t, a, 64)
	require.Equal(t, a, AuthPW("alice@example.com", "correct horse"))
	require.NotEqual(t, a, AuthPW("Alice@example.com", "correct horse"), "the email salts the stretch")
	require.NotContains(t, a, "horse")
}

func TestCreateLoginAndErrnos(t *testing.T) {
	t.Parallel()
	s, clock := newServer(t)
	res, err := s.Create("alice@example.com", AuthPW("alice@example.com", "pw123456"))
	require.Nil(t, err)
	require.Len(t, res.UID, 32)
	require.Len(t, res.SessionToken, 64)
	require.False(t, res.Verified)
	require.Equal(t, clock.now.Unix(), res.AuthAt)

	_, err = s.Create("alice@example.com", "x")
	require.Equal(t, &Error{Code: 400, Errno: 101, ErrorText: "Bad Request", Message: "Account already exists", Email: "alice@example.com"}, err)
	_, err = s.Login("bob@example.com", "x")
	require.Equal(t, &Error{Code: 400, Errno: 102, ErrorText: "Bad Request", Message: "Unknown account", Email: "bob@example.com"}, err)
	_, err = s.Login("alice@example.com", AuthPW("alice@example.com", "wrong"))
	require.Equal(t, &Error{Code: 400, Errno: 103, ErrorText: "Bad Request", Message: "Incorrect password", Email: "alice@example.com"}, err)
	_, err = s.Login("Alice@example.com", "x")
	require.Equal(t, &Error{Code: 400, Errno: 120, ErrorText: "Bad Request", Message: "Incorrect email case", Email: "alice@example.com"}, err)
	_, err = s.Login("", "x")
	require.Equal(t, &Error{Code: 400, Errno: 108, ErrorText: "Bad Request", Message: "Missing parameter in request body: email", Param: "email"}, err)

	clock.now = clock.now.Add(time.Hour)
	res2, err := s.Login("alice@example.com", AuthPW("alice@example.com", "pw123456"))
	require.Nil(t, err)
	require.Equal(t, clock.now.Unix(), res2.AuthAt)
	require.Equal(t, "alice@example.com", res2.Email)
	require.NotEqual(t, res.SessionToken, res2.SessionToken)
	info, ok := s.Account("alice@example.com")
	require.True(t, ok)
	require.Equal(t, 2, info.Sessions)
}

func TestCertificateSigning(t *testing.T) {
	t.Parallel()
	s, clock := newServer(t)
	require.NoError(t, s.CreateAccount("alice@example.com", "pw123456", false))
	res, err := s.Login("alice@example.com", AuthPW("alice@example.com", "pw123456"))
	require.Nil(t, err)
	key := dsKey(t)

	_, err = s.SignCertificate(res.SessionToken, key, time.Hour)
	require.Equal(t, 104, err.Errno, "unverified accounts get no certificate")
	require.NoError(t, s.Verify("alice@example.com"))

	_, err = s.SignCertificate(res.SessionToken, key, MaxCertDuration+time.Millisecond)
	require.Equal(t, &Error{Code: 400, Errno: 107, ErrorText: "Bad Request", Message: "Invalid parameter in request body"}, err)
	_, err = s.SignCertificate(res.SessionToken, map[string]any{"algorithm": "DS", "y": "1", "p": "2", "q": "3"}, time.Hour)
	require.Equal(t, "Missing parameter in request body: g", err.Message)
	_, err = s.SignCertificate(res.SessionToken, map[string]any{"algorithm": "EC"}, time.Hour)
	require.Equal(t, 107, err.Errno)
	_, err = s.SignCertificate("00", key, time.Hour)
	require.Equal(t, &Error{Code: 401, Errno: 110, ErrorText: "Unauthorized", Message: "Invalid authentication token in request signature"}, err)

	cert, err := s.SignCertificate(res.SessionToken, key, 6*time.Hour)
	require.Nil(t, err)
	jwt, perr := browserid.ParseJWT(cert)
	require.NoError(t, perr)
	require.NoError(t, jwt.VerifySignature(s.PublicKey()))
	info, _ := s.Account("alice@example.com")
	require.Equal(t, map[string]any{"email": info.UID + "@api.accounts.firefox.com"}, jwt.Payload["principal"])
	require.Equal(t, float64(clock.now.UnixMilli()-10_000), jwt.Payload["iat"])
	require.Equal(t, float64(clock.now.Add(6*time.Hour).UnixMilli()), jwt.Payload["exp"])
	require.Equal(t, "api.accounts.firefox.com", jwt.Payload["iss"])
	require.Equal(t, "alice@example.com", jwt.Payload["fxa-verifiedEmail"])
	require.Equal(t, float64(clock.now.Unix()), jwt.Payload["fxa-lastAuthAt"])
	require.Contains(t, string(jwt.PayloadJSON), `"public-key":{"algorithm":"DS"`)
}

func TestPasswordChangeAndDeletionKillSessions(t *testing.T) {
	t.Parallel()
	s, _ := newServer(t)
	require.NoError(t, s.CreateAccount("alice@example.com", "pw123456", true))
	res, _ := s.Login("alice@example.com", AuthPW("alice@example.com", "pw123456"))
	st, err := s.EmailStatus(res.SessionToken)
	require.Nil(t, err)
	require.Equal(t, wire.EmailStatus{Email: "alice@example.com", Verified: true}, st)

	require.NoError(t, s.ChangePassword("alice@example.com", "new-password"))
	_, err = s.EmailStatus(res.SessionToken)
	require.Equal(t, 110, err.Errno)
	_, err = s.Login("alice@example.com", AuthPW("alice@example.com", "pw123456"))
	require.Equal(t, 103, err.Errno)
	res, err = s.Login("alice@example.com", AuthPW("alice@example.com", "new-password"))
	require.Nil(t, err)

	exists, err := s.AccountStatus(res.UID)
	require.Nil(t, err)
	require.True(t, exists)
	require.NoError(t, s.DeleteAccount("alice@example.com"))
	exists, _ = s.AccountStatus(res.UID)
	require.False(t, exists)
	require.Equal(t, 110, s.ResendCode(res.SessionToken).Errno)
	_, err = s.AccountStatus("")
	require.Equal(t, 108, err.Errno)
}

func TestDestroySession(t *testing.T) {
	t.Parallel()
	s, _ := newServer(t)
	require.NoError(t, s.CreateAccount("a@b.c", "pw123456", true))
	res, _ := s.Login("a@b.c", AuthPW("a@b.c", "pw123456"))
	require.Nil(t, s.DestroySession(res.SessionToken))
	require.Equal(t, 110, s.DestroySession(res.SessionToken).Errno)
}

func TestFaults(t *testing.T) {
	t.Parallel()
	s, _ := newServer(t)
	require.NoError(t, s.CreateAccount("a@b.c", "pw123456", true))
	s.InjectFault("/v1/account/login", Fault{Status: 503, Errno: 201, RetryAfter: 30})
	_, err := s.Login("a@b.c", AuthPW("a@b.c", "pw123456"))
	require.Equal(t, &Error{Code: 503, Errno: 201, ErrorText: "Service Unavailable", Message: "Service unavailable", RetryAfter: 30}, err)
	s.InjectFault("", Fault{Status: 429, Errno: 114, RetryAfter: 5})
	_, err = s.AccountStatus("x")
	require.Equal(t, &Error{Code: 429, Errno: 114, ErrorText: "Too Many Requests", Message: "Client has sent too many requests", RetryAfter: 5}, err)
	s.ClearFaults()
	_, err = s.Login("a@b.c", AuthPW("a@b.c", "pw123456"))
	require.Nil(t, err)
}

func TestDoIsTheDevicesView(t *testing.T) {
	t.Parallel()
	s, _ := newServer(t)
	require.NoError(t, s.CreateAccount("a@b.c", "pw123456", true))
	v, err := s.Do(wire.ServerRequest{Op: wire.OpAccountExists, Email: "a@b.c"})
	require.Nil(t, err)
	require.Equal(t, true, v)
	v, err = s.Do(wire.ServerRequest{Op: wire.OpAccountExists, Email: "nobody@b.c"})
	require.Nil(t, err)
	require.Equal(t, false, v)
	_, err = s.Do(wire.ServerRequest{Op: wire.OpAccountLogin, Email: "a@b.c", Password: "nope"})
	require.Equal(t, &wire.ServerError{Code: 400, Errno: 103, Error: "Bad Request", Message: "Incorrect password", Info: DefaultInfo, Email: "a@b.c"}, err)
	v, err = s.Do(wire.ServerRequest{Op: wire.OpAccountLogin, Email: "a@b.c", Password: "pw123456"})
	require.Nil(t, err)
	_, err = s.Do(wire.ServerRequest{Op: wire.OpCertSign, SessionToken: v.(wire.SignInResult).SessionToken})
	require.Equal(t, "Missing parameter in request body: publicKey", err.Message)
}
