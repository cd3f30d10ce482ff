package contactsprovider

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The provider keeps everything in one bbolt database, Config.Dir/contacts.db:
//
//	meta       "format" -> storeFormat; "rev" -> the last revision handed out
//	accounts   FxA uid -> account (JSON, device passwords hashed)
//	books      userName -> one bucket per address book, its keys prefixed:
//	             "c" name      -> cardRecord (the vCard exactly as PUT)
//	             "l" revision  -> change: deleted flag + name (8-byte big-endian revision)
//	             "t" name      -> revision of a deleted resource (its tombstone)
//	             "u" vCard UID -> resource name (one resource per UID)
//
// One bucket per book, not one per kind of key: a PUT then dirties a branch
// page and a few leaves of one B+tree instead of a branch and a leaf in each of
// four, which is most of what a commit writes.
//
// Every change is one transaction (bbolt: copy-on-write pages, then the meta
// page), so a crash at any moment leaves the last committed state. Revisions
// come from one counter for the whole file and are never handed out twice, even
// to a book deleted and created again, so a sync token never names two states.
// The change log keeps one entry per resource (its latest change, tombstones
// included): a sync answers every entry after the token's revision, and the
// book's revision is its last entry.

const (
	storeFileName = "contacts.db"
	storeFormat   = "mozidsim contacts provider store 2"
)

var (
	bucketMeta     = []byte("meta")
	bucketAccounts = []byte("accounts")
	bucketBooks    = []byte("books")
	keyFormat      = []byte("format")
	keyRev         = []byte("rev")
)

// Key prefixes inside a book's bucket.
const (
	prefixCard      = 'c'
	prefixLog       = 'l'
	prefixTombstone = 't'
	prefixUID       = 'u'
)

func bookKey(prefix byte, s string) []byte { return append([]byte{prefix}, s...) }

func logKey(rev uint64) []byte { return binary.BigEndian.AppendUint64([]byte{prefixLog}, rev) }

type account struct {
	UID       string           `json:"uid"`
	Email     string           `json:"email"`
	UserName  string           `json:"userName"`
	Created   time.Time        `json:"created"`
	Passwords []devicePassword `json:"passwords"`
}

type devicePassword struct {
	ID      string    `json:"id"`
	Salt    string    `json:"salt"`
	Hash    string    `json:"hash"` // hex sha256(salt || password)
	Created time.Time `json:"created"`
}

func hashPassword(salt, password string) string {
	sum := sha256.Sum256([]byte(salt + password))
	return hex.EncodeToString(sum[:])
}

// matches reports whether password is this device password, in constant time.
func (d devicePassword) matches(password string) bool {
	want, err := hex.DecodeString(d.Hash)
	if err != nil {
		return false
	}
	got := sha256.Sum256([]byte(d.Salt + password))
	return subtle.ConstantTimeCompare(want, got[:]) == 1
}

// store is the provider's database.
type store struct {
	db   *bolt.DB
	path string
}

// openStore opens (or creates) dir/contacts.db. A file that is not a bbolt
// database, one written by something else, or one whose pages do not check out
// is refused with an error naming the file: never truncated, never rewritten.
func openStore(dir string, noSync bool) (*store, error) {
	if _, err := os.Stat(filepath.Join(dir, "accounts.json")); err == nil {
		return nil, fmt.Errorf("%s holds the old journal store (accounts.json, books/), which this version does not read; "+
			"move it away or use another --dir", dir)
	}
	path := filepath.Join(dir, storeFileName)
	// The freelist is not written on each commit (bbolt rebuilds it at open): a
	// card PUT then writes its pages and the meta page only.
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second, NoSync: noSync, NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("%s is in use by another process (its lock was not released within 2s)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s is not a contacts database (or is damaged): %w", path, err)
	}
	s := &store{db: db, path: path}
	if err := s.check(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// check refuses a foreign or damaged file, and stamps a new one.
func (s *store) check() (err error) {
	// bbolt panics on some kinds of damage it meets while reading pages.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s is damaged: %v", s.path, r)
		}
	}()
	err = s.db.Update(func(tx *bolt.Tx) error {
		var damage []string
		for e := range tx.Check() {
			damage = append(damage, e.Error())
			if len(damage) == 5 {
				break
			}
		}
		if len(damage) > 0 {
			return fmt.Errorf("%s is damaged: %s", s.path, strings.Join(damage, "; "))
		}
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			empty := true
			_ = tx.ForEach(func([]byte, *bolt.Bucket) error { empty = false; return nil })
			if !empty {
				return fmt.Errorf("%s is a bbolt database of some other program (no %q bucket)", s.path, bucketMeta)
			}
			if meta, err = tx.CreateBucket(bucketMeta); err != nil {
				return err
			}
			if err := meta.Put(keyFormat, []byte(storeFormat)); err != nil {
				return err
			}
			for _, b := range [][]byte{bucketAccounts, bucketBooks} {
				if _, err := tx.CreateBucket(b); err != nil {
					return err
				}
			}
			return nil
		}
		if f := meta.Get(keyFormat); string(f) != storeFormat {
			return fmt.Errorf("%s has format %q, not %q", s.path, f, storeFormat)
		}
		if tx.Bucket(bucketAccounts) == nil || tx.Bucket(bucketBooks) == nil {
			return fmt.Errorf("%s is damaged: a top-level bucket is missing", s.path)
		}
		return s.checkBooks(tx)
	})
	return err
}

// checkBooks reads every book once: each card's bytes must still hash to its
// ETag (bbolt checks page structure, not contents), and the change log must
// name every card and tombstone at its revision, and nothing else. A few
// milliseconds for 10,000 cards.
func (s *store) checkBooks(tx *bolt.Tx) error {
	return tx.Bucket(bucketBooks).ForEachBucket(func(user []byte) error {
		bk := tx.Bucket(bucketBooks).Bucket(user)
		damaged := func(format string, args ...any) error {
			return fmt.Errorf("%s is damaged: %s (book of %s)", s.path, fmt.Sprintf(format, args...), user)
		}
		logged := 0
		err := bk.ForEach(func(k, v []byte) error {
			if len(k) == 0 {
				return damaged("an empty key")
			}
			name := string(k[1:])
			switch k[0] {
			case prefixCard:
				e, _, data, err := decodeCard(name, v)
				if err != nil || etagOf(data) != e.ETag {
					return damaged("card %s does not match its checksum", name)
				}
				if c := bk.Get(logKey(e.Rev)); len(c) < 1 || c[0] != 0 || string(c[1:]) != name {
					return damaged("card %s is missing from the change log", name)
				}
			case prefixTombstone:
				if len(v) != 8 {
					return damaged("tombstone %s has no revision", name)
				}
				if c := bk.Get(logKey(binary.BigEndian.Uint64(v))); len(c) < 1 || c[0] != 1 || string(c[1:]) != name {
					return damaged("deleted resource %s is missing from the change log", name)
				}
			case prefixLog:
				if len(k) != 9 || len(v) < 2 {
					return damaged("a change log entry is malformed")
				}
				logged++
			case prefixUID:
			default:
				return damaged("an unknown key %q", k)
			}
			return nil
		})
		if err != nil {
			return err
		}
		// Every card and tombstone points at its own entry (checked above); an
		// entry more is a resource the index lost.
		others := 0
		c := bk.Cursor()
		for _, p := range []byte{prefixCard, prefixTombstone} {
			for k, _ := c.Seek([]byte{p}); k != nil && k[0] == p; k, _ = c.Next() {
				others++
			}
		}
		if logged != others {
			return damaged("the change log has %d entries for %d resources", logged, others)
		}
		return nil
	})
}

func (s *store) close() error { return s.db.Close() }

// accounts loads every account.
func (s *store) accounts() ([]*account, error) {
	var out []*account
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketAccounts).ForEach(func(k, v []byte) error {
			a := new(account)
			if err := json.Unmarshal(v, a); err != nil {
				return fmt.Errorf("%s: account %q: %w", s.path, k, err)
			}
			if a.UID != string(k) || !validUserName(a.UserName) {
				return fmt.Errorf("%s: account %q is incomplete", s.path, k)
			}
			out = append(out, a)
			return nil
		})
	})
	return out, err
}

func (s *store) saveAccount(a *account) error {
	data, err := json.Marshal(a)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketAccounts).Put([]byte(a.UID), data) })
}

// deleteAccount removes an account and its address book in one transaction.
func (s *store) deleteAccount(a *account) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketAccounts).Delete([]byte(a.UID)); err != nil {
			return err
		}
		err := tx.Bucket(bucketBooks).DeleteBucket([]byte(a.UserName))
		if errors.Is(err, bolt.ErrBucketNotFound) {
			return nil
		}
		return err
	})
}

// entry is a resource's latest state.
type entry struct {
	Name    string
	Rev     uint64
	ETag    string
	ModTime int64 // ms
	Size    int64
	Deleted bool
}

// cardRecord layout: rev (8) | mod ms (8) | len(etag) (1) | etag | len(uid) (2) | uid | card bytes.
func encodeCard(e *entry, uid string, data []byte) []byte {
	buf := make([]byte, 0, 19+len(e.ETag)+len(uid)+len(data))
	buf = binary.BigEndian.AppendUint64(buf, e.Rev)
	buf = binary.BigEndian.AppendUint64(buf, uint64(e.ModTime))
	buf = append(buf, byte(len(e.ETag)))
	buf = append(buf, e.ETag...)
	buf = binary.BigEndian.AppendUint16(buf, uint16(len(uid)))
	buf = append(buf, uid...)
	return append(buf, data...)
}

var errBadRecord = errors.New("damaged card record")

// decodeCard returns the entry, the UID indexed for it and the card bytes
// (which alias the database page: copy them before the transaction ends).
func decodeCard(name string, v []byte) (entry, string, []byte, error) {
	if len(v) < 17 {
		return entry{}, "", nil, errBadRecord
	}
	e := entry{Name: name, Rev: binary.BigEndian.Uint64(v), ModTime: int64(binary.BigEndian.Uint64(v[8:]))}
	n := int(v[16])
	v = v[17:]
	if len(v) < n+2 {
		return entry{}, "", nil, errBadRecord
	}
	e.ETag, v = string(v[:n]), v[n:]
	u := int(binary.BigEndian.Uint16(v))
	v = v[2:]
	if len(v) < u {
		return entry{}, "", nil, errBadRecord
	}
	uid, data := string(v[:u]), v[u:]
	e.Size = int64(len(data))
	return e, uid, data, nil
}

// bookTx is one address book inside a transaction; bk is nil for a book
// never written to, in a read-only transaction.
type bookTx struct {
	tx   *bolt.Tx
	bk   *bolt.Bucket
	user string
}

func (s *store) bookIn(tx *bolt.Tx, user string) (*bookTx, error) {
	b := &bookTx{tx: tx, user: user}
	books := tx.Bucket(bucketBooks)
	if tx.Writable() {
		bk, err := books.CreateBucketIfNotExists([]byte(user))
		if err != nil {
			return nil, err
		}
		b.bk = bk
		return b, nil
	}
	b.bk = books.Bucket([]byte(user))
	return b, nil
}

// view runs f on user's book in a read-only transaction.
func (s *store) view(user string, f func(*bookTx) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		b, err := s.bookIn(tx, user)
		if err != nil {
			return err
		}
		return f(b)
	})
}

// update runs f on user's book in a read-write transaction.
func (s *store) update(user string, f func(*bookTx) error) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b, err := s.bookIn(tx, user)
		if err != nil {
			return err
		}
		return f(b)
	})
}

// rev is the book's last revision: its last change log entry (0 for none).
func (b *bookTx) rev() uint64 {
	if b.bk == nil {
		return 0
	}
	c := b.bk.Cursor()
	k, _ := c.Seek([]byte{prefixLog + 1})
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	if len(k) == 9 && k[0] == prefixLog {
		return binary.BigEndian.Uint64(k[1:])
	}
	return 0
}

// get returns a live resource and its bytes (valid until the transaction ends).
func (b *bookTx) get(name string) (entry, string, []byte, bool, error) {
	if b.bk == nil {
		return entry{}, "", nil, false, nil
	}
	v := b.bk.Get(bookKey(prefixCard, name))
	if v == nil {
		return entry{}, "", nil, false, nil
	}
	e, uid, data, err := decodeCard(name, v)
	if err != nil {
		return entry{}, "", nil, false, fmt.Errorf("resource %s of %s: %w", name, b.user, err)
	}
	return e, uid, data, true, nil
}

// uidOwner names the resource holding a UID, if any.
func (b *bookTx) uidOwner(uid string) (string, bool) {
	if b.bk == nil || uid == "" {
		return "", false
	}
	v := b.bk.Get(bookKey(prefixUID, uid))
	return string(v), v != nil
}

// logChange takes the next revision from the file-wide counter and moves the
// resource's log entry (its previous one at oldRev, 0 for none) to it.
func (b *bookTx) logChange(name string, oldRev uint64, deleted bool) (uint64, error) {
	meta := b.tx.Bucket(bucketMeta)
	rev := uint64(1)
	if v := meta.Get(keyRev); len(v) == 8 {
		rev = binary.BigEndian.Uint64(v) + 1
	}
	if err := meta.Put(keyRev, binary.BigEndian.AppendUint64(nil, rev)); err != nil {
		return 0, err
	}
	if oldRev != 0 {
		if err := b.bk.Delete(logKey(oldRev)); err != nil {
			return 0, err
		}
	}
	flag := byte(0)
	if deleted {
		flag = 1
	}
	return rev, b.bk.Put(logKey(rev), append([]byte{flag}, name...))
}

// put stores data as name, indexed under uid ("" for none); it returns the new entry.
func (b *bookTx) put(name, uid string, data []byte, now time.Time) (entry, error) {
	old, oldUID, _, exists, err := b.get(name)
	if err != nil {
		return entry{}, err
	}
	oldRev := old.Rev
	if !exists {
		if t := b.bk.Get(bookKey(prefixTombstone, name)); len(t) == 8 {
			oldRev = binary.BigEndian.Uint64(t)
			if err := b.bk.Delete(bookKey(prefixTombstone, name)); err != nil {
				return entry{}, err
			}
		}
	}
	if oldUID != uid {
		if exists && oldUID != "" {
			if err := b.bk.Delete(bookKey(prefixUID, oldUID)); err != nil {
				return entry{}, err
			}
		}
		if uid != "" {
			if err := b.bk.Put(bookKey(prefixUID, uid), []byte(name)); err != nil {
				return entry{}, err
			}
		}
	}
	rev, err := b.logChange(name, oldRev, false)
	if err != nil {
		return entry{}, err
	}
	e := entry{Name: name, Rev: rev, ETag: etagOf(data), ModTime: now.UnixMilli(), Size: int64(len(data))}
	return e, b.bk.Put(bookKey(prefixCard, name), encodeCard(&e, uid, data))
}

// remove deletes a live resource, leaving a tombstone in the log.
func (b *bookTx) remove(name string) error {
	e, uid, _, exists, err := b.get(name)
	if err != nil || !exists {
		return err
	}
	if uid != "" {
		if owner, ok := b.uidOwner(uid); ok && owner == name {
			if err := b.bk.Delete(bookKey(prefixUID, uid)); err != nil {
				return err
			}
		}
	}
	if err := b.bk.Delete(bookKey(prefixCard, name)); err != nil {
		return err
	}
	rev, err := b.logChange(name, e.Rev, true)
	if err != nil {
		return err
	}
	return b.bk.Put(bookKey(prefixTombstone, name), binary.BigEndian.AppendUint64(nil, rev))
}

// change is one log entry.
type change struct {
	Rev     uint64
	Name    string
	Deleted bool
}

// changesSince calls f for every resource changed after rev, oldest first.
func (b *bookTx) changesSince(rev uint64, f func(change) error) error {
	if b.bk == nil {
		return nil
	}
	c := b.bk.Cursor()
	for k, v := c.Seek(logKey(rev + 1)); k != nil && k[0] == prefixLog; k, v = c.Next() {
		if len(k) != 9 || len(v) < 1 {
			return fmt.Errorf("the change log of %s is damaged", b.user)
		}
		if err := f(change{Rev: binary.BigEndian.Uint64(k[1:]), Name: string(v[1:]), Deleted: v[0] == 1}); err != nil {
			return err
		}
	}
	return nil
}

// etagOf is a strong ETag: the first 128 bits of the content's SHA-256. Cards
// are stored as they were sent, so it names the bytes a GET returns.
func etagOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:16])
}

// validName accepts resource names that are safe in a URL path segment:
// letters, digits and "-_.@+=", not starting with a dot, at most 200 bytes.
func validName(s string) bool {
	if s == "" || len(s) > 200 || s[0] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("-_.@+=", c) >= 0) {
			return false
		}
	}
	return true
}

func validUserName(s string) bool { return validName(s) && !strings.Contains(s, "@") }

// copyBytes detaches a value from the database page it points into.
func copyBytes(b []byte) []byte { return bytes.Clone(b) }
