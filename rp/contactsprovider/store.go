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
//	books      userName -> one bucket per address book:
//	             cards  resource name -> cardRecord (the vCard exactly as PUT)
//	             log    revision (8 bytes, big endian) -> change (deleted flag + name)
//	             names  resource name -> revision of its last change
//	             uids   vCard UID -> resource name (one resource per UID)
//	             meta   "rev" -> the book's last revision
//
// Every change is one transaction (bbolt: copy-on-write pages, then the meta
// page), so a crash at any moment leaves the last committed state. Revisions
// come from one counter for the whole file and are never handed out twice, even
// to a book deleted and created again, so a sync token never names two states.
// The change log keeps one entry per resource (its latest change, tombstones
// included): a sync answers every entry after the token's revision.

const (
	storeFileName = "contacts.db"
	storeFormat   = "mozidsim contacts provider store 1"
)

var (
	bucketMeta     = []byte("meta")
	bucketAccounts = []byte("accounts")
	bucketBooks    = []byte("books")
	bucketCards    = []byte("cards")
	bucketLog      = []byte("log")
	bucketNames    = []byte("names")
	bucketUIDs     = []byte("uids")
	keyFormat      = []byte("format")
	keyRev         = []byte("rev")
)

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
// ETag (bbolt checks page structure, not contents), and the log and the
// resource index must agree. A few milliseconds for 10,000 cards.
func (s *store) checkBooks(tx *bolt.Tx) error {
	return tx.Bucket(bucketBooks).ForEachBucket(func(user []byte) error {
		b, err := s.bookIn(tx, string(user))
		if err != nil {
			return err
		}
		if b.root == nil {
			return nil
		}
		err = b.cards.ForEach(func(k, v []byte) error {
			e, _, data, err := decodeCard(string(k), v)
			if err != nil || etagOf(data) != e.ETag {
				return fmt.Errorf("%s is damaged: card %s of %s does not match its checksum", s.path, k, user)
			}
			rev := b.names.Get(k)
			if len(rev) != 8 || binary.BigEndian.Uint64(rev) != e.Rev {
				return fmt.Errorf("%s is damaged: card %s of %s is missing from the change log", s.path, k, user)
			}
			return nil
		})
		if err != nil {
			return err
		}
		return b.names.ForEach(func(k, rev []byte) error {
			v := b.log.Get(rev)
			if len(v) < 1 || string(v[1:]) != string(k) {
				return fmt.Errorf("%s is damaged: the change log of %s lost resource %s", s.path, user, k)
			}
			return nil
		})
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

func revKey(rev uint64) []byte { return binary.BigEndian.AppendUint64(nil, rev) }

// bookTx is one address book inside a transaction; its buckets are nil for a
// book never written to in a read-only transaction.
type bookTx struct {
	tx                      *bolt.Tx
	root                    *bolt.Bucket
	cards, log, names, uids *bolt.Bucket
	user                    string
}

func (s *store) bookIn(tx *bolt.Tx, user string) (*bookTx, error) {
	b := &bookTx{tx: tx, user: user}
	books := tx.Bucket(bucketBooks)
	if tx.Writable() {
		root, err := books.CreateBucketIfNotExists([]byte(user))
		if err != nil {
			return nil, err
		}
		b.root = root
		for _, sub := range []struct {
			name []byte
			into **bolt.Bucket
		}{{bucketCards, &b.cards}, {bucketLog, &b.log}, {bucketNames, &b.names}, {bucketUIDs, &b.uids}} {
			bk, err := root.CreateBucketIfNotExists(sub.name)
			if err != nil {
				return nil, err
			}
			*sub.into = bk
		}
		return b, nil
	}
	if b.root = books.Bucket([]byte(user)); b.root != nil {
		b.cards, b.log, b.names, b.uids = b.root.Bucket(bucketCards), b.root.Bucket(bucketLog), b.root.Bucket(bucketNames), b.root.Bucket(bucketUIDs)
		if b.cards == nil || b.log == nil || b.names == nil || b.uids == nil {
			return nil, fmt.Errorf("%s: the book of %s is damaged (a bucket is missing)", s.path, user)
		}
	}
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

// rev is the book's last revision (0 for a book never written).
func (b *bookTx) rev() uint64 {
	if b.root == nil {
		return 0
	}
	if v := b.root.Get(keyRev); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// get returns a live resource and its bytes (valid until the transaction ends).
func (b *bookTx) get(name string) (entry, string, []byte, bool, error) {
	if b.cards == nil {
		return entry{}, "", nil, false, nil
	}
	v := b.cards.Get([]byte(name))
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
	if b.uids == nil || uid == "" {
		return "", false
	}
	v := b.uids.Get([]byte(uid))
	return string(v), v != nil
}

// nextRev takes the next revision from the file-wide counter and records it as
// the book's last one, then moves the resource's log entry to it.
func (b *bookTx) logChange(name string, deleted bool) (uint64, error) {
	meta := b.tx.Bucket(bucketMeta)
	rev := uint64(1)
	if v := meta.Get(keyRev); len(v) == 8 {
		rev = binary.BigEndian.Uint64(v) + 1
	}
	if err := meta.Put(keyRev, revKey(rev)); err != nil {
		return 0, err
	}
	if err := b.root.Put(keyRev, revKey(rev)); err != nil {
		return 0, err
	}
	if old := b.names.Get([]byte(name)); len(old) == 8 {
		if err := b.log.Delete(old); err != nil {
			return 0, err
		}
	}
	flag := byte(0)
	if deleted {
		flag = 1
	}
	if err := b.log.Put(revKey(rev), append([]byte{flag}, name...)); err != nil {
		return 0, err
	}
	return rev, b.names.Put([]byte(name), revKey(rev))
}

// put stores data as name, indexed under uid ("" for none); it returns the new entry.
func (b *bookTx) put(name, uid string, data []byte, now time.Time) (entry, error) {
	_, oldUID, _, exists, err := b.get(name)
	if err != nil {
		return entry{}, err
	}
	if exists && oldUID != "" && oldUID != uid {
		if err := b.uids.Delete([]byte(oldUID)); err != nil {
			return entry{}, err
		}
	}
	if uid != "" {
		if err := b.uids.Put([]byte(uid), []byte(name)); err != nil {
			return entry{}, err
		}
	}
	rev, err := b.logChange(name, false)
	if err != nil {
		return entry{}, err
	}
	e := entry{Name: name, Rev: rev, ETag: etagOf(data), ModTime: now.UnixMilli(), Size: int64(len(data))}
	return e, b.cards.Put([]byte(name), encodeCard(&e, uid, data))
}

// remove deletes a live resource, leaving a tombstone in the log.
func (b *bookTx) remove(name string) error {
	_, uid, _, exists, err := b.get(name)
	if err != nil || !exists {
		return err
	}
	if uid != "" {
		if owner, ok := b.uidOwner(uid); ok && owner == name {
			if err := b.uids.Delete([]byte(uid)); err != nil {
				return err
			}
		}
	}
	if err := b.cards.Delete([]byte(name)); err != nil {
		return err
	}
	_, err = b.logChange(name, true)
	return err
}

// change is one log entry.
type change struct {
	Rev     uint64
	Name    string
	Deleted bool
}

// changesSince calls f for every resource changed after rev, oldest first.
func (b *bookTx) changesSince(rev uint64, f func(change) error) error {
	if b.log == nil {
		return nil
	}
	c := b.log.Cursor()
	for k, v := c.Seek(revKey(rev + 1)); k != nil; k, v = c.Next() {
		if len(k) != 8 || len(v) < 1 {
			return fmt.Errorf("the change log of %s is damaged", b.user)
		}
		if err := f(change{Rev: binary.BigEndian.Uint64(k), Name: string(v[1:]), Deleted: v[0] == 1}); err != nil {
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
