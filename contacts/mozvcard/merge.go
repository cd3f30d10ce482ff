package mozvcard

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-vcard"

	"github.com/mozidsim/mozidsim/contacts"
)

// managed are the properties a mozContact holds; every other property of a
// card (PHOTO, CATEGORIES, PRODID, X-*, ...) is the business of other clients.
var managed = []string{vcard.FieldFormattedName, vcard.FieldName, vcard.FieldNickname, vcard.FieldBirthday,
	vcard.FieldAnniversary, vcard.FieldTelephone, vcard.FieldEmail, vcard.FieldGender, vcard.FieldAddress,
	vcard.FieldIMPP, vcard.FieldTitle, vcard.FieldOrganization, vcard.FieldNote, vcard.FieldURL, vcard.FieldKey}

// Merge writes a contact's edit into base, the server's card it replaces
// (something the prototype never did: it wrote its own card and lost the rest).
// Nothing the phone does not understand is lost:
//   - lines of properties a mozContact does not hold are kept byte for byte
//     (PHOTO, CATEGORIES, PRODID, X-*, groups, parameters), and so are VERSION
//     and UID;
//   - of the properties it does hold, a value the phone still has (read the way
//     Decode reads it) keeps the server's line; a value the phone cannot read
//     (BDAY:--0415) is kept; values the phone no longer has go; new ones are
//     added before END;
//   - REV is rev (when not zero), else the contact's updated time.
//
// The work is done on lines, not through go-vcard's encoder, which would write
// CATEGORIES:a,b back as one category "a\,b". New lines in a 3.0 card say
// TYPE=pref rather than 4.0's PREF=1. A base that does not parse has nothing to
// keep: the phone's own card is written.
func Merge(base []byte, c contacts.Contact, rev time.Time) ([]byte, error) {
	if !rev.IsZero() {
		c.Updated = rev
	}
	old, err := vcard.NewDecoder(bytes.NewReader(base)).Decode()
	if err != nil || old.Value(vcard.FieldVersion) == "" {
		return Encode(c)
	}
	lines, ok := propertyLines(base)
	if !ok {
		return Encode(c)
	}
	v3 := strings.HasPrefix(old.Value(vcard.FieldVersion), "3.")
	mine := ToCard(c)
	// Which of the phone's values each kept line stands for.
	wanted := map[string]map[string]int{} // property -> key -> count still to place
	for _, name := range managed {
		for _, f := range mine[name] {
			k, _ := readOne(name, f)
			if wanted[name] == nil {
				wanted[name] = map[string]int{}
			}
			wanted[name][k]++
		}
	}
	isManaged := map[string]bool{}
	for _, name := range managed {
		isManaged[name] = true
	}
	var out bytes.Buffer
	out.WriteString("BEGIN:VCARD\r\n")
	hasUID := false
	for _, l := range lines {
		switch {
		case l.name == vcard.FieldRevision:
			continue // written below
		case l.name == vcard.FieldUID:
			hasUID = true
		case isManaged[l.name]:
			k, readable := readOne(l.name, l.field)
			if readable {
				if wanted[l.name][k] == 0 {
					continue // the phone no longer has this value
				}
				wanted[l.name][k]--
			}
		}
		out.WriteString(l.raw)
	}
	for _, name := range managed {
		for _, f := range mine[name] {
			k, _ := readOne(name, f)
			if wanted[name][k] == 0 {
				continue // an old line already says it
			}
			wanted[name][k]--
			if v3 {
				f = to30(f)
			}
			if err := writeField(&out, name, f); err != nil {
				return nil, fmt.Errorf("mozvcard: merging contact %s: %w", c.ID, err)
			}
		}
	}
	if !hasUID && c.ID != "" {
		if err := writeField(&out, vcard.FieldUID, &vcard.Field{Value: c.ID}); err != nil {
			return nil, err
		}
	}
	if !c.Updated.IsZero() {
		if err := writeField(&out, vcard.FieldRevision, &vcard.Field{Value: c.Updated.UTC().Format(revLayout)}); err != nil {
			return nil, err
		}
	}
	out.WriteString("END:VCARD\r\n")
	return out.Bytes(), nil
}

// line is one property of a card: its text as sent (folded, CRLF-ended) and
// what go-vcard reads from it.
type line struct {
	raw   string
	name  string
	field *vcard.Field
}

// propertyLines splits a single card into its property lines (BEGIN and END
// left out); ok is false when a line does not parse alone.
func propertyLines(data []byte) ([]line, bool) {
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	var logical []string // physical lines, continuation lines joined with "\r\n"
	for _, l := range strings.Split(text, "\n") {
		if (strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")) && len(logical) > 0 {
			logical[len(logical)-1] += "\r\n" + l
			continue
		}
		if l != "" {
			logical = append(logical, l)
		}
	}
	var out []line
	for _, raw := range logical {
		upper := strings.ToUpper(raw)
		if upper == "BEGIN:VCARD" || upper == "END:VCARD" {
			continue
		}
		one, err := vcard.NewDecoder(strings.NewReader("BEGIN:VCARD\r\n" + raw + "\r\nEND:VCARD\r\n")).Decode()
		if err != nil || len(one) != 1 {
			return nil, false
		}
		for name, fs := range one {
			if len(fs) != 1 {
				return nil, false
			}
			out = append(out, line{raw: raw + "\r\n", name: name, field: fs[0]})
		}
	}
	return out, true
}

// writeField writes one property the way Encode would, folded.
func writeField(out *bytes.Buffer, name string, f *vcard.Field) error {
	var buf bytes.Buffer
	if err := vcard.NewEncoder(&buf).Encode(vcard.Card{vcard.FieldVersion: {{Value: "4.0"}}, name: {f}}); err != nil {
		return err
	}
	for _, l := range strings.SplitAfter(buf.String(), "\r\n") {
		switch l {
		case "", "BEGIN:VCARD\r\n", "VERSION:4.0\r\n", "END:VCARD\r\n":
			continue
		}
		out.Write(Fold([]byte(l)))
	}
	return nil
}

// readOne is what the phone reads from one property alone; readable is false
// when it reads nothing from it.
func readOne(name string, f *vcard.Field) (key string, readable bool) {
	one := vcard.Card{vcard.FieldVersion: {{Value: "4.0"}}, name: {{Value: f.Value, Params: f.Params}}}
	c, err := FromCard(one)
	if err != nil {
		return "", false
	}
	data, _ := json.Marshal(c)
	return string(data), true
}

// to30 writes PREF=1 as 3.0's TYPE=pref.
func to30(f *vcard.Field) *vcard.Field {
	if f.Params.Get(vcard.ParamPreferred) == "" {
		return f
	}
	p := make(vcard.Params, len(f.Params))
	for k, v := range f.Params {
		if k != vcard.ParamPreferred {
			p[k] = append([]string(nil), v...)
		}
	}
	p.Add(vcard.ParamType, "pref")
	return &vcard.Field{Value: f.Value, Params: p, Group: f.Group}
}
