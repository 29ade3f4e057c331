package pool

import (
	"bytes"
	"testing"
)

// FuzzWire feeds hostile bytes to the readers of both messages: they
// must fail with an error, never panic or slice out of range, and what
// putTask writes must read back as it was.
func FuzzWire(f *testing.F) {
	f.Add([]byte{}, "fn", []byte("abc"), 3)
	f.Add(make([]byte, 40), "", []byte{}, 1)
	f.Add(putResultHead(nil, 1, 0, 2, 3), "square", []byte{1, 2, 3, 4, 5, 6, 7, 8}, 5)
	f.Fuzz(func(t *testing.T, msg []byte, fn string, in []byte, n int) {
		for _, read := range []func([]byte){readAllTask, readAllResult} {
			read(msg)
		}
		if len(fn) > maxName || n < 1 || n > 64 {
			return
		}
		inputs := make([][]byte, n)
		for i := range inputs {
			inputs[i] = in[:len(in)*i/n]
		}
		buf := make([]byte, taskSize(fn, inputs))
		putTask(buf, 42, fn, inputs)
		tr, err := readTask(buf)
		if err != nil || tr.id != 42 || string(tr.fn) != fn || tr.count != n {
			t.Fatalf("readTask: %+v, %v", tr, err)
		}
		for i := range inputs {
			got, err := tr.next()
			if err != nil || !bytes.Equal(got, inputs[i]) {
				t.Fatalf("input %d: %q, %v", i, got, err)
			}
		}
		if _, err := tr.next(); err == nil {
			t.Fatal("an input past the count")
		}
		res := putResultHead(nil, 7, 1, n, 9)
		for i := range inputs {
			res = putOutput(res, uint32(i%5), inputs[i])
		}
		rr, err := readResult(res)
		if err != nil || rr.id != 7 || rr.from != 1 || rr.count != n || rr.nanos != 9 {
			t.Fatalf("readResult: %+v, %v", rr, err)
		}
		for i := range inputs {
			st, got, err := rr.next()
			if err != nil || st != uint32(i%5) || !bytes.Equal(got, inputs[i]) {
				t.Fatalf("output %d: %d %q, %v", i, st, got, err)
			}
		}
	})
}

func readAllTask(msg []byte) {
	t, err := readTask(msg)
	for err == nil {
		_, err = t.next()
	}
}

func readAllResult(msg []byte) {
	r, err := readResult(msg)
	for err == nil {
		_, _, err = r.next()
	}
}
