// Command gotool is the Go half of the interop harness: it mints FxA-style backed
// assertions with mozidsim's browserid package for the JS verifier, and verifies the
// ones browserid-crypto minted with mozidsim's rp/verifier.
//
//	gotool mint            > go-fixtures.json
//	gotool verify FILE     (prints "N passed, N failed"; exit 1 on any failure)
//	gotool bench FILE MS   (verifications per second over FILE's first okay case, for MS milliseconds; 2000 when MS is left out)
package main

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/fxaissuer"
	"github.com/mozidsim/mozidsim/rp/verifier"
)

// Fixtures is the file format both halves share.
type Fixtures struct {
	Issuer    string          `json:"issuer"`
	PublicKey json.RawMessage `json:"publicKey"` // {"algorithm":"RS","n","e"}
	Now       int64           `json:"now"`       // ms since the epoch: verify "as of" this time
	Cases     []Case          `json:"cases"`
}

// Case is one assertion and what a verifier must say about it.
type Case struct {
	Name      string `json:"name"`
	Assertion string `json:"assertion"`
	Audience  string `json:"audience"`
	Expect    Expect `json:"expect"`
}

// Expect is browserid-verifier's answer, reduced to what must match.
type Expect struct {
	Status        string `json:"status"`
	Reason        string `json:"reason,omitempty"`
	Email         string `json:"email,omitempty"`
	VerifiedEmail string `json:"verifiedEmail,omitempty"`
}

const (
	issuer   = fxaissuer.Name
	audience = "https://rp.example.com"
	uid      = "6d940dd41e636cc156074109b8092f96"
	userMail = "alice@example.com"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: gotool mint | verify FILE | bench FILE")
		return 2
	}
	var err error
	switch args[0] {
	case "mint":
		err = mint(stdout)
	case "verify", "bench":
		if len(args) != 2 && !(args[0] == "bench" && len(args) == 3) {
			fmt.Fprintf(stderr, "usage: gotool %s FILE\n", args[0])
			return 2
		}
		var fx Fixtures
		if fx, err = load(args[1]); err == nil {
			if args[0] == "verify" {
				return verifyAll(fx, stdout)
			}
			d := 2 * time.Second
			if len(args) == 3 {
				ms, perr := strconv.Atoi(args[2])
				if perr != nil || ms <= 0 {
					fmt.Fprintf(stderr, "gotool bench: %q is not a number of milliseconds, e.g. 1500\n", args[2])
					return 2
				}
				d = time.Duration(ms) * time.Millisecond
			}
			err = bench(fx, d, stdout)
		}
	default:
		fmt.Fprintf(stderr, "gotool: unknown command %q\n", args[0])
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "gotool:", err)
		return 1
	}
	return 0
}

func load(path string) (Fixtures, error) {
	var fx Fixtures
	data, err := os.ReadFile(path)
	if err != nil {
		return fx, err
	}
	if err := json.Unmarshal(data, &fx); err != nil {
		return fx, fmt.Errorf("%s: %w", path, err)
	}
	return fx, nil
}

func mint(w io.Writer) error {
	issuerKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	otherKey, err := browserid.GenerateDSAKey(rand.Reader)
	if err != nil {
		return err
	}
	userKey, err := browserid.GenerateDSAKey(rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now()
	cert := func(exp time.Time) (string, error) {
		return browserid.SignCertificate(browserid.CertParams{
			PublicKey: userKey.Public(), Email: uid + "@" + issuer,
			IssuedAt: now.Add(-10 * time.Second), ExpiresAt: exp, Issuer: issuer,
			Extra: []browserid.Claim{{Name: "fxa-generation", Value: float64(now.UnixMilli() - 3600_000)},
				{Name: "fxa-lastAuthAt", Value: float64(now.Unix() - 60)}, {Name: "fxa-verifiedEmail", Value: userMail}},
		}, issuerKey)
	}
	good, err := cert(now.Add(6 * time.Hour))
	if err != nil {
		return err
	}
	expiredCert, err := cert(now.Add(-time.Minute))
	if err != nil {
		return err
	}
	assert := func(k *browserid.DSAKey, aud string, exp time.Time) string {
		a, err2 := browserid.SignAssertion(k, aud, exp)
		if err2 != nil {
			panic(err2)
		}
		return a
	}
	ok := browserid.Bundle([]string{good}, assert(userKey, audience, now.Add(2*time.Minute)))
	// Same signature over a payload with another audience: the signature must fail.
	parts := strings.Split(assert(userKey, audience, now.Add(2*time.Minute)), ".")
	forged := assert(userKey, "https://evil.example.com", now.Add(2*time.Minute))
	tampered := browserid.Bundle([]string{good}, parts[0]+"."+strings.Split(forged, ".")[1]+"."+parts[2])
	okEmail := Expect{Status: "okay", Email: uid + "@" + issuer, VerifiedEmail: userMail}
	pub, err := json.Marshal(&browserid.PublicKey{RSA: &issuerKey.PublicKey})
	if err != nil {
		return err
	}
	fx := Fixtures{Issuer: issuer, PublicKey: pub, Now: now.UnixMilli(), Cases: []Case{
		{"valid", ok, audience, okEmail},
		{"valid, audience with default port", ok, "https://rp.example.com:443", okEmail},
		{"wrong audience", ok, "https://other.example.com", Expect{Status: "failure", Reason: "audience mismatch: domain mismatch"}},
		{"wrong scheme", ok, "http://rp.example.com", Expect{Status: "failure", Reason: "audience mismatch: scheme mismatch"}},
		{"expired assertion", browserid.Bundle([]string{good}, assert(userKey, audience, now.Add(-time.Second))), audience, Expect{Status: "failure", Reason: "expired"}},
		{"expired certificate", browserid.Bundle([]string{expiredCert}, assert(userKey, audience, now.Add(time.Minute))), audience, Expect{Status: "failure", Reason: "expired"}},
		{"tampered assertion", tampered, audience, Expect{Status: "failure", Reason: "invalid signature"}},
		{"signed by another key", browserid.Bundle([]string{good}, assert(otherKey, audience, now.Add(time.Minute))), audience, Expect{Status: "failure", Reason: "invalid signature"}},
	}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(fx)
}

func newVerifier(fx Fixtures) (*verifier.Verifier, error) {
	key, err := browserid.ParsePublicKey(fx.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("fixture public key: %w", err)
	}
	now := time.UnixMilli(fx.Now)
	return &verifier.Verifier{
		Now: func() time.Time { return now },
		LookupIssuerKey: func(iss, _ string) (*browserid.PublicKey, error) {
			if iss != fx.Issuer {
				return nil, fmt.Errorf("%s is not a browserid primary - non-200 response code to /.well-known/browserid", iss)
			}
			return key, nil
		},
	}, nil
}

func verifyAll(fx Fixtures, w io.Writer) int {
	v, err := newVerifier(fx)
	if err != nil {
		fmt.Fprintln(w, "go verify:", err)
		return 1
	}
	passed, failed := 0, 0
	for _, c := range fx.Cases {
		got := Expect{Status: "okay"}
		res, err := v.Verify(c.Assertion, c.Audience)
		if err != nil {
			got = Expect{Status: "failure", Reason: err.Error()}
		} else {
			got.Email, got.VerifiedEmail = res.Email, res.VerifiedEmail()
		}
		if got == c.Expect {
			passed++
			fmt.Fprintf(w, "ok   %s\n", c.Name)
		} else {
			failed++
			fmt.Fprintf(w, "FAIL %s: want %+v, got %+v\n", c.Name, c.Expect, got)
		}
	}
	fmt.Fprintf(w, "go-verify: %d passed, %d failed\n", passed, failed)
	if failed > 0 || passed == 0 {
		return 1
	}
	return 0
}

func bench(fx Fixtures, d time.Duration, w io.Writer) error {
	v, err := newVerifier(fx)
	if err != nil {
		return err
	}
	for _, c := range fx.Cases {
		if c.Expect.Status != "okay" {
			continue
		}
		n, start := 0, time.Now()
		for time.Since(start) < d {
			if _, err := v.Verify(c.Assertion, c.Audience); err != nil {
				return err
			}
			n++
		}
		fmt.Fprintf(w, "go verify: %.0f ops/s\n", float64(n)/time.Since(start).Seconds())
		return nil
	}
	return fmt.Errorf("no okay case to benchmark")
}
