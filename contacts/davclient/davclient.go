// Package davclient is the phone's side of the network in the contacts backup: the
// XMLHttpRequests (mozSystem) that apps/system/services/contacts/js/backup.js made
// (POST <provider>/browserid/login, PUT <book>/<id>.vcf with basic auth) and the
// requests the sync extensions need: conditional PUT/DELETE (If-Match,
// If-None-Match), GET, the sync-collection REPORT (RFC 6578), addressbook-multiget
// and a Depth 1 PROPFIND for servers without sync tokens. Discovery of an address
// book on the user's own server uses github.com/emersion/go-webdav's CardDAV client.
//
// Every request is a real HTTP round trip. Responses are parsed tolerantly: one bad
// entry in a multistatus is reported, not fatal, and no answer can make a call
// panic. Status codes come back as *HTTPError so that callers can tell a 401 (ask
// for new credentials), a 412 (a conflict) and a 5xx (try later) apart.
package davclient

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/carddav"
)

// Limits on what the phone reads from the network.
const (
	MaxJSONBody        = 64 << 10
	MaxMultistatusBody = 64 << 20
	MaxCardBody        = 1 << 20
)

// VCardContentType is what the prototype sent with each PUT.
const VCardContentType = "text/vcard; charset=utf-8"

// HTTPError is a response with an unexpected status.
type HTTPError struct {
	Method string
	Path   string
	Status int
	Body   string // the start of the body, for the log
}

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("%s %s: %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// StatusOf returns the HTTP status of an *HTTPError in err's chain, else 0
// (a network failure or a malformed answer).
func StatusOf(err error) int {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status
	}
	return 0
}

// Exchange describes one round trip, for the caller's trace.
type Exchange struct {
	Method string
	Path   string // the URL path: no host, so traces repeat from run to run
	Status int    // 0 when no answer came
	Err    error  // the network error, if any
}

// Observer hears of every round trip.
type Observer func(Exchange)

func do(ctx context.Context, hc *http.Client, obs Observer, req *http.Request) (*http.Response, error) {
	resp, err := hc.Do(req.WithContext(ctx))
	ex := Exchange{Method: req.Method, Path: req.URL.Path, Err: err}
	if resp != nil {
		ex.Status = resp.StatusCode
	}
	if obs != nil {
		obs(ex)
	}
	return resp, err
}

func readLimited(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("answer over %d bytes", limit)
	}
	return data, nil
}

func httpError(req *http.Request, resp *http.Response) error {
	body, _ := readLimited(resp.Body, 4096)
	snippet := strings.TrimSpace(string(body))
	if len(snippet) > 200 {
		snippet = snippet[:200] + "…"
	}
	return &HTTPError{Method: req.Method, Path: req.URL.Path, Status: resp.StatusCode, Body: snippet}
}

// Credentials are what provisioning gives the phone: the address book and how to
// authenticate to it.
type Credentials struct {
	BookURL  string // absolute, ending in '/'
	UserName string
	Password string
}

// LoginPath is the provider's provisioning endpoint.
const LoginPath = "/browserid/login"

// Provision is backup.js provision(): POST {"assertion"} to <provider>/browserid/login
// and read basicAuth and links. The address book is provider URL +
// links['addressbook-home-set'] + 'default'.
func Provision(ctx context.Context, hc *http.Client, obs Observer, providerURL, assertion string) (Credentials, error) {
	body, err := json.Marshal(map[string]string{"assertion": assertion})
	if err != nil {
		return Credentials{}, err
	}
	req, err := http.NewRequest(http.MethodPost, strings.TrimSuffix(providerURL, "/")+LoginPath, bytes.NewReader(body))
	if err != nil {
		return Credentials{}, fmt.Errorf("provider URL %q: %w", providerURL, err)
	}
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	resp, err := do(ctx, hc, obs, req)
	if err != nil {
		return Credentials{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Credentials{}, httpError(req, resp)
	}
	raw, err := readLimited(resp.Body, MaxJSONBody)
	if err != nil {
		return Credentials{}, fmt.Errorf("provisioning answer: %w", err)
	}
	var answer struct {
		BasicAuth *struct {
			UserName string `json:"userName"`
			Password string `json:"password"`
		} `json:"basicAuth"`
		Links *struct {
			HomeSet string `json:"addressbook-home-set"`
		} `json:"links"`
	}
	if err := json.Unmarshal(raw, &answer); err != nil {
		return Credentials{}, fmt.Errorf("provisioning answer is not JSON: %w", err)
	}
	if answer.BasicAuth == nil || answer.Links == nil {
		return Credentials{}, errors.New("provisioning answer lacks basicAuth or links")
	}
	if answer.BasicAuth.UserName == "" || answer.BasicAuth.Password == "" || answer.Links.HomeSet == "" {
		return Credentials{}, errors.New("provisioning answer has an empty userName, password or addressbook-home-set")
	}
	bookURL, err := resolve(providerURL, answer.Links.HomeSet+"default/")
	if err != nil {
		return Credentials{}, fmt.Errorf("provisioning answer: addressbook-home-set: %w", err)
	}
	return Credentials{BookURL: bookURL, UserName: answer.BasicAuth.UserName, Password: answer.BasicAuth.Password}, nil
}

// resolve joins a server-given path to the provider's URL, refusing another host.
func resolve(base, ref string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	r, err := url.Parse(ref)
	if err != nil {
		return "", err
	}
	u := b.ResolveReference(r)
	if u.Host != b.Host || u.Scheme != b.Scheme {
		return "", fmt.Errorf("%q points to another server", ref)
	}
	return u.String(), nil
}

// Book is one address book on a CardDAV server, with the credentials for it.
type Book struct {
	URL      string // absolute URL of the collection, ending in '/'
	UserName string
	Password string
	HTTP     *http.Client
	Observe  Observer // optional
}

func (b *Book) base() (*url.URL, error) {
	u, err := url.Parse(b.URL)
	if err != nil {
		return nil, fmt.Errorf("address book URL %q: %w", b.URL, err)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u, nil
}

func (b *Book) newRequest(method, name string, body []byte) (*http.Request, error) {
	u, err := b.base()
	if err != nil {
		return nil, err
	}
	if name != "" {
		u = u.JoinPath(name)
	}
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, u.String(), r)
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(b.UserName, b.Password)
	return req, nil
}

func (b *Book) client() *http.Client {
	if b.HTTP != nil {
		return b.HTTP
	}
	return http.DefaultClient
}

// NameOf returns a resource name for an href the server gave, if the resource
// lies directly in this book.
func (b *Book) NameOf(href string) (string, bool) {
	base, err := b.base()
	if err != nil {
		return "", false
	}
	u, err := url.Parse(href)
	if err != nil {
		return "", false
	}
	p := u.Path
	dir, name := path.Split(p)
	if dir != base.Path || name == "" {
		return "", false
	}
	return name, true
}

// Written is the outcome of a PUT or DELETE.
type Written struct {
	Status int
	ETag   string // the new ETag, when the server sent one
}

// Condition is a PUT or DELETE precondition.
type Condition struct {
	IfMatch     string // the ETag the client last saw
	IfNoneMatch bool   // If-None-Match: * (create only)
}

func quoteETag(etag string) string { return strconv.Quote(etag) }

// UnquoteETag strips the quotes (and a weak prefix) of an ETag header value.
func UnquoteETag(v string) string {
	v = strings.TrimPrefix(strings.TrimSpace(v), "W/")
	if s, err := strconv.Unquote(v); err == nil {
		return s
	}
	return strings.Trim(v, `"`)
}

// Put is upload(): PUT <book>/<name> with the vCard.
func (b *Book) Put(ctx context.Context, name string, vcard []byte, cond Condition) (Written, error) {
	req, err := b.newRequest(http.MethodPut, name, vcard)
	if err != nil {
		return Written{}, err
	}
	req.Header.Set("Content-Type", VCardContentType)
	setCondition(req, cond)
	resp, err := do(ctx, b.client(), b.Observe, req)
	if err != nil {
		return Written{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return Written{Status: resp.StatusCode}, httpError(req, resp)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, MaxJSONBody))
	return Written{Status: resp.StatusCode, ETag: UnquoteETag(resp.Header.Get("ETag"))}, nil
}

func setCondition(req *http.Request, cond Condition) {
	if cond.IfMatch != "" {
		req.Header.Set("If-Match", quoteETag(cond.IfMatch))
	}
	if cond.IfNoneMatch {
		req.Header.Set("If-None-Match", "*")
	}
}

// Delete removes a resource; a 404 is reported as an *HTTPError like any other.
func (b *Book) Delete(ctx context.Context, name string, cond Condition) (Written, error) {
	req, err := b.newRequest(http.MethodDelete, name, nil)
	if err != nil {
		return Written{}, err
	}
	setCondition(req, cond)
	resp, err := do(ctx, b.client(), b.Observe, req)
	if err != nil {
		return Written{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return Written{Status: resp.StatusCode}, httpError(req, resp)
	}
	return Written{Status: resp.StatusCode}, nil
}

// Fetched is one downloaded resource.
type Fetched struct {
	Name string
	ETag string
	Data []byte
}

// Get downloads one resource.
func (b *Book) Get(ctx context.Context, name string) (Fetched, error) {
	req, err := b.newRequest(http.MethodGet, name, nil)
	if err != nil {
		return Fetched{}, err
	}
	req.Header.Set("Accept", "text/vcard")
	resp, err := do(ctx, b.client(), b.Observe, req)
	if err != nil {
		return Fetched{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Fetched{}, httpError(req, resp)
	}
	data, err := readLimited(resp.Body, MaxCardBody)
	if err != nil {
		return Fetched{}, fmt.Errorf("GET %s: %w", req.URL.Path, err)
	}
	return Fetched{Name: name, ETag: UnquoteETag(resp.Header.Get("ETag")), Data: data}, nil
}

// Entry is a resource in a listing: its name and ETag.
type Entry struct {
	Name string
	ETag string
}

// Changes is the answer to a sync-collection REPORT.
type Changes struct {
	Updated []Entry  // new or changed since the token
	Deleted []string // names gone since the token
	Token   string   // the token to send next time
	// Skipped lists response entries that could not be read (foreign hrefs,
	// entries without an ETag), as "href: why".
	Skipped []string
}

// ErrSyncUnsupported means the server does not do sync-collection here; list instead.
var ErrSyncUnsupported = errors.New("the server does not support sync-collection on this collection")

// ErrInvalidToken means the server no longer accepts the sync token (DAV:valid-sync-token).
var ErrInvalidToken = errors.New("the server rejected the sync token")

const syncCollectionBody = `<?xml version="1.0" encoding="utf-8"?>` +
	`<D:sync-collection xmlns:D="DAV:"><D:sync-token>%s</D:sync-token><D:sync-level>1</D:sync-level>` +
	`<D:prop><D:getetag/></D:prop></D:sync-collection>`

// Sync asks what changed since token ("" for everything), ETags only: unchanged
// resources cost nothing and changed ones are fetched with MultiGet.
func (b *Book) Sync(ctx context.Context, token string) (Changes, error) {
	var esc bytes.Buffer
	_ = xml.EscapeText(&esc, []byte(token))
	req, err := b.newRequest("REPORT", "", []byte(fmt.Sprintf(syncCollectionBody, esc.String())))
	if err != nil {
		return Changes{}, err
	}
	req.Header.Set("Content-Type", `application/xml; charset="utf-8"`)
	req.Header.Set("Depth", "1")
	ms, err := b.multistatus(ctx, req)
	if err != nil {
		switch StatusOf(err) {
		case http.StatusForbidden, http.StatusConflict:
			var he *HTTPError
			errors.As(err, &he)
			if token != "" && strings.Contains(he.Body, "valid-sync-token") {
				return Changes{}, fmt.Errorf("%w: %v", ErrInvalidToken, err)
			}
			return Changes{}, fmt.Errorf("%w: %v", ErrSyncUnsupported, err)
		case http.StatusBadRequest, http.StatusNotImplemented, http.StatusMethodNotAllowed:
			return Changes{}, fmt.Errorf("%w: %v", ErrSyncUnsupported, err)
		}
		return Changes{}, err
	}
	if ms.SyncToken == "" {
		return Changes{}, fmt.Errorf("%w: the answer carries no sync-token", ErrSyncUnsupported)
	}
	ch := Changes{Token: ms.SyncToken}
	for _, r := range ms.Responses {
		href := r.href()
		name, ok := b.NameOf(href)
		if !ok {
			if !b.isSelf(href) {
				ch.Skipped = append(ch.Skipped, href+": not in this address book")
			}
			continue
		}
		if code := statusCode(r.Status); code == http.StatusNotFound {
			ch.Deleted = append(ch.Deleted, name)
			continue
		}
		etag, _, ok := r.okProps()
		if !ok || etag == "" {
			ch.Skipped = append(ch.Skipped, href+": no getetag")
			continue
		}
		ch.Updated = append(ch.Updated, Entry{Name: name, ETag: etag})
	}
	return ch, nil
}

func (b *Book) isSelf(href string) bool {
	base, err := b.base()
	if err != nil {
		return false
	}
	u, err := url.Parse(href)
	return err == nil && strings.TrimSuffix(u.Path, "/") == strings.TrimSuffix(base.Path, "/")
}

const propfindETags = `<?xml version="1.0" encoding="utf-8"?>` +
	`<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/><D:resourcetype/></D:prop></D:propfind>`

// List is PROPFIND Depth 1: every resource and its ETag (for servers without
// sync-collection).
func (b *Book) List(ctx context.Context) ([]Entry, []string, error) {
	req, err := b.newRequest("PROPFIND", "", []byte(propfindETags))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", `application/xml; charset="utf-8"`)
	req.Header.Set("Depth", "1")
	ms, err := b.multistatus(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	var out []Entry
	var skipped []string
	for _, r := range ms.Responses {
		href := r.href()
		name, ok := b.NameOf(href)
		if !ok {
			if !b.isSelf(href) {
				skipped = append(skipped, href+": not in this address book")
			}
			continue
		}
		etag, _, ok := r.okProps()
		if !ok || etag == "" {
			skipped = append(skipped, href+": no getetag")
			continue
		}
		out = append(out, Entry{Name: name, ETag: etag})
	}
	return out, skipped, nil
}

const multigetHead = `<?xml version="1.0" encoding="utf-8"?>` +
	`<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">` +
	`<D:prop><D:getetag/><C:address-data/></D:prop>`

// MultiGet downloads several resources in one addressbook-multiget REPORT. Entries
// the server could not give (404) or gave without data are listed in missing.
func (b *Book) MultiGet(ctx context.Context, names []string) (got []Fetched, missing []string, err error) {
	base, err := b.base()
	if err != nil {
		return nil, nil, err
	}
	var body bytes.Buffer
	body.WriteString(multigetHead)
	for _, n := range names {
		body.WriteString("<D:href>")
		_ = xml.EscapeText(&body, []byte(base.JoinPath(n).EscapedPath()))
		body.WriteString("</D:href>")
	}
	body.WriteString("</C:addressbook-multiget>")
	req, err := b.newRequest("REPORT", "", body.Bytes())
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", `application/xml; charset="utf-8"`)
	req.Header.Set("Depth", "1")
	ms, err := b.multistatus(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	seen := make(map[string]bool, len(names))
	for _, r := range ms.Responses {
		name, ok := b.NameOf(r.href())
		if !ok {
			continue
		}
		etag, data, ok := r.okProps()
		if !ok || data == "" {
			continue
		}
		seen[name] = true
		got = append(got, Fetched{Name: name, ETag: etag, Data: []byte(data)})
	}
	for _, n := range names {
		if !seen[n] {
			missing = append(missing, n)
		}
	}
	return got, missing, nil
}

func (b *Book) multistatus(ctx context.Context, req *http.Request) (*multistatus, error) {
	resp, err := do(ctx, b.client(), b.Observe, req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusMultiStatus {
		return nil, httpError(req, resp)
	}
	data, err := readLimited(resp.Body, MaxMultistatusBody)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
	}
	var ms multistatus
	if err := xml.Unmarshal(data, &ms); err != nil {
		return nil, fmt.Errorf("%s %s: malformed multistatus: %w", req.Method, req.URL.Path, err)
	}
	return &ms, nil
}

// multistatus is RFC 4918's answer, with the parts the phone reads.
type multistatus struct {
	XMLName   xml.Name   `xml:"DAV: multistatus"`
	Responses []response `xml:"DAV: response"`
	SyncToken string     `xml:"DAV: sync-token"`
}

type response struct {
	Hrefs     []string   `xml:"DAV: href"`
	Status    string     `xml:"DAV: status"`
	Propstats []propstat `xml:"DAV: propstat"`
}

type propstat struct {
	Status string `xml:"DAV: status"`
	Prop   struct {
		ETag        string `xml:"DAV: getetag"`
		AddressData string `xml:"urn:ietf:params:xml:ns:carddav address-data"`
	} `xml:"DAV: prop"`
}

func (r response) href() string {
	if len(r.Hrefs) == 0 {
		return ""
	}
	return strings.TrimSpace(r.Hrefs[0])
}

// okProps returns the ETag and address data from the 200 propstat.
func (r response) okProps() (etag, data string, ok bool) {
	for _, ps := range r.Propstats {
		if code := statusCode(ps.Status); code != 0 && code != http.StatusOK {
			continue
		}
		if ps.Prop.ETag != "" {
			etag = UnquoteETag(ps.Prop.ETag)
		}
		if ps.Prop.AddressData != "" {
			data = ps.Prop.AddressData
		}
		ok = true
	}
	return etag, data, ok
}

// statusCode reads "HTTP/1.1 404 Not Found"; 0 when absent or unreadable.
func statusCode(s string) int {
	f := strings.Fields(s)
	if len(f) < 2 {
		return 0
	}
	n, err := strconv.Atoi(f[1])
	if err != nil {
		return 0
	}
	return n
}

// Discover finds the address book for what an advanced user typed: the URL may
// be the address book itself, or the server (or principal) to discover it from
// (current-user-principal, addressbook-home-set, the first address book). With no
// address book at all, it creates one named "contacts" in the home set.
func Discover(ctx context.Context, hc *http.Client, obs Observer, rawURL, user, pass string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%q is not an http(s) URL", rawURL)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	if isBook, err := isAddressBook(ctx, hc, obs, u.String(), user, pass); err != nil {
		return "", err
	} else if isBook {
		return u.String(), nil
	}
	dav := webdav.HTTPClientWithBasicAuth(observed{hc, obs}, user, pass)
	c, err := carddav.NewClient(dav, u.String())
	if err != nil {
		return "", err
	}
	principal, err := c.FindCurrentUserPrincipal(ctx)
	if err != nil {
		return "", fmt.Errorf("discovering the principal: %w", err)
	}
	home, err := c.FindAddressBookHomeSet(ctx, principal)
	if err != nil {
		return "", fmt.Errorf("discovering the address book home: %w", err)
	}
	books, err := c.FindAddressBooks(ctx, home)
	if err != nil {
		return "", fmt.Errorf("listing address books: %w", err)
	}
	if len(books) > 0 {
		return u.ResolveReference(&url.URL{Path: ensureSlash(books[0].Path)}).String(), nil
	}
	book := u.ResolveReference(&url.URL{Path: ensureSlash(home) + "contacts/"})
	if err := mkAddressBook(ctx, hc, obs, book.String(), user, pass); err != nil {
		return "", err
	}
	return book.String(), nil
}

func ensureSlash(p string) string {
	if strings.HasSuffix(p, "/") {
		return p
	}
	return p + "/"
}

// observed adapts an *http.Client with an Observer to webdav.HTTPClient.
type observed struct {
	hc  *http.Client
	obs Observer
}

func (o observed) Do(req *http.Request) (*http.Response, error) {
	return do(req.Context(), o.hc, o.obs, req)
}

const propfindResourceType = `<?xml version="1.0" encoding="utf-8"?>` +
	`<D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/></D:prop></D:propfind>`

func isAddressBook(ctx context.Context, hc *http.Client, obs Observer, u, user, pass string) (bool, error) {
	req, err := http.NewRequest("PROPFIND", u, strings.NewReader(propfindResourceType))
	if err != nil {
		return false, err
	}
	req.SetBasicAuth(user, pass)
	req.Header.Set("Depth", "0")
	req.Header.Set("Content-Type", `application/xml; charset="utf-8"`)
	resp, err := do(ctx, hc, obs, req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return false, httpError(req, resp)
	case resp.StatusCode != http.StatusMultiStatus:
		return false, nil
	}
	data, err := readLimited(resp.Body, MaxJSONBody)
	if err != nil {
		return false, err
	}
	var ms struct {
		Responses []struct {
			Types struct {
				AddressBook *struct{} `xml:"urn:ietf:params:xml:ns:carddav addressbook"`
			} `xml:"DAV: propstat>prop>resourcetype"`
		} `xml:"DAV: response"`
	}
	if err := xml.Unmarshal(data, &ms); err != nil {
		return false, nil
	}
	return len(ms.Responses) > 0 && ms.Responses[0].Types.AddressBook != nil, nil
}

const mkcolAddressBook = `<?xml version="1.0" encoding="utf-8"?>` +
	`<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:set><D:prop>` +
	`<D:resourcetype><D:collection/><C:addressbook/></D:resourcetype><D:displayname>Contacts</D:displayname>` +
	`</D:prop></D:set></D:mkcol>`

// mkAddressBook creates an address book with an extended MKCOL (RFC 5689).
func mkAddressBook(ctx context.Context, hc *http.Client, obs Observer, u, user, pass string) error {
	req, err := http.NewRequest("MKCOL", u, strings.NewReader(mkcolAddressBook))
	if err != nil {
		return err
	}
	req.SetBasicAuth(user, pass)
	req.Header.Set("Content-Type", `application/xml; charset="utf-8"`)
	resp, err := do(ctx, hc, obs, req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return httpError(req, resp)
	}
	return nil
}

// Post is an authenticated POST with an optional JSON body to the provider
// (revoking this device's password, deleting the account).
func Post(ctx context.Context, hc *http.Client, obs Observer, u string, body any, user, pass string) error {
	var r io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(http.MethodPost, u, r)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := do(ctx, hc, obs, req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return httpError(req, resp)
	}
	return nil
}
