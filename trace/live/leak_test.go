package live

import (
	"testing"

	"go.uber.org/goleak"
)

// Each connection runs a reader goroutine; every one must be gone when the tests end.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
