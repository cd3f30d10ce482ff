package phone_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/mozidsim/mozidsim/phone"
	"github.com/mozidsim/mozidsim/rp"
)

// A relying party's page watches, the user clicks "Sign in", and signs in at
// the Firefox Accounts dialog; the page's server verifies the assertion.
func Example() {
	p, err := phone.New(phone.Config{Accounts: []phone.Account{{Email: "alice@example.com", Password: "correct horse battery"}}})
	if err != nil {
		panic(err)
	}
	defer p.Close()
	shop, err := p.Open(phone.App{Name: "shop", Origin: "https://shop.example.com", Kind: "privileged"})
	if err != nil {
		panic(err)
	}
	var assertion string
	err = shop.Watch(rp.WatchOptions{
		WantIssuer: "firefox-accounts",
		OnLogin:    func(a string) { assertion = a },
		OnLogout:   func() {},
		OnReady:    func() {},
		OnError:    func(e string) { fmt.Println("onerror", e) },
	})
	if err != nil {
		panic(err)
	}
	p.RunUntilIdle()
	if err := shop.Request(rp.RequestOptions{}); err != nil {
		panic(err)
	}
	p.RunUntilIdle()
	screen, _, _, _ := p.Dialog()
	fmt.Println("the dialog shows", screen)
	if err := p.Do(`[{user: sign-in, email: alice@example.com, password: "correct horse battery"}]`); err != nil {
		panic(err)
	}
	email, err := p.Verify(assertion, "https://shop.example.com")
	fmt.Println("verified:", email, err)
	fmt.Println(strings.Join(shop.Lines(), "\n"))
	// Output:
	// the dialog shows ENTER_EMAIL
	// verified: alice@example.com <nil>
	// onlogout
	// onready
	// onlogin aud=https://shop.example.com email=alice@example.com
}

// A scenario file's world (accounts, signed-in user, apps) without its steps;
// the clock moves on as the test likes.
func ExampleFromScenario() {
	p, pages, err := phone.FromScenario("../scenarios/watch-signed-in.yaml")
	if err != nil {
		panic(err)
	}
	defer p.Close()
	user, _ := p.SignedIn()
	fmt.Println("signed in:", user, "apps:", len(pages), pages[0].App().Name)
	pages[0].Watch(rp.WatchOptions{WantIssuer: "firefox-accounts", OnLogin: func(string) {}, OnLogout: func() {}, OnReady: func() {}})
	p.RunUntilIdle()
	fmt.Println(strings.Join(pages[0].Lines(), "\n"))
	var tr bytes.Buffer
	p.WriteTrace(&tr, "example") // the whole run, as a trace file
	fmt.Println("trace lines:", strings.Count(tr.String(), "\n"))
	// Output:
	// signed in: alice@example.com apps: 1 shop
	// onlogin aud=https://shop.example.com email=alice@example.com
	// onready
	// trace lines: 19
}

// An RP's server checks assertions with a verifier service (browserid-verifier's
// POST /v2); the phone serves one that judges at its virtual time.
func ExamplePhone_VerifierHandler() {
	p, err := phone.New(phone.Config{Accounts: []phone.Account{{Email: "alice@example.com", Password: "correct horse battery"}},
		SignedIn: "alice@example.com"})
	if err != nil {
		panic(err)
	}
	defer p.Close()
	shop, err := p.Open(phone.App{Name: "shop", Origin: "https://shop.example.com"}) // certified: no consent asked
	if err != nil {
		panic(err)
	}
	var assertion string
	shop.Watch(rp.WatchOptions{WantIssuer: "firefox-accounts", OnLogin: func(a string) { assertion = a }, OnLogout: func() {}, OnReady: func() {}})
	p.RunUntilIdle()

	verifier := httptest.NewServer(p.VerifierHandler())
	defer verifier.Close()
	for _, audience := range []string{"https://shop.example.com", "https://evil.example.com"} {
		body, _ := json.Marshal(map[string]string{"assertion": assertion, "audience": audience})
		resp, err := http.Post(verifier.URL+"/v2", "application/json", bytes.NewReader(body))
		if err != nil {
			panic(err)
		}
		var answer struct {
			Status, Reason string
			IdpClaims      map[string]string // the certificate's principal is the FxA uid; the email is a claim
		}
		json.NewDecoder(resp.Body).Decode(&answer)
		resp.Body.Close()
		if answer.Status == "okay" {
			fmt.Println("okay:", answer.IdpClaims["fxa-verifiedEmail"])
		} else {
			fmt.Println(answer.Status+":", answer.Reason)
		}
	}
	// Output:
	// okay: alice@example.com
	// failure: audience mismatch: domain mismatch
}
