package contactsprovider

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-vcard"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/carddav"
)

func principalPath(user string) string { return DAVPrefix + "/" + user }
func homePath(user string) string      { return principalPath(user) + "/contacts" }
func bookPath(user string) string      { return homePath(user) + "/" + BookName + "/" }

type davKey struct{}

// davRequest is what the auth layer learned about a request, for the backend.
type davRequest struct {
	userName string
	ifMatch  webdav.ConditionalMatch // DELETE's If-Match, which go-webdav does not pass on
}

func requestOf(ctx context.Context) (*davRequest, error) {
	r, ok := ctx.Value(davKey{}).(*davRequest)
	if !ok {
		return nil, webdav.NewHTTPError(http.StatusUnauthorized, errors.New("not authenticated"))
	}
	return r, nil
}

// serveDAV authenticates a CardDAV request, answers sync-collection itself and
// hands everything else to go-webdav.
func (p *Provider) serveDAV(w http.ResponseWriter, r *http.Request) {
	var body []byte
	kind := r.Method
	if r.Method == "REPORT" {
		var err error
		body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, MaxReportBody))
		if err != nil {
			http.Error(w, fmt.Sprintf("REPORT body over %d bytes", MaxReportBody), http.StatusRequestEntityTooLarge)
			return
		}
		kind = "REPORT " + reportKind(body)
	}
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
	p.mu.Lock()
	var acct *account
	if ok {
		acct = p.authenticate(user, pass)
	}
	p.mu.Unlock()
	if acct == nil {
		unauthorized(w)
		return
	}
	own := principalPath(acct.UserName)
	switch {
	case r.URL.Path == own || strings.HasPrefix(r.URL.Path, own+"/"):
	case r.URL.Path == "/.well-known/carddav" || r.URL.Path == "/" || r.URL.Path == DAVPrefix || r.URL.Path == DAVPrefix+"/":
		// discovery: these only ever describe the requester's own principal
	default:
		http.Error(w, "forbidden: not your collection", http.StatusForbidden)
		return
	}
	req := &davRequest{userName: acct.UserName, ifMatch: webdav.ConditionalMatch(r.Header.Get("If-Match"))}
	cw := &countingWriter{ResponseWriter: w}
	defer func() {
		p.mu.Lock()
		p.stats.CardsDownloaded += cw.cards
		p.stats.BytesDownloaded += cw.n
		p.mu.Unlock()
	}()
	switch r.Method {
	case "REPORT":
		if kind == "REPORT sync-collection" {
			p.serveSync(cw, r, acct.UserName, body)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	case http.MethodPut:
		r.Body = http.MaxBytesReader(w, r.Body, MaxCardBody)
	}
	p.dav.ServeHTTP(cw, r.WithContext(context.WithValue(r.Context(), davKey{}, req)))
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

// syncCollection is the RFC 6578 request body.
type syncCollection struct {
	XMLName   xml.Name `xml:"DAV: sync-collection"`
	SyncToken string   `xml:"DAV: sync-token"`
	SyncLevel string   `xml:"DAV: sync-level"`
	Prop      struct {
		Props []struct {
			XMLName xml.Name
		} `xml:",any"`
	} `xml:"DAV: prop"`
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

// serveSync answers sync-collection on the address book: every resource changed
// since the token's revision (all live ones for an empty token), deleted ones as
// 404 responses, and the new token.
func (p *Provider) serveSync(w http.ResponseWriter, r *http.Request, user string, body []byte) {
	var q syncCollection
	if err := xml.Unmarshal(body, &q); err != nil {
		http.Error(w, "malformed sync-collection: "+err.Error(), http.StatusBadRequest)
		return
	}
	if path.Clean(r.URL.Path)+"/" != bookPath(user) {
		writeDAVError(w, http.StatusForbidden, "DAV:", "supported-report")
		return
	}
	if lvl := strings.TrimSpace(q.SyncLevel); lvl != "1" && lvl != "" {
		writeDAVError(w, http.StatusForbidden, "DAV:", "sync-traversal-supported")
		return
	}
	var wantETag, wantData, wantModified bool
	for _, pr := range q.Prop.Props {
		switch pr.XMLName {
		case xml.Name{Space: "DAV:", Local: "getetag"}:
			wantETag = true
		case xml.Name{Space: "DAV:", Local: "getlastmodified"}:
			wantModified = true
		case xml.Name{Space: "urn:ietf:params:xml:ns:carddav", Local: "address-data"}:
			wantData = true
		}
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	if p.byUserName(user) == nil {
		unauthorized(w)
		return
	}
	b, err := p.bookLocked(user)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var since uint64
	initial := strings.TrimSpace(q.SyncToken) == ""
	if !initial {
		rev, ok := parseSyncToken(strings.TrimSpace(q.SyncToken), user)
		if !ok || rev > b.rev {
			writeDAVError(w, http.StatusForbidden, "DAV:", "valid-sync-token")
			return
		}
		since = rev
	}
	var out bytes.Buffer
	out.WriteString(xml.Header)
	out.WriteString(`<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">`)
	for _, e := range b.changesSince(since) {
		href := bookPath(user) + e.Name
		if e.Deleted {
			if initial {
				continue
			}
			out.WriteString("<D:response><D:href>")
			xmlEscape(&out, href)
			out.WriteString("</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response>")
			continue
		}
		out.WriteString("<D:response><D:href>")
		xmlEscape(&out, href)
		out.WriteString("</D:href><D:propstat><D:prop>")
		if wantETag {
			out.WriteString("<D:getetag>")
			xmlEscape(&out, strconv.Quote(e.ETag))
			out.WriteString("</D:getetag>")
		}
		if wantModified {
			out.WriteString("<D:getlastmodified>")
			out.WriteString(time.UnixMilli(e.ModTime).UTC().Format(http.TimeFormat))
			out.WriteString("</D:getlastmodified>")
		}
		if wantData {
			data, err := b.read(e.Name)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			out.WriteString("<C:address-data>")
			xmlEscape(&out, string(data))
			out.WriteString("</C:address-data>")
		}
		out.WriteString("</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>")
	}
	out.WriteString("<D:sync-token>")
	xmlEscape(&out, syncToken(user, b.rev))
	out.WriteString("</D:sync-token></D:multistatus>")
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(http.StatusMultiStatus)
	_, _ = w.Write(out.Bytes())
}

func xmlEscape(b *bytes.Buffer, s string) { _ = xml.EscapeText(b, []byte(s)) }

func writeDAVError(w http.ResponseWriter, status int, ns, condition string) {
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, `%s<D:error xmlns:D="DAV:" xmlns:X=%q><X:%s/></D:error>`, xml.Header, ns, condition)
}

// backend is go-webdav's carddav.Backend over the provider's storage. Each method
// takes the provider's lock for its whole run.
type backend struct{ p *Provider }

var errNotFound = webdav.NewHTTPError(http.StatusNotFound, errors.New("not found"))

// open returns the requesting user's name and book.
func (bk backend) open(ctx context.Context) (string, *book, error) {
	req, err := requestOf(ctx)
	if err != nil {
		return "", nil, err
	}
	if bk.p.byUserName(req.userName) == nil {
		return "", nil, webdav.NewHTTPError(http.StatusUnauthorized, errors.New("the account is gone"))
	}
	b, err := bk.p.bookLocked(req.userName)
	return req.userName, b, err
}

// objectName returns the resource name of an address object path in user's book.
func objectName(user, p string) (string, error) {
	dir, name := path.Split(path.Clean(p))
	if dir != bookPath(user) {
		return "", errNotFound
	}
	if !validName(name) {
		return "", webdav.NewHTTPError(http.StatusBadRequest, fmt.Errorf("%q is not an acceptable resource name", name))
	}
	return name, nil
}

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
	return carddav.AddressBook{
		Path:            bookPath(user),
		Name:            "Contacts",
		Description:     "Backed up from Firefox OS",
		MaxResourceSize: MaxCardBody,
		SupportedAddressData: []carddav.AddressDataType{
			{ContentType: vcard.MIMEType, Version: "3.0"},
			{ContentType: vcard.MIMEType, Version: "4.0"},
		},
	}
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

func (bk backend) CreateAddressBook(context.Context, *carddav.AddressBook) error {
	return webdav.NewHTTPError(http.StatusForbidden, errors.New("every account has exactly one address book"))
}

func (bk backend) DeleteAddressBook(context.Context, string) error {
	return webdav.NewHTTPError(http.StatusForbidden, errors.New("delete the account instead"))
}

// object loads one resource; a stored card that does not parse is a 500, since
// go-webdav must re-encode it.
func (bk backend) object(user string, b *book, name string) (*carddav.AddressObject, error) {
	e, ok := b.live(name)
	if !ok {
		return nil, errNotFound
	}
	data, err := b.read(name)
	if err != nil {
		return nil, err
	}
	card, err := vcard.NewDecoder(bytes.NewReader(data)).Decode()
	if err != nil {
		return nil, fmt.Errorf("stored card %s does not parse: %w", name, err)
	}
	return &carddav.AddressObject{Path: bookPath(user) + name, ModTime: time.UnixMilli(e.ModTime).UTC(),
		ContentLength: e.Size, ETag: e.ETag, Card: card}, nil
}

func (bk backend) GetAddressObject(ctx context.Context, p string, _ *carddav.AddressDataRequest) (*carddav.AddressObject, error) {
	bk.p.mu.Lock()
	defer bk.p.mu.Unlock()
	user, b, err := bk.open(ctx)
	if err != nil {
		return nil, err
	}
	name, err := objectName(user, p)
	if err != nil {
		return nil, err
	}
	return bk.object(user, b, name)
}

func (bk backend) ListAddressObjects(ctx context.Context, p string, _ *carddav.AddressDataRequest) ([]carddav.AddressObject, error) {
	bk.p.mu.Lock()
	defer bk.p.mu.Unlock()
	user, b, err := bk.open(ctx)
	if err != nil {
		return nil, err
	}
	if path.Clean(p)+"/" != bookPath(user) {
		return nil, errNotFound
	}
	var out []carddav.AddressObject
	for _, name := range b.liveNames() {
		ao, err := bk.object(user, b, name)
		if err != nil {
			continue // an unreadable resource is left out of listings rather than failing them
		}
		out = append(out, *ao)
	}
	return out, nil
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

var errPrecondition = webdav.NewHTTPError(http.StatusPreconditionFailed, errors.New("precondition failed"))

// checkPreconditions applies If-Match / If-None-Match to the current entry.
func checkPreconditions(cur *journalEntry, exists bool, ifMatch, ifNoneMatch webdav.ConditionalMatch) error {
	if ifNoneMatch.IsSet() {
		if ifNoneMatch.IsWildcard() && exists {
			return errPrecondition
		}
		if !ifNoneMatch.IsWildcard() {
			etag, err := ifNoneMatch.ETag()
			if err != nil {
				return webdav.NewHTTPError(http.StatusBadRequest, err)
			}
			if exists && etag == cur.ETag {
				return errPrecondition
			}
		}
	}
	if ifMatch.IsSet() {
		if !exists {
			return errPrecondition
		}
		if !ifMatch.IsWildcard() {
			etag, err := ifMatch.ETag()
			if err != nil {
				return webdav.NewHTTPError(http.StatusBadRequest, err)
			}
			if etag != cur.ETag {
				return errPrecondition
			}
		}
	}
	return nil
}

func (bk backend) PutAddressObject(ctx context.Context, p string, card vcard.Card, opts *carddav.PutAddressObjectOptions) (*carddav.AddressObject, error) {
	var buf bytes.Buffer
	if err := vcard.NewEncoder(&buf).Encode(card); err != nil {
		return nil, webdav.NewHTTPError(http.StatusBadRequest, err)
	}
	bk.p.mu.Lock()
	defer bk.p.mu.Unlock()
	user, b, err := bk.open(ctx)
	if err != nil {
		return nil, err
	}
	name, err := objectName(user, p)
	if err != nil {
		return nil, err
	}
	cur, exists := b.live(name)
	if opts != nil {
		if err := checkPreconditions(cur, exists, opts.IfMatch, opts.IfNoneMatch); err != nil {
			return nil, err
		}
	}
	e, err := b.put(name, buf.Bytes(), bk.p.cfg.Clock())
	if err != nil {
		return nil, err
	}
	bk.p.stats.CardsUploaded++
	bk.p.stats.BytesUploaded += int64(buf.Len())
	return &carddav.AddressObject{Path: bookPath(user) + name, ETag: e.ETag, ModTime: time.UnixMilli(e.ModTime).UTC(),
		ContentLength: e.Size}, nil
}

func (bk backend) DeleteAddressObject(ctx context.Context, p string) error {
	bk.p.mu.Lock()
	defer bk.p.mu.Unlock()
	user, b, err := bk.open(ctx)
	if err != nil {
		return err
	}
	name, err := objectName(user, p)
	if err != nil {
		return err
	}
	cur, exists := b.live(name)
	req, _ := requestOf(ctx)
	if err := checkPreconditions(cur, exists, req.ifMatch, ""); err != nil {
		return err
	}
	if !exists {
		return errNotFound
	}
	return b.remove(name, bk.p.cfg.Clock())
}
