// Command shop is an example relying party for `mozidsim serve` and
// `mozidsim conform`: a page that signs its users in with navigator.mozId
// (Firefox Accounts on Firefox OS) and a server that verifies each assertion
// at the verifier's /v2 with its own origin as audience, the way an RP of 2015
// used browserid-verifier.
//
//	PORT=8000 MOZIDSIM_URL=http://127.0.0.1:8090 go run ./rp/examples/shop
//
// BUG=<name> (or -bug name) turns on one deliberate mistake, so that the
// conformance suite has something to catch; `-bugs` lists them. Every bug is
// marked "BUG name" in the code.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Bugs are the deliberate mistakes BUG= can turn on, each against one rule of
// the conformance plan; Fails lists the modules it makes FAILED.
var Bugs = map[string]struct {
	What  string
	Fails []string
}{
	"no-verify":                {"the server trusts the email inside the assertion and never calls /v2", []string{"signed-in-at-load", "server-side-verification", "rejects-wrong-audience", "rejects-expired", "rejects-forged-signature", "rejects-untrusted-issuer"}},
	"accepts-failure":          {"the server calls /v2 but signs the user in whatever it answers", []string{"rejects-wrong-audience", "rejects-expired", "rejects-forged-signature", "rejects-untrusted-issuer"}},
	"audience-from-assertion":  {"the server verifies against the audience written in the assertion, not its own origin", []string{"rejects-wrong-audience"}},
	"ignores-expiry":           {"the server accepts an assertion /v2 calls expired (\"clock skew\")", []string{"rejects-expired"}},
	"request-at-load":          {"the page calls request() from onready when nobody is signed in, without a click", []string{"no-request-without-click"}},
	"watch-on-click":           {"the page calls watch() only when the login button is clicked", []string{"watch-at-load", "signed-in-at-load"}},
	"reload-on-logout":         {"onlogout reloads the page without ending the server session: a reload loop", []string{"logout-from-elsewhere", "no-reload-loop"}},
	"no-onerror":               {"the page passes no onerror, so after an error the login button stays disabled", []string{"onerror-unverified", "offline"}},
	"retry-on-error":           {"onerror calls request() again at once: a loop while the error lasts", []string{"onerror-unverified", "offline"}},
	"no-oncancel":              {"request() gets no oncancel, so after the user closes the dialog the login button stays disabled", []string{"cancel-no-loop"}},
	"cancel-loop":              {"oncancel calls request() again: the dialog comes back until the user gives in", []string{"cancel-no-loop"}},
	"ignores-logout-elsewhere": {"onlogout is ignored: a sign-out in Settings leaves the page signed in", []string{"logout-from-elsewhere"}},
	"logout-local-only":        {"the logout button ends the server session but never calls navigator.mozId.logout()", []string{"logout-button"}},
	"throws-in-onlogin":        {"onlogin updates an element the page does not have: an uncaught TypeError", []string{"no-page-errors"}},
}

// Config is one shop.
type Config struct {
	ServeURL string // MOZIDSIM_URL: where mozid-shim.js and /v2 are
	Origin   string // this shop's own origin: the audience it verifies against
	Bug      string // "" or a key of Bugs
	Client   *http.Client
}

// Shop is the server: the page, /login (verify, then start a session),
// /logout (end it).
type Shop struct {
	cfg      Config
	mu       sync.Mutex
	sessions map[string]string // session id → email
}

// New checks cfg and builds a shop.
func New(cfg Config) (*Shop, error) {
	if cfg.Bug != "" {
		if _, ok := Bugs[cfg.Bug]; !ok {
			return nil, fmt.Errorf("BUG=%s: no such bug (known: %s)", cfg.Bug, strings.Join(bugNames(), ", "))
		}
	}
	if cfg.ServeURL == "" || cfg.Origin == "" {
		return nil, errors.New("shop: ServeURL and Origin are required")
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	return &Shop{cfg: cfg, sessions: map[string]string{}}, nil
}

func bugNames() []string {
	var out []string
	for k := range Bugs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (s *Shop) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.page)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.logout)
	return mux
}

//go:embed page.html
var pageHTML string

var pageTmpl = template.Must(template.New("page").Parse(pageHTML))

func (s *Shop) page(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = pageTmpl.Execute(w, map[string]any{"Shim": strings.TrimSuffix(s.cfg.ServeURL, "/") + "/mozid-shim.js", "Email": s.session(r), "Bug": s.cfg.Bug})
}

func (s *Shop) session(r *http.Request) string {
	c, err := r.Cookie("sid")
	if err != nil {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions[c.Value]
}

// verdict is browserid-verifier's answer.
type verdict struct {
	Status    string         `json:"status"`
	Reason    string         `json:"reason"`
	Email     string         `json:"email"`
	IdpClaims map[string]any `json:"idpClaims"`
}

func (s *Shop) login(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Assertion string `json:"assertion"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&in); err != nil || in.Assertion == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "want {\"assertion\": ...}"})
		return
	}
	email, err := s.verify(r.Context(), in.Assertion)
	if err != nil {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": err.Error()})
		return
	}
	sid := newID()
	s.mu.Lock()
	s.sessions[sid] = email
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: sid, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	writeJSON(w, http.StatusOK, map[string]string{"email": email})
}

// verify asks /v2 whether the assertion is good for this shop and returns the
// account's email (FxA puts it in the fxa-verifiedEmail claim; the
// certificate's principal is "<uid>@api.accounts.firefox.com").
func (s *Shop) verify(ctx context.Context, assertion string) (string, error) {
	if s.cfg.Bug == "no-verify" { // BUG no-verify: an assertion proves nothing until verified
		return claimedEmail(assertion)
	}
	audience := s.cfg.Origin
	if s.cfg.Bug == "audience-from-assertion" { // BUG audience-from-assertion: the assertion chooses its own audience
		audience = claimedAudience(assertion)
	}
	body, _ := json.Marshal(map[string]string{"assertion": assertion, "audience": audience})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(s.cfg.ServeURL, "/")+"/v2", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		return "", fmt.Errorf("verifier: %w", err)
	}
	defer resp.Body.Close()
	var v verdict
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&v); err != nil {
		return "", fmt.Errorf("verifier: HTTP %d: %w", resp.StatusCode, err)
	}
	if v.Status != "okay" {
		switch {
		case s.cfg.Bug == "accepts-failure": // BUG accepts-failure: the answer is logged, not honoured
			log.Printf("verification failed (%s), signing in anyway", v.Reason)
			return claimedEmail(assertion)
		case s.cfg.Bug == "ignores-expiry" && strings.Contains(v.Reason, "expired"): // BUG ignores-expiry
			return claimedEmail(assertion)
		}
		return "", fmt.Errorf("verification failed: %s", v.Reason)
	}
	if e, _ := v.IdpClaims["fxa-verifiedEmail"].(string); e != "" {
		return e, nil
	}
	return v.Email, nil
}

func (s *Shop) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie("sid"); err == nil {
		s.mu.Lock()
		delete(s.sessions, c.Value)
		s.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: "", Path: "/", MaxAge: -1})
	writeJSON(w, http.StatusOK, map[string]string{})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// claims decodes the payload of the n-th JWT of a backed assertion
// (certificate~assertion) without checking anything: only the buggy paths use it.
func claims(assertion string, n int) map[string]any {
	parts := strings.Split(assertion, "~")
	if n < 0 {
		n += len(parts)
	}
	if n < 0 || n >= len(parts) {
		return nil
	}
	seg := strings.Split(parts[n], ".")
	if len(seg) != 3 {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg[1], "="))
	if err != nil {
		return nil
	}
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return m
}

func claimedEmail(assertion string) (string, error) {
	c := claims(assertion, 0)
	if e, _ := c["fxa-verifiedEmail"].(string); e != "" {
		return e, nil
	}
	if p, _ := c["principal"].(map[string]any); p != nil {
		if e, _ := p["email"].(string); e != "" {
			return e, nil
		}
	}
	return "", errors.New("no email in the assertion")
}

func claimedAudience(assertion string) string {
	a, _ := claims(assertion, -1)["aud"].(string)
	return a
}

func main() {
	bug := flag.String("bug", os.Getenv("BUG"), "turn on one deliberate mistake (default $BUG)")
	list := flag.Bool("bugs", false, "list the bugs and exit")
	flag.Parse()
	if *list {
		for _, k := range bugNames() {
			fmt.Printf("%-26s %s (fails: %s)\n", k, Bugs[k].What, strings.Join(Bugs[k].Fails, ", "))
		}
		return
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8000"
	}
	serve := os.Getenv("MOZIDSIM_URL")
	if serve == "" {
		serve = "http://127.0.0.1:8090"
	}
	origin := os.Getenv("ORIGIN")
	if origin == "" {
		origin = "http://127.0.0.1:" + port
	}
	shop, err := New(Config{ServeURL: serve, Origin: origin, Bug: *bug})
	if err != nil {
		fmt.Fprintln(os.Stderr, "shop:", err)
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		fmt.Fprintln(os.Stderr, "shop:", err)
		os.Exit(2)
	}
	srv := &http.Server{Handler: shop.Handler(), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	note := ""
	if *bug != "" {
		note = " with BUG=" + *bug
	}
	fmt.Printf("shop%s on %s (audience %s), mozId from %s\n", note, "http://"+ln.Addr().String()+"/", origin, serve)
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "shop:", err)
		os.Exit(1)
	}
}
