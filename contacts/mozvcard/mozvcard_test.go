package mozvcard

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/contacts"
)

var updated = time.Date(2015, 6, 1, 12, 0, 0, 0, time.UTC)

func prunella() contacts.Contact {
	return contacts.Contact{
		ID:         "8c6b3d3e4f5a4b6c8d9e0f1a2b3c4d5e",
		Published:  updated,
		Updated:    updated,
		Name:       []string{"Prunella Smith"},
		GivenName:  []string{"Prunella"},
		FamilyName: []string{"Smith"},
		Nickname:   []string{"Pru"},
		Tel:        []contacts.TelField{{Type: []string{"mobile"}, Value: "+15555550100", Pref: true, Carrier: "ACME"}},
		Email:      []contacts.Field{{Type: []string{"home"}, Value: "pru@example.com"}},
		Adr: []contacts.Address{{Type: []string{"home"}, StreetAddress: "1 High St", Locality: "Leeds",
			Region: "Yorks", PostalCode: "LS1", CountryName: "UK"}},
		Impp:           []contacts.Field{{Type: []string{"xmpp"}, Value: "xmpp:pru@example.com"}},
		Org:            []string{"Mozilla"},
		JobTitle:       []string{"Engineer"},
		Note:           []string{"likes tea, not coffee"},
		URL:            []contacts.Field{{Value: "https://example.com/pru"}},
		Key:            []string{"data:,key"},
		Bday:           time.Date(1980, 2, 29, 0, 0, 0, 0, time.UTC),
		Anniversary:    time.Date(2005, 7, 1, 10, 30, 0, 0, time.UTC),
		Sex:            "female",
		GenderIdentity: "woman",
	}
}

func TestEncodeExactText(t *testing.T) {
	got, err := Encode(prunella())
	require.NoError(t, err)
	want := strings.Join([]string{
		"BEGIN:VCARD",
		"VERSION:4.0",
		"ADR;TYPE=home:;;1 High St;Leeds;Yorks;LS1;UK",
		"ANNIVERSARY:2005-07-01T10:30:00.000Z",
		"BDAY:1980-02-29",
		"EMAIL;TYPE=home:pru@example.com",
		"FN:Prunella Smith",
		"GENDER:female;woman",
		"IMPP;X-MOZ-TYPE=xmpp:xmpp:pru@example.com",
		"KEY:data:\\,key",
		"N:Smith;Prunella;;;",
		"NICKNAME:Pru",
		"NOTE:likes tea\\, not coffee",
		"ORG:Mozilla",
		"REV:20150601T120000Z",
		"TEL;PREF=1;TYPE=mobile;X-MOZ-CARRIER=ACME:+15555550100",
		"TITLE:Engineer",
		"UID:8c6b3d3e4f5a4b6c8d9e0f1a2b3c4d5e",
		"URL:https://example.com/pru",
		"END:VCARD",
		"",
	}, "\r\n")
	require.Equal(t, want, string(got))
}

func TestRoundTrip(t *testing.T) {
	in := prunella()
	in.Name = []string{"Prunella Smith", "Pru S."}
	in.FamilyName = []string{"Smith", "Jones"}
	in.Note = []string{strings.Repeat("a long note with words, ", 20) + "and a newline\nhere", "ünïcödé ✓"}
	data, err := Encode(in)
	require.NoError(t, err)
	out, err := Decode(data)
	require.NoError(t, err)
	require.True(t, in.SameData(out), "round trip changed the data:\n in=%+v\nout=%+v", in, out)
	require.Equal(t, in.ID, out.ID)
	require.Equal(t, in.Updated, out.Updated)
}

func TestFoldingTheWayThePrototypeDid(t *testing.T) {
	c := contacts.Contact{Name: []string{"X"}, Note: []string{strings.Repeat("word ", 40)}}
	data, err := Encode(c)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(string(data), "\r\n"), "\r\n")
	var noteLines []string
	inNote := false
	for _, l := range lines {
		if strings.HasPrefix(l, "NOTE:") {
			inNote = true
		} else if !strings.HasPrefix(l, " ") {
			inNote = false
		}
		if inNote {
			noteLines = append(noteLines, l)
		}
		require.LessOrEqual(t, len([]rune(l)), FoldWidth, "line %q is too long", l)
	}
	// "NOTE:" + 14 "word " fills 75 characters; the next space that still fits ends the piece.
	require.Equal(t, []string{
		"NOTE:" + strings.Repeat("word ", 14),
		" " + strings.Repeat("word ", 15),
		" " + strings.Repeat("word ", 11),
	}, noteLines)

	// Without any break opportunity the cut is at the width.
	folded := string(Fold([]byte(strings.Repeat("x", 200) + "\r\n")))
	require.Equal(t, strings.Repeat("x", 78)+"\r\n "+strings.Repeat("x", 77)+"\r\n "+strings.Repeat("x", 45)+"\r\n", folded)
}

func TestFNFallsBackToTheDisplayName(t *testing.T) {
	data, err := Encode(contacts.Contact{GivenName: []string{"Ada"}, FamilyName: []string{"Lovelace"}})
	require.NoError(t, err)
	require.Contains(t, string(data), "\r\nFN:Ada Lovelace\r\n")
	require.Contains(t, string(data), "\r\nN:Lovelace;Ada;;;\r\n")
}

func TestParameterValuesCannotBreakTheLine(t *testing.T) {
	c := contacts.Contact{Name: []string{"X"}, Tel: []contacts.TelField{{Value: "1", Type: []string{"ho;me:"}, Carrier: "A:B;C"}}}
	data, err := Encode(c)
	require.NoError(t, err)
	require.Contains(t, string(data), "\r\nTEL;TYPE=home;X-MOZ-CARRIER=ABC:1\r\n")
	back, err := Decode(data)
	require.NoError(t, err)
	require.Equal(t, []contacts.TelField{{Value: "1", Type: []string{"home"}, Carrier: "ABC"}}, back.Tel)
}

func TestDecodeOtherClientsCards(t *testing.T) {
	v3 := "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Evo Lution\r\nN:Lution;Evo;;;\r\n" +
		"TEL;TYPE=CELL,pref:+1 555\r\nEMAIL;TYPE=INTERNET:evo@example.org\r\nBDAY:19700101\r\n" +
		"UID:urn:uuid:not-a-safe-id\r\nX-EVOLUTION-FILE-AS:Lution\\, Evo\r\nEND:VCARD\r\n"
	c, err := Decode([]byte(v3))
	require.NoError(t, err)
	require.Equal(t, []string{"Evo Lution"}, c.Name)
	require.Equal(t, []string{"Lution"}, c.FamilyName)
	require.Equal(t, []contacts.TelField{{Value: "+1 555", Type: []string{"CELL"}, Pref: true}}, c.Tel)
	require.Equal(t, []contacts.Field{{Value: "evo@example.org", Type: []string{"INTERNET"}}}, c.Email)
	require.Equal(t, time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), c.Bday)
	require.Empty(t, c.ID, "a UID that is not a safe resource name is not used as the contact id")
}

func TestDecodeMalformed(t *testing.T) {
	for name, in := range map[string]string{
		"empty":       "",
		"garbage":     "this is not a card",
		"no end":      "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:x\r\n",
		"bad begin":   "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
		"nothing":     "BEGIN:VCARD\r\nVERSION:4.0\r\nEND:VCARD\r\n",
		"bad version": "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:x\r\nEND:VCARD\r\n",
		"huge":        "BEGIN:VCARD\r\nNOTE:" + strings.Repeat("x", maxCardBytes) + "\r\nEND:VCARD\r\n",
	} {
		_, err := Decode([]byte(in))
		require.Error(t, err, name)
		require.True(t, errors.Is(err, ErrNotACard), "%s: %v", name, err)
	}
	// A bad date is skipped, not fatal.
	c, err := Decode([]byte("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:x\r\nBDAY:yesterday\r\nEND:VCARD\r\n"))
	require.NoError(t, err)
	require.True(t, c.Bday.IsZero())
}

func FuzzDecode(f *testing.F) {
	good, _ := Encode(prunella())
	f.Add(good)
	f.Add([]byte("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:a\r\nN:;;;;\r\nADR:;\r\nEND:VCARD\r\n"))
	f.Add([]byte("BEGIN:VCARD\r\nTEL;TYPE=\"a:b\":1\r\nEND:VCARD"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Decode(data)
		if err != nil {
			return
		}
		// Whatever was accepted can be encoded and read back.
		out, err := Encode(c)
		require.NoError(t, err)
		_, err = Decode(out)
		require.NoError(t, err)
	})
}

func BenchmarkEncode(b *testing.B) {
	c := prunella()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(c); err != nil {
			b.Fatal(err)
		}
	}
}
