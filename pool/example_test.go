package pool_test

import (
	"context"
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
