package scenarios

import (
	"testing"

	"go.uber.org/goleak"
)

// Every run starts actor goroutines; all must be gone when the tests end.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
