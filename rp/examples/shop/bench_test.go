package main

import (
	"context"
	"testing"
	"time"

	"github.com/mozidsim/mozidsim/conform"
)

// BenchmarkPlan runs the whole built-in plan against the correct shop,
// Chromium's start included, and reports seconds per module.
//
//	go test -run '^$' -bench Plan -benchtime 3x ./rp/examples/shop
func BenchmarkPlan(b *testing.B) {
	needChromium(b)
	plan := conform.BuiltinPlan()
	var total time.Duration
	for b.Loop() {
		start := time.Now()
		s, err := conform.NewSuite(context.Background(), conform.Options{})
		if err != nil {
			b.Fatal(err)
		}
		srv := shopServer(b, s.ServeURL(), "")
		sum, err := s.Run(context.Background(), &conform.RP{Name: "shop", Kind: "privileged", Login: "#login", Logout: "#logout", SignedIn: "#email"}, srv.URL+"/", plan)
		srv.Close()
		s.Close()
		if err != nil {
			b.Fatal(err)
		}
		if sum.Counts[conform.Passed] != len(plan.Modules) {
			b.Fatalf("not every module passed: %v", sum.Counts)
		}
		total += time.Since(start)
	}
	b.ReportMetric(total.Seconds()/float64(b.N)/float64(len(plan.Modules)), "s/module")
}
