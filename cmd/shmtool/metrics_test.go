//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/shmkit/shmkit/cmd/shmtool/internal/metrics"
	"github.com/shmkit/shmkit/dict"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/queue"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/semaphore"
	"github.com/shmkit/shmkit/shm"
)

// The metrics tests scrape a directory of their own, not /dev/shm: a
// scrape maps every segment it lists, and other packages' tests, run at
// the same time, check who maps theirs. Names are testutil.Name's, in
// that directory, so that a descriptor or mapping left open fails the run.

// runMetrics runs the metrics command (called directly: root.go
// registers it) with args until ctx ends, and returns its error.
func runMetrics(ctx context.Context, stdout, stderr io.Writer, args ...string) error {
	cmd := newMetrics(stdout, stderr)
	cmd.SetArgs(args)
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	return cmd.ExecuteContext(ctx)
}

// lineWriter sends each line written to it on lines, and keeps it all.
type lineWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	part  string
	lines chan string
}

func (w *lineWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(b)
	w.part += string(b)
	for {
		line, rest, ok := strings.Cut(w.part, "\n")
		if !ok {
			break
		}
		select {
		case w.lines <- line:
		default: // nobody reads that many
		}
		w.part = rest
	}
	return len(b), nil
}

func (w *lineWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// scrapeURL GETs url and parses the body with Prometheus's text parser.
func scrapeURL(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	return parseScrape(t, resp.Body)
}

func parseScrape(t *testing.T, r io.Reader) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.LegacyValidation)
	mfs, err := p.TextToMetricFamilies(r)
	if err != nil {
		t.Fatalf("parsing the scrape: %v", err)
	}
	return mfs
}

// sample returns the value of metric for segment name with the extra
// labels (name, value pairs), and whether there is one.
func sample(mfs map[string]*dto.MetricFamily, metric, name string, labels ...string) (float64, bool) {
	mf, ok := mfs[metric]
	if !ok {
		return 0, false
	}
	labels = append([]string{"name", name}, labels...)
next:
	for _, m := range mf.GetMetric() {
		for i := 0; i+1 < len(labels); i += 2 {
			found := false
			for _, lp := range m.GetLabel() {
				found = found || lp.GetName() == labels[i] && lp.GetValue() == labels[i+1]
			}
			if !found {
				continue next
			}
		}
		if mf.GetType() == dto.MetricType_COUNTER {
			return m.GetCounter().GetValue(), true
		}
		return m.GetGauge().GetValue(), true
	}
	return 0, false
}

func mustSample(t *testing.T, mfs map[string]*dto.MetricFamily, metric, name string, labels ...string) float64 {
	t.Helper()
	v, ok := sample(mfs, metric, name, labels...)
	if !ok {
		t.Fatalf("the scrape has no %s for %s %v", metric, filepath.Base(name), labels)
	}
	return v
}

// metrics --listen serves the counters of a ring and a queue as a
// producer writes, a mutex whose owner died, a semaphore and a dict; a
// removed segment is gone from the next scrape; the server stops with
// its context.
func TestMetricsServe(t *testing.T) {
	dir := t.TempDir()
	seg := func() string { return filepath.Join(dir, testutil.Name(t)) }
	ringName, queueName, muName, semName, dictName := seg(), seg(), seg(), seg(), seg()

	r, err := ringbuf.Create(ringName, ringbuf.Config{Capacity: 64 << 10}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rp, err := r.Producer()
	if err != nil {
		t.Fatal(err)
	}
	defer rp.Close()
	q, err := queue.Create(queueName, queue.Config{Slots: 512, MaxMessage: 128}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	qp, err := q.Producer()
	if err != nil {
		t.Fatal(err)
	}
	defer qp.Close()
	mustRun(t, "create", "--kind", "mutex", muName)
	p := testutil.Start(t, "hold-mutex", muName)
	p.Expect("locked")
	p.Kill() // dies holding it
	sem, err := semaphore.Create(semName, semaphore.Config{Value: 2, Tracked: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sem.Close()
	if !sem.TryAcquire(1) {
		t.Fatal("TryAcquire(1) of 2 failed")
	}
	d, err := dict.Create(dictName, dict.Config{Capacity: 64 << 10, MaxKey: 16, MaxValue: 64}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, k := range []string{"x", "y", "z"} {
		if _, err := d.Set([]byte(k), []byte(k), 0); err != nil {
			t.Fatal(err)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stderr := &lineWriter{lines: make(chan string, 16)}
	done := make(chan error, 1)
	go func() { done <- runMetrics(ctx, io.Discard, stderr, "--listen", "127.0.0.1:0", dir) }()
	var url string
	select {
	case line := <-stderr.lines:
		var ok bool
		if _, url, ok = strings.Cut(line, "serving "); !ok {
			t.Fatalf("metrics said %q, want where it serves", line)
		}
	case err := <-done:
		t.Fatalf("metrics ended before serving: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("metrics did not say where it serves")
	}

	msg := bytes.Repeat([]byte("p"), 100)
	write := func(n int) {
		t.Helper()
		for range n {
			if err := rp.Write(msg); err != nil {
				t.Fatal(err)
			}
			if err := qp.Write(msg); err != nil {
				t.Fatal(err)
			}
		}
	}
	write(128) // counts are published every 64 messages
	mfs := scrapeURL(t, url)
	for _, seg := range []struct{ name, kind string }{{ringName, "ring"}, {queueName, "queue"}} {
		for metric, want := range map[string]float64{"messages_total": 128, "bytes_total": 12800} {
			if got := mustSample(t, mfs, "shmkit_"+seg.kind+"_"+metric, seg.name, "kind", seg.kind, "side", "produced"); got != want {
				t.Errorf("%s %s produced = %v, want %v", seg.kind, metric, got, want)
			}
			if got := mustSample(t, mfs, "shmkit_"+seg.kind+"_"+metric, seg.name, "side", "consumed"); got != 0 {
				t.Errorf("%s %s consumed = %v, want 0", seg.kind, metric, got)
			}
		}
	}
	if got := mustSample(t, mfs, "shmkit_queue_used_slots", queueName); got != 128 {
		t.Errorf("queue used slots = %v, want 128", got)
	}
	if got := mustSample(t, mfs, "shmkit_ring_used_bytes", ringName); got < 12800 {
		t.Errorf("ring used bytes = %v, want 128 messages' worth", got)
	}
	for metric, want := range map[string]float64{"shmkit_mutex_locked": 1, "shmkit_mutex_owner_alive": 0, "shmkit_mutex_owner_dead": 1} {
		if got := mustSample(t, mfs, metric, muName, "kind", "mutex"); got != want {
			t.Errorf("%s = %v, want %v (its owner died holding it)", metric, got, want)
		}
	}
	for metric, want := range map[string]float64{"shmkit_semaphore_value": 1, "shmkit_semaphore_holders": 1} {
		if got := mustSample(t, mfs, metric, semName, "kind", "semaphore"); got != want {
			t.Errorf("%s = %v, want %v", metric, got, want)
		}
	}
	for metric, want := range map[string]float64{"shmkit_dict_entries": 3, "shmkit_dict_sets_total": 3, "shmkit_dict_evictions_total": 0} {
		if got := mustSample(t, mfs, metric, dictName, "kind", "dict"); got != want {
			t.Errorf("%s = %v, want %v", metric, got, want)
		}
	}

	write(64)
	mfs = scrapeURL(t, url)
	for _, seg := range []struct{ name, kind string }{{ringName, "ring"}, {queueName, "queue"}} {
		if got := mustSample(t, mfs, "shmkit_"+seg.kind+"_messages_total", seg.name, "side", "produced"); got != 192 {
			t.Errorf("%s messages produced after 64 more = %v, want 192", seg.kind, got)
		}
	}

	if err := shm.Remove(queueName); err != nil {
		t.Fatal(err)
	}
	mfs = scrapeURL(t, url)
	if _, ok := sample(mfs, "shmkit_segment_readable", queueName); ok {
		t.Error("a removed queue is still exported")
	}
	if _, ok := sample(mfs, "shmkit_queue_messages_total", queueName, "side", "produced"); ok {
		t.Error("a removed queue's counters are still exported")
	}
	if _, ok := sample(mfs, "shmkit_ring_messages_total", ringName, "side", "produced"); !ok {
		t.Error("the ring went with the queue")
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("metrics ended with %v once its context did, want nil; stderr %q", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("metrics still serves after its context ended")
	}
}

// metrics --once prints one scrape in the text format, and --json the
// same samples as JSON.
func TestMetricsOnceJSON(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, testutil.Name(t))
	r, err := ringbuf.Create(name, ringbuf.Config{Capacity: 4096}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p, err := r.Producer()
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := p.Write([]byte("abcd")); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Close(); err != nil { // publishes its counts
		t.Fatal(err)
	}
	var text, js bytes.Buffer
	if err := runMetrics(context.Background(), &text, io.Discard, "--once", dir); err != nil {
		t.Fatal(err)
	}
	mfs := parseScrape(t, bytes.NewReader(text.Bytes()))
	if got := mustSample(t, mfs, "shmkit_ring_messages_total", name, "side", "produced"); got != 3 {
		t.Errorf("--once: ring messages produced = %v, want 3", got)
	}
	if err := runMetrics(context.Background(), &js, io.Discard, "--json", dir); err != nil {
		t.Fatal(err)
	}
	var samples []metrics.Sample
	if err := json.Unmarshal(js.Bytes(), &samples); err != nil {
		t.Fatalf("--json: %v\n%s", err, js.String())
	}
	n := 0
	for _, mf := range mfs {
		n += len(mf.GetMetric())
	}
	if len(samples) != n {
		t.Errorf("--json has %d samples, --once %d", len(samples), n)
	}
	found := false
	for _, s := range samples {
		if s.Metric == "shmkit_ring_bytes_total" && s.Labels["name"] == name && s.Labels["kind"] == "ring" && s.Labels["side"] == "produced" {
			found = s.Value == 12 && s.Type == "counter"
		}
	}
	if !found {
		t.Errorf("--json lacks the ring's 12 bytes produced, as a counter:\n%s", js.String())
	}
}

// Bad flags are usage errors; a directory that cannot be listed is not.
func TestMetricsUsage(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"--once", "--listen", "127.0.0.1:0", dir},
		{"--json", "--listen", ":9464", dir},
		{"--listen", "nowhere", dir},
		{"--listen", "", dir},
		{dir, dir},
	} {
		err := runMetrics(context.Background(), io.Discard, io.Discard, args...)
		if !errors.As(err, new(usageError)) {
			t.Errorf("metrics %q = %v, want a usage error", args, err)
		}
	}
	err := runMetrics(context.Background(), io.Discard, io.Discard, "--once", filepath.Join(dir, "none"))
	if err == nil || errors.As(err, new(usageError)) || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("metrics of a missing directory = %v, want a runtime error", err)
	}
}
