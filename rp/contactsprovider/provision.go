package contactsprovider

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/mozidsim/mozidsim/fxaccounts/fxaclient"
	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// Credentials is what `mozidsim provision` prints: enough for any CardDAV
// client (vdirsyncer, khard through vdirsyncer, Thunderbird, DAVx5).
type Credentials struct {
	URL      string `json:"url"`  // the address book
	Home     string `json:"home"` // the address book home set
	UserName string `json:"username"`
	Password string `json:"password"`
}

// ProvisionMain is `mozidsim provision`: it signs in to a Firefox Accounts
// server (serve-fxa), gets a certificate, signs an assertion for the contacts
// provider and trades it for CardDAV credentials, as the phone does.
func ProvisionMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("provision", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fxaURL := fs.String("fxa-url", "", "the Firefox Accounts auth server (mozidsim serve-fxa), e.g. http://127.0.0.1:8081")
	contactsURL := fs.String("contacts-url", "", "the contacts provider (mozidsim serve-contacts), e.g. https://127.0.0.1:8443")
	email := fs.String("email", "", "the Firefox Account's email")
	password := fs.String("password", "", "its password (or the environment variable MOZIDSIM_PASSWORD)")
	create := fs.Bool("create", false, "create the account first (verified, through serve-fxa's admin API; needs --admin-token)")
	adminToken := fs.String("admin-token", "", "the admin token serve-fxa printed at start, for --create (default $MOZIDSIM_ADMIN_TOKEN)")
	caCert := fs.String("ca-cert", "", "PEM certificate to trust for --contacts-url (default: <dir>/tls-cert.pem is not known here; "+
		"pass serve-contacts' --cert-out file or its --dir/tls-cert.pem)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: mozidsim provision --fxa-url URL --contacts-url URL --email E --password P [--create] [--ca-cert FILE]")
		fmt.Fprintln(stderr, `Prints {"url": ADDRESSBOOK_URL, "home": HOME_SET_URL, "username": U, "password": P}.`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		return 2
	}
	if *password == "" {
		*password = os.Getenv("MOZIDSIM_PASSWORD")
	}
	if *adminToken == "" {
		*adminToken = os.Getenv("MOZIDSIM_ADMIN_TOKEN")
	}
	var missing []string
	for name, v := range map[string]string{"--fxa-url": *fxaURL, "--contacts-url": *contactsURL, "--email": *email, "--password": *password} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 || fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mozidsim provision: missing %s\n", strings.Join(missing, ", "))
		fs.Usage()
		return 2
	}
	creds, err := provision(*fxaURL, *contactsURL, *email, *password, *create, *adminToken, *caCert)
	if err != nil {
		fmt.Fprintf(stderr, "mozidsim provision: %v\n", err)
		return 1
	}
	out, _ := json.MarshalIndent(creds, "", "  ")
	fmt.Fprintln(stdout, string(out))
	return 0
}

func provision(fxaURL, contactsURL, email, password string, create bool, adminToken, caCert string) (*Credentials, error) {
	cu, err := url.Parse(strings.TrimSuffix(contactsURL, "/"))
	if err != nil || cu.Scheme == "" || cu.Host == "" {
		return nil, fmt.Errorf("--contacts-url %q: expected https://host[:port]", contactsURL)
	}
	if cu.Scheme == "http" && !isLoopback(cu.Hostname()) {
		return nil, fmt.Errorf("--contacts-url %q: plain http only for a loopback address", contactsURL)
	}
	origin := cu.Scheme + "://" + cu.Host
	hc := &http.Client{Timeout: 30 * time.Second}
	if caCert != "" {
		pemData, err := os.ReadFile(caCert)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pemData) {
			return nil, fmt.Errorf("%s holds no PEM certificate", caCert)
		}
		hc.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	}
	if create {
		admin := fxaclient.NewAdmin(fxaURL, hc)
		admin.Token = adminToken
		if err := admin.CreateAccount(email, password, true); err != nil {
			return nil, fmt.Errorf("creating %s on %s: %w", email, fxaURL, err)
		}
	}
	fxa := fxaclient.New(fxaURL, hc, time.Now, rand.Reader)
	res, serr := fxa.Do(wire.ServerRequest{Op: wire.OpAccountLogin, Email: email, Password: password})
	if serr != nil {
		return nil, fmt.Errorf("signing in to %s as %s: %s", fxaURL, email, serr.Message)
	}
	signIn, _ := res.(wire.SignInResult)
	key, err := browserid.GenerateDSAKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	res, serr = fxa.Do(wire.ServerRequest{Op: wire.OpCertSign, SessionToken: signIn.SessionToken, PublicKey: key.Public(),
		Duration: (6 * time.Hour).Milliseconds()})
	if serr != nil {
		return nil, fmt.Errorf("getting a certificate from %s: %s", fxaURL, serr.Message)
	}
	cert, _ := res.(string)
	assertion, err := browserid.SignAssertion(key, origin, time.Now().Add(2*time.Minute))
	if err != nil {
		return nil, err
	}
	body, _ := json.Marshal(map[string]string{"assertion": browserid.Bundle([]string{cert}, assertion)})
	resp, err := hc.Post(origin+LoginPath, "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%s%s: %w", origin, LoginPath, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s%s: %s: %s", origin, LoginPath, resp.Status, strings.TrimSpace(string(data)))
	}
	var lr LoginResponse
	if err := json.Unmarshal(data, &lr); err != nil {
		return nil, fmt.Errorf("%s%s: the answer is not a login response: %w", origin, LoginPath, err)
	}
	home := origin + lr.Links.AddressBookHomeSet
	return &Credentials{URL: home + BookName + "/", Home: home, UserName: lr.BasicAuth.UserName, Password: lr.BasicAuth.Password}, nil
}
