package backup

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/mozidsim/mozidsim/contacts"
	"github.com/mozidsim/mozidsim/contacts/davclient"
	"github.com/mozidsim/mozidsim/contacts/mozvcard"
	"github.com/mozidsim/mozidsim/internal/sim"
)

// pull brings the server's changes onto the phone ("API calls to query remote
// CardDAV server and pull contacts down", further work): sync-collection from the
// last token, ETags only, or a PROPFIND listing where the server has no sync
// tokens; addressbook-multiget for what changed; conditional saves into
// mozContacts. Unchanged contacts cost nothing: with a token, an unchanged book
// is one REPORT with an empty answer.
func (s *Service) pull(ctx *sim.Ctx, r *round) {
	s.fire(ctx, evPull)
	s.pullWanted = false
	full := s.restore
	s.restore = false
	bs := r.bs

	updated, deleted, token, err := s.remoteChanges(ctx, r, full)
	if err != nil {
		s.pullFailed(ctx, r, err)
		return
	}
	etags := make(map[string]string, len(updated))
	var fetch []string
	for _, e := range updated {
		etags[e.Name] = e.ETag
		if id, known := bs.byName[e.Name]; known {
			if bs.records[id].ETag == e.ETag {
				continue // what this phone wrote or already has
			}
			if s.queue.has(id) {
				continue // a local edit is pending: the push meets this version with a 412
			}
		} else if bs.malformed[e.Name] == e.ETag {
			continue // still the same unreadable card
		}
		fetch = append(fetch, e.Name)
	}
	fetched, err := s.download(ctx, r, fetch, etags)
	if err != nil {
		s.pullFailed(ctx, r, err)
		return
	}
	for _, f := range fetched {
		c, err := mozvcard.Decode(f.Data)
		if err != nil {
			bs.malformed[f.Name] = f.ETag
			s.status.Malformed = append(s.status.Malformed, f.Name+": "+err.Error())
			s.note(ctx, "skipping "+f.Name+": "+err.Error())
			continue
		}
		id := idFor(bs, f.Name, c)
		if s.queue.has(id) {
			continue
		}
		s.applyRemote(ctx, r, id, f.Name, f.ETag, c, f.Data, s.localRev[id])
	}
	removed := 0
	for _, name := range deleted {
		delete(bs.malformed, name)
		id, known := bs.byName[name]
		if !known || s.queue.has(id) {
			continue
		}
		s.removeRemote(ctx, r, id, s.localRev[id])
		removed++
	}
	if token != "" {
		bs.token = token
	}
	if len(fetched) > 0 || removed > 0 {
		s.note(ctx, fmt.Sprintf("pulled %d new or changed and %d deleted contacts", len(fetched), removed))
	}
	s.fire(ctx, evApply)
	if r.applies == 0 {
		s.proceed(ctx, r)
	}
}

func (s *Service) pullFailed(ctx *sim.Ctx, r *round, err error) {
	switch classify(err) {
	case unauthorized:
		s.unauthorized(ctx, r)
	case transient:
		s.backoff(ctx, "pulling changes: "+errText(err))
	default:
		s.stop(ctx, evGiveUp, "pulling changes: "+errText(err))
	}
}

// remoteChanges asks the server what changed. A listing (no token) reports as
// deleted every resource the phone knew that is not listed any more.
func (s *Service) remoteChanges(ctx *sim.Ctx, r *round, full bool) (updated []davclient.Entry, deleted []string, token string, err error) {
	bs := r.bs
	if full {
		bs.token = ""
	}
	if !bs.noSync {
		rc, cancel := s.requestContext()
		defer cancel()
		ch, err := r.book.Sync(rc, bs.token)
		if errors.Is(err, davclient.ErrInvalidToken) {
			s.note(ctx, "the server no longer knows our sync token: syncing everything")
			bs.token = ""
			ch, err = r.book.Sync(rc, "")
		}
		switch {
		case errors.Is(err, davclient.ErrSyncUnsupported):
			s.note(ctx, "no sync-collection on this server: listing the address book instead")
			bs.noSync = true
		case err != nil:
			return nil, nil, "", err
		default:
			for _, sk := range ch.Skipped {
				s.note(ctx, "ignoring "+sk)
			}
			deleted = ch.Deleted
			if bs.token == "" {
				deleted = vanished(bs, ch.Updated)
			}
			return ch.Updated, deleted, ch.Token, nil
		}
	}
	rc, cancel := s.requestContext()
	defer cancel()
	entries, skipped, err := r.book.List(rc)
	if err != nil {
		return nil, nil, "", err
	}
	for _, sk := range skipped {
		s.note(ctx, "ignoring "+sk)
	}
	return entries, vanished(bs, entries), "", nil
}

// vanished lists the resources the phone knows that a full listing lacks.
func vanished(bs *bookState, listed []davclient.Entry) []string {
	present := make(map[string]bool, len(listed))
	for _, e := range listed {
		present[e.Name] = true
	}
	var out []string
	for name := range bs.byName {
		if !present[name] {
			out = append(out, name)
		}
	}
	for name := range bs.malformed {
		if !present[name] {
			delete(bs.malformed, name)
		}
	}
	slices.Sort(out)
	return out
}

// download fetches resources with addressbook-multiget, in batches; a server that
// refuses multiget gets one GET per resource. A resource the server lists but
// cannot give is remembered like an unreadable one, so it is not asked for again
// until it changes.
func (s *Service) download(ctx *sim.Ctx, r *round, names []string, etags map[string]string) ([]davclient.Fetched, error) {
	var out []davclient.Fetched
	for start := 0; start < len(names); start += s.cfg.MultiGetSize {
		chunk := names[start:min(start+s.cfg.MultiGetSize, len(names))]
		rc, cancel := s.requestContext()
		got, missing, err := r.book.MultiGet(rc, chunk)
		cancel()
		if err != nil {
			if classify(err) != rejected {
				return nil, err
			}
			s.note(ctx, "addressbook-multiget refused ("+errText(err)+"): fetching one by one")
			got, missing, err = s.getEach(r, chunk)
			if err != nil {
				return nil, err
			}
		}
		out = append(out, got...)
		for _, name := range missing {
			r.bs.malformed[name] = etags[name]
			s.status.Malformed = append(s.status.Malformed, name+": the server could not give it")
			s.note(ctx, "skipping "+name+": the server listed it but could not give it")
		}
	}
	return out, nil
}

func (s *Service) getEach(r *round, names []string) (got []davclient.Fetched, missing []string, err error) {
	for _, name := range names {
		rc, cancel := s.requestContext()
		f, err := r.book.Get(rc, name)
		cancel()
		if err != nil {
			if classify(err) != rejected {
				return nil, nil, err
			}
			missing = append(missing, name)
			continue
		}
		got = append(got, f)
	}
	return got, missing, nil
}

// idFor names the phone contact of a remote resource: the one it already maps to,
// else the card's UID (the id the writing phone used), else the resource name.
func idFor(bs *bookState, name string, c contacts.Contact) string {
	if id, ok := bs.byName[name]; ok {
		return id
	}
	if _, taken := bs.records[c.ID]; c.ID != "" && !taken {
		return c.ID
	}
	if base := strings.TrimSuffix(name, ".vcf"); contacts.ValidID(base) {
		if _, taken := bs.records[base]; !taken {
			return base
		}
	}
	sum := sha256.Sum256([]byte(name))
	return "remote-" + hex.EncodeToString(sum[:12])
}
