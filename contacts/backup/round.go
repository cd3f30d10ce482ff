package backup

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/mozidsim/mozidsim/contacts"
	"github.com/mozidsim/mozidsim/contacts/davclient"
	"github.com/mozidsim/mozidsim/contacts/mozvcard"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// round is one attempt at getting the queue onto the server (and, with sync,
// the server's changes onto the phone).
type round struct {
	email      string
	provider   *providerProfile
	custom     bool
	book       *davclient.Book
	bs         *bookState
	resetTried bool // seed step 8: the credentials were already reset once

	batch   []change
	found   map[string]*contacts.Stored
	finds   int // mozContacts.find calls awaiting answers
	applies int // remote versions awaiting mozContacts' answer
}

// bookState is what the phone knows about one address book: which contact is
// which resource, the ETag and content hash it last saw for each, the sync token.
type bookState struct {
	token     string
	noSync    bool // the server refused sync-collection: list with PROPFIND
	records   map[string]*record
	byName    map[string]string // resource name -> contact id
	malformed map[string]string // resource name -> ETag of an unreadable card
}

type record struct {
	Name string
	ETag string
	Hash string // of the vCard this phone would write for the version on the server
	// Base is the server's card when it holds more than this phone writes (a
	// card another client wrote, or one merged into): an edit is merged into it
	// so that nothing the phone does not understand is lost. Nil: the phone's
	// own card, written afresh.
	Base []byte
}

func newBookState() *bookState {
	return &bookState{records: make(map[string]*record), byName: make(map[string]string), malformed: make(map[string]string)}
}

func (bs *bookState) set(id, name, etag, hash string, base []byte) {
	if old, ok := bs.records[id]; ok && old.Name != name {
		delete(bs.byName, old.Name)
	}
	bs.records[id] = &record{Name: name, ETag: etag, Hash: hash, Base: base}
	bs.byName[name] = id
	delete(bs.malformed, name)
}

func (bs *bookState) drop(id string) {
	if rec, ok := bs.records[id]; ok {
		delete(bs.byName, rec.Name)
		delete(bs.records, id)
	}
}

// nameFor is the resource of a contact: the prototype's <contactId>.vcf unless the
// server already knows it under another name.
func (bs *bookState) nameFor(id string) string {
	if rec, ok := bs.records[id]; ok {
		return rec.Name
	}
	return id + ".vcf"
}

// contentHash identifies the vCard this phone writes for a contact.
func contentHash(c contacts.Contact) (string, []byte, error) {
	data, err := mozvcard.Encode(c)
	if err != nil {
		return "", nil, err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), data, nil
}

// cardFor is the vCard to PUT for a contact: merged into base (the server's
// card, when it holds more than the phone writes) or the phone's own (own, when
// already encoded). The second result is the base to remember for the next edit.
func (s *Service) cardFor(c contacts.Contact, base, own []byte) ([]byte, []byte, error) {
	if base == nil && own != nil && !s.cfg.WallClockREV {
		return own, nil, nil
	}
	if s.cfg.WallClockREV {
		c.Updated = time.Now().UTC()
	}
	if base == nil {
		data, err := mozvcard.Encode(c)
		return data, nil, err
	}
	data, err := mozvcard.Merge(base, c, time.Time{})
	return data, data, err
}

// foreignBase is the server's card to merge later edits into, nil when it is
// just what this phone writes for c.
func foreignBase(c contacts.Contact, data []byte) []byte {
	if ownCard(c, data) {
		return nil
	}
	return data
}

// ownCard reports whether data is exactly what this phone writes for c: then
// there is nothing of another client's to keep.
func ownCard(c contacts.Contact, data []byte) bool {
	mine, err := mozvcard.Encode(c)
	return err == nil && bytes.Equal(mine, data)
}

// alive reports whether r is still the running round (the switch may have gone
// OFF, or a newer round replaced it, while an answer was on its way).
func (s *Service) alive(r *round) bool { return s.round == r && s.enabled }

// beginRound is getCredentials(): the account, then its provider profile.
func (s *Service) beginRound(ctx *sim.Ctx) {
	r := &round{}
	s.round = r
	if s.cfg.Sync {
		s.pullWanted = true
	}
	s.getAccount(ctx, func(ctx *sim.Ctx, email string, verified bool) {
		if !s.alive(r) {
			return
		}
		if email == "" || !verified {
			s.stop(ctx, evNoUser, ReasonNoVerifiedUser)
			return
		}
		r.email = email
		s.status.Account = email
		p := s.profileFor(email)
		s.status.Provider = p.provider
		r.provider = p.current()
		r.custom = p.provider == contacts.ProviderCustom
		s.afterAccount(ctx, r)
	})
}

// afterAccount compares the phone with what it knows of the server, then gets
// credentials only if there is something to send or fetch: a phone with nothing
// to back up never provisions.
func (s *Service) afterAccount(ctx *sim.Ctx, r *round) {
	switch {
	case s.reconcile:
		s.reconcileAll(ctx, r)
	case !s.hasWork():
		s.done(ctx)
	case r.custom && (r.provider.URL == "" || r.provider.UserName == ""):
		s.stop(ctx, evGiveUp, "the user's own server is not configured")
	case r.custom && r.provider.BookURL == "":
		s.discover(ctx, r)
	case r.provider.complete():
		s.credentialsReady(ctx, r)
	case r.provider.CanProvision:
		s.provision(ctx, r)
	default:
		s.stop(ctx, evGiveUp, "no credentials, and "+r.provider.Name+" cannot provision any")
	}
}

// discover finds the address book on the user's own server (no provisioning).
func (s *Service) discover(ctx *sim.Ctx, r *round) {
	s.fire(ctx, evProvision)
	rc, cancel := s.requestContext()
	defer cancel()
	book, err := davclient.Discover(rc, s.cfg.HTTP, s.observe(ctx), r.provider.URL, r.provider.UserName, r.provider.Password)
	if err != nil {
		if davclient.StatusOf(err) == http.StatusUnauthorized {
			s.stop(ctx, evGiveUp, "unauthorized: the server refused the username and password")
			return
		}
		s.backoff(ctx, "finding the address book on "+r.provider.URL+": "+errText(err))
		return
	}
	r.provider.BookURL = book
	s.note(ctx, "using the address book "+book)
	s.credentialsReady(ctx, r)
}

// provision is backup.js provision(), seed steps 1-6: an assertion for the
// provider's audience from FxAccountsManager, POST /browserid/login, store the
// credentials for this FxA account.
func (s *Service) provision(ctx *sim.Ctx, r *round) {
	s.fire(ctx, evProvision)
	s.status.Provisionings++
	audience := r.provider.URL
	s.note(ctx, "provisioning credentials from "+r.provider.Name+" with an FxA assertion")
	s.calls.Send(ctx, wire.FxAccountsManager, wire.GetAssertion, systemAssertionCall(audience), func(ctx *sim.Ctx, ok bool, v any) {
		if !s.alive(r) {
			return
		}
		if !ok {
			s.provisioningFailed(ctx, "getAssertion rejected: "+jsText(v))
			return
		}
		assertion, _ := v.(string)
		if assertion == "" {
			s.provisioningFailed(ctx, "getAssertion gave no assertion")
			return
		}
		rc, cancel := s.requestContext()
		defer cancel()
		creds, err := davclient.Provision(rc, s.cfg.HTTP, s.observe(ctx), r.provider.URL, assertion)
		if err != nil {
			s.provisioningFailed(ctx, errText(err))
			return
		}
		s.provisionFailures = 0
		r.provider.UserName, r.provider.Password, r.provider.BookURL = creds.UserName, creds.Password, creds.BookURL
		s.note(ctx, "provisioned user "+creds.UserName+" for "+r.email)
		s.credentialsReady(ctx, r)
	})
}

// SystemOrigin is the System app's origin, the principal of its getAssertion calls.
const SystemOrigin = "app://system.gaiamobile.org"

func jsText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func (s *Service) provisioningFailed(ctx *sim.Ctx, why string) {
	s.provisionFailures++
	if s.provisionFailures >= s.cfg.MaxProvisioningAttempts {
		s.provisionFailures = 0
		s.stop(ctx, evGiveUp, fmt.Sprintf("provisioning failed %d times: %s", s.cfg.MaxProvisioningAttempts, why))
		return
	}
	s.backoff(ctx, "provisioning failed: "+why)
}

// credentialsReady is seed step 7: the phone has credentials.
func (s *Service) credentialsReady(ctx *sim.Ctx, r *round) {
	r.book = &davclient.Book{URL: r.provider.BookURL, UserName: r.provider.UserName, Password: r.provider.Password,
		HTTP: s.cfg.HTTP, Observe: s.observe(ctx)}
	s.status.BookURL = r.provider.BookURL
	bs, ok := s.books[r.provider.BookURL]
	if !ok {
		// An address book this phone never wrote to: nothing on it is known.
		bs = newBookState()
		s.books[r.provider.BookURL] = bs
		s.reconcile = true
	}
	r.bs = bs
	s.proceed(ctx, r)
}

// proceed picks the next step of a round with credentials.
func (s *Service) proceed(ctx *sim.Ctx, r *round) {
	switch {
	case !s.alive(r):
	case s.reconcile:
		s.reconcileAll(ctx, r)
	case s.queue.len() > 0:
		s.loadBatch(ctx, r)
	case s.restore || s.pullWanted:
		s.pull(ctx, r)
	default:
		s.done(ctx)
	}
}

// reconcileAll queues every contact whose current vCard the server does not
// have, and every uploaded contact the phone no longer has, by what the phone
// knows of the round's address book (nothing, before the first credentials).
func (s *Service) reconcileAll(ctx *sim.Ctx, r *round) {
	s.fire(ctx, evReconcile)
	s.reconcile = false
	bs := r.bs
	if bs == nil {
		bs = s.books[r.provider.BookURL]
	}
	if bs == nil {
		bs = newBookState()
	}
	s.calls.Send(ctx, contacts.MozContacts, contacts.GetAll, contacts.PlainCall{}, func(ctx *sim.Ctx, ok bool, v any) {
		if !s.alive(r) {
			return
		}
		all, _ := v.([]contacts.Stored)
		present := make(map[string]bool, len(all))
		queued := 0
		for _, st := range all {
			id := st.Contact.ID
			present[id] = true
			if st.Rev > s.localRev[id] {
				s.localRev[id] = st.Rev
			}
			if s.queue.has(id) {
				continue
			}
			hash, _, err := contentHash(st.Contact)
			if err != nil {
				continue
			}
			if rec, known := bs.records[id]; known && rec.Hash == hash {
				continue
			}
			s.queue.add(id, contacts.ReasonUpdate)
			queued++
		}
		for id := range bs.records {
			if !present[id] && !s.queue.has(id) {
				s.queue.add(id, contacts.ReasonRemove)
				queued++
			}
		}
		if queued > 0 {
			s.note(ctx, fmt.Sprintf("%d contacts differ from the server's copy", queued))
		}
		s.status.Pending = s.queue.len()
		if r.book == nil {
			s.afterAccount(ctx, r)
			return
		}
		s.proceed(ctx, r)
	})
}

// loadBatch is backup(): mozContacts.find for the next queued contacts.
func (s *Service) loadBatch(ctx *sim.Ctx, r *round) {
	s.fire(ctx, evLoad)
	r.batch = s.queue.head(s.cfg.BatchSize)
	r.found = make(map[string]*contacts.Stored, len(r.batch))
	r.finds = 0
	for _, c := range r.batch {
		if c.isRemove() {
			continue // nothing to find: the contact is gone
		}
		r.finds++
		id := c.id
		s.calls.Send(ctx, contacts.MozContacts, contacts.Find, contacts.FindCall{ID: id}, func(ctx *sim.Ctx, ok bool, v any) {
			if !s.alive(r) {
				return
			}
			if found, _ := v.([]contacts.Stored); ok && len(found) == 1 {
				st := found[0]
				r.found[id] = &st
				if st.Rev > s.localRev[id] {
					s.localRev[id] = st.Rev
				}
			}
			r.finds--
			if r.finds == 0 {
				s.pushBatch(ctx, r)
			}
		})
	}
	if r.finds == 0 {
		s.pushBatch(ctx, r)
	}
}

// outcome classifies what a request's failure means for the round.
type outcome int

const (
	ok           outcome = iota
	unauthorized         // 401: new credentials, once
	transient            // network, timeout, 5xx, garbage: retry later
	rejected             // any other 4xx: the server will not take it; do not retry
)

func classify(err error) outcome {
	switch st := davclient.StatusOf(err); {
	case err == nil:
		return ok
	case st == http.StatusUnauthorized:
		return unauthorized
	case st == 0, st >= 500, st == http.StatusRequestTimeout, st == http.StatusTooManyRequests:
		return transient
	default:
		return rejected
	}
}

// pushBatch is upload() for each loaded change.
func (s *Service) pushBatch(ctx *sim.Ctx, r *round) {
	s.fire(ctx, evPush)
	for _, c := range r.batch {
		res, why := s.pushOne(ctx, r, c, r.found[c.id])
		switch res {
		case ok:
			s.queue.done(c)
		case rejected:
			s.status.Rejected = append(s.status.Rejected, c.id+": "+why)
			s.note(ctx, "the server refused "+c.id+": "+why)
			s.queue.done(c)
		case unauthorized:
			s.status.Pending = s.queue.len()
			s.unauthorized(ctx, r)
			return
		case transient:
			s.status.Pending = s.queue.len()
			s.backoff(ctx, why)
			return
		}
	}
	s.status.Pending = s.queue.len()
	s.proceed(ctx, r)
}

// pushOne writes one change: PUT the contact's vCard (If-Match the last ETag seen,
// or If-None-Match * for a contact new to this book), or DELETE it.
func (s *Service) pushOne(ctx *sim.Ctx, r *round, c change, st *contacts.Stored) (outcome, string) {
	rc, cancel := s.requestContext()
	defer cancel()
	bs := r.bs
	name := bs.nameFor(c.id)
	rec := bs.records[c.id]
	if st == nil {
		if rec == nil {
			return ok, "" // never reached the server
		}
		_, err := r.book.Delete(rc, name, davclient.Condition{IfMatch: rec.ETag})
		switch davclient.StatusOf(err) {
		case http.StatusNotFound:
			bs.drop(c.id)
			return ok, ""
		case http.StatusPreconditionFailed:
			return s.resolveConflict(ctx, r, c, nil, rec, name)
		}
		if res := classify(err); res != ok {
			return res, errText(err)
		}
		bs.drop(c.id)
		s.status.Deleted++
		return ok, ""
	}
	hash, own, err := contentHash(st.Contact)
	if err != nil {
		return rejected, err.Error()
	}
	if rec != nil && rec.Hash == hash && rec.ETag != "" {
		return ok, "" // the server has exactly this already
	}
	var base []byte
	if rec != nil {
		base = rec.Base
	}
	data, base, err := s.cardFor(st.Contact, base, own)
	if err != nil {
		return rejected, err.Error()
	}
	cond := davclient.Condition{IfNoneMatch: rec == nil}
	if rec != nil {
		cond.IfMatch = rec.ETag
	}
	w, err := r.book.Put(rc, name, data, cond)
	switch davclient.StatusOf(err) {
	case http.StatusPreconditionFailed:
		return s.resolveConflict(ctx, r, c, st, rec, name)
	case http.StatusNotFound, http.StatusConflict:
		// The collection itself is gone (RFC 4918: 409 when the parent is
		// missing): find it again, or provision again, next round, and treat
		// whatever is found as a new book (everything is uploaded again).
		delete(s.books, r.provider.BookURL)
		r.provider.BookURL = ""
		if !r.custom {
			r.provider.UserName, r.provider.Password = "", ""
		}
		return transient, "the address book is gone: " + errText(err)
	}
	if res := classify(err); res != ok {
		return res, errText(err)
	}
	bs.set(c.id, name, w.ETag, hash, base)
	s.status.Uploaded++
	return ok, ""
}

// unauthorized is seed step 8.
func (s *Service) unauthorized(ctx *sim.Ctx, r *round) {
	if r.custom {
		s.stop(ctx, evGiveUp, "unauthorized: the server refused the username and password")
		return
	}
	if r.resetTried {
		s.stop(ctx, evGiveUp, "unauthorized again after provisioning new credentials")
		return
	}
	r.resetTried = true
	s.note(ctx, "401 from the CardDAV server: clearing the credentials and provisioning again")
	r.provider.UserName, r.provider.Password, r.provider.BookURL = "", "", ""
	s.provision(ctx, r)
}

// backoff waits (virtual time) before trying again, doubling each time.
func (s *Service) backoff(ctx *sim.Ctx, why string) {
	s.fire(ctx, evBackoff)
	if s.retryDelay == 0 {
		s.retryDelay = s.cfg.RetryBase
	} else {
		s.retryDelay = min(2*s.retryDelay, s.cfg.RetryMax)
	}
	s.status.Reason = why
	s.note(ctx, fmt.Sprintf("%s; retrying in %s", why, s.retryDelay))
	s.retryTimer = ctx.After(s.retryDelay, msgRetry, nil)
	s.retryArmed = true
	s.endRound(ctx)
}

// stop gives up quietly until the next trigger.
func (s *Service) stop(ctx *sim.Ctx, ev, why string) {
	s.fire(ctx, ev)
	s.status.Reason = why
	s.note(ctx, "stopped: "+why)
	s.endRound(ctx)
}

// done ends a successful round.
func (s *Service) done(ctx *sim.Ctx) {
	s.fire(ctx, evDone)
	s.status.Reason = ""
	s.retryDelay = 0
	s.provisionFailures = 0
	s.endRound(ctx)
	if s.cfg.Sync && s.cfg.SyncInterval > 0 && !s.periodicArmed && s.enabled {
		s.periodicArmed = true
		ctx.After(s.cfg.SyncInterval, msgPeriodic, nil)
	}
	if s.queue.len() > 0 || s.restore {
		s.schedule(ctx, false)
	}
}

func (s *Service) endRound(ctx *sim.Ctx) {
	s.round = nil
	s.status.Pending = s.queue.len()
	s.runDeferred(ctx)
}

// localNewer is the conflict rule: is the phone's edit newer than the server's
// version? Both are compared at the vCard REV's precision (seconds); a tie is not
// newer, so the server's copy wins it.
func localNewer(local, remote contacts.Contact) bool {
	return local.Updated.Truncate(time.Second).After(remote.Updated.Truncate(time.Second))
}

// resolveConflict handles a 412: someone changed (or removed, or created) the
// resource since this phone last saw it. The rule, documented in the README:
//
//   - both sides edited: the newer `updated` (vCard REV) wins; a tie goes to the
//     server's copy (it is the version another device already agreed on);
//   - edited here, deleted there: the edit wins and is written back;
//   - deleted here, edited there: the edit wins and comes back onto the phone;
//   - deleted on both sides: nothing to do;
//   - the server's copy cannot be read: the phone's version replaces it.
func (s *Service) resolveConflict(ctx *sim.Ctx, r *round, c change, st *contacts.Stored, rec *record, name string) (outcome, string) {
	s.status.Conflicts++
	rc, cancel := s.requestContext()
	defer cancel()
	remote, err := r.book.Get(rc, name)
	if davclient.StatusOf(err) == http.StatusNotFound {
		if st == nil {
			s.note(ctx, "conflict on "+c.id+": deleted here and on the server")
			r.bs.drop(c.id)
			return ok, ""
		}
		s.note(ctx, "conflict on "+c.id+": deleted on the server, edited here: the edit wins")
		return s.putResolved(ctx, r, c, st, name, nil, davclient.Condition{IfNoneMatch: true})
	}
	if res := classify(err); res != ok {
		return res, errText(err)
	}
	remoteContact, derr := mozvcard.Decode(remote.Data)
	switch {
	case st == nil && derr != nil:
		s.note(ctx, "conflict on "+c.id+": deleted here, unreadable on the server: deleting it")
		_, err := r.book.Delete(rc, name, davclient.Condition{IfMatch: remote.ETag})
		if res := classify(err); res != ok && davclient.StatusOf(err) != http.StatusNotFound {
			return res, errText(err)
		}
		r.bs.drop(c.id)
		return ok, ""
	case st == nil:
		s.note(ctx, "conflict on "+c.id+": deleted here, edited on the server: the edit wins and comes back")
		s.applyRemote(ctx, r, c.id, name, remote.ETag, remoteContact, remote.Data, 0)
		return ok, ""
	case derr != nil:
		s.note(ctx, "conflict on "+c.id+": the server's copy is unreadable ("+derr.Error()+"): the phone's version replaces it")
		return s.putResolved(ctx, r, c, st, name, nil, davclient.Condition{IfMatch: remote.ETag})
	case localNewer(st.Contact, remoteContact):
		s.note(ctx, fmt.Sprintf("conflict on %s: edited on both sides, this phone's edit (%s) is newer than the server's (%s): the phone wins",
			c.id, st.Contact.Updated.Format(time.RFC3339), remoteContact.Updated.Format(time.RFC3339)))
		return s.putResolved(ctx, r, c, st, name, foreignBase(remoteContact, remote.Data), davclient.Condition{IfMatch: remote.ETag})
	default:
		s.note(ctx, fmt.Sprintf("conflict on %s: edited on both sides, the server's edit (%s) is not older than this phone's (%s): the server wins",
			c.id, remoteContact.Updated.Format(time.RFC3339), st.Contact.Updated.Format(time.RFC3339)))
		s.applyRemote(ctx, r, c.id, name, remote.ETag, remoteContact, remote.Data, st.Rev)
		return ok, ""
	}
}

// putResolved writes the phone's version after a conflict; another 412 means the
// resource keeps changing under us: try again later.
func (s *Service) putResolved(ctx *sim.Ctx, r *round, c change, st *contacts.Stored, name string, base []byte, cond davclient.Condition) (outcome, string) {
	rc, cancel := s.requestContext()
	defer cancel()
	hash, own, err := contentHash(st.Contact)
	if err != nil {
		return rejected, err.Error()
	}
	data, base, err := s.cardFor(st.Contact, base, own)
	if err != nil {
		return rejected, err.Error()
	}
	w, err := r.book.Put(rc, name, data, cond)
	if davclient.StatusOf(err) == http.StatusPreconditionFailed {
		return transient, "conflict on " + c.id + " keeps changing on the server"
	}
	if res := classify(err); res != ok {
		return res, errText(err)
	}
	r.bs.set(c.id, name, w.ETag, hash, base)
	s.status.Uploaded++
	return ok, ""
}

// applyRemote writes a server version into mozContacts, on the condition that the
// local contact is still at expectRev (0: absent). A refusal means the user edited
// it meanwhile: that edit is queued and will meet the server's version with a 412.
func (s *Service) applyRemote(ctx *sim.Ctx, r *round, id, name, etag string, c contacts.Contact, data []byte, expectRev uint64) {
	base := foreignBase(c, data)
	c.ID = id
	hash, _, err := contentHash(c)
	if err != nil {
		return
	}
	r.bs.set(id, name, etag, hash, base)
	r.applies++
	s.calls.Send(ctx, contacts.MozContacts, contacts.Save, contacts.SaveCall{Contact: c, KeepUpdated: true, Conditional: true, ExpectRev: expectRev}, func(ctx *sim.Ctx, ok bool, v any) {
		s.applied(ctx, r, id, ok, v)
	})
}

// removeRemote removes a contact the server no longer has, on the same condition.
func (s *Service) removeRemote(ctx *sim.Ctx, r *round, id string, expectRev uint64) {
	r.bs.drop(id)
	r.applies++
	s.calls.Send(ctx, contacts.MozContacts, contacts.Remove, contacts.RemoveCall{ID: id, Conditional: true, ExpectRev: expectRev}, func(ctx *sim.Ctx, ok bool, v any) {
		if ok {
			s.status.RemovedLocal++
		}
		s.applied(ctx, r, id, ok || v == contacts.ErrNotFound, v)
	})
}

func (s *Service) applied(ctx *sim.Ctx, r *round, id string, ok bool, v any) {
	if ok {
		if saved, isSaved := v.(contacts.Saved); isSaved {
			if saved.Reason == contacts.ReasonRemove {
				delete(s.localRev, id)
			} else {
				s.localRev[id] = max(s.localRev[id], saved.Rev)
				s.status.Downloaded++
			}
		}
	} else {
		s.note(ctx, "contact "+id+" changed on the phone while the server's version was arriving: the phone's edit is queued")
		s.queue.add(id, contacts.ReasonUpdate)
		s.status.Pending = s.queue.len()
	}
	r.applies--
	if s.alive(r) && r.applies == 0 && s.machine.Current() == StApplying {
		s.proceed(ctx, r)
	}
}

// systemAssertionCall asks FxAccountsManager for an assertion for audience as
// the System app (certified), which is where the backup service runs.
func systemAssertionCall(audience string) wire.GetAssertionCall {
	return wire.GetAssertionCall{Audience: audience, Principal: &wire.Principal{Origin: SystemOrigin, AppStatus: wire.AppCertified}}
}
