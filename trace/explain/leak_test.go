package explain

import (
	"testing"

	"go.uber.org/goleak"
)

// Recorded walkthroughs start actor goroutines; every one must be gone when the tests end.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
