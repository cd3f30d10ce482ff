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
//	accounts.json                 every account and its device passwords (hashed)
//	books/<userName>/journal      one JSON line per change: the book's history
//	books/<userName>/data         the vCards, appended one after the other
//
// A PUT appends the card to data, then a journal line naming its offset and size:
// two appends, no file per card (a file and a rename per card cost most of a
// backup's time). The journal is also what sync tokens count: a token names a
// journal revision, and a sync answers every resource whose last change is
// later. On open the journal is replayed; a last line cut short, or one pointing
// past the end of data, ends the replay (a crash mid-write loses that write
// only), and a book that is mostly dead space is compacted. Writes go to the
// operating system at once (no fsync: a crash of the machine, not of the
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
	Offset  int64  `json:"off,omitempty"` // where the card starts in data
	Size    int64  `json:"size,omitempty"`
	ModTime int64  `json:"mod,omitempty"` // ms
	Deleted bool   `json:"del,omitempty"`
}

// book is one address book on disk, with its journal replayed in memory.
type book struct {
	dir      string
	rev      uint64
	entries  map[string]*journalEntry // latest entry per resource name, tombstones included
	journal  *os.File
	data     *os.File
	dataSize int64
	lines    int // journal lines, for the compaction decision
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

// openBook replays a book's journal, then compacts it when most of it is dead.
func openBook(dir string) (*book, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	b := &book{dir: dir, entries: make(map[string]*journalEntry)}
	var err error
	if b.data, err = os.OpenFile(filepath.Join(dir, "data"), os.O_RDWR|os.O_CREATE, 0o600); err != nil {
		return nil, err
	}
	if b.journal, err = os.OpenFile(filepath.Join(dir, "journal"), os.O_RDWR|os.O_CREATE, 0o600); err != nil {
		b.data.Close()
		return nil, err
	}
	if err := b.replay(); err != nil {
		b.close()
		return nil, err
	}
	if b.lines > 64 && b.lines > 4*b.liveCount() {
		if err := b.compact(); err != nil {
			b.close()
			return nil, fmt.Errorf("compacting %s: %w", dir, err)
		}
	}
	return b, nil
}

func (b *book) replay() error {
	st, err := b.data.Stat()
	if err != nil {
		return err
	}
	dataSize := st.Size()
	r := bufio.NewReader(b.journal)
	var good, end int64
	for {
		line, err := r.ReadBytes('\n')
		if err == io.EOF {
			break // a partial last line (no newline) is dropped below
		}
		if err != nil {
			return err
		}
		var e journalEntry
		if json.Unmarshal(bytes.TrimSpace(line), &e) != nil || e.Rev <= b.rev || !validName(e.Name) ||
			e.Offset < 0 || e.Size < 0 || e.Offset+e.Size > dataSize {
			break // corruption, or a card whose bytes never reached data: keep what came before
		}
		good += int64(len(line))
		b.rev = e.Rev
		b.lines++
		entry := e
		b.entries[e.Name] = &entry
		if !e.Deleted {
			end = max(end, e.Offset+e.Size)
		}
	}
	if err := b.journal.Truncate(good); err != nil {
		return err
	}
	if _, err := b.journal.Seek(good, io.SeekStart); err != nil {
		return err
	}
	// Bytes after the last journalled card belong to a write the journal never got.
	b.dataSize = max(end, b.lastDataEnd())
	if b.dataSize < dataSize {
		if err := b.data.Truncate(b.dataSize); err != nil {
			return err
		}
	}
	return nil
}

// lastDataEnd is the end of the furthest card any journal entry (dead or alive) names.
func (b *book) lastDataEnd() int64 {
	var end int64
	for _, e := range b.entries {
		end = max(end, e.Offset+e.Size)
	}
	return end
}

func (b *book) liveCount() int {
	n := 0
	for _, e := range b.entries {
		if !e.Deleted {
			n++
		}
	}
	return n
}

// compact rewrites data and journal with the live cards and the tombstones
// (sync tokens still need them), keeping every revision number.
func (b *book) compact() error {
	var entries []*journalEntry
	for _, e := range b.entries {
		entries = append(entries, e)
	}
	slices.SortFunc(entries, func(x, y *journalEntry) int { return cmp.Compare(x.Rev, y.Rev) })
	var data, journal bytes.Buffer
	for _, e := range entries {
		ne := *e
		if !e.Deleted {
			card, err := b.read(e.Name)
			if err != nil {
				return err
			}
			ne.Offset = int64(data.Len())
			data.Write(card)
		}
		line, err := json.Marshal(&ne)
		if err != nil {
			return err
		}
		journal.Write(append(line, '\n'))
		*e = ne
	}
	if err := writeAtomic(filepath.Join(b.dir, "data"), data.Bytes()); err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(b.dir, "journal"), journal.Bytes()); err != nil {
		return err
	}
	b.close()
	var err error
	if b.data, err = os.OpenFile(filepath.Join(b.dir, "data"), os.O_RDWR, 0o600); err != nil {
		return err
	}
	if b.journal, err = os.OpenFile(filepath.Join(b.dir, "journal"), os.O_RDWR|os.O_APPEND, 0o600); err != nil {
		return err
	}
	b.dataSize, b.lines = int64(data.Len()), len(entries)
	return nil
}

func (b *book) close() error {
	var errs []error
	if b.journal != nil {
		errs = append(errs, b.journal.Close())
		b.journal = nil
	}
	if b.data != nil {
		errs = append(errs, b.data.Close())
		b.data = nil
	}
	return errors.Join(errs...)
}

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

// read returns a live resource's card.
func (b *book) read(name string) ([]byte, error) {
	e, ok := b.live(name)
	if !ok {
		return nil, os.ErrNotExist
	}
	buf := make([]byte, e.Size)
	if _, err := b.data.ReadAt(buf, e.Offset); err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return buf, nil
}

// put appends a card and journals it; it returns the new entry.
func (b *book) put(name string, data []byte, now time.Time) (*journalEntry, error) {
	if _, err := b.data.WriteAt(data, b.dataSize); err != nil {
		return nil, err
	}
	e := &journalEntry{Rev: b.rev + 1, Name: name, ETag: etagOf(data), Offset: b.dataSize, Size: int64(len(data)),
		ModTime: now.UnixMilli()}
	if err := b.append(e); err != nil {
		return nil, err
	}
	b.dataSize += int64(len(data))
	return e, nil
}

func (b *book) remove(name string, now time.Time) error {
	return b.append(&journalEntry{Rev: b.rev + 1, Name: name, ModTime: now.UnixMilli(), Deleted: true})
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
	b.lines++
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
