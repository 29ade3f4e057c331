package pylist_test

import (
	"errors"
	"fmt"
	"os"

	"github.com/shmkit/shmkit/pylist"
	"github.com/shmkit/shmkit/shm"
)

// Go makes a list that Python opens with
// ShareableList(name="shmkit-example-pylist-PID"), and changes it in
// place.
func Example() {
	name := fmt.Sprintf("shmkit-example-pylist-%d", os.Getpid())
	l, err := pylist.Create(name, []any{42, 2.5, true, "hello", []byte{1, 2}, nil}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer shm.Remove(name) // the creator removes it, as Python's sl.shm.unlink()
	defer l.Close()

	l.SetInt(0, -1)
	l.Set(5, "was None") // any type, if it fits the slot (8 bytes here)
	for i := range l.Len() {
		v, _ := l.Get(i)
		f, _ := l.StructFormat(i)
		fmt.Printf("%d %-8s %#v\n", i, f, v)
	}
	// Output:
	// 0 q        -1
	// 1 d        2.5
	// 2 xxxxxxx? true
	// 3 8s       "hello"
	// 4 8s       []byte{0x1, 0x2}
	// 5 8s       "was None"
}

// Reading a list that Python made:
//
//	>>> from multiprocessing.shared_memory import ShareableList
//	>>> sl = ShareableList([1, 2.5, "three"], name="prices")
func ExampleOpen() {
	l, err := pylist.Open("prices", nil)
	if err != nil {
		fmt.Println(err) // errors.Is(err, fs.ErrNotExist) if Python has not made it
		return
	}
	defer l.Close() // never unlinks: that is Python's sl.shm.unlink()
	n, err := l.Int(0)
	fmt.Println(n, err)
	s, err := l.String(2)
	fmt.Println(s, err)
}

// A str or bytes must fit the slot its item got when the list was made: the
// next multiple of 8 above its length then.
func ExampleList_Set() {
	name := fmt.Sprintf("shmkit-example-pylist-set-%d", os.Getpid())
	l, err := pylist.Create(name, []any{"abc"}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer shm.Remove(name)
	defer l.Close()

	c, _ := l.Cap(0)
	fmt.Println(c)
	fmt.Println(l.SetString(0, "12345678"))
	err = l.SetString(0, "123456789")
	fmt.Println(errors.Is(err, pylist.ErrTooLong))
	fmt.Println(l.SetFloat(0, 0.5)) // a float in a str's slot
	_, err = l.String(0)
	fmt.Println(errors.Is(err, pylist.ErrType))
	// Output:
	// 8
	// <nil>
	// true
	// <nil>
	// true
}

// The layout follows the CPython version that made the list.
func ExampleLayoutFor() {
	for _, minor := range []int{8, 9, 13, 15} {
		l, err := pylist.LayoutFor(3, minor)
		if err != nil {
			fmt.Println(minor, err)
			continue
		}
		fmt.Println(minor, l)
	}
	// Output:
	// 8 CPython 3.8
	// 9 CPython 3.9-3.14
	// 13 CPython 3.9-3.14
	// 15 pylist: unknown CPython version: 3.15 (known: 3.8 to 3.14)
}
