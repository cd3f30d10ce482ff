// Package contactsprovider is the CardDAV provider the contacts backup prototype
// talked to: fruux's SabreDAV deployment at moz.fruux.net with the provisioning
// endpoint fruux built for Firefox OS (see the "Contacts sync prototype" wiki page
// and gaia-fxa §10.2). It is a relying party of Firefox
// Accounts: a phone proves who its user is with a BrowserID assertion and gets a
// username and a device-specific password for HTTP basic auth back.
//
//	POST /browserid/login   {"assertion": "<backed assertion>"}
//	  -> 200 {"basicAuth":{"userName","password"},"links":{"addressbook-home-set"}}
//	POST /browserid/revoke  (basic auth) revokes the password used
//	POST /browserid/delete  {"assertion": ...} deletes the account and its data
//	/dav/<userName>/contacts/default/<name>.vcf   CardDAV over TLS, basic auth
//
// The assertion is checked with mozidsim's verifier (rp/verifier) for the
// provider's own origin; the FxA uid (the certificate's principal before '@') and
// the verified email identify the user, and the first sight of a uid creates the
// account. CardDAV is served by github.com/emersion/go-webdav, plus what it lacks:
// most of the protocol is answered in dav.go (see there why); go-webdav answers
// addressbook-query. Everything is kept in one bbolt database (see store.go) and
// survives a restart or a crash.
package contactsprovider

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-webdav/carddav"

	"github.com/mozidsim/mozidsim/rp/verifier"
)

// Config configures a provider.
type Config struct {
	// Dir is where accounts and address books are kept (created if missing).
	Dir string
	// Origin is the provider's own origin, e.g. "https://127.0.0.1:8443": the
	// audience every assertion must name.
	Origin string
	// Verifier checks assertions; its Now should be Clock.
	Verifier *verifier.Verifier
	// Issuer, when set, is the only certificate issuer accepted (FxA's).
	Issuer string
	// Clock stamps accounts and resources (the simulator's virtual clock).
	Clock func() time.Time
	// Rand makes user names and passwords; nil means crypto/rand.
	Rand io.Reader
	// NoSync skips fsync on commit: an acknowledged write still survives the
	// process being killed (it is in the kernel's page cache), not the machine
	// losing power. For throwaway directories (tests, scenarios, benchmarks).
	NoSync bool
	// Runs, when set, lets a Server hold runs (RunHeader): a provider of its
	// own per scenario run, under Dir/runs. A Provider alone ignores it.
	Runs *RunOptions
}

// Provider is the provisioning API plus the CardDAV server. It is safe for
// concurrent use by HTTP handlers and the admin methods.
type Provider struct {
	cfg Config
	dav *carddav.Handler

	store *store

	mu       sync.Mutex
	accounts []*account         // oldest first
	faults   map[Fault]int      // remaining count; -1: until cleared
	used     map[[32]byte]int64 // SHA-256 of each assertion that minted a password -> its exp (ms)
	stats    Stats
	closed   bool
}

// Limits on what clients may send.
const (
	MaxLoginBody  = 64 << 10
	MaxCardBody   = 1 << 20
	MaxReportBody = 1 << 20
	// MaxDevicePasswords is how many device passwords an account may hold at
	// once; a login past it is refused until one is revoked.
	MaxDevicePasswords = 32
	// maxUsedAssertions bounds the table of assertions already traded for a
	// password (each is kept until it expires, a few minutes).
	maxUsedAssertions = 1 << 16
)

// Paths.
const (
	LoginPath  = "/browserid/login"
	RevokePath = "/browserid/revoke"
	DeletePath = "/browserid/delete"
	DAVPrefix  = "/dav"
	// BookName is the one address book every account has (the prototype appended
	// 'default' to the home set it was given).
	BookName = "default"
	// syncTokenPrefix starts every sync token (RFC 6578 tokens are URIs).
	syncTokenPrefix = "http://mozidsim.invalid/ns/sync/"
)

// ErrNoAccount is returned by admin methods for an unknown account.
var ErrNoAccount = errors.New("contactsprovider: no such account")

// New opens (or creates) the provider's storage.
func New(cfg Config) (*Provider, error) {
	switch {
	case cfg.Dir == "":
		return nil, errors.New("contactsprovider: Config.Dir is required")
	case cfg.Origin == "":
		return nil, errors.New("contactsprovider: Config.Origin is required (the audience assertions must name)")
	case cfg.Verifier == nil:
		return nil, errors.New("contactsprovider: Config.Verifier is required")
	case cfg.Clock == nil:
		return nil, errors.New("contactsprovider: Config.Clock is required")
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("contactsprovider: %w", err)
	}
	st, err := openStore(cfg.Dir, cfg.NoSync)
	if err != nil {
		return nil, fmt.Errorf("contactsprovider: %w", err)
	}
	accounts, err := st.accounts()
	if err != nil {
		st.close()
		return nil, fmt.Errorf("contactsprovider: %w", err)
	}
	slices.SortStableFunc(accounts, func(a, b *account) int { return a.Created.Compare(b.Created) })
	p := &Provider{cfg: cfg, store: st, accounts: accounts, faults: make(map[Fault]int), used: make(map[[32]byte]int64)}
	p.stats.Requests = make(map[string]int)
	p.dav = &carddav.Handler{Backend: backend{p}, Prefix: DAVPrefix}
	return p, nil
}

// Origin is the audience the provider verifies assertions for.
func (p *Provider) Origin() string { return p.cfg.Origin }

// Close closes the database. The provider answers 503 afterwards.
func (p *Provider) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.mu.Unlock()
	return p.store.close() // waits for transactions under way
}

// Handler serves the provisioning API and CardDAV.
func (p *Provider) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(LoginPath, p.serveLogin)
	mux.HandleFunc(RevokePath, p.serveRevoke)
	mux.HandleFunc(DeletePath, p.serveDelete)
	mux.HandleFunc(DAVPrefix+"/", p.serveDAV)
	mux.HandleFunc("/.well-known/carddav", p.serveDAV)
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		// Discovery starts with PROPFIND / (current-user-principal).
		if r.Method == "PROPFIND" || r.Method == http.MethodOptions {
			p.serveDAV(w, r)
			return
		}
		http.NotFound(w, r)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		closed := p.closed
		p.mu.Unlock()
		if closed {
			writeError(w, http.StatusServiceUnavailable, "the provider is shut down")
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// LoginResponse is the provisioning answer.
type LoginResponse struct {
	BasicAuth BasicAuth `json:"basicAuth"`
	Links     Links     `json:"links"`
}

// BasicAuth is the device's CardDAV credentials.
type BasicAuth struct {
	UserName string `json:"userName"`
	Password string `json:"password"`
}

// Links names the account's CardDAV collections.
type Links struct {
	AddressBookHomeSet string `json:"addressbook-home-set"`
}

type errorBody struct {
	Error  string `json:"error"`
	Reason string `json:"reason,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

// readAssertion reads {"assertion": "..."} from a POST.
func readAssertion(w http.ResponseWriter, r *http.Request) (string, bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed (expected POST)", r.Method))
		return "", false
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxLoginBody))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body over %d bytes", MaxLoginBody))
		return "", false
	}
	var body struct {
		Assertion *string `json:"assertion"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		writeError(w, http.StatusBadRequest, "request body is not a JSON object: "+err.Error())
		return "", false
	}
	if body.Assertion == nil || *body.Assertion == "" {
		writeError(w, http.StatusBadRequest, "missing assertion")
		return "", false
	}
	return *body.Assertion, true
}

// identify verifies an assertion and returns the FxA uid and verified email.
func (p *Provider) identify(assertion string) (uid, email string, failure *errorBody) {
	uid, email, _, failure = p.identifyExp(assertion)
	return uid, email, failure
}

// identifyExp is identify, also returning the assertion's expiry (ms).
func (p *Provider) identifyExp(assertion string) (uid, email string, exp int64, failure *errorBody) {
	res, err := p.cfg.Verifier.Verify(assertion, p.cfg.Origin)
	if err != nil {
		return "", "", 0, &errorBody{Error: "invalid assertion", Reason: err.Error()}
	}
	uid, email, failure = p.check(res)
	return uid, email, res.Expires, failure
}

func (p *Provider) check(res *verifier.Result) (uid, email string, failure *errorBody) {
	if p.cfg.Issuer != "" && res.Issuer != p.cfg.Issuer {
		return "", "", &errorBody{Error: "invalid assertion", Reason: fmt.Sprintf("untrusted issuer %q", res.Issuer)}
	}
	uid, _, ok := strings.Cut(res.Email, "@")
	if !ok || uid == "" {
		return "", "", &errorBody{Error: "invalid assertion", Reason: "the certificate's principal is not <uid>@<issuer>"}
	}
	email = res.VerifiedEmail()
	if email == "" {
		return "", "", &errorBody{Error: "invalid assertion", Reason: "the certificate has no fxa-verifiedEmail"}
	}
	return uid, email, nil
}

func (p *Provider) serveLogin(w http.ResponseWriter, r *http.Request) {
	p.count("POST " + LoginPath)
	if p.takeFault(FaultLoginError) {
		writeError(w, http.StatusServiceUnavailable, "injected fault: login unavailable")
		return
	}
	if p.takeFault(FaultGarbageLogin) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, "<html><body>502 Bad Gateway</body></html>{\"basicAuth\":")
		return
	}
	assertion, ok := readAssertion(w, r)
	if !ok {
		return
	}
	uid, email, exp, failure := p.identifyExp(assertion)
	if failure != nil {
		writeJSON(w, http.StatusUnauthorized, failure)
		return
	}
	if !p.firstUse(assertion, exp) {
		writeJSON(w, http.StatusUnauthorized, errorBody{Error: "invalid assertion",
			Reason: "this assertion was already traded for a device password: sign a new one"})
		return
	}
	res, err := p.provision(uid, email)
	if errors.Is(err, errTooManyPasswords) {
		writeError(w, http.StatusTooManyRequests, err.Error())
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// provision is seed steps 2-5: find or create the account for the FxA uid, then
// issue a new device-specific password.
func (p *Provider) provision(uid, email string) (*LoginResponse, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, errors.New("the provider is shut down")
	}
	old := p.byUID(uid)
	now := p.cfg.Clock().UTC()
	var acct *account
	if old == nil {
		name, err := p.randomHex(6)
		if err != nil {
			return nil, err
		}
		acct = &account{UID: uid, Email: email, UserName: "fxa-" + name, Created: now}
	} else {
		if len(old.Passwords) >= MaxDevicePasswords {
			return nil, errTooManyPasswords
		}
		cp := *old
		cp.Passwords = slices.Clone(old.Passwords)
		acct = &cp
		acct.Email = email // the FxA uid is the identity; the email follows the account
	}
	password, err := p.randomHex(16)
	if err != nil {
		return nil, err
	}
	id, err := p.randomHex(4)
	if err != nil {
		return nil, err
	}
	salt, err := p.randomHex(8)
	if err != nil {
		return nil, err
	}
	acct.Passwords = append(acct.Passwords, devicePassword{ID: id, Salt: salt, Hash: hashPassword(salt, password), Created: now})
	if err := p.store.saveAccount(acct); err != nil {
		return nil, fmt.Errorf("contactsprovider: saving the account: %w", err)
	}
	p.replaceLocked(old, acct)
	return &LoginResponse{
		BasicAuth: BasicAuth{UserName: acct.UserName, Password: password},
		Links:     Links{AddressBookHomeSet: homePath(acct.UserName)},
	}, nil
}

// firstUse records an assertion traded for a password; false when it was
// already (issue 15: one assertion minted 2,000 passwords). Entries go when
// the assertion expires; a full table drops the soonest to expire.
func (p *Provider) firstUse(assertion string, exp int64) bool {
	key := sha256.Sum256([]byte(assertion))
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.used[key]; ok {
		return false
	}
	if len(p.used) >= maxUsedAssertions {
		now := p.cfg.Clock().UnixMilli()
		var soonest [32]byte
		first := true
		for k, e := range p.used {
			if e < now {
				delete(p.used, k)
			} else if first || e < p.used[soonest] {
				soonest, first = k, false
			}
		}
		if len(p.used) >= maxUsedAssertions {
			delete(p.used, soonest)
		}
	}
	p.used[key] = exp
	return true
}

// errTooManyPasswords refuses a login that would pass MaxDevicePasswords.
var errTooManyPasswords = fmt.Errorf("the account already has %d device passwords: revoke one first", MaxDevicePasswords)

// replaceLocked puts an account saved to the store in place of its old version
// (nil: a new account; now nil: deleted).
func (p *Provider) replaceLocked(old, now *account) {
	i := slices.Index(p.accounts, old)
	switch {
	case old == nil:
		p.accounts = append(p.accounts, now)
	case now == nil:
		p.accounts = slices.Delete(p.accounts, i, i+1)
	default:
		p.accounts[i] = now
	}
}

func (p *Provider) randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(p.cfg.Rand, b); err != nil {
		return "", fmt.Errorf("contactsprovider: random source: %w", err)
	}
	return hex.EncodeToString(b), nil
}

func (p *Provider) byUID(uid string) *account {
	for _, a := range p.accounts {
		if a.UID == uid {
			return a
		}
	}
	return nil
}

func (p *Provider) byEmail(email string) *account {
	for _, a := range p.accounts {
		if strings.EqualFold(a.Email, email) {
			return a
		}
	}
	return nil
}

func (p *Provider) byUserName(name string) *account {
	for _, a := range p.accounts {
		if a.UserName == name {
			return a
		}
	}
	return nil
}

// authenticate checks basic-auth credentials; it returns the account or nil.
func (p *Provider) authenticate(userName, password string) *account {
	p.mu.Lock()
	defer p.mu.Unlock()
	acct := p.byUserName(userName)
	if acct == nil {
		return nil
	}
	for _, d := range acct.Passwords {
		if d.matches(password) {
			return acct
		}
	}
	return nil
}

func (p *Provider) serveRevoke(w http.ResponseWriter, r *http.Request) {
	p.count("POST " + RevokePath)
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed (expected POST)", r.Method))
		return
	}
	user, pass, ok := r.BasicAuth()
	if !ok {
		unauthorized(w)
		return
	}
	if err := p.RevokePassword(user, pass); err != nil {
		unauthorized(w)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (p *Provider) serveDelete(w http.ResponseWriter, r *http.Request) {
	p.count("POST " + DeletePath)
	assertion, ok := readAssertion(w, r)
	if !ok {
		return
	}
	uid, _, failure := p.identify(assertion)
	if failure != nil {
		writeJSON(w, http.StatusUnauthorized, failure)
		return
	}
	p.mu.Lock()
	acct := p.byUID(uid)
	var err error
	if acct != nil {
		err = p.deleteLocked(acct)
	}
	p.mu.Unlock()
	switch {
	case acct == nil:
		writeError(w, http.StatusNotFound, "no account for this Firefox Account")
	case err != nil:
		writeError(w, http.StatusInternalServerError, err.Error())
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Basic realm="mozidsim contacts"`)
	writeError(w, http.StatusUnauthorized, "unauthorized")
}

// Admin operations (scenario steps, the operator).

// AccountInfo describes an account.
type AccountInfo struct {
	UID       string
	Email     string
	UserName  string
	Passwords int // active device passwords
	Created   time.Time
	BookPath  string
}

// Accounts lists every account, oldest first.
func (p *Provider) Accounts() []AccountInfo {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]AccountInfo, 0, len(p.accounts))
	for _, a := range p.accounts {
		out = append(out, info(a))
	}
	return out
}

// Account returns the account of an email.
func (p *Provider) Account(email string) (AccountInfo, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	a := p.byEmail(email)
	if a == nil {
		return AccountInfo{}, false
	}
	return info(a), true
}

func info(a *account) AccountInfo {
	return AccountInfo{UID: a.UID, Email: a.Email, UserName: a.UserName, Passwords: len(a.Passwords),
		Created: a.Created, BookPath: bookPath(a.UserName)}
}

// RevokePassword revokes one device password of a user (what fruux could do "at
// any time, according to its own policies").
func (p *Provider) RevokePassword(userName, password string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	acct := p.byUserName(userName)
	if acct == nil {
		return ErrNoAccount
	}
	i := slices.IndexFunc(acct.Passwords, func(d devicePassword) bool { return d.matches(password) })
	if i < 0 {
		return errors.New("contactsprovider: no such device password")
	}
	cp := *acct
	cp.Passwords = slices.Delete(slices.Clone(acct.Passwords), i, i+1)
	if err := p.store.saveAccount(&cp); err != nil {
		return err
	}
	p.replaceLocked(acct, &cp)
	return nil
}

// RevokeAllPasswords revokes every device password of an account (what FxA would
// ask for when a device is reported stolen); it returns how many there were.
func (p *Provider) RevokeAllPasswords(email string) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	acct := p.byEmail(email)
	if acct == nil {
		return 0, ErrNoAccount
	}
	cp := *acct
	cp.Passwords = nil
	if err := p.store.saveAccount(&cp); err != nil {
		return 0, err
	}
	p.replaceLocked(acct, &cp)
	return len(acct.Passwords), nil
}

// DeleteAccount deletes an account, its passwords and its address book.
func (p *Provider) DeleteAccount(email string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	acct := p.byEmail(email)
	if acct == nil {
		return ErrNoAccount
	}
	return p.deleteLocked(acct)
}

func (p *Provider) deleteLocked(acct *account) error {
	if err := p.store.deleteAccount(acct); err != nil {
		return err
	}
	p.replaceLocked(acct, nil)
	return nil
}

// StoredCard is one resource of an address book.
type StoredCard struct {
	Name    string
	ETag    string
	ModTime time.Time
	Data    []byte
}

// Cards lists an account's address book in the order the resources were last
// written.
func (p *Provider) Cards(email string) ([]StoredCard, error) {
	p.mu.Lock()
	acct := p.byEmail(email)
	p.mu.Unlock()
	if acct == nil {
		return nil, ErrNoAccount
	}
	user := acct.UserName
	var out []StoredCard
	err := p.store.view(user, func(b *bookTx) error {
		return b.changesSince(0, func(c change) error {
			if c.Deleted {
				return nil
			}
			e, _, data, ok, err := b.get(c.Name)
			if err != nil || !ok {
				return fmt.Errorf("the change log names %s, which is not stored: %v", c.Name, err)
			}
			out = append(out, StoredCard{Name: c.Name, ETag: e.ETag, ModTime: time.UnixMilli(e.ModTime).UTC(), Data: copyBytes(data)})
			return nil
		})
	})
	return out, err
}

// PutRawCard stores bytes as a resource without any check: how a scenario puts a
// malformed vCard (from some other, buggy client) on the server.
func (p *Provider) PutRawCard(email, name string, data []byte) error {
	if !validName(name) {
		return fmt.Errorf("contactsprovider: %q is not a valid resource name", name)
	}
	p.mu.Lock()
	acct := p.byEmail(email)
	p.mu.Unlock()
	if acct == nil {
		return ErrNoAccount
	}
	return p.store.update(acct.UserName, func(b *bookTx) error {
		_, err := b.put(name, "", data, p.cfg.Clock())
		return err
	})
}

// Fault is a misbehaviour a scenario can switch on.
type Fault string

// Faults.
const (
	FaultUnauthorized Fault = "unauthorized"  // CardDAV requests answer 401 whatever the credentials
	FaultServerError  Fault = "server-error"  // CardDAV requests answer 500
	FaultGarbageLogin Fault = "garbage-login" // /browserid/login answers 200 with a body that is not JSON
	FaultLoginError   Fault = "login-error"   // /browserid/login answers 503
)

// Faults lists the known faults.
var Faults = []Fault{FaultUnauthorized, FaultServerError, FaultGarbageLogin, FaultLoginError}

// InjectFault makes the next count matching requests misbehave (count < 0: until
// ClearFaults).
func (p *Provider) InjectFault(f Fault, count int) error {
	if !slices.Contains(Faults, f) {
		return fmt.Errorf("contactsprovider: unknown fault %q (known: %v)", f, Faults)
	}
	if count == 0 {
		return errors.New("contactsprovider: a fault needs a count (negative: until cleared)")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults[f] = count
	return nil
}

// ClearFaults switches every fault off.
func (p *Provider) ClearFaults() {
	p.mu.Lock()
	defer p.mu.Unlock()
	clear(p.faults)
}

func (p *Provider) takeFault(f Fault) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := p.faults[f]
	switch {
	case n == 0:
		return false
	case n > 0:
		p.faults[f] = n - 1
	}
	return true
}

// Stats counts what clients asked for.
type Stats struct {
	// Requests by kind: "PUT", "DELETE", "GET", "PROPFIND", "REPORT sync-collection",
	// "REPORT addressbook-multiget", "POST /browserid/login", ...; a method or
	// REPORT nobody defined counts as "other" or "REPORT other".
	Requests        map[string]int
	CardsUploaded   int   // vCards received in PUTs
	BytesUploaded   int64 // their size
	CardsDownloaded int   // vCards sent in any response body
	BytesDownloaded int64 // size of every CardDAV response body
}

// Stats returns a copy of the counters.
func (p *Provider) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stats
	s.Requests = make(map[string]int, len(p.stats.Requests))
	for k, v := range p.stats.Requests {
		s.Requests[k] = v
	}
	return s
}

// ResetStats zeroes the counters.
func (p *Provider) ResetStats() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stats = Stats{Requests: make(map[string]int)}
}

// count adds one request of a kind; kinds are a fixed set (see methodKind).
func (p *Provider) count(kind string) {
	p.mu.Lock()
	p.stats.Requests[kind]++
	p.mu.Unlock()
}
