package mozvcard

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/contacts"
)

// A card a desktop client wrote (vdirsyncer, Thunderbird, Apple): 3.0, a photo,
// categories, X- properties, an item1. group, a birthday without a year.
const desktopCard = "BEGIN:VCARD\r\n" +
	"VERSION:3.0\r\n" +
	"PRODID:-//Desktop//EN\r\n" +
	"UID:desk-1\r\n" +
	"FN:Ada Lovelace\r\n" +
	"N:Lovelace;Ada;;;\r\n" +
	"BDAY:--1210\r\n" +
	"TEL;TYPE=CELL,pref:+15550001\r\n" +
	"item1.EMAIL;TYPE=INTERNET:ada@example.com\r\n" +
	"item1.X-ABLabel:engine\r\n" +
	"ADR;TYPE=HOME:PO 7;;12 St James's Sq;London;;SW1;UK\r\n" +
	"CATEGORIES:friends,math\r\n" +
	"PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQ==\r\n" +
	"X-CUSTOM;X-PARAM=keep:me\r\n" +
	"REV:20240101T000000Z\r\n" +
	"END:VCARD\r\n"

func TestMergeKeepsWhatThePhoneDoesNotHold(t *testing.T) {
	c, err := Decode([]byte(desktopCard))
	require.NoError(t, err)
	c.ID = "desk-1"
	c.Name = []string{"Ada King"}                                            // the user renames her
	c.Tel = append(c.Tel, contacts.TelField{Value: "+15550002", Pref: true}) // and adds a number
	rev := time.Date(2026, 12, 5, 4, 40, 0, 0, time.UTC)

	out, err := Merge([]byte(desktopCard), c, rev)
	require.NoError(t, err)
	s := string(out)
	for _, line := range []string{
		"VERSION:3.0\r\n", "PRODID:-//Desktop//EN\r\n", "UID:desk-1\r\n", "FN:Ada King\r\n", "N:Lovelace;Ada;;;\r\n",
		"BDAY:--1210\r\n", "TEL;TYPE=CELL,pref:+15550001\r\n", "TEL;TYPE=pref:+15550002\r\n",
		"ITEM1.EMAIL;TYPE=INTERNET:ada@example.com\r\n", "ITEM1.X-ABLABEL:engine\r\n",
		"ADR;TYPE=HOME:PO 7;;12 St James's Sq;London;;SW1;UK\r\n", "CATEGORIES:friends,math\r\n",
		"PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQ==\r\n", "X-CUSTOM;X-PARAM=keep:me\r\n", "REV:20261205T044000Z\r\n",
	} {
		require.Contains(t, strings.ToUpper(s), strings.ToUpper(line), "line %q", line)
	}
	require.NotContains(t, s, "Ada Lovelace")
	require.NotContains(t, s, "2024")
	require.NotContains(t, s, "VERSION:4.0")

	back, err := Decode(out)
	require.NoError(t, err)
	require.Equal(t, []string{"Ada King"}, back.Name)
	require.Len(t, back.Tel, 2)

	// A removed value goes; what was never the phone's stays.
	c.Email = nil
	out, err = Merge(out, c, time.Time{})
	require.NoError(t, err)
	require.NotContains(t, string(out), "ada@example.com")
	require.Contains(t, strings.ToUpper(string(out)), "ITEM1.X-ABLABEL:ENGINE")
	require.Contains(t, string(out), "CATEGORIES:friends,math")
}

func TestMergeWithoutABaseWritesThePhonesCard(t *testing.T) {
	c := contacts.Contact{ID: "p1", Name: []string{"Pat"}, Updated: time.Date(2015, 6, 1, 0, 0, 0, 0, time.UTC)}
	want, err := Encode(c)
	require.NoError(t, err)
	got, err := Merge([]byte("garbage"), c, time.Time{})
	require.NoError(t, err)
	require.Equal(t, string(want), string(got))
}
