package browserid

import (
	"testing"

	"go.uber.org/goleak"
)

// Nothing here should leave a goroutine behind; goleak makes sure.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
