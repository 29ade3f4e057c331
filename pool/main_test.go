package pool_test

import (
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
)

// testutil.Main dispatches the re-executed roles, the pool's workers
// among them, before the tests run.
func TestMain(m *testing.M) { testutil.Main(m) }
