package contactsprovider

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-vcard"
	"github.com/emersion/go-webdav/carddav"
)

const (
	carddavNS       = "urn:ietf:params:xml:ns:carddav"
	calendarsrvNS   = "http://calendarserver.org/ns/"
	bookDisplayName = "Contacts"
	bookDescription = "Backed up from Firefox OS"
)

var supportedAddressData = []carddav.AddressDataType{
	{ContentType: vcard.MIMEType, Version: "3.0"},
	{ContentType: vcard.MIMEType, Version: "4.0"},
}

var (
	nameResourceType   = xml.Name{Space: "DAV:", Local: "resourcetype"}
	nameDisplayName    = xml.Name{Space: "DAV:", Local: "displayname"}
	nameGetETag        = xml.Name{Space: "DAV:", Local: "getetag"}
	nameContentType    = xml.Name{Space: "DAV:", Local: "getcontenttype"}
	nameContentLength  = xml.Name{Space: "DAV:", Local: "getcontentlength"}
	nameLastModified   = xml.Name{Space: "DAV:", Local: "getlastmodified"}
	nameCurUser        = xml.Name{Space: "DAV:", Local: "current-user-principal"}
	namePrincipalURL   = xml.Name{Space: "DAV:", Local: "principal-URL"}
	nameOwner          = xml.Name{Space: "DAV:", Local: "owner"}
	nameSyncToken      = xml.Name{Space: "DAV:", Local: "sync-token"}
	nameSupportedRep   = xml.Name{Space: "DAV:", Local: "supported-report-set"}
	namePrivileges     = xml.Name{Space: "DAV:", Local: "current-user-privilege-set"}
	nameHomeSet        = xml.Name{Space: carddavNS, Local: "addressbook-home-set"}
	nameBookDesc       = xml.Name{Space: carddavNS, Local: "addressbook-description"}
	nameSupportedData  = xml.Name{Space: carddavNS, Local: "supported-address-data"}
	nameMaxSize        = xml.Name{Space: carddavNS, Local: "max-resource-size"}
	nameAddressData    = xml.Name{Space: carddavNS, Local: "address-data"}
	nameCTag           = xml.Name{Space: calendarsrvNS, Local: "getctag"}
	namePropfind       = xml.Name{Space: "DAV:", Local: "propfind"}
	allPropNames       = []xml.Name{nameResourceType, nameDisplayName, nameGetETag, nameContentType, nameContentLength, nameLastModified}
	prefixes           = map[string]string{"DAV:": "D", carddavNS: "C", calendarsrvNS: "CS"}
	collectionPrivs    = `<D:privilege><D:read/></D:privilege><D:privilege><D:read-current-user-privilege-set/></D:privilege>`
	bookPrivs          = collectionPrivs + `<D:privilege><D:write/></D:privilege><D:privilege><D:write-content/></D:privilege><D:privilege><D:bind/></D:privilege><D:privilege><D:unbind/></D:privilege>`
	supportedReportSet = `<D:supported-report><D:report><D:sync-collection/></D:report></D:supported-report>` +
		`<D:supported-report><D:report><C:addressbook-multiget/></D:report></D:supported-report>` +
		`<D:supported-report><D:report><C:addressbook-query/></D:report></D:supported-report>`
)

// props maps a property to its inner XML (already escaped).
type props map[xml.Name]string

func hrefXML(p string) string {
	var b bytes.Buffer
	b.WriteString("<D:href>")
	xmlEscape(&b, p)
	b.WriteString("</D:href>")
	return b.String()
}

func textXML(s string) string {
	var b bytes.Buffer
	xmlEscape(&b, s)
	return b.String()
}

func objectProps(e entry, data []byte) props {
	return props{
		nameResourceType:  "",
		nameGetETag:       textXML(strconv.Quote(e.ETag)),
		nameContentType:   "text/vcard; charset=utf-8",
		nameContentLength: strconv.FormatInt(e.Size, 10),
		nameLastModified:  time.UnixMilli(e.ModTime).UTC().Format(http.TimeFormat),
		nameAddressData:   textXML(string(data)),
	}
}

func (p *Provider) collectionProps(t target, user string, rev uint64) props {
	pr := props{nameCurUser: hrefXML(principalPath(user))}
	switch t.kind {
	case resRoot:
		pr[nameResourceType] = "<D:collection/>"
	case resPrincipal:
		pr[nameResourceType] = "<D:collection/><D:principal/>"
		pr[namePrincipalURL] = hrefXML(principalPath(user))
		pr[nameHomeSet] = hrefXML(homePath(user))
		pr[nameDisplayName] = textXML(user)
	case resHome:
		pr[nameResourceType] = "<D:collection/>"
		pr[nameOwner] = hrefXML(principalPath(user))
		pr[namePrivileges] = collectionPrivs
	case resBook:
		var data strings.Builder
		for _, t := range supportedAddressData {
			fmt.Fprintf(&data, `<C:address-data-type content-type=%q version=%q/>`, t.ContentType, t.Version)
		}
		token := textXML(syncToken(user, rev))
		pr[nameResourceType] = "<D:collection/><C:addressbook/>"
		pr[nameDisplayName] = bookDisplayName
		pr[nameBookDesc] = textXML(bookDescription)
		pr[nameSupportedData] = data.String()
		pr[nameMaxSize] = strconv.Itoa(MaxCardBody)
		pr[nameSyncToken] = token
		pr[nameCTag] = token
		pr[nameSupportedRep] = supportedReportSet
		pr[nameOwner] = hrefXML(principalPath(user))
		pr[namePrivileges] = bookPrivs
		pr[nameContentType] = "text/vcard"
	}
	return pr
}

// propfindBody is a PROPFIND request; an empty body is allprop (RFC 4918 §9.1).
type propfindBody struct {
	XMLName  xml.Name
	AllProp  *struct{}    `xml:"DAV: allprop"`
	PropName *struct{}    `xml:"DAV: propname"`
	Prop     *propRequest `xml:"DAV: prop"`
}

// servePropfind answers PROPFIND on any resource of the tree.
func (p *Provider) servePropfind(w http.ResponseWriter, r *http.Request, t target, user string, body []byte) {
	var q propfindBody
	if len(bytes.TrimSpace(body)) == 0 {
		q.AllProp = &struct{}{}
	} else if err := xml.Unmarshal(body, &q); err != nil {
		http.Error(w, "malformed PROPFIND body: "+err.Error(), http.StatusBadRequest)
		return
	} else if q.XMLName != namePropfind {
		http.Error(w, fmt.Sprintf("PROPFIND body is <%s xmlns=%q>, not <propfind xmlns=\"DAV:\">", q.XMLName.Local, q.XMLName.Space), http.StatusBadRequest)
		return
	} else if q.AllProp == nil && q.PropName == nil && q.Prop == nil {
		http.Error(w, "PROPFIND body names no allprop, propname or prop", http.StatusBadRequest)
		return
	}
	depth := 1 << 30
	switch d := r.Header.Get("Depth"); d {
	case "0":
		depth = 0
	case "1":
		depth = 1
	case "", "infinity":
	default:
		http.Error(w, fmt.Sprintf("Depth %q: expected 0, 1 or infinity", d), http.StatusBadRequest)
		return
	}
	want := q.Prop.names()
	switch {
	case q.PropName != nil:
		want = nil
	case q.AllProp != nil:
		want = allPropNames
	}
	var out bytes.Buffer
	startMultistatus(&out)
	missing := false
	err := p.store.view(user, func(b *bookTx) error {
		self := r.URL.Path
		if t.kind != resObject && !strings.HasSuffix(self, "/") {
			self += "/"
		}
		if t.kind == resRoot && self != "/" {
			self = DAVPrefix + "/"
		}
		if t.kind == resObject {
			e, _, data, ok, err := b.get(t.name)
			if err != nil {
				return err
			}
			if !ok {
				missing = true
				return nil
			}
			writeProps(&out, bookPath(user)+t.name, want, q.PropName != nil, q.AllProp != nil, objectProps(e, data))
			return nil
		}
		rev := b.rev()
		writeProps(&out, self, want, q.PropName != nil, q.AllProp != nil, p.collectionProps(t, user, rev))
		// Children, down to depth.
		next := map[resKind]resKind{resPrincipal: resHome, resHome: resBook}
		paths := map[resKind]string{resHome: homePath(user), resBook: bookPath(user)}
		k := t.kind
		for level := 1; level <= depth; level++ {
			child, ok := next[k]
			if k == resBook {
				return b.changesSince(0, func(c change) error {
					if c.Deleted {
						return nil
					}
					e, _, data, ok, err := b.get(c.Name)
					if err != nil || !ok {
						return fmt.Errorf("the change log names %s, which is not stored: %v", c.Name, err)
					}
					writeProps(&out, bookPath(user)+c.Name, want, q.PropName != nil, q.AllProp != nil, objectProps(e, data))
					return nil
				})
			}
			if !ok {
				return nil
			}
			writeProps(&out, paths[child], want, q.PropName != nil, q.AllProp != nil, p.collectionProps(target{kind: child, user: user}, user, rev))
			k = child
		}
		return nil
	})
	switch {
	case err != nil:
		http.Error(w, err.Error(), http.StatusInternalServerError)
	case missing:
		http.Error(w, "not found: "+r.URL.Path, http.StatusNotFound)
	default:
		out.WriteString("</D:multistatus>")
		writeMultistatus(w, out.Bytes())
	}
}

// writeProps writes one response: the wanted properties it has (200) and the
// ones it has not (404). propName lists names only; allProp skips what is missing.
func writeProps(out *bytes.Buffer, href string, want []xml.Name, propName, allProp bool, have props) {
	if propName {
		want = want[:0:0]
		for _, n := range allPropNames {
			if _, ok := have[n]; ok {
				want = append(want, n)
			}
		}
		for n := range have {
			if n != nameAddressData && !containsName(want, n) {
				want = append(want, n)
			}
		}
		out.WriteString("<D:response>")
		out.WriteString(hrefXML(href))
		out.WriteString("<D:propstat><D:prop>")
		for _, n := range want {
			writeElement(out, n, "", false)
		}
		out.WriteString("</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>")
		return
	}
	if allProp {
		var present []xml.Name
		for _, n := range want {
			if _, ok := have[n]; ok {
				present = append(present, n)
			}
		}
		want = present
	}
	writePropResponse(out, href, want, have)
}

func containsName(ns []xml.Name, n xml.Name) bool {
	for _, x := range ns {
		if x == n {
			return true
		}
	}
	return false
}

// writePropResponse writes a response with a 200 propstat for the properties in
// have and a 404 one for the others.
func writePropResponse(out *bytes.Buffer, href string, want []xml.Name, have props) {
	out.WriteString("<D:response>")
	out.WriteString(hrefXML(href))
	var missing []xml.Name
	found := false
	for _, n := range want {
		if _, ok := have[n]; ok {
			if !found {
				out.WriteString("<D:propstat><D:prop>")
				found = true
			}
			writeElement(out, n, have[n], true)
		} else {
			missing = append(missing, n)
		}
	}
	if found {
		out.WriteString("</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>")
	}
	if len(missing) > 0 {
		out.WriteString("<D:propstat><D:prop>")
		for _, n := range missing {
			writeElement(out, n, "", false)
		}
		out.WriteString("</D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>")
	}
	if !found && len(missing) == 0 {
		out.WriteString("<D:propstat><D:prop/><D:status>HTTP/1.1 200 OK</D:status></D:propstat>")
	}
	out.WriteString("</D:response>")
}

// writeElement writes <prefix:name>inner</prefix:name>, declaring an unknown
// namespace on the element itself.
func writeElement(out *bytes.Buffer, n xml.Name, inner string, withInner bool) {
	prefix, ok := prefixes[n.Space]
	decl := ""
	if !ok {
		prefix = "X"
		decl = ` xmlns:X="` + textXML(n.Space) + `"`
		if n.Space == "" {
			prefix, decl = "", ` xmlns=""`
		}
	}
	tag := n.Local
	if prefix != "" {
		tag = prefix + ":" + n.Local
	}
	if !withInner || inner == "" {
		fmt.Fprintf(out, "<%s%s/>", tag, decl)
		return
	}
	fmt.Fprintf(out, "<%s%s>%s</%s>", tag, decl, inner, tag)
}

func startMultistatus(out *bytes.Buffer) {
	out.WriteString(xml.Header)
	out.WriteString(`<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav" xmlns:CS="http://calendarserver.org/ns/">`)
}

func writeStatusResponse(out *bytes.Buffer, href string, status int) {
	out.WriteString("<D:response>")
	out.WriteString(hrefXML(href))
	fmt.Fprintf(out, "<D:status>HTTP/1.1 %d %s</D:status></D:response>", status, http.StatusText(status))
}

func writeMultistatus(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(http.StatusMultiStatus)
	_, _ = w.Write(body)
}

func xmlEscape(b *bytes.Buffer, s string) { _ = xml.EscapeText(b, []byte(s)) }

// mozidsimNS carries the human-readable reason inside a DAV:error body.
const mozidsimNS = "http://mozidsim.invalid/ns"

// writeDAVError answers a failed precondition (RFC 4918 §16) with its element
// and, for people, the reason.
func writeDAVError(w http.ResponseWriter, status int, ns, condition, reason string) {
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, `%s<D:error xmlns:D="DAV:" xmlns:X=%q xmlns:M=%q><X:%s/><M:reason>%s</M:reason></D:error>`,
		xml.Header, ns, mozidsimNS, condition, textXML(reason))
}

// writeDAVErrorHref is a CardDAV precondition naming a resource (no-uid-conflict).
func writeDAVErrorHref(w http.ResponseWriter, status int, condition, href, reason string) {
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, `%s<D:error xmlns:D="DAV:" xmlns:C=%q xmlns:M=%q><C:%s>%s</C:%s><M:reason>%s</M:reason></D:error>`,
		xml.Header, carddavNS, mozidsimNS, condition, hrefXML(href), condition, textXML(reason))
}

// cardError is why a PUT body is refused.
type cardError struct {
	status    int
	condition string
	reason    string
}

// checkCard accepts exactly one vCard 3.0 or 4.0 in valid UTF-8 with a UID and
// an FN (RFC 6352 §5.1: one UID per resource; both versions require FN); it
// returns the UID.
func checkCard(data []byte) (string, *cardError) {
	invalid := func(status int, format string, args ...any) *cardError {
		return &cardError{status: status, condition: "valid-address-data", reason: fmt.Sprintf(format, args...)}
	}
	if !utf8.Valid(data) {
		i := 0
		for i < len(data) {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			i += n
		}
		return "", invalid(http.StatusBadRequest, "the card is not valid UTF-8 (byte %d)", i)
	}
	dec := vcard.NewDecoder(bytes.NewReader(data))
	card, err := dec.Decode()
	if err != nil {
		return "", invalid(http.StatusBadRequest, "not a vCard: %v", err)
	}
	if _, err := dec.Decode(); err != io.EOF {
		return "", invalid(http.StatusBadRequest, "a resource holds exactly one vCard")
	}
	switch v := card.Value(vcard.FieldVersion); v {
	case "3.0", "4.0":
	case "":
		return "", &cardError{http.StatusForbidden, "supported-address-data", "the card has no VERSION (3.0 and 4.0 are stored)"}
	default:
		return "", &cardError{http.StatusForbidden, "supported-address-data", fmt.Sprintf("vCard version %s is not stored (3.0 and 4.0 are)", v)}
	}
	uid := card.Value(vcard.FieldUID)
	if strings.TrimSpace(uid) == "" {
		return "", invalid(http.StatusForbidden, "the card has no UID")
	}
	if len(card[vcard.FieldUID]) > 1 {
		return "", invalid(http.StatusForbidden, "the card has %d UIDs", len(card[vcard.FieldUID]))
	}
	if len(uid) > 1024 {
		return "", invalid(http.StatusForbidden, "the UID is over 1024 bytes")
	}
	if strings.TrimSpace(card.Value(vcard.FieldFormattedName)) == "" {
		return "", invalid(http.StatusForbidden, "the card has no FN")
	}
	return uid, nil
}
