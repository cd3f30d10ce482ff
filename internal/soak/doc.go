// Package soak holds the bounded soak test of mozidsim's servers (issue 15):
// serve-fxa and verify-server, run as the real command on loopback, under
// concurrent well-behaved load with slow and malformed clients mixed in. It
// reports requests/s, errors, p99 latency and the servers' RSS before and
// after, and fails if a well-behaved request waits more than a few seconds
// or RSS keeps growing. It stands for no historic component.
//
// It runs only when MOZIDSIM_SOAK is set to its budget (e.g. 20s):
//
//	MOZIDSIM_SOAK=20s go test -count=1 -run TestSoak -v ./internal/soak/
package soak
