package pool_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/reexec"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/pool"
)

// execRole is the os/exec-per-task baseline: one process per task, its
// input in an argument (or, for a blob, on descriptor 3), its output on
// stdout.
const execRole = "pool-bench-exec"

func init() {
	reexec.Register(execRole, func(ctx context.Context, args []string) error {
		if len(args) == 1 && args[0] == "blob" {
			n, err := io.Copy(io.Discard, os.NewFile(3, "blob"))
			if err != nil {
				return err
			}
			fmt.Println(n)
			return nil
		}
		x, err := strconv.ParseInt(args[0], 10, 64)
		if err != nil {
			return err
		}
		fmt.Println(x * x)
		return nil
	})
}

// compareRow is one measure of BenchmarkCompare, for every contender.
type compareRow struct {
	name                         string
	unit                         string
	shmkit, python, exec, gorout float64
}

// BenchmarkCompare measures, in one run, what pool's figures are judged
// by: 2 workers of shmkit's pool, of Python's multiprocessing.Pool
// (testdata/mp_pool.py, with the machine's python3), one os/exec process
// per task, and goroutines in this process (the ceiling), on tiny tasks
// one per message, on Map as a user calls it, on the round trip of one
// task in flight, and on 1 MiB inputs. It logs the table the README
// shows.
//
//	go test -run '^$' -bench Compare -benchtime 1x ./pool
func BenchmarkCompare(b *testing.B) {
	const tiny, mapN, trips, blobs = 1_000_000, 4_000_000, 20_000, 400
	for range b.N {
		p := newPool(b, pool.Config{Workers: 2})
		ctx := context.Background()
		rows := []compareRow{
			{name: "tiny tasks, one per message", unit: "tasks/s"},
			{name: "Map as a user calls it", unit: "tasks/s"},
			{name: "round trip of one task, p50", unit: "µs"},
			{name: "1 MiB input per task", unit: "GB/s"},
		}
		rows[0].shmkit = rate(tiny, func() { must(b)(pool.Map(ctx, p, sq8, ints(tiny), pool.ChunkSize(1))) })
		rows[1].shmkit = rate(mapN, func() { must(b)(pool.Map(ctx, p, sq8, ints(mapN))) })
		rows[2].shmkit = p50(trips, func(i int) {
			r, err := pool.Submit(ctx, p, sq8, int64(i))
			if err == nil {
				_, err = r.Wait(ctx)
			}
			if err != nil {
				b.Fatal(err)
			}
		})
		in := make([][]byte, blobs)
		blob := make([]byte, 1<<20)
		for i := range in {
			in[i] = blob
		}
		rows[3].shmkit = rate(blobs, func() { must(b)(pool.Map(ctx, p, blobLen, in, pool.ChunkSize(1))) }) * (1 << 20) / 1e9
		p.Close()

		rows[0].gorout = rate(tiny, func() { goroutines(tiny, 1) })
		rows[1].gorout = rate(mapN, func() { goroutines(mapN, mapN/8) })
		rows[2].gorout = goRoundTrip(trips)

		rows[0].exec = rate(200, func() { execTasks(b, 200, false) })
		rows[1].exec = rows[0].exec
		rows[2].exec = p50(200, func(int) { execTasks(b, 1, false) })
		rows[3].exec = rate(50, func() { execTasks(b, 50, true) }) * (1 << 20) / 1e9

		py := pythonPool(b)
		rows[0].python = py["tiny_chunk1_tasks_per_sec"]
		rows[1].python = py["map_default_tasks_per_sec"]
		rows[2].python = py["latency_p50_us"]
		rows[3].python = py["blob_gb_per_sec"]

		var t strings.Builder
		fmt.Fprintf(&t, "\n| measure | shmkit pool | Python multiprocessing.Pool | os/exec per task | goroutines | shmkit/Python |\n|---|---:|---:|---:|---:|---:|\n")
		for _, r := range rows {
			ratio := r.shmkit / r.python
			if r.unit == "µs" {
				ratio = r.python / r.shmkit
			}
			gor := "—"
			if r.gorout > 0 {
				gor = human(r.gorout, r.unit)
			}
			fmt.Fprintf(&t, "| %s | %s | %s | %s | %s | %.1f× |\n", r.name, human(r.shmkit, r.unit), human(r.python, r.unit), human(r.exec, r.unit), gor, ratio)
		}
		b.Log(t.String())
		b.ReportMetric(rows[0].shmkit, "chunk1-tasks/s")
		b.ReportMetric(rows[0].shmkit/rows[0].python, "chunk1/python")
		b.ReportMetric(rows[1].shmkit/rows[1].python, "map/python")
		b.ReportMetric(rows[2].shmkit, "p50-µs")
		b.ReportMetric(rows[3].shmkit/rows[3].python, "blob/python")
	}
}

// must fails b on the error of a Map.
func must(b *testing.B) func([]int64, error) {
	return func(_ []int64, err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
}

func rate(n int, fn func()) float64 {
	start := time.Now()
	fn()
	return float64(n) / time.Since(start).Seconds()
}

func p50(n int, fn func(i int)) float64 {
	d := make([]time.Duration, n)
	for i := range d {
		start := time.Now()
		fn(i)
		d[i] = time.Since(start)
	}
	slices.Sort(d)
	return float64(d[n/2].Nanoseconds()) / 1e3
}

func human(v float64, unit string) string {
	switch {
	case unit == "µs":
		return fmt.Sprintf("%.1f µs", v)
	case unit == "GB/s":
		return fmt.Sprintf("%.2f GB/s", v)
	case v >= 1e6:
		return fmt.Sprintf("%.2f M/s", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.0f k/s", v/1e3)
	}
	return fmt.Sprintf("%.0f /s", v)
}

// goroutines squares n ints on 2 goroutines, in messages of chunk.
func goroutines(n, chunk int) {
	type job struct{ in, out []int64 }
	jobs := make(chan job, 256)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for j := range jobs {
				for i, x := range j.in {
					j.out[i] = x * x
				}
			}
		})
	}
	in, out := ints(n), make([]int64, n)
	for i := 0; i < n; i += chunk {
		end := min(i+chunk, n)
		jobs <- job{in[i:end], out[i:end]}
	}
	close(jobs)
	wg.Wait()
}

// goRoundTrip is the p50 of one task handed to a goroutine and back.
func goRoundTrip(n int) float64 {
	req, resp := make(chan int64), make(chan int64)
	go func() {
		for x := range req {
			resp <- x * x
		}
	}()
	defer close(req)
	return p50(n, func(i int) {
		req <- int64(i)
		<-resp
	})
}

// execTasks runs n tasks, one os/exec process each.
func execTasks(b *testing.B, n int, blob bool) {
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	data := make([]byte, 1<<20)
	for i := range n {
		cmd := exec.Command(exe, strconv.Itoa(i))
		cmd.Env = append(os.Environ(), reexec.EnvVar+"="+execRole)
		var w *os.File
		if blob {
			r, pw, err := os.Pipe()
			if err != nil {
				b.Fatal(err)
			}
			cmd.Args[1] = "blob"
			cmd.ExtraFiles = []*os.File{r}
			w = pw
			defer r.Close()
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		if w != nil {
			go func() {
				w.Write(data)
				w.Close()
			}()
		}
		line, _ := bufio.NewReader(out).ReadString('\n')
		if err := cmd.Wait(); err != nil || line == "" {
			b.Fatalf("exec task %d: %v %q", i, err, line)
		}
	}
}

// pythonPool runs testdata/mp_pool.py.
func pythonPool(b *testing.B) map[string]float64 {
	cmd := exec.Command(testutil.Python3(b), "testdata/mp_pool.py", "--tiny", "200000", "--default", "4000000", "--latency", "5000", "--blobs", "400")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("mp_pool.py: %v", err)
	}
	var r map[string]float64
	if err := json.Unmarshal(out, &r); err != nil {
		b.Fatalf("mp_pool.py said %q: %v", out, err)
	}
	return r
}
