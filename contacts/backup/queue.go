package backup

import "github.com/mozidsim/mozidsim/contacts"

// change is one pending local change. gen grows each time the contact changes
// again, so a push of an older version does not dequeue a newer one.
type change struct {
	id     string
	reason string
	gen    uint64
}

// queue holds pending changes in first-seen order, one entry per contact:
// backup.js's contactsQueue with the de-duplication it meant to have (its indexOf
// test was buggy and kept the spliced-out element).
type queue struct {
	order   []string
	entries map[string]*change
	nextGen uint64
}

func newQueue() *queue { return &queue{entries: make(map[string]*change)} }

// add queues a change; a contact already queued keeps its place, takes the latest
// reason and a new generation.
func (q *queue) add(id, reason string) {
	q.nextGen++
	if c, ok := q.entries[id]; ok {
		c.reason, c.gen = reason, q.nextGen
		return
	}
	q.entries[id] = &change{id: id, reason: reason, gen: q.nextGen}
	q.order = append(q.order, id)
}

func (q *queue) has(id string) bool { _, ok := q.entries[id]; return ok }

func (q *queue) len() int { return len(q.entries) }

// head returns up to n changes from the front, as copies.
func (q *queue) head(n int) []change {
	out := make([]change, 0, min(n, len(q.order)))
	for _, id := range q.order {
		if len(out) == n {
			break
		}
		out = append(out, *q.entries[id])
	}
	return out
}

// done removes a change if it has not changed since c was taken.
func (q *queue) done(c change) {
	cur, ok := q.entries[c.id]
	if !ok || cur.gen != c.gen {
		return
	}
	delete(q.entries, c.id)
	for i, id := range q.order {
		if id == c.id {
			q.order = append(q.order[:i], q.order[i+1:]...)
			break
		}
	}
}

// ids lists the queued contact ids in order.
func (q *queue) ids() []string { return append([]string(nil), q.order...) }

// isRemove reports whether a change is a deletion.
func (c change) isRemove() bool { return c.reason == contacts.ReasonRemove }
