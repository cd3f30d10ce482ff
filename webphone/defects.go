package webphone

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/device"
	"github.com/mozidsim/mozidsim/internal/sim"
)

// Defects are the test-only ways to make the next assertion handed to an app's
// window wrong, so a conformance suite can check that the RP's server refuses it.
var Defects = []string{"wrong-audience", "expired", "bad-signature", "untrusted-issuer", "unverified-email"}

// untrustedIssuer signs certificates no verifier of this phone trusts.
const untrustedIssuer = "fxa.evil.example"

var untrustedKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// SetDefect makes the next onlogin assertion of app's windows wrong in the named way.
func (s *Server) SetDefect(app, defect string) error {
	if !slices.Contains(Defects, defect) {
		return fmt.Errorf("defect %q is not one of %s", defect, strings.Join(Defects, ", "))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.ContainsFunc(s.apps, func(a App) bool { return a.Name == app }) {
		return fmt.Errorf("no app %q", app)
	}
	s.defects[app] = defect
	return nil
}

func (s *Server) serveDefect(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var req struct {
		App    string `json:"app"`
		Defect string `json:"defect"`
	}
	if err := jsonStrict(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err := s.SetDefect(req.App, req.Defect); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// applyDefect hands the window the assertion it should get: the real one, or
// one made wrong as asked. Called with Server.mu held, on the page's actor.
func (s *Server) applyDefect(w *window, assertion string) string {
	defect, ok := s.defects[w.app.Name]
	if !ok {
		return assertion
	}
	delete(s.defects, w.app.Name)
	bad, err := s.mintDefective(assertion, defect)
	if err != nil {
		w.s.faults = append(w.s.faults, Fault{Kind: "defect", Window: w.id, Message: err.Error()})
		return assertion
	}
	w.note("test-only: the assertion handed to this window is " + defect)
	return bad
}

// note records a remark on the window's page while it runs (from a callback).
func (w *window) note(msg string) {
	_ = w.s.d.Sys.Invoke(w.page.Addr(), func(ctx *sim.Ctx) { ctx.Record(sim.KindNote, ctx.Self(), "mozidsim serve", msg) })
}

// mintDefective builds a wrong assertion for the same user.
func (s *Server) mintDefective(real, defect string) (string, error) {
	certs, assertion, err := browserid.Unbundle(real)
	if err != nil {
		return "", err
	}
	if defect == "bad-signature" {
		// Flip one character of the assertion's signature.
		i := strings.LastIndexByte(assertion, '.') + 2
		if i <= 1 || i >= len(assertion) {
			return "", fmt.Errorf("assertion has no signature")
		}
		c := byte('A')
		if assertion[i] == 'A' {
			c = 'B'
		}
		return browserid.Bundle(certs, assertion[:i]+string(c)+assertion[i+1:]), nil
	}
	cert, err := browserid.ParseJWT(certs[len(certs)-1])
	if err != nil {
		return "", err
	}
	tok, err := browserid.ParseJWT(assertion)
	if err != nil {
		return "", err
	}
	principal, _ := cert.Payload["principal"].(map[string]any)
	email, _ := principal["email"].(string)
	verified, _ := cert.Payload["fxa-verifiedEmail"].(string)
	audience, _ := tok.Payload["aud"].(string)
	now := s.d.Sys.Now()
	issuer, issuerKey := device.Issuer, (*rsa.PrivateKey)(nil)
	if issuerKey, err = device.IssuerKey(); err != nil {
		return "", err
	}
	expires := now.Add(2 * time.Minute)
	extra := []browserid.Claim{{Name: "fxa-verifiedEmail", Value: verified}}
	switch defect {
	case "wrong-audience":
		// The same scheme and port on another host: only the domain is wrong.
		if scheme, host, ok := strings.Cut(audience, "://"); ok {
			audience = scheme + "://not-" + host
		} else {
			audience = "not-" + audience
		}
	case "expired":
		expires = now.Add(-time.Minute)
	case "untrusted-issuer":
		issuer = untrustedIssuer
		if issuerKey, err = untrustedKey(); err != nil {
			return "", err
		}
		email = strings.SplitN(email, "@", 2)[0] + "@" + untrustedIssuer
	case "unverified-email":
		extra = nil
	}
	userKey, err := browserid.GenerateDSAKey(rand.Reader)
	if err != nil {
		return "", err
	}
	c, err := browserid.SignCertificate(browserid.CertParams{PublicKey: userKey.Public(), Email: email,
		IssuedAt: now.Add(-10 * time.Second), ExpiresAt: now.Add(time.Hour), Issuer: issuer, Extra: extra}, issuerKey)
	if err != nil {
		return "", err
	}
	a, err := browserid.SignAssertion(userKey, audience, expires)
	if err != nil {
		return "", err
	}
	return browserid.Bundle([]string{c}, a), nil
}
