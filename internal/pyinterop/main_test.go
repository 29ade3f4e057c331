//go:build linux

package pyinterop_test

import (
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }
