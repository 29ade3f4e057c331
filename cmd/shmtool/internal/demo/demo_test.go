package demo

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
)

func TestMain(m *testing.M) {
	RegisterRoles() // Run's reader is this test binary, re-executed
	testutil.Main(m)
}

func TestRun(t *testing.T) {
	rep, err := Run(context.Background(), Config{Messages: 500, Size: 100})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Messages != 500 || rep.Size != 100 || rep.WriterPID != os.Getpid() || rep.ReaderPID == os.Getpid() || rep.ReaderPID == 0 ||
		!strings.HasPrefix(rep.Path, "/dev/shm/shmtool-demo-") || rep.CRC == 0 || rep.Elapsed <= 0 {
		t.Fatalf("Run = %+v", rep)
	}
	if _, err := os.Stat(rep.Path); !os.IsNotExist(err) {
		t.Fatalf("Run left %s (%v)", rep.Path, err)
	}
}

func TestRunInvalidConfig(t *testing.T) {
	for _, cfg := range []Config{{Messages: 0, Size: 1}, {Messages: 1, Size: 0}, {Messages: 1, Size: MaxSize + 1}} {
		if _, err := Run(context.Background(), cfg); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("Run(%+v) = %v, want ErrInvalidConfig", cfg, err)
		}
	}
}

// A reader on a segment that is not there ends with an error, and says
// nothing on stdout.
func TestReaderFails(t *testing.T) {
	p := testutil.Start(t, readerRole, "no-such-segment")
	if err := p.WaitError(); err == nil || !strings.Contains(p.Stderr(), "no-such-segment") {
		t.Fatalf("reader on a missing segment: %v, stderr %q; want a failure naming it", err, p.Stderr())
	}
}
