package shmsync_test

import (
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
)

func TestMain(m *testing.M) {
	testutil.Child("lock-and-hold", childLockAndHold)
	testutil.Main(m)
}
