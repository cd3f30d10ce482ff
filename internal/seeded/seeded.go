// Package seeded is the deterministic byte source of the simulated servers
// (the auth server's uids, salts and session tokens; the contacts provider's
// user names and device passwords): the same seed gives the same bytes, so a
// scenario's logs repeat from run to run. It stands for no historic component.
package seeded

import (
	"io"
	mrand "math/rand/v2"
	"sync"
)

// Reader returns a reader of the PCG stream (seed, stream). Its readers may be
// on other goroutines (an HTTP server's handlers): it locks.
func Reader(seed, stream uint64) io.Reader {
	return &reader{r: mrand.New(mrand.NewPCG(seed, stream))}
}

type reader struct {
	mu sync.Mutex
	r  *mrand.Rand
}

func (s *reader) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range p {
		p[i] = byte(s.r.Uint32())
	}
	return len(p), nil
}
