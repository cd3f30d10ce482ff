package phone_test

import (
	"bytes"
	"crypto/rsa"
	"fmt"
	"strings"
	"time"

	"github.com/mozidsim/mozidsim/phone"
	"github.com/mozidsim/mozidsim/rp"
)

// signedInShop is a phone with alice signed in and the shop's page watching;
// it returns the assertion the page's onlogin received.
func signedInShop() (*phone.Phone, *rp.Page, string) {
	p, err := phone.New(phone.Config{Accounts: []phone.Account{{Email: "alice@example.com", Password: "correct horse battery"}},
		SignedIn: "alice@example.com"})
	if err != nil {
		panic(err)
	}
	shop, err := p.Open(phone.App{Name: "shop", Origin: "https://shop.example.com"})
	if err != nil {
		panic(err)
	}
	var assertion string
	shop.Watch(rp.WatchOptions{WantIssuer: "firefox-accounts", OnLogin: func(a string) { assertion = a }, OnLogout: func() {}, OnReady: func() {}})
	p.RunUntilIdle()
	return p, shop, assertion
}

// An RP's server must refuse a wrong assertion: Defective makes one from a
// real assertion, wrong in one named way and right in every other.
func ExamplePhone_Defective() {
	p, _, assertion := signedInShop()
	defer p.Close()
	for _, defect := range phone.Defects {
		bad, err := p.Defective(assertion, defect)
		if err != nil {
			panic(err)
		}
		email, err := p.Verify(bad, "https://shop.example.com")
		fmt.Printf("%s: %q %v\n", defect, email, err)
	}
	// Output:
	// wrong-audience: "" audience mismatch: domain mismatch
	// expired: "" expired
	// bad-signature: "" invalid signature
	// untrusted-issuer: "" no support document for fxa.evil.example
	// unverified-email: "" <nil>
}

// The clock is virtual: it moves only when the test moves it, firing every
// timer due on the way. A note marks in the trace what the test did.
func ExamplePhone_Advance() {
	p, shop, _ := signedInShop()
	defer p.Close()
	if err := p.Note(shop, "checkout test", "the user walks away for a day"); err != nil {
		panic(err)
	}
	if err := p.Advance(24 * time.Hour); err != nil {
		panic(err)
	}
	fmt.Println(p.Start().Format(time.RFC3339), "->", p.Now().Format(time.RFC3339))
	var tr bytes.Buffer
	p.WriteTrace(&tr, "example")
	for _, line := range strings.Split(tr.String(), "\n") {
		if strings.Contains(line, "walks away") {
			fmt.Println(line)
		}
	}
	// Output:
	// 2015-06-01T12:00:00Z -> 2015-06-02T12:00:00Z
	// {"seq":19,"at":"0s","kind":"note","from":"nsDOMIdentity[shop]","to":"nsDOMIdentity[shop]","name":"checkout test","payload":"the user walks away for a day"}
}

// An RP that verifies with its own BrowserID library must trust the phone's
// FxA issuer and its key.
func ExamplePhone_Issuer() {
	p, err := phone.New(phone.Config{})
	if err != nil {
		panic(err)
	}
	defer p.Close()
	domain, key := p.Issuer()
	fmt.Println(domain, key.(*rsa.PublicKey).N.BitLen(), "bit RSA")
	// Output:
	// api.accounts.firefox.com 2048 bit RSA
}

// While the FxA server is slow, the dialog waits for it behind its busy
// overlay; the page hears nothing until the answer comes.
func ExamplePhone_DialogBusy() {
	p, err := phone.New(phone.Config{Accounts: []phone.Account{{Email: "alice@example.com", Password: "correct horse battery"}}})
	if err != nil {
		panic(err)
	}
	defer p.Close()
	shop, err := p.Open(phone.App{Name: "shop", Origin: "https://shop.example.com"})
	if err != nil {
		panic(err)
	}
	shop.Watch(rp.WatchOptions{WantIssuer: "firefox-accounts", OnLogin: func(string) {}, OnLogout: func() {}, OnReady: func() {}})
	p.RunUntilIdle()
	shop.Request(rp.RequestOptions{})
	p.RunUntilIdle()
	if err := p.Do(`[{server: slow, delay: 30s}, {user: type-email, value: alice@example.com}, {user: next}]`); err != nil {
		panic(err)
	}
	show := func() {
		screen, _, _, _ := p.Dialog()
		busy, _ := p.DialogBusy()
		fmt.Println(screen, "busy:", busy)
	}
	show()
	p.Advance(30 * time.Second)
	show()
	// Output:
	// ENTER_EMAIL busy: true
	// ENTER_PASSWORD busy: false
}
