//go:build linux

package pyinterop_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shmkit/shmkit/ringbuf"
)

// benchCount reads a count from the environment, or def.
func benchCount(env string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(env)); err == nil && n > 0 {
		return n
	}
	return def
}

// BenchmarkPythonCompare measures, in one run, what the Python package's
// figures are judged by: 64-byte messages from a Python producer to a Go
// consumer and to a Python one over a shmkit ring, against
// multiprocessing.Queue and multiprocessing.Pipe between two Python
// processes (python/benchmarks/compare.py), in throughput and in round
// trips. SHMKIT_PY_MESSAGES and SHMKIT_PY_ROUNDTRIPS set the counts.
//
//	go test -run '^$' -bench PythonCompare -benchtime 1x ./internal/pyinterop
func BenchmarkPythonCompare(b *testing.B) {
	msgs := benchCount("SHMKIT_PY_MESSAGES", 1_000_000)
	trips := benchCount("SHMKIT_PY_ROUNDTRIPS", 50_000)
	for range b.N {
		goRate := pythonToGo(b, msgs)
		goP50 := pythonGoRoundTrip(b, trips)
		cmd := exec.Command(pythonPath(b), filepath.Join(pythonDir, "benchmarks", "compare.py"), "--json",
			"--messages", strconv.Itoa(msgs), "--roundtrips", strconv.Itoa(trips))
		cmd.Env = append(os.Environ(), "PYTHONPATH="+pythonDir)
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("compare.py: %v", err)
		}
		var r map[string]float64
		if err := json.Unmarshal(out, &r); err != nil {
			b.Fatalf("compare.py said %q: %v", out, err)
		}
		b.ReportMetric(goRate, "py-go-msgs/s")
		b.ReportMetric(r["ring_msgs_per_sec"], "py-py-msgs/s")
		b.ReportMetric(r["queue_msgs_per_sec"], "mpqueue-msgs/s")
		b.ReportMetric(r["pipe_msgs_per_sec"], "mppipe-msgs/s")
		b.ReportMetric(r["ring_msgs_per_sec"]/r["queue_msgs_per_sec"], "ring/Queue")
		b.ReportMetric(r["ring_msgs_per_sec"]/r["pipe_msgs_per_sec"], "ring/Pipe")
		b.ReportMetric(goP50, "py-go-rtt-p50-µs")
		b.ReportMetric(r["ring_rtt_p50_us"], "py-py-rtt-p50-µs")
		b.ReportMetric(r["queue_rtt_p50_us"], "mpqueue-rtt-p50-µs")
		b.ReportMetric(r["pipe_rtt_p50_us"], "mppipe-rtt-p50-µs")
		b.ReportMetric(r["ring_rtt_p50_us"]/r["pipe_rtt_p50_us"], "ringRTT/PipeRTT")
	}
}

func pythonPath(b *testing.B) string {
	py, err := exec.LookPath("python3")
	if err != nil {
		b.Skip("python3 not installed")
	}
	return py
}

// pythonToGo returns the messages per second a Python producer writes to
// a Go consumer, from the first message read to the last.
func pythonToGo(b *testing.B, n int) float64 {
	r, name := benchRing(b, 1<<20)
	c, err := r.Consumer()
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	c.SetWait(ringbuf.Spin)
	py := startPy(b, "bench-produce", name, strconv.Itoa(n))
	py.expect("ready")
	py.send("go")
	var start time.Time
	got := 0
	for range c.Messages(context.Background()) {
		if got == 0 {
			start = time.Now()
		}
		got++
	}
	secs := time.Since(start).Seconds()
	py.finish()
	if got != n {
		b.Fatalf("read %d of %d", got, n)
	}
	return float64(n-1) / secs
}

// pythonGoRoundTrip returns the median round trip, in µs, of a Python
// process that writes 64 bytes to a Go echo and reads them back.
func pythonGoRoundTrip(b *testing.B, n int) float64 {
	ping, pingName := benchRing(b, 1<<16)
	pong, pongName := benchRing(b, 1<<16)
	c, err := ping.Consumer()
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	p, err := pong.Producer()
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	c.SetWait(ringbuf.Spin)
	p.SetWait(ringbuf.Spin)
	py := startPy(b, "bench-ping", pingName, pongName, strconv.Itoa(n))
	py.expect("ready")
	done := make(chan error, 1)
	go func() {
		for m := range c.Messages(context.Background()) {
			if err := p.Write(m); err != nil {
				done <- err
				return
			}
		}
		done <- c.Err()
	}()
	py.send("go")
	f := py.expect("done")
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	py.wait()
	p50, _ := strconv.ParseFloat(f[len(f)-2], 64)
	return p50 / 1000
}

func benchRing(b *testing.B, capacity int) (*ringbuf.Ring, string) {
	name := "shmkit-test-bench-" + strconv.Itoa(os.Getpid()) + "-" + strings.ReplaceAll(strconv.FormatInt(time.Now().UnixNano(), 36), "-", "")
	r, err := ringbuf.Create(name, ringbuf.Config{Capacity: capacity}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.Close(); os.Remove("/dev/shm/" + name) })
	return r, name
}
