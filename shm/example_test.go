package shm_test

import (
	"errors"
	"fmt"
	"os"

	"github.com/shmkit/shmkit/shm"
)

func exampleName() string { return fmt.Sprintf("shmkit-example-%d", os.Getpid()) }

func Example() {
	name := exampleName()
	seg, err := shm.Create(name, 4096, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer shm.Remove(name)
	defer seg.Close()
	copy(seg.Payload(), "hello from the creator")

	// Normally another process opens it by name.
	peer, err := shm.Open(name, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer peer.Close()
	fmt.Println(string(peer.Payload()[:22]))
	fmt.Println(peer.Kind(), peer.Header().PayloadSize)
	// Output:
	// hello from the creator
	// raw 4096
}

func ExampleOpenOrCreate() {
	name := exampleName()
	defer shm.Remove(name)
	for range 2 {
		seg, created, err := shm.OpenOrCreate(name, 64, nil)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("created:", created)
		seg.Close()
	}
	// Output:
	// created: true
	// created: false
}

func ExampleOpen_errors() {
	_, err := shm.Open("no-such-segment-here", nil)
	fmt.Println(errors.Is(err, shm.ErrNotExist))
	_, err = shm.Open("../etc/passwd", nil)
	fmt.Println(errors.Is(err, shm.ErrInvalidName))
	fmt.Println(err)
	// Output:
	// true
	// true
	// shm: open ../etc/passwd: invalid segment name: "../etc/passwd" contains ".."
}

// A segment made by another program without a shmkit header, here written
// directly (Python's multiprocessing.shared_memory makes such files), is
// mapped whole by OpenRaw.
func ExampleOpenRaw() {
	name := exampleName()
	if err := os.WriteFile(shm.DefaultDir+"/"+name, []byte("made elsewhere"), 0o600); err != nil {
		fmt.Println(err)
		return
	}
	defer shm.Remove(name)
	seg, err := shm.OpenRaw(name, &shm.Options{ReadOnly: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer seg.Close()
	fmt.Println(string(seg.Payload()), seg.Raw())
	// Output: made elsewhere true
}

// A struct of plain fields laid over a named segment: the typed view that
// shmkit's primitives also use to live in segments of their own.
func ExampleCreateObject() {
	type stats struct {
		Requests uint64
		Errors   uint64
	}
	name := exampleName()
	obj, err := shm.CreateObject(name, func(s *stats) error { s.Requests = 10; return nil }, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer shm.Remove(name)
	defer obj.Close()

	peer, err := shm.OpenObject[stats](name, nil) // in another process
	if err != nil {
		fmt.Println(err)
		return
	}
	defer peer.Close()
	fmt.Println(peer.Get().Requests, peer.Segment().Kind())
	// Output: 10 object
}
