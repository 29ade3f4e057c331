//go:build linux

package shmnet

import (
	"fmt"
	"strings"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
)

// TestFormatDoc: docs/FORMAT.md's connection table gives the offsets the
// code uses.
func TestFormatDoc(t *testing.T) {
	rows, section := testutil.FormatRows(t, "..", "Connection (package `shmnet`)")
	want := []string{
		fmt.Sprintf("%d 8", offMagic), fmt.Sprintf("%d 4", offVersion), fmt.Sprintf("%d 8", offCapacity),
		fmt.Sprintf("+%d 8", offWpos), fmt.Sprintf("+%d 8", offRpos),
		fmt.Sprintf("+%d 4", offReaderParked), fmt.Sprintf("+%d 4", offWriterParked),
		fmt.Sprintf("+%d 4", offWriteClosed), fmt.Sprintf("+%d 4", offReadClosed),
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Fatalf("docs/FORMAT.md connection table:\n%s\nthe code:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	for _, s := range []string{fmt.Sprintf("128 + %d·*d*", dirSize), fmt.Sprintf("%d + *d*·capacity", headerSize), fmt.Sprintf("`%#x`", magic), "@shmkit/shmnet/NAME",
		fmt.Sprintf("layout version (%d)", version), fmt.Sprintf("`%c`\nwakes the peer's reader, `%c` its writer", wakeReader, wakeWriter)} {
		if !strings.Contains(section, s) {
			t.Errorf("docs/FORMAT.md does not say %q", s)
		}
	}
}
