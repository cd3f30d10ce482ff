package verifier

import (
	"container/list"
	"math/big"
	"sync"

	"github.com/mozidsim/mozidsim/internal/browserid"
)

// A relying party sees the same certificate again and again: a user's phone
// signs every assertion for hours with one certificate. The certificate's
// parse and its issuer's RSA signature check are the same work each time, so
// the verifier remembers certificates that verified, keyed by their bytes and
// by the issuer key they verified under. Dates are still checked on every use
// (a certificate expires while cached), and a key change at the issuer
// verifies afresh. A certificate used often also gets its key's DSA table
// (browserid.PublicKey.Precompute), which halves the assertion check.

// DefaultCertCacheSize is the number of certificates a Verifier remembers
// unless CertCacheSize says otherwise.
const DefaultCertCacheSize = 1024

const (
	// precomputeAfter uses: a table costs about six verifications.
	precomputeAfter = 4
	// maxTables bounds the memory in tables (about 77 KiB each).
	maxTables = 128
)

type certCache struct {
	max int

	mu     sync.Mutex
	byCert map[string]*list.Element
	lru    *list.List // of *certEntry, most recent first
	tables int
}

type certEntry struct {
	cert      string
	issuerKey *browserid.PublicKey // the key its signature verified with
	jwt       *browserid.JWT       // parsed; read-only once cached
	key       *browserid.PublicKey // its public-key, parsed
	uses      int
	hasTable  bool
}

func newCertCache(max int) *certCache {
	return &certCache{max: max, byCert: map[string]*list.Element{}, lru: list.New()}
}

// parsed returns the cached parse of cert, if any (whatever key it verified with).
func (c *certCache) parsed(cert string) *browserid.JWT {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byCert[cert]; ok {
		return el.Value.(*certEntry).jwt
	}
	return nil
}

// verified returns cert's public key when cert verified before under issuerKey.
func (c *certCache) verified(cert string, issuerKey *browserid.PublicKey) (*browserid.PublicKey, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byCert[cert]
	if !ok {
		return nil, false
	}
	e := el.Value.(*certEntry)
	if !sameKey(e.issuerKey, issuerKey) {
		return nil, false
	}
	c.lru.MoveToFront(el)
	e.uses++
	if e.uses == precomputeAfter && !e.hasTable && c.tables < maxTables {
		// Under the lock: a few hundred microseconds once per certificate,
		// and no two callers build the same table.
		if pk := e.key.Precompute(); pk != e.key {
			e.key, e.hasTable = pk, true
			c.tables++
		}
	}
	return e.key, true
}

// add remembers a certificate whose signature verified under issuerKey.
func (c *certCache) add(cert string, jwt *browserid.JWT, issuerKey, key *browserid.PublicKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byCert[cert]; ok {
		e := el.Value.(*certEntry)
		if !sameKey(e.issuerKey, issuerKey) { // the issuer's key changed
			e.issuerKey, e.jwt, e.key = issuerKey, jwt, key
			if e.hasTable {
				e.hasTable = false
				c.tables--
			}
			e.uses = 0
		}
		c.lru.MoveToFront(el)
		return
	}
	c.byCert[cert] = c.lru.PushFront(&certEntry{cert: cert, issuerKey: issuerKey, jwt: jwt, key: key})
	for c.lru.Len() > c.max {
		old := c.lru.Remove(c.lru.Back()).(*certEntry)
		delete(c.byCert, old.cert)
		if old.hasTable {
			c.tables--
		}
	}
}

// sameKey compares keys by value: a key lookup may return a fresh object for
// the same key (a refetched support document).
func sameKey(a, b *browserid.PublicKey) bool {
	switch {
	case a == b:
		return true
	case a == nil || b == nil:
		return false
	case a.RSA != nil && b.RSA != nil:
		return a.RSA.Equal(b.RSA)
	case a.DSA != nil && b.DSA != nil:
		x, y := a.DSA, b.DSA
		return eqInt(x.Y, y.Y) && eqInt(x.P, y.P) && eqInt(x.Q, y.Q) && eqInt(x.G, y.G)
	}
	return false
}

func eqInt(a, b *big.Int) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Cmp(b) == 0
}
