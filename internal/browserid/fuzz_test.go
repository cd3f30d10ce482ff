package browserid

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func FuzzParseJWT(f *testing.F) {
	issuer, _, _ := testKeys(f)
	k := newDSA(f)
	a, err := SignAssertion(k, "https://rp.example", testNow)
	if err != nil {
		f.Fatal(err)
	}
	c, err := SignCertificate(fxaCertParams(k.Public()), issuer)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(a)
	f.Add(c)
	f.Add("..")
	dsKey, rsKey := k.Public(), &PublicKey{RSA: &issuer.PublicKey}
	f.Fuzz(func(t *testing.T, s string) {
		jwt, err := ParseJWT(s)
		if err != nil {
			var be *Error
			if !errors.As(err, &be) || be.Kind != Malformed || be.Reason == "" {
				t.Fatalf("ParseJWT(%q): want a Malformed *Error, got %T %v", s, err, err)
			}
			return
		}
		if !strings.HasPrefix(s, jwt.SigningInput+".") {
			t.Fatalf("signing input %q is not the start of %q", jwt.SigningInput, s)
		}
		if jwt.Header == nil || jwt.Payload == nil {
			t.Fatalf("parsed without header or payload: %q", s)
		}
		for _, key := range []*PublicKey{dsKey, rsKey} {
			if err := jwt.VerifySignature(key); err != nil {
				var be *Error
				if !errors.As(err, &be) {
					t.Fatalf("VerifySignature: want *Error, got %T %v", err, err)
				}
			}
		}
		if pk, ok := jwt.Payload["public-key"].(map[string]any); ok {
			if key, err := PublicKeyFromObject(pk); err == nil {
				_ = jwt.VerifySignature(key)
				if _, err := key.MarshalJSON(); err != nil {
					t.Fatalf("parsed key does not marshal: %v", err)
				}
			}
		}
	})
}

func FuzzUnbundle(f *testing.F) {
	f.Add("cert~assertion")
	f.Add("a~b~c")
	f.Fuzz(func(t *testing.T, s string) {
		certs, assertion, err := Unbundle(s)
		if err != nil {
			if strings.Contains(s, "~") || err.Error() != ReasonNoCertificates || assertion != s {
				t.Fatalf("Unbundle(%q): %v", s, err)
			}
			return
		}
		if len(certs) == 0 {
			t.Fatalf("Unbundle(%q): no certs and no error", s)
		}
		if got := Bundle(certs, assertion); got != s {
			t.Fatalf("Bundle(Unbundle(%q)) = %q", s, got)
		}
	})
}

func BenchmarkSignAssertionDS128(b *testing.B) {
	k := newDSA(b)
	exp := testNow.Add(2 * time.Minute)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SignAssertion(k, "app://rp.gaiamobile.org", exp); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignCertificateRS256(b *testing.B) {
	issuer, _, _ := testKeys(b)
	p := fxaCertParams(newDSA(b).Public())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SignCertificate(p, issuer); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyAssertionDS128(b *testing.B) {
	k := newDSA(b)
	tok, err := SignAssertion(k, "app://rp.gaiamobile.org", testNow)
	if err != nil {
		b.Fatal(err)
	}
	pub := k.Public()
	b.ReportAllocs()
	for b.Loop() {
		jwt, err := ParseJWT(tok)
		if err != nil {
			b.Fatal(err)
		}
		if err := jwt.VerifySignature(pub); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenerateDSAKey(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := GenerateDSAKey(nil); err != nil {
			b.Fatal(err)
		}
	}
}
