package testutil

import (
	"strconv"
	"testing"

	"github.com/shmkit/shmkit/internal/live"
)

func init() {
	Child("testutil-live-token", func([]string) error {
		t, err := live.Self()
		if err != nil {
			return err
		}
		Send("%d", t)
		Recv() // alive until killed
		return nil
	})
}

// LiveToken starts a child process that registers a liveness token and
// stays alive until killed (Proc.Kill) or the test ends. It returns the
// child and its token, for tests of what a live or dead peer looks like.
func LiveToken(t testing.TB) (*Proc, live.Token) {
	t.Helper()
	p := Start(t, "testutil-live-token")
	v, err := strconv.ParseUint(p.ReadLine(), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return p, live.Token(v)
}
