//go:build linux

package metrics

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	"github.com/shmkit/shmkit/pool"
)

// square is what the pool of TestPool runs; registered at package level
// so that its workers (this test binary, re-executed) have it.
var square = pool.Register("metrics-test-square", func(_ context.Context, x int64) (int64, error) { return x * x, nil })

// A live pool exports its task counts and its workers, as promlint likes
// them.
func TestPool(t *testing.T) {
	dir := t.TempDir()
	name := segPath(t, dir)
	p, err := pool.New(context.Background(), pool.Config{Workers: 2, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := pool.Map(context.Background(), p, square, []int64{1, 2, 3, 4, 5, 6, 7}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteText(&buf, NewRegistry(dir)); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	f := parse(t, strings.NewReader(text))
	for metric, want := range map[string]float64{
		"shmkit_segment_readable": 1, "shmkit_pool_tasks_submitted_total": 7, "shmkit_pool_tasks_done_total": 7,
		"shmkit_pool_tasks_failed_total": 0, "shmkit_pool_tasks_retried_total": 0, "shmkit_pool_workers_started_total": 2,
		"shmkit_pool_tasks_queued": 0, "shmkit_pool_tasks_in_flight": 0, "shmkit_pool_workers": 2,
	} {
		if got := f.must(t, metric, "name", name, "kind", "pool"); got != want {
			t.Errorf("%s = %v, want %v", metric, got, want)
		}
	}
	if busy := f.must(t, "shmkit_pool_workers_busy", "name", name); busy > 2 { // a worker marks itself idle after it answers
		t.Errorf("shmkit_pool_workers_busy = %v of 2 workers", busy)
	}
	problems, err := promlint.New(strings.NewReader(text)).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
}
