package pool_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/shmkit/shmkit/pool"
)

// square is registered at package level, so that a worker (this binary,
// re-executed) has it too.
var square = pool.Register("square", func(ctx context.Context, x int) (int, error) {
	return x * x, nil
})

// The tutorials' first Pool: two workers map x*x over 1..5. A program's
// main calls pool.Main() first (TestMain does it here).
func Example() {
	ctx := context.Background()
	p, err := pool.New(ctx, pool.Config{Workers: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	out, err := pool.Map(ctx, p, square, []int{1, 2, 3, 4, 5})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out)
	// Output: [1 4 9 16 25]
}

// upper is the byte API: bytes in, bytes out, called by name.
var _ = pool.RegisterBytes("upper", func(ctx context.Context, in []byte) ([]byte, error) {
	return bytes.ToUpper(in), nil // in is shared memory: ToUpper makes a copy
})

// Pool's methods call a function by name, with bytes.
func ExamplePool_Map() {
	ctx := context.Background()
	p, err := pool.New(ctx, pool.Config{Workers: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	out, err := p.Map(ctx, "upper", [][]byte{[]byte("shared"), []byte("memory")})
	fmt.Printf("%s %v\n", out, err)
	_, err = p.Submit(ctx, "lower", []byte("x"))
	fmt.Println(errors.Is(err, pool.ErrUnknownFunc))
	// Output:
	// [SHARED MEMORY] <nil>
	// true
}

// Submit is Python's apply_async: a Result to wait on.
func ExampleSubmit() {
	ctx := context.Background()
	p, err := pool.New(ctx, pool.Config{Workers: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	r, err := pool.Submit(ctx, p, square, 12)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Wait(ctx))
	// Output: 144 <nil>
}

// Imap yields the outputs in input order, as each is ready.
func ExampleImap() {
	ctx := context.Background()
	p, err := pool.New(ctx, pool.Config{Workers: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	for v, err := range pool.Imap(ctx, p, square, []int{3, 4, 5}) {
		fmt.Println(v, err)
	}
	// Output:
	// 9 <nil>
	// 16 <nil>
	// 25 <nil>
}

// order goes through the JSON codec: a type with a string and a slice
// cannot travel as its memory.
type order struct {
	Item  string
	Sizes []int
}

var total = pool.RegisterCodec("total", func(ctx context.Context, o order) (int, error) {
	n := 0
	for _, s := range o.Sizes {
		n += s
	}
	return n, nil
}, pool.JSON[order](), pool.JSON[int]())

// Start is Python's Process: one function in a process of its own.
func ExampleStart() {
	ctx := context.Background()
	pr, err := pool.Start(ctx, total, order{Item: "tea", Sizes: []int{2, 3, 5}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(pr.Result(ctx))
	st, err := pr.Wait(ctx)
	fmt.Println(st.ExitCode(), err)
	// Output:
	// 10 <nil>
	// 0 <nil>
}
