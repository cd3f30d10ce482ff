package scenarios

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mozidsim/mozidsim/contacts"
	"github.com/mozidsim/mozidsim/contacts/mozvcard"
)

// entry is a contact or card reduced to what expectations look at.
type entry struct {
	name  string
	id    string
	tel   []string
	email []string
	note  []string
	org   []string
}

func entryOf(c contacts.Contact) entry {
	e := entry{name: c.DisplayName(), id: c.ID, note: c.Note, org: c.Org}
	for _, t := range c.Tel {
		e.tel = append(e.tel, t.Value)
	}
	for _, m := range c.Email {
		e.email = append(e.email, m.Value)
	}
	return e
}

func (r *contactsRunner) expect(e *ContactsExpect, line int) {
	for _, se := range e.Server {
		r.expectServer(se, line)
	}
	for _, name := range sortedKeys(e.Devices) {
		r.expectDevice(name, e.Devices[name], line)
	}
}

func (r *contactsRunner) expectServer(se ServerExpect, line int) {
	prov, err := r.w.admin()
	if err != nil {
		r.fail(line, "server: the provider is down, nothing can be checked")
		return
	}
	where := "server " + se.Account
	acct, exists, err := prov.Account(se.Account)
	if err != nil {
		r.fail(line, "%s: %v", where, err)
		return
	}
	if se.Exists != nil && *se.Exists != exists {
		r.fail(line, "%s: account exists = %t, want %t", where, exists, *se.Exists)
	}
	if se.Passwords != nil && acct.Passwords != *se.Passwords {
		r.fail(line, "%s: %d device passwords, want %d", where, acct.Passwords, *se.Passwords)
	}
	if se.Requests != nil || se.Downloads != nil {
		st, err := prov.Stats()
		if err != nil {
			r.fail(line, "server: %v", err)
			return
		}
		if se.Requests != nil && !mapsEqual(st.Requests, se.Requests) {
			r.fail(line, "server: requests %s, want %s", formatCounts(st.Requests), formatCounts(se.Requests))
		}
		if se.Downloads != nil && st.CardsDownloaded != *se.Downloads {
			r.fail(line, "server: %d vCards downloaded, want %d", st.CardsDownloaded, *se.Downloads)
		}
	}
	if se.Cards == nil && se.Count == nil {
		return
	}
	var got []entry
	if exists {
		cards, err := prov.Cards(se.Account)
		if err != nil {
			r.fail(line, "%s: %v", where, err)
			return
		}
		for _, c := range cards {
			ct, err := mozvcard.Decode(c.Data)
			if err != nil {
				got = append(got, entry{name: "(unreadable " + c.Name + ")"})
				continue
			}
			got = append(got, entryOf(ct))
		}
	}
	if se.Count != nil && len(got) != *se.Count {
		r.fail(line, "%s: %d cards, want %d", where, len(got), *se.Count)
	}
	if se.Cards != nil {
		r.compareEntries(line, where, "card", got, se.Cards)
	}
}

func (r *contactsRunner) expectDevice(name string, de DeviceExpect, line int) {
	p := r.w.phone(name)
	where := "device " + name
	if de.Contacts != nil || de.Count != nil {
		all, err := p.Contacts()
		if err != nil {
			r.fail(line, "%s: %v", where, err)
			return
		}
		got := make([]entry, len(all))
		for i, c := range all {
			got[i] = entryOf(c)
		}
		if de.Count != nil && len(got) != *de.Count {
			r.fail(line, "%s: %d contacts, want %d", where, len(got), *de.Count)
		}
		if de.Contacts != nil {
			r.compareEntries(line, where, "contact", got, de.Contacts)
		}
	}
	st, err := p.Status()
	if err != nil {
		r.fail(line, "%s: %v", where, err)
		return
	}
	check := func(what string, got int, want *int) {
		if want != nil && got != *want {
			r.fail(line, "%s: %s = %d, want %d", where, what, got, *want)
		}
	}
	if de.State != "" && st.State != de.State {
		r.fail(line, "%s: state %s, want %s (reason: %q)", where, st.State, de.State, st.Reason)
	}
	if de.Reason != nil && st.Reason != *de.Reason {
		r.fail(line, "%s: reason %q, want %q", where, st.Reason, *de.Reason)
	}
	if de.Switch != nil && st.Enabled != bool(*de.Switch) {
		r.fail(line, "%s: switch %s, want %s", where, onOff(st.Enabled), onOff(bool(*de.Switch)))
	}
	check("pending", st.Pending, de.Pending)
	check("provisionings", st.Provisionings, de.Provisionings)
	check("uploaded", st.Uploaded, de.Uploaded)
	check("deleted", st.Deleted, de.Deleted)
	check("downloaded", st.Downloaded, de.Downloaded)
	check("conflicts", st.Conflicts, de.Conflicts)
	check("malformed", len(st.Malformed), de.Malformed)
	if len(de.Log) > 0 || len(de.NoLog) > 0 {
		lines, err := p.Backup.Log(p.Sys)
		if err != nil {
			r.fail(line, "%s: %v", where, err)
			return
		}
		next := 0
		for _, want := range de.Log {
			i := slices.IndexFunc(lines[next:], func(l string) bool { return strings.Contains(l, want) })
			if i < 0 {
				r.fail(line, "%s: no log line containing %q after line %d; the log is:\n      %s", where, want, next,
					strings.Join(lines, "\n      "))
				break
			}
			next += i + 1
		}
		for _, bad := range de.NoLog {
			if i := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, bad) }); i >= 0 {
				r.fail(line, "%s: log line %q should not be there", where, lines[i])
			}
		}
	}
}

// compareEntries matches expected entries to actual ones by name (then ref) and
// reports what is missing, unexpected or different.
func (r *contactsRunner) compareEntries(line int, where, what string, got []entry, want []EntryExpect) {
	used := make([]bool, len(got))
	for _, w := range want {
		best := -1
		for i, g := range got {
			if used[i] || g.name != w.Name {
				continue
			}
			if w.Ref != "" && g.id != r.labels[w.Ref] {
				continue
			}
			best = i
			if len(r.differences(g, w)) == 0 {
				break
			}
		}
		if best < 0 {
			r.fail(line, "%s: missing %s %q", where, what, w.Name)
			continue
		}
		used[best] = true
		for _, d := range r.differences(got[best], w) {
			r.fail(line, "%s: %s %q: %s", where, what, w.Name, d)
		}
	}
	for i, g := range got {
		if !used[i] {
			r.fail(line, "%s: unexpected %s %q", where, what, g.name)
		}
	}
}

func (r *contactsRunner) differences(g entry, w EntryExpect) []string {
	var out []string
	cmp := func(field string, got, want []string) {
		if want != nil && !slices.Equal(got, want) {
			out = append(out, fmt.Sprintf("%s = %q, want %q", field, got, want))
		}
	}
	cmp("tel", g.tel, w.Tel)
	cmp("email", g.email, w.Email)
	cmp("note", g.note, w.Note)
	cmp("org", g.org, w.Org)
	return out
}

func mapsEqual(got, want map[string]int) bool {
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	for k, v := range got {
		if want[k] != v {
			return false
		}
	}
	return true
}

func formatCounts(m map[string]int) string {
	parts := make([]string, 0, len(m))
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s: %d", k, m[k]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
