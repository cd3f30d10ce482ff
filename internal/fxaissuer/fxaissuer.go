// Package fxaissuer is the one definition of the simulated Firefox Accounts
// BrowserID issuer: its name (the hostname of the 2015 production auth server,
// whose /v1/certificate/sign signed every FxA certificate) and its RS256
// signing key. Every in-process FxA auth server, stand-in or real, signs with
// this key, so a verifier in the same process trusts them all.
package fxaissuer

import (
	"crypto/rand"
	"crypto/rsa"
	"sync"
)

// Name is the issuer of FxA certificates (the `iss` claim, and the domain
// whose /.well-known/browserid serves the key).
const Name = "api.accounts.firefox.com"

// key is made once: RSA-2048 generation costs tens of milliseconds, so one
// key serves every simulated server in the process.
var key = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// Key is the issuer's certificate-signing key.
func Key() (*rsa.PrivateKey, error) { return key() }
