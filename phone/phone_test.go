package phone_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/phoneinternal"
	"github.com/mozidsim/mozidsim/phone"
	"github.com/mozidsim/mozidsim/rp"
)

func newPhone(t *testing.T, cfg phone.Config) *phone.Phone {
	t.Helper()
	p, err := phone.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, p.Close()) })
	return p
}

func watchAll() rp.WatchOptions {
	return rp.WatchOptions{WantIssuer: "firefox-accounts", OnLogin: func(string) {}, OnLogout: func() {}, OnReady: func() {}, OnError: func(string) {}}
}

func TestOpenNumbersAppsFrom1001UnlessTheAppHasAnID(t *testing.T) {
	p := newPhone(t, phone.Config{})
	var ids []int
	for _, app := range []phone.App{
		{Name: "a", Origin: "https://a.example.com"},
		{Name: "b", Origin: "https://b.example.com", ID: 7},
		{Name: "c", Origin: "https://c.example.com"},
	} {
		page, err := p.Open(app)
		require.NoError(t, err)
		ids = append(ids, page.App().AppID)
	}
	require.Equal(t, []int{1001, 7, 1003}, ids, "an explicit id counts as an opened page")
}

func TestEraPicksTheStackAndABadOneIsRefusedByName(t *testing.T) {
	_, err := phone.New(phone.Config{Era: "2016"})
	require.EqualError(t, err, `phone: Config.Era: era "2016" is not one of 2014, 2015`)
	for era, want := range map[string]string{
		"2014": "navigator.id.watch was already called", // [D-early] keeps its message
		"":     "Unexpected error",                      // the WebIDL binding's generic one
	} {
		p := newPhone(t, phone.Config{Era: era})
		page, err := p.Open(phone.App{Name: "shop", Origin: "https://shop.example.com"})
		require.NoError(t, err)
		require.NoError(t, page.Watch(watchAll()))
		require.NoError(t, p.RunUntilIdle())
		var ex *rp.Exception
		require.True(t, errors.As(page.Watch(watchAll()), &ex), "era %q", era)
		require.Equal(t, want, ex.Message, "era %q", era)
	}
}

func TestStartIsTheConfiguredStartWhateverTheClockDid(t *testing.T) {
	start := time.Date(2015, 3, 1, 9, 0, 0, 0, time.UTC)
	p := newPhone(t, phone.Config{Start: start})
	require.NoError(t, p.Advance(90*time.Minute))
	require.Equal(t, start, p.Start())
	require.Equal(t, start.Add(90*time.Minute), p.Now())
	require.Equal(t, time.Date(2015, 6, 1, 12, 0, 0, 0, time.UTC), newPhone(t, phone.Config{}).Start())
}

func TestDialogBusyIsFalseWithoutADialog(t *testing.T) {
	p := newPhone(t, phone.Config{})
	busy, err := p.DialogBusy()
	require.NoError(t, err)
	require.False(t, busy)
}

func TestNoteOnAClosedPageSaysWhy(t *testing.T) {
	p := newPhone(t, phone.Config{})
	page, err := p.Open(phone.App{Name: "shop", Origin: "https://shop.example.com"})
	require.NoError(t, err)
	require.NoError(t, p.ClosePage("shop"))
	err = p.Note(page, "test", "too late")
	require.ErrorContains(t, err, `no actor "nsDOMIdentity[shop]"`)
}

func TestDefectiveRefusesWhatItCannotMake(t *testing.T) {
	p := newPhone(t, phone.Config{})
	_, err := p.Defective("x~y", "stale")
	require.EqualError(t, err, `defect "stale" is not one of wrong-audience, expired, bad-signature, untrusted-issuer, unverified-email`)
	_, err = p.Defective("not an assertion", "expired")
	require.EqualError(t, err, "assertion: no certificates provided")
}

func TestTheServeHookNeedsAWorld(t *testing.T) {
	_, _, err := phoneinternal.New(phoneinternal.World{})
	require.EqualError(t, err, "phone: a world needs a scenario")
}
