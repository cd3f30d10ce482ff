package contactsprovider

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The storage layout under Config.Dir:
//
//	accounts.json                     every account and its device passwords (hashed)
//	books/<userName>/journal          one JSON line per change: the book's history
//	books/<userName>/cards/<name>     the current vCard of each live resource
//
// The journal is what sync tokens count: a token names a journal revision, and a
// sync answers every resource whose last change is later. Writes go through to
// the operating system at once (no fsync: a crash of the machine, not of the
// process, may lose the last changes).

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

type accountsFile struct {
	Accounts []*account `json:"accounts"`
}

// journalEntry is one line of a book's journal.
type journalEntry struct {
	Rev     uint64 `json:"rev"`
	Name    string `json:"name"`
	ETag    string `json:"etag,omitempty"`
	Size    int64  `json:"size,omitempty"`
	ModTime int64  `json:"mod,omitempty"` // ms
	Deleted bool   `json:"del,omitempty"`
}

// book is one address book on disk, with its journal replayed in memory.
type book struct {
	dir     string
	rev     uint64
	entries map[string]*journalEntry // latest entry per resource name, tombstones included
	journal *os.File
}

func accountsPath(dir string) string { return filepath.Join(dir, "accounts.json") }

func loadAccounts(dir string) ([]*account, error) {
	data, err := os.ReadFile(accountsPath(dir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var f accountsFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", accountsPath(dir), err)
	}
	for i, a := range f.Accounts {
		if a == nil || a.UID == "" || !validUserName(a.UserName) {
			return nil, fmt.Errorf("%s: account %d is incomplete", accountsPath(dir), i)
		}
	}
	return f.Accounts, nil
}

// saveAccounts replaces accounts.json atomically (write, then rename).
func saveAccounts(dir string, accounts []*account) error {
	data, err := json.MarshalIndent(accountsFile{Accounts: accounts}, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(accountsPath(dir), data)
}

func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func bookDir(dir, userName string) string { return filepath.Join(dir, "books", userName) }

// openBook replays a book's journal; a last line cut short by a crash is ignored.
func openBook(dir string) (*book, error) {
	if err := os.MkdirAll(filepath.Join(dir, "cards"), 0o700); err != nil {
		return nil, err
	}
	b := &book{dir: dir, entries: make(map[string]*journalEntry)}
	f, err := os.OpenFile(filepath.Join(dir, "journal"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	r := bufio.NewReader(f)
	var good int64
	for {
		line, err := r.ReadBytes('\n')
		if err == io.EOF {
			break // a partial last line (no newline) is dropped below
		}
		if err != nil {
			f.Close()
			return nil, err
		}
		var e journalEntry
		if json.Unmarshal(bytes.TrimSpace(line), &e) != nil || e.Rev <= b.rev || !validName(e.Name) {
			break // corruption: keep what came before it
		}
		good += int64(len(line))
		b.rev = e.Rev
		entry := e
		b.entries[e.Name] = &entry
	}
	if err := f.Truncate(good); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	b.journal = f
	return b, nil
}

func (b *book) close() error {
	if b.journal == nil {
		return nil
	}
	err := b.journal.Close()
	b.journal = nil
	return err
}

func (b *book) cardPath(name string) string { return filepath.Join(b.dir, "cards", name) }

func (b *book) live(name string) (*journalEntry, bool) {
	e, ok := b.entries[name]
	if !ok || e.Deleted {
		return nil, false
	}
	return e, true
}

// liveNames lists the live resources in journal order.
func (b *book) liveNames() []string {
	var out []*journalEntry
	for _, e := range b.entries {
		if !e.Deleted {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(x, y *journalEntry) int { return cmp.Compare(x.Rev, y.Rev) })
	names := make([]string, len(out))
	for i, e := range out {
		names[i] = e.Name
	}
	return names
}

// changesSince lists every resource changed after rev, in journal order.
func (b *book) changesSince(rev uint64) []journalEntry {
	var out []journalEntry
	for _, e := range b.entries {
		if e.Rev > rev {
			out = append(out, *e)
		}
	}
	slices.SortFunc(out, func(x, y journalEntry) int { return cmp.Compare(x.Rev, y.Rev) })
	return out
}

func (b *book) read(name string) ([]byte, error) { return os.ReadFile(b.cardPath(name)) }

// put stores a card and journals it; it returns the new entry.
func (b *book) put(name string, data []byte, now time.Time) (*journalEntry, error) {
	if err := writeAtomic(b.cardPath(name), data); err != nil {
		return nil, err
	}
	e := &journalEntry{Rev: b.rev + 1, Name: name, ETag: etagOf(data), Size: int64(len(data)), ModTime: now.UnixMilli()}
	if err := b.append(e); err != nil {
		return nil, err
	}
	return e, nil
}

func (b *book) remove(name string, now time.Time) error {
	e := &journalEntry{Rev: b.rev + 1, Name: name, ModTime: now.UnixMilli(), Deleted: true}
	if err := b.append(e); err != nil {
		return err
	}
	if err := os.Remove(b.cardPath(name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

func (b *book) append(e *journalEntry) error {
	line, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if _, err := b.journal.Write(append(line, '\n')); err != nil {
		return err
	}
	b.rev = e.Rev
	b.entries[e.Name] = e
	return nil
}

// etagOf is a strong ETag: the first 128 bits of the content's SHA-256.
func etagOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:16])
}

// validName accepts resource names that are safe file names: letters, digits and
// "-_.@+=", not starting with a dot, at most 200 bytes.
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
