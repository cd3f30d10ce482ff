package contactsprovider

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-vcard"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/carddav"
)

// The CardDAV tree of one account (every collection href ends in a slash; each
// is also found without it):
//
//	/                                   root: current-user-principal
//	/dav/                               the same
//	/.well-known/carddav                301 to /dav/ (RFC 6764)
//	/dav/<user>/                        principal: addressbook-home-set
//	/dav/<user>/contacts/               address book home
//	/dav/<user>/contacts/default/       the address book
//	/dav/<user>/contacts/default/<name> an address object
//
// PROPFIND, GET, PUT, DELETE and the sync-collection and addressbook-multiget
// REPORTs are answered here: go-webdav matches collection paths exactly (so a
// trailing slash found nothing), has a fixed property set (no sync-token,
// getctag or supported-report-set), answers 400 to an empty PROPFIND body and to
// If-Match lists, re-encodes cards (so its ETags named bytes never sent), and
// checks no UID. go-webdav still answers addressbook-query (its filter matching).

func principalPath(user string) string { return DAVPrefix + "/" + user + "/" }
func homePath(user string) string      { return principalPath(user) + "contacts/" }
func bookPath(user string) string      { return homePath(user) + BookName + "/" }

type davKey struct{}

// davRequest is what the auth layer learned about a request, for the backend.
type davRequest struct{ userName string }

func requestOf(ctx context.Context) (*davRequest, error) {
	r, ok := ctx.Value(davKey{}).(*davRequest)
	if !ok {
		return nil, webdav.NewHTTPError(http.StatusUnauthorized, errors.New("not authenticated"))
	}
	return r, nil
}

type resKind int

const (
	resNone resKind = iota
	resRoot
	resPrincipal
	resHome
	resBook
	resObject
)

// target is what a request path names.
type target struct {
	kind resKind
	user string // the user whose tree it is in ("" for the root)
	name string // the resource name, for resObject
}

// errDotSegment refuses "." and ".." segments (also when sent as %2e or inside
// %2f): the own-path check compares decoded segments, which must be the path's.
var errDotSegment = errors.New("dot segments and encoded slashes are not accepted in CardDAV paths")

// resolve classifies a request path.
func resolve(u *url.URL) (target, error) {
	if strings.Contains(strings.ToLower(u.EscapedPath()), "%2f") || strings.Contains(u.Path, "\\") {
		return target{}, errDotSegment
	}
	p := u.Path
	if p == "/" {
		return target{kind: resRoot}, nil
	}
	rest, ok := strings.CutPrefix(p, DAVPrefix)
	if !ok || (rest != "" && rest[0] != '/') {
		return target{}, nil
	}
	rest = strings.TrimPrefix(rest, "/")
	trailing := strings.HasSuffix(rest, "/")
	rest = strings.TrimSuffix(rest, "/")
	if rest == "" {
		return target{kind: resRoot}, nil
	}
	segs := strings.Split(rest, "/")
	for _, s := range segs {
		if s == "" || s == "." || s == ".." {
			return target{}, errDotSegment
		}
	}
	t := target{user: segs[0]}
	switch {
	case len(segs) == 1:
		t.kind = resPrincipal
	case len(segs) == 2 && segs[1] == "contacts":
		t.kind = resHome
	case len(segs) == 3 && segs[1] == "contacts" && segs[2] == BookName:
		t.kind = resBook
	case len(segs) == 4 && segs[1] == "contacts" && segs[2] == BookName && !trailing:
		t.kind, t.name = resObject, segs[3]
	}
	return t, nil
}

// knownMethods are counted by name; anything else counts as "other", so what a
// client sends cannot grow the statistics table.
var knownMethods = map[string]bool{"GET": true, "HEAD": true, "PUT": true, "DELETE": true, "OPTIONS": true,
	"PROPFIND": true, "PROPPATCH": true, "MKCOL": true, "COPY": true, "MOVE": true, "POST": true}

var knownReports = map[string]bool{"sync-collection": true, "addressbook-multiget": true, "addressbook-query": true,
	"malformed": true}

func methodKind(method string, body []byte) string {
	if method == "REPORT" {
		k := reportKind(body)
		if !knownReports[k] {
			k = "other"
		}
		return "REPORT " + k
	}
	if knownMethods[method] {
		return method
	}
	return "other"
}

// serveDAV authenticates a CardDAV request and answers it.
func (p *Provider) serveDAV(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/.well-known/carddav" || r.URL.Path == "/.well-known/carddav/" {
		p.count(methodKind(r.Method, nil))
		http.Redirect(w, r, DAVPrefix+"/", http.StatusMovedPermanently)
		return
	}
	var body []byte
	if r.Method == "REPORT" || r.Method == "PROPFIND" {
		var err error
		body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, MaxReportBody))
		if err != nil {
			http.Error(w, fmt.Sprintf("%s body over %d bytes", r.Method, MaxReportBody), http.StatusRequestEntityTooLarge)
			return
		}
	}
	kind := methodKind(r.Method, body)
	p.count(kind)
	if p.takeFault(FaultUnauthorized) {
		unauthorized(w)
		return
	}
	if p.takeFault(FaultServerError) {
		http.Error(w, "injected fault: internal server error", http.StatusInternalServerError)
		return
	}
	user, pass, ok := r.BasicAuth()
	var acct *account
	if ok {
		acct = p.authenticate(user, pass)
	}
	if acct == nil {
		unauthorized(w)
		return
	}
	t, err := resolve(r.URL)
	if err != nil {
		http.Error(w, "forbidden: "+err.Error(), http.StatusForbidden)
		return
	}
	if t.kind == resNone {
		http.Error(w, "not found: "+r.URL.Path, http.StatusNotFound)
		return
	}
	if t.kind != resRoot && t.user != acct.UserName {
		http.Error(w, "forbidden: not your collection", http.StatusForbidden)
		return
	}
	user = acct.UserName
	cw := &countingWriter{ResponseWriter: w}
	defer func() {
		p.mu.Lock()
		p.stats.CardsDownloaded += cw.cards
		p.stats.BytesDownloaded += cw.n
		p.mu.Unlock()
	}()
	switch r.Method {
	case http.MethodOptions:
		w.Header().Set("DAV", "1, 3, addressbook")
		w.Header().Set("Allow", "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, REPORT")
		w.WriteHeader(http.StatusOK)
	case "PROPFIND":
		p.servePropfind(cw, r, t, user, body)
	case "REPORT":
		switch {
		case t.kind != resBook:
			writeDAVError(cw, http.StatusForbidden, "DAV:", "supported-report", "REPORTs are answered on the address book only")
		case kind == "REPORT sync-collection":
			p.serveSync(cw, r, user, body)
		case kind == "REPORT addressbook-multiget":
			p.serveMultiget(cw, user, body)
		case kind == "REPORT addressbook-query":
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.URL.Path = bookPath(user)
			p.dav.ServeHTTP(cw, r.WithContext(context.WithValue(r.Context(), davKey{}, &davRequest{userName: user})))
		case kind == "REPORT malformed":
			http.Error(cw, "malformed REPORT body", http.StatusBadRequest)
		default:
			writeDAVError(cw, http.StatusForbidden, "DAV:", "supported-report", "unsupported REPORT")
		}
	case http.MethodGet, http.MethodHead:
		if t.kind != resObject {
			w.Header().Set("Allow", "OPTIONS, PROPFIND, REPORT")
			http.Error(w, "a collection has no body: use PROPFIND or REPORT", http.StatusMethodNotAllowed)
			return
		}
		p.serveGet(cw, r, user, t.name)
	case http.MethodPut:
		if t.kind != resObject {
			w.Header().Set("Allow", "OPTIONS, PROPFIND, REPORT")
			http.Error(w, "PUT goes to an address object inside "+bookPath(user), http.StatusMethodNotAllowed)
			return
		}
		p.servePut(cw, r, user, t.name)
	case http.MethodDelete:
		if t.kind != resObject {
			http.Error(w, "forbidden: collections cannot be deleted (delete the account instead)", http.StatusForbidden)
			return
		}
		p.serveDeleteCard(cw, r, user, t.name)
	case "MKCOL", "PROPPATCH", "COPY", "MOVE", "LOCK", "UNLOCK", "ACL":
		http.Error(w, "forbidden: every account has exactly one address book, and its properties are fixed", http.StatusForbidden)
	default:
		w.Header().Set("Allow", "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, REPORT")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// reportKind names a REPORT by its root element.
func reportKind(body []byte) string {
	d := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := d.Token()
		if err != nil {
			return "malformed"
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local
		}
	}
}

// countingWriter counts response bytes and the vCards in them (every card starts
// with BEGIN:VCARD, in a GET body or inside address-data).
type countingWriter struct {
	http.ResponseWriter
	tail  []byte
	cards int
	n     int64
}

var cardMarker = []byte("BEGIN:VCARD")

func (c *countingWriter) Write(b []byte) (int, error) {
	joined := append(c.tail, b...)
	c.cards += bytes.Count(joined, cardMarker)
	keep := min(len(joined), len(cardMarker)-1)
	c.tail = append(c.tail[:0], joined[len(joined)-keep:]...)
	c.n += int64(len(b))
	return c.ResponseWriter.Write(b)
}

func syncToken(user string, rev uint64) string {
	return syncTokenPrefix + user + "/" + strconv.FormatUint(rev, 10)
}

// parseSyncToken returns the revision a token names for user.
func parseSyncToken(token, user string) (uint64, bool) {
	rest, ok := strings.CutPrefix(token, syncTokenPrefix+user+"/")
	if !ok {
		return 0, false
	}
	rev, err := strconv.ParseUint(rest, 10, 64)
	return rev, err == nil
}

// propRequest is the prop list of a PROPFIND or REPORT body.
type propRequest struct {
	Props []struct {
		XMLName xml.Name
	} `xml:",any"`
}

func (pr *propRequest) names() []xml.Name {
	if pr == nil {
		return nil
	}
	out := make([]xml.Name, len(pr.Props))
	for i, p := range pr.Props {
		out[i] = p.XMLName
	}
	return out
}

// syncCollection is the RFC 6578 request body.
type syncCollection struct {
	XMLName   xml.Name     `xml:"DAV: sync-collection"`
	SyncToken string       `xml:"DAV: sync-token"`
	SyncLevel string       `xml:"DAV: sync-level"`
	Prop      *propRequest `xml:"DAV: prop"`
}

// serveSync answers sync-collection on the address book: every resource changed
// since the token's revision (all live ones for an empty token), deleted ones as
// 404 responses, and the new token.
func (p *Provider) serveSync(w http.ResponseWriter, r *http.Request, user string, body []byte) {
	var q syncCollection
	if err := xml.Unmarshal(body, &q); err != nil {
		http.Error(w, "malformed sync-collection: "+err.Error(), http.StatusBadRequest)
		return
	}
	if lvl := strings.TrimSpace(q.SyncLevel); lvl != "1" && lvl != "" {
		writeDAVError(w, http.StatusForbidden, "DAV:", "sync-traversal-supported", "only sync-level 1")
		return
	}
	props := q.Prop.names()
	var out bytes.Buffer
	status := http.StatusMultiStatus
	err := p.store.view(user, func(b *bookTx) error {
		var since uint64
		initial := strings.TrimSpace(q.SyncToken) == ""
		if !initial {
			rev, ok := parseSyncToken(strings.TrimSpace(q.SyncToken), user)
			if !ok || rev > b.rev() {
				status = http.StatusForbidden
				return nil
			}
			since = rev
		}
		startMultistatus(&out)
		err := b.changesSince(since, func(c change) error {
			href := bookPath(user) + c.Name
			if c.Deleted {
				if !initial {
					writeStatusResponse(&out, href, http.StatusNotFound)
				}
				return nil
			}
			e, _, data, ok, err := b.get(c.Name)
			if err != nil || !ok {
				return fmt.Errorf("the change log names %s, which is not stored: %v", c.Name, err)
			}
			writePropResponse(&out, href, props, objectProps(e, data))
			return nil
		})
		if err != nil {
			return err
		}
		out.WriteString("<D:sync-token>")
		xmlEscape(&out, syncToken(user, b.rev()))
		out.WriteString("</D:sync-token></D:multistatus>")
		return nil
	})
	switch {
	case err != nil:
		http.Error(w, err.Error(), http.StatusInternalServerError)
	case status == http.StatusForbidden:
		writeDAVError(w, http.StatusForbidden, "DAV:", "valid-sync-token", "the sync token is not one this book gave out")
	default:
		writeMultistatus(w, out.Bytes())
	}
}

type multiget struct {
	XMLName xml.Name     `xml:"urn:ietf:params:xml:ns:carddav addressbook-multiget"`
	Prop    *propRequest `xml:"DAV: prop"`
	Hrefs   []string     `xml:"DAV: href"`
}

// serveMultiget answers addressbook-multiget with the stored bytes.
func (p *Provider) serveMultiget(w http.ResponseWriter, user string, body []byte) {
	var q multiget
	if err := xml.Unmarshal(body, &q); err != nil {
		http.Error(w, "malformed addressbook-multiget: "+err.Error(), http.StatusBadRequest)
		return
	}
	props := q.Prop.names()
	if props == nil {
		props = []xml.Name{nameGetETag, nameAddressData}
	}
	var out bytes.Buffer
	startMultistatus(&out)
	err := p.store.view(user, func(b *bookTx) error {
		for _, raw := range q.Hrefs {
			raw = strings.TrimSpace(raw)
			u, err := url.Parse(raw)
			if err != nil {
				writeStatusResponse(&out, raw, http.StatusBadRequest)
				continue
			}
			t, err := resolve(u)
			if err != nil || t.kind != resObject || t.user != user {
				writeStatusResponse(&out, raw, http.StatusNotFound)
				continue
			}
			e, _, data, ok, err := b.get(t.name)
			if err != nil {
				return err
			}
			if !ok {
				writeStatusResponse(&out, raw, http.StatusNotFound)
				continue
			}
			writePropResponse(&out, bookPath(user)+t.name, props, objectProps(e, data))
		}
		return nil
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	out.WriteString("</D:multistatus>")
	writeMultistatus(w, out.Bytes())
}

func (p *Provider) serveGet(w http.ResponseWriter, r *http.Request, user, name string) {
	var (
		e     entry
		found bool
		data  []byte
	)
	err := p.store.view(user, func(b *bookTx) error {
		var d []byte
		var err error
		e, _, d, found, err = b.get(name)
		data = copyBytes(d)
		return err
	})
	switch {
	case err != nil:
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	case !found:
		http.Error(w, "not found: "+r.URL.Path, http.StatusNotFound)
		return
	}
	etag := strconv.Quote(e.ETag)
	w.Header().Set("ETag", etag)
	w.Header().Set("Last-Modified", time.UnixMilli(e.ModTime).UTC().Format(http.TimeFormat))
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		if tags, err := parseETagList(inm); err == nil && tags.matchWeak(e.ETag, true) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	w.Header().Set("Content-Type", "text/vcard; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(data)
	}
}

// preconditionFailed answers 412.
func preconditionFailed(w http.ResponseWriter, header string) {
	http.Error(w, "precondition failed: "+header, http.StatusPreconditionFailed)
}

// checkPreconditions applies If-Match (strong comparison) and If-None-Match
// (weak comparison) as RFC 9110 §13.1.1-2 do; it returns the status to answer
// with, 0 to go on.
func checkPreconditions(w http.ResponseWriter, r *http.Request, cur entry, exists bool) bool {
	if v := r.Header.Get("If-Match"); v != "" {
		tags, err := parseETagList(v)
		if err != nil {
			http.Error(w, "If-Match: "+err.Error(), http.StatusBadRequest)
			return false
		}
		if !exists || !tags.matchStrong(cur.ETag) {
			preconditionFailed(w, "If-Match "+v)
			return false
		}
	}
	if v := r.Header.Get("If-None-Match"); v != "" {
		tags, err := parseETagList(v)
		if err != nil {
			http.Error(w, "If-None-Match: "+err.Error(), http.StatusBadRequest)
			return false
		}
		if tags.matchWeak(cur.ETag, exists) {
			preconditionFailed(w, "If-None-Match "+v)
			return false
		}
	}
	return true
}

func (p *Provider) servePut(w http.ResponseWriter, r *http.Request, user, name string) {
	if !validName(name) {
		http.Error(w, fmt.Sprintf("%q is not an acceptable resource name (letters, digits and -_.@+=:~,;!$'()*&)", name), http.StatusBadRequest)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, _ := strings.Cut(strings.ToLower(ct), ";")
		if mt = strings.TrimSpace(mt); mt != "text/vcard" && mt != "text/x-vcard" && mt != "text/directory" {
			writeDAVError(w, http.StatusUnsupportedMediaType, carddavNS, "supported-address-data",
				fmt.Sprintf("Content-Type %s: only text/vcard (versions 3.0 and 4.0) is stored", ct))
			return
		}
	}
	if r.ContentLength > MaxCardBody {
		writeDAVError(w, http.StatusRequestEntityTooLarge, carddavNS, "max-resource-size",
			fmt.Sprintf("the card is %d bytes; the limit is %d", r.ContentLength, MaxCardBody))
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxCardBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeDAVError(w, http.StatusRequestEntityTooLarge, carddavNS, "max-resource-size",
				fmt.Sprintf("the card is over the limit of %d bytes", MaxCardBody))
			return
		}
		http.Error(w, "reading the card: "+err.Error(), http.StatusBadRequest)
		return
	}
	uid, cerr := checkCard(data)
	if cerr != nil {
		writeDAVError(w, cerr.status, carddavNS, cerr.condition, cerr.reason)
		return
	}
	var (
		e       entry
		created bool
		done    bool
		other   string
	)
	err = p.store.update(user, func(b *bookTx) error {
		cur, curUID, _, exists, err := b.get(name)
		if err != nil {
			return err
		}
		if !checkPreconditions(w, r, cur, exists) {
			return nil
		}
		if owner, ok := b.uidOwner(uid); ok && owner != name {
			other = owner
			return nil
		}
		if exists && curUID != "" && curUID != uid {
			other = name
			return nil
		}
		if e, err = b.put(name, uid, data, p.cfg.Clock()); err != nil {
			return err
		}
		created, done = !exists, true
		return nil
	})
	switch {
	case err != nil:
		http.Error(w, "storing the card: "+err.Error(), http.StatusInternalServerError)
		return
	case other == name:
		writeDAVErrorHref(w, http.StatusForbidden, "no-uid-conflict", bookPath(user)+other,
			"a resource's UID cannot change; delete it and create a new one")
		return
	case other != "":
		writeDAVErrorHref(w, http.StatusForbidden, "no-uid-conflict", bookPath(user)+other,
			fmt.Sprintf("UID %q is already the UID of %s", uid, bookPath(user)+other))
		return
	case !done:
		return // a precondition answered
	}
	p.mu.Lock()
	p.stats.CardsUploaded++
	p.stats.BytesUploaded += int64(len(data))
	p.mu.Unlock()
	w.Header().Set("ETag", strconv.Quote(e.ETag))
	w.Header().Set("Last-Modified", time.UnixMilli(e.ModTime).UTC().Format(http.TimeFormat))
	if created {
		w.Header().Set("Location", bookPath(user)+name)
		w.WriteHeader(http.StatusCreated)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (p *Provider) serveDeleteCard(w http.ResponseWriter, r *http.Request, user, name string) {
	var found, done bool
	err := p.store.update(user, func(b *bookTx) error {
		cur, _, _, exists, err := b.get(name)
		if err != nil {
			return err
		}
		if !checkPreconditions(w, r, cur, exists) {
			done = true
			return nil
		}
		if !exists {
			return nil
		}
		found = true
		return b.remove(name)
	})
	switch {
	case err != nil:
		http.Error(w, "deleting: "+err.Error(), http.StatusInternalServerError)
	case done:
	case !found:
		http.Error(w, "not found: "+r.URL.Path, http.StatusNotFound)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// backend is go-webdav's carddav.Backend over the store, for addressbook-query.
type backend struct{ p *Provider }

var errNotFound = webdav.NewHTTPError(http.StatusNotFound, errors.New("not found"))
var errReadOnly = webdav.NewHTTPError(http.StatusForbidden, errors.New("not through this path"))

func (bk backend) CurrentUserPrincipal(ctx context.Context) (string, error) {
	req, err := requestOf(ctx)
	if err != nil {
		return "", err
	}
	return principalPath(req.userName), nil
}

func (bk backend) AddressBookHomeSetPath(ctx context.Context) (string, error) {
	req, err := requestOf(ctx)
	if err != nil {
		return "", err
	}
	return homePath(req.userName), nil
}

func (bk backend) addressBook(user string) carddav.AddressBook {
	return carddav.AddressBook{Path: bookPath(user), Name: bookDisplayName, Description: bookDescription,
		MaxResourceSize: MaxCardBody, SupportedAddressData: supportedAddressData}
}

func (bk backend) ListAddressBooks(ctx context.Context) ([]carddav.AddressBook, error) {
	req, err := requestOf(ctx)
	if err != nil {
		return nil, err
	}
	return []carddav.AddressBook{bk.addressBook(req.userName)}, nil
}

func (bk backend) GetAddressBook(ctx context.Context, p string) (*carddav.AddressBook, error) {
	req, err := requestOf(ctx)
	if err != nil {
		return nil, err
	}
	if path.Clean(p)+"/" != bookPath(req.userName) {
		return nil, errNotFound
	}
	ab := bk.addressBook(req.userName)
	return &ab, nil
}

func (bk backend) CreateAddressBook(context.Context, *carddav.AddressBook) error { return errReadOnly }
func (bk backend) DeleteAddressBook(context.Context, string) error               { return errReadOnly }
func (bk backend) GetAddressObject(context.Context, string, *carddav.AddressDataRequest) (*carddav.AddressObject, error) {
	return nil, errReadOnly
}
func (bk backend) PutAddressObject(context.Context, string, vcard.Card, *carddav.PutAddressObjectOptions) (*carddav.AddressObject, error) {
	return nil, errReadOnly
}
func (bk backend) DeleteAddressObject(context.Context, string) error { return errReadOnly }

func (bk backend) ListAddressObjects(ctx context.Context, p string, _ *carddav.AddressDataRequest) ([]carddav.AddressObject, error) {
	req, err := requestOf(ctx)
	if err != nil {
		return nil, err
	}
	user := req.userName
	if path.Clean(p)+"/" != bookPath(user) {
		return nil, errNotFound
	}
	var out []carddav.AddressObject
	err = bk.p.store.view(user, func(b *bookTx) error {
		return b.changesSince(0, func(c change) error {
			if c.Deleted {
				return nil
			}
			e, _, data, ok, err := b.get(c.Name)
			if err != nil || !ok {
				return err
			}
			card, err := vcard.NewDecoder(bytes.NewReader(data)).Decode()
			if err != nil {
				return nil // a card that does not parse (PutRawCard) cannot match a filter
			}
			out = append(out, carddav.AddressObject{Path: bookPath(user) + c.Name, ModTime: time.UnixMilli(e.ModTime).UTC(),
				ContentLength: e.Size, ETag: e.ETag, Card: card})
			return nil
		})
	})
	return out, err
}

func (bk backend) QueryAddressObjects(ctx context.Context, p string, query *carddav.AddressBookQuery) ([]carddav.AddressObject, error) {
	all, err := bk.ListAddressObjects(ctx, p, &query.DataRequest)
	if err != nil {
		return nil, err
	}
	if len(query.PropFilters) == 0 {
		// An empty filter asks for everything (go-webdav's anyof of nothing matches nothing).
		if query.Limit > 0 && query.Limit < len(all) {
			all = all[:query.Limit]
		}
		return all, nil
	}
	return carddav.Filter(query, all)
}
