// Package mozvcard converts between a mozContact and a vCard 4.0. It stands for the
// prototype's apps/system/services/contacts/js/vcard.js (MozContactTranslator,
// toString) and, for the way back the prototype never wrote ("vcard to mozcontact
// conversion", further work), its inverse.
//
// The card is built and encoded with github.com/emersion/go-vcard; lines are then
// folded the prototype's way: at 78 characters, breaking after a non-word
// character when there is one, continuation lines starting with a space.
//
// Fields, as the prototype mapped them (gaia-fxa §10.3): FN (one per
// name[]), N (family;given;additional;prefix;suffix, each a comma list, omitted when
// all are empty), NICKNAME, BDAY (YYYY-MM-DD, UTC), ANNIVERSARY (ISO string), TEL
// (TYPE, PREF=1, X-MOZ-CARRIER), EMAIL (TYPE, PREF), GENDER (sex;genderIdentity),
// ADR (TYPE, PREF; two empty components, then street, locality, region, postal
// code, country), IMPP (X-MOZ-TYPE, PREF), TITLE (jobTitle[]), ORG, NOTE, REV
// (updated), UID (the contact id), URL, KEY. Like the prototype it does not emit
// PHOTO, PRODID or CATEGORIES, so categories do not survive a backup. Editing a
// card another client wrote goes through Merge instead, which keeps them.
//
// Differences from vcard.js, all forced by go-vcard: properties come out in
// go-vcard's order (VERSION first, then alphabetical) rather than vcard.js's; ';'
// inside a value is not escaped; a multi-valued parameter is written as repeated
// parameters (TYPE=home;TYPE=cell), not a comma list. RFC 6350 requires FN, so a
// contact without name[] gets FN from its display name (vcard.js wrote none).
package mozvcard

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-vcard"

	"github.com/mozidsim/mozidsim/contacts"
)

// Parameter names the prototype added.
const (
	ParamCarrier = "X-MOZ-CARRIER"
	ParamMozType = "X-MOZ-TYPE"
)

// FoldWidth is where the prototype folded lines.
const FoldWidth = 78

// Time formats.
const (
	bdayLayout        = "2006-01-02"
	isoLayout         = "2006-01-02T15:04:05.000Z" // JavaScript's Date.toISOString
	revLayout         = "20060102T150405Z"         // RFC 6350 timestamp, as go-vcard writes REV
	maxCardBytes      = 1 << 20                    // a contact card larger than this is not a contact
	maxCardProperties = 10000
)

// ToCard builds the vCard 4.0 of a contact.
func ToCard(c contacts.Contact) vcard.Card {
	card := make(vcard.Card)
	card.SetValue(vcard.FieldVersion, "4.0")
	names := nonEmpty(c.Name)
	if len(names) == 0 {
		if dn := c.DisplayName(); dn != "" {
			names = []string{dn}
		} else {
			names = []string{""}
		}
	}
	for _, n := range names {
		card.Add(vcard.FieldFormattedName, &vcard.Field{Value: n})
	}
	nComponents := [][]string{c.FamilyName, c.GivenName, c.AdditionalName, c.HonorificPrefix, c.HonorificSuffix}
	if anyNonEmpty(nComponents...) {
		parts := make([]string, len(nComponents))
		for i, comp := range nComponents {
			parts[i] = strings.Join(comp, ",")
		}
		card.Add(vcard.FieldName, &vcard.Field{Value: strings.Join(parts, ";")})
	}
	addEach(card, vcard.FieldNickname, c.Nickname)
	if !c.Bday.IsZero() {
		card.Add(vcard.FieldBirthday, &vcard.Field{Value: c.Bday.UTC().Format(bdayLayout)})
	}
	if !c.Anniversary.IsZero() {
		card.Add(vcard.FieldAnniversary, &vcard.Field{Value: c.Anniversary.UTC().Format(isoLayout)})
	}
	for _, t := range c.Tel {
		f := &vcard.Field{Value: t.Value, Params: typedParams(vcard.ParamType, t.Type, t.Pref)}
		if t.Carrier != "" {
			f.Params.Set(ParamCarrier, safeParam(t.Carrier))
		}
		card.Add(vcard.FieldTelephone, f)
	}
	for _, e := range c.Email {
		card.Add(vcard.FieldEmail, &vcard.Field{Value: e.Value, Params: typedParams(vcard.ParamType, e.Type, e.Pref)})
	}
	if c.Sex != "" || c.GenderIdentity != "" {
		card.Add(vcard.FieldGender, &vcard.Field{Value: c.Sex + ";" + c.GenderIdentity})
	}
	for _, a := range c.Adr {
		value := strings.Join([]string{"", "", a.StreetAddress, a.Locality, a.Region, a.PostalCode, a.CountryName}, ";")
		card.Add(vcard.FieldAddress, &vcard.Field{Value: value, Params: typedParams(vcard.ParamType, a.Type, a.Pref)})
	}
	for _, im := range c.Impp {
		card.Add(vcard.FieldIMPP, &vcard.Field{Value: im.Value, Params: typedParams(ParamMozType, im.Type, im.Pref)})
	}
	addEach(card, vcard.FieldTitle, c.JobTitle)
	addEach(card, vcard.FieldOrganization, c.Org)
	addEach(card, vcard.FieldNote, c.Note)
	if !c.Updated.IsZero() {
		card.Add(vcard.FieldRevision, &vcard.Field{Value: c.Updated.UTC().Format(revLayout)})
	}
	if c.ID != "" {
		card.Add(vcard.FieldUID, &vcard.Field{Value: c.ID})
	}
	for _, u := range c.URL {
		card.Add(vcard.FieldURL, &vcard.Field{Value: u.Value, Params: typedParams(vcard.ParamType, u.Type, u.Pref)})
	}
	addEach(card, vcard.FieldKey, c.Key)
	return card
}

func addEach(card vcard.Card, field string, values []string) {
	for _, v := range values {
		card.Add(field, &vcard.Field{Value: v})
	}
}

func typedParams(typeParam string, types []string, pref bool) vcard.Params {
	p := make(vcard.Params)
	for _, t := range types {
		if t = safeParam(t); t != "" {
			p.Add(typeParam, t)
		}
	}
	if pref {
		p.Set(vcard.ParamPreferred, "1")
	}
	return p
}

// safeParam drops the characters go-vcard would not quote in a parameter value
// (they would end the parameter or the property name).
func safeParam(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ';', ':', '"', ',', '\r', '\n':
			return -1
		}
		return r
	}, s)
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func anyNonEmpty(lists ...[]string) bool {
	for _, l := range lists {
		if len(nonEmpty(l)) > 0 {
			return true
		}
	}
	return false
}

// Encode is MozContactTranslator(contact).toString(): the folded vCard text.
func Encode(c contacts.Contact) ([]byte, error) {
	var buf bytes.Buffer
	if err := vcard.NewEncoder(&buf).Encode(ToCard(c)); err != nil {
		return nil, fmt.Errorf("mozvcard: encoding contact %s: %w", c.ID, err)
	}
	return Fold(buf.Bytes()), nil
}

// Fold folds every CRLF-terminated line longer than FoldWidth characters: each
// piece ends after the last non-word character that fits (or at the width when
// there is none), and each continuation starts with one space. Unfolding (RFC 6350
// §3.2) gives the original line back.
func Fold(text []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(text) + len(text)/FoldWidth*3)
	for len(text) > 0 {
		line := text
		end := bytes.Index(text, []byte("\r\n"))
		if end >= 0 {
			line, text = text[:end], text[end+2:]
		} else {
			text = nil
		}
		foldLine(&out, line)
		if end >= 0 {
			out.WriteString("\r\n")
		}
	}
	return out.Bytes()
}

func foldLine(out *bytes.Buffer, line []byte) {
	width := FoldWidth
	for utf8.RuneCount(line) > width {
		cut := breakPoint(line, width)
		out.Write(line[:cut])
		out.WriteString("\r\n ")
		line = line[cut:]
		width = FoldWidth - 1 // the leading space counts
	}
	out.Write(line)
}

// breakPoint returns the byte offset to cut line at: just after the last non-word
// character among the first width characters, else after width characters.
func breakPoint(line []byte, width int) int {
	lastBreak, offset := -1, 0
	for i := 0; i < width; i++ {
		r, size := utf8.DecodeRune(line[offset:])
		offset += size
		if !isWordRune(r) {
			lastBreak = offset
		}
	}
	if lastBreak > 0 {
		return lastBreak
	}
	return offset
}

// isWordRune is JavaScript's \w: ASCII letters, digits and '_' only.
func isWordRune(r rune) bool {
	return r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// ErrNotACard is wrapped by Decode's errors.
var ErrNotACard = errors.New("malformed vCard")

// Decode parses one vCard (3.0 or 4.0) into a contact.
func Decode(data []byte) (contacts.Contact, error) {
	if len(data) > maxCardBytes {
		return contacts.Contact{}, fmt.Errorf("%w: %d bytes is more than the %d a contact may have", ErrNotACard, len(data), maxCardBytes)
	}
	card, err := vcard.NewDecoder(bytes.NewReader(data)).Decode()
	if err != nil {
		return contacts.Contact{}, fmt.Errorf("%w: %v", ErrNotACard, err)
	}
	return FromCard(card)
}

// FromCard converts a vCard into a contact: the inverse of ToCard, tolerant of
// what other clients write (vCard 3.0, TYPE=pref, missing fields). Values it
// cannot read (an unparsable BDAY) are skipped; a card with nothing a contact can
// hold is an error.
func FromCard(card vcard.Card) (contacts.Contact, error) {
	var c contacts.Contact
	if card == nil {
		return c, fmt.Errorf("%w: empty card", ErrNotACard)
	}
	n := 0
	for _, fs := range card {
		n += len(fs)
	}
	if n > maxCardProperties {
		return c, fmt.Errorf("%w: %d properties", ErrNotACard, n)
	}
	if v := card.Value(vcard.FieldVersion); v != "" && !strings.HasPrefix(v, "3.") && !strings.HasPrefix(v, "4.") {
		return c, fmt.Errorf("%w: unsupported VERSION %q", ErrNotACard, v)
	}
	for _, f := range card[vcard.FieldFormattedName] {
		if f.Value != "" {
			c.Name = append(c.Name, f.Value)
		}
	}
	if f := card.Get(vcard.FieldName); f != nil {
		parts := strings.Split(f.Value, ";")
		for i, dst := range []*[]string{&c.FamilyName, &c.GivenName, &c.AdditionalName, &c.HonorificPrefix, &c.HonorificSuffix} {
			if i < len(parts) && parts[i] != "" {
				*dst = strings.Split(parts[i], ",")
			}
		}
	}
	c.Nickname = values(card, vcard.FieldNickname)
	if f := card.Get(vcard.FieldBirthday); f != nil {
		c.Bday = parseDate(f.Value)
	}
	if f := card.Get(vcard.FieldAnniversary); f != nil {
		c.Anniversary = parseDate(f.Value)
	}
	for _, f := range card[vcard.FieldTelephone] {
		types, pref := typesOf(f.Params, vcard.ParamType)
		c.Tel = append(c.Tel, contacts.TelField{Value: f.Value, Type: types, Pref: pref, Carrier: f.Params.Get(ParamCarrier)})
	}
	c.Email = fields(card, vcard.FieldEmail, vcard.ParamType)
	if f := card.Get(vcard.FieldGender); f != nil {
		sex, identity, _ := strings.Cut(f.Value, ";")
		c.Sex, c.GenderIdentity = sex, identity
	}
	for _, f := range card[vcard.FieldAddress] {
		parts := strings.Split(f.Value, ";")
		get := func(i int) string {
			if i < len(parts) {
				return parts[i]
			}
			return ""
		}
		types, pref := typesOf(f.Params, vcard.ParamType)
		c.Adr = append(c.Adr, contacts.Address{Type: types, Pref: pref, StreetAddress: get(2), Locality: get(3),
			Region: get(4), PostalCode: get(5), CountryName: get(6)})
	}
	c.Impp = fields(card, vcard.FieldIMPP, ParamMozType)
	c.JobTitle = values(card, vcard.FieldTitle)
	c.Org = values(card, vcard.FieldOrganization)
	c.Note = values(card, vcard.FieldNote)
	if f := card.Get(vcard.FieldRevision); f != nil {
		c.Updated = parseDate(f.Value)
	}
	if uid := card.Value(vcard.FieldUID); contacts.ValidID(uid) {
		c.ID = uid
	}
	c.URL = fields(card, vcard.FieldURL, vcard.ParamType)
	c.Key = values(card, vcard.FieldKey)
	if c.IsEmpty() {
		return c, fmt.Errorf("%w: no field a contact can hold", ErrNotACard)
	}
	return c, nil
}

func values(card vcard.Card, field string) []string {
	var out []string
	for _, f := range card[field] {
		out = append(out, f.Value)
	}
	return out
}

func fields(card vcard.Card, field, typeParam string) []contacts.Field {
	var out []contacts.Field
	for _, f := range card[field] {
		types, pref := typesOf(f.Params, typeParam)
		out = append(out, contacts.Field{Value: f.Value, Type: types, Pref: pref})
	}
	return out
}

// typesOf reads the type list and preference: PREF (4.0) or TYPE=pref (3.0).
func typesOf(p vcard.Params, typeParam string) (types []string, pref bool) {
	for _, t := range p[typeParam] {
		if strings.EqualFold(t, "pref") {
			pref = true
			continue
		}
		types = append(types, t)
	}
	if p.Get(vcard.ParamPreferred) != "" {
		pref = true
	}
	return types, pref
}

// parseDate reads the date forms found in the wild; zero when none fits.
func parseDate(s string) time.Time {
	for _, layout := range []string{bdayLayout, isoLayout, revLayout, time.RFC3339, "20060102", "20060102T150405", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
