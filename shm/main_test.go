package shm_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"syscall"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shm"
)

func TestMain(m *testing.M) {
	testutil.Child("check-and-reply", childCheckAndReply)
	testutil.Child("open-or-create", childOpenOrCreate)
	testutil.Child("create", childCreate)
	testutil.Child("create-umask0", childCreateUmask0)
	testutil.Main(m)
}

// fill writes a pattern derived from seed into b and returns its digest.
func fill(b []byte, seed byte) string {
	for i := range b {
		b[i] = seed + byte(i*7) + byte(i>>8)
	}
	return digest(b)
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// childCheckAndReply opens args[0], reports the payload's digest, then
// fills the payload with seed 99 and reports that digest.
func childCheckAndReply(args []string) error {
	seg, err := shm.Open(args[0], nil)
	if err != nil {
		return err
	}
	defer seg.Close()
	testutil.Send("digest %s", digest(seg.Payload()))
	testutil.Send("wrote %s", fill(seg.Payload(), 99))
	return nil
}

// childOpenOrCreate waits for "go", races OpenOrCreate(args[0], args[1]),
// and reports whether it created the segment and who the creator was.
func childOpenOrCreate(args []string) error {
	size, _ := strconv.Atoi(args[1])
	testutil.Send("ready")
	if testutil.Recv() != "go" {
		return errors.New("no go")
	}
	seg, created, err := shm.OpenOrCreate(args[0], size, nil)
	if err != nil {
		return err
	}
	defer seg.Close()
	h := seg.Header()
	testutil.Send("created=%v creator=%d at=%d size=%d", created, h.CreatorPID, h.CreatedAt.UnixNano(), h.PayloadSize)
	return nil
}

// childCreate creates args[0] with args[1] payload bytes; run with a
// failpoint armed, it dies part way.
func childCreate(args []string) error {
	size, _ := strconv.Atoi(args[1])
	seg, err := shm.Create(args[0], size, nil)
	if err != nil {
		return err
	}
	return seg.Close()
}

// childCreateUmask0 creates args[0] under umask 000 with mode args[1]
// (octal, 0 for the default).
func childCreateUmask0(args []string) error {
	mode, _ := strconv.ParseUint(args[1], 8, 32)
	syscall.Umask(0)
	seg, err := shm.Create(args[0], 4096, &shm.Options{Mode: fsMode(mode)})
	if err != nil {
		return err
	}
	fmt.Println("created")
	return seg.Close()
}
