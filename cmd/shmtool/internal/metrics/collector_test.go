//go:build linux

package metrics

import (
	"bytes"
	"context"
	"errors"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/shmkit/shmkit/cmd/shmtool/internal/kinds"
	"github.com/shmkit/shmkit/dict"
	"github.com/shmkit/shmkit/futex"
	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/queue"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/semaphore"
	"github.com/shmkit/shmkit/shm"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// The tests scrape a directory of their own, never /dev/shm: a scrape
// maps every segment it lists, and other packages' tests, running at the
// same time, check who maps theirs.

// segPath returns a unique segment name, a path in dir; testutil.Name
// puts this run's prefix in it, so that a descriptor or mapping left
// open fails the run.
func segPath(t *testing.T, dir string) string { return filepath.Join(dir, testutil.Name(t)) }

// families are the metric families of one scrape, by name.
type families map[string]*dto.MetricFamily

// parse parses a scrape in the text format with Prometheus's own parser.
func parse(t *testing.T, r io.Reader) families {
	t.Helper()
	p := expfmt.NewTextParser(model.LegacyValidation)
	mfs, err := p.TextToMetricFamilies(r)
	if err != nil {
		t.Fatalf("parsing the scrape: %v", err)
	}
	return mfs
}

// scrape writes one scrape of dir in the text format and parses it.
func scrape(t *testing.T, dir string) families {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteText(&buf, NewRegistry(dir)); err != nil {
		t.Fatal(err)
	}
	return parse(t, &buf)
}

// get returns the value of metric for the sample whose labels include
// labels (name, value pairs).
func (f families) get(metric string, labels ...string) (float64, bool) {
	mf, ok := f[metric]
	if !ok {
		return 0, false
	}
	for _, m := range mf.GetMetric() {
		if hasLabels(m, labels) {
			return sampleValue(mf.GetType(), m), true
		}
	}
	return 0, false
}

// must returns what get does, failing the test if there is no such sample.
func (f families) must(t *testing.T, metric string, labels ...string) float64 {
	t.Helper()
	v, ok := f.get(metric, labels...)
	if !ok {
		t.Fatalf("the scrape has no %s%v", metric, labels)
	}
	return v
}

// named lists the metrics that have a sample of the segment called name.
func (f families) named(name string) []string {
	var out []string
	for metric, mf := range f {
		for _, m := range mf.GetMetric() {
			if hasLabels(m, []string{"name", name}) {
				out = append(out, metric)
				break
			}
		}
	}
	slices.Sort(out)
	return out
}

func hasLabels(m *dto.Metric, labels []string) bool {
	for i := 0; i+1 < len(labels); i += 2 {
		found := false
		for _, lp := range m.GetLabel() {
			found = found || lp.GetName() == labels[i] && lp.GetValue() == labels[i+1]
		}
		if !found {
			return false
		}
	}
	return true
}

func closeAll(t *testing.T, cs ...io.Closer) {
	t.Helper()
	for _, c := range cs {
		if err := c.Close(); err != nil {
			t.Error(err)
		}
	}
}

// A ring's and a queue's counters are what was written and read, grow
// with more, and a removed segment is gone from the next scrape.
func TestRingAndQueue(t *testing.T) {
	dir := t.TempDir()
	ringName, queueName := segPath(t, dir), segPath(t, dir)
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
	rc, err := r.Consumer()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
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
	qc, err := q.Consumer()
	if err != nil {
		t.Fatal(err)
	}
	defer qc.Close()

	msg := bytes.Repeat([]byte("m"), 100)
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
	read := func(n int) {
		t.Helper()
		buf := make([]byte, 128)
		for range n {
			if _, err := rc.TryNext(); err != nil {
				t.Fatal(err)
			}
			if _, err := qc.TryRead(buf); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Counts are published every 64 messages: multiples of 64 show exactly.
	write(128)
	read(64)
	f := scrape(t, dir)
	for _, tt := range []struct {
		name, kind string
	}{{ringName, "ring"}, {queueName, "queue"}} {
		p := "shmkit_" + tt.kind + "_"
		for _, c := range []struct {
			metric, side string
			want         float64
		}{
			{"messages_total", "produced", 128}, {"bytes_total", "produced", 12800},
			{"messages_total", "consumed", 64}, {"bytes_total", "consumed", 6400},
		} {
			if got := f.must(t, p+c.metric, "name", tt.name, "kind", tt.kind, "side", c.side); got != c.want {
				t.Errorf("%s %s{side=%q} = %v, want %v", tt.kind, c.metric, c.side, got, c.want)
			}
		}
		for _, c := range []string{"waits_total", "wakeups_total"} {
			for _, side := range []string{"produced", "consumed"} {
				f.must(t, p+c, "name", tt.name, "side", side)
			}
		}
		if got := f.must(t, "shmkit_segment_readable", "name", tt.name, "kind", tt.kind); got != 1 {
			t.Errorf("%s readable = %v, want 1", tt.kind, got)
		}
		fi, err := os.Stat(tt.name)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.must(t, "shmkit_segment_size_bytes", "name", tt.name); got != float64(fi.Size()) {
			t.Errorf("%s size_bytes = %v, want %d", tt.kind, got, fi.Size())
		}
		if got := f.must(t, "shmkit_segment_creator_alive", "name", tt.name); got != 1 {
			t.Errorf("%s creator_alive = %v, want 1 (this process)", tt.kind, got)
		}
		created := f.must(t, "shmkit_segment_creation_timestamp_seconds", "name", tt.name)
		if d := time.Since(time.Unix(int64(created), 0)); d < -time.Second || d > time.Hour {
			t.Errorf("%s created %v ago", tt.kind, d)
		}
	}
	if used, capacity := f.must(t, "shmkit_ring_used_bytes", "name", ringName), f.must(t, "shmkit_ring_capacity_bytes", "name", ringName); used < 64*100 || used > capacity || capacity != 64<<10 {
		t.Errorf("ring used %v of %v bytes; want 64 messages' worth of 65536", used, capacity)
	}
	if used, capacity := f.must(t, "shmkit_queue_used_slots", "name", queueName), f.must(t, "shmkit_queue_capacity_slots", "name", queueName); used != 64 || capacity != 512 {
		t.Errorf("queue used %v of %v slots; want 64 of 512", used, capacity)
	}
	if _, ok := f.get("shmkit_stream_bytes_total", "name", ringName); ok {
		t.Error("a ring is exported as a stream too")
	}

	write(64)
	f2 := scrape(t, dir)
	for _, name := range []string{ringName, queueName} {
		kind := map[string]string{ringName: "ring", queueName: "queue"}[name]
		if got := f2.must(t, "shmkit_"+kind+"_messages_total", "name", name, "side", "produced"); got != 192 {
			t.Errorf("%s produced messages after 64 more = %v, want 192", kind, got)
		}
	}

	if err := shm.Remove(ringName); err != nil { // still mapped here; gone from the directory
		t.Fatal(err)
	}
	f3 := scrape(t, dir)
	if m := f3.named(ringName); len(m) != 0 {
		t.Errorf("a removed ring is still exported: %v", m)
	}
	if _, ok := f3.get("shmkit_queue_messages_total", "name", queueName); !ok {
		t.Error("the queue went with the ring")
	}
}

// A stream has bytes, and no messages.
func TestStream(t *testing.T) {
	dir := t.TempDir()
	name := segPath(t, dir)
	s, err := ringbuf.CreateStream(name, ringbuf.StreamConfig{Capacity: 64 << 10}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w, err := s.Writer()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(bytes.Repeat([]byte("s"), 5000)); err != nil {
		t.Fatal(err)
	}
	closeAll(t, w) // publishes its counts
	f := scrape(t, dir)
	if got := f.must(t, "shmkit_stream_bytes_total", "name", name, "kind", "stream", "side", "produced"); got != 5000 {
		t.Errorf("stream bytes produced = %v, want 5000", got)
	}
	f.must(t, "shmkit_stream_used_bytes", "name", name)
	if _, ok := f.get("shmkit_stream_messages_total", "name", name); ok {
		t.Error("a stream has shmkit_stream_messages_total")
	}
}

// params are Params that suit each kind of the table.
var params = map[string]kinds.Params{
	"raw":       {Size: 4096},
	"mutex":     {},
	"event":     {},
	"barrier":   {Parties: 2},
	"value":     {Type: "int64"},
	"array":     {Type: "uint32", Len: 100},
	"ring":      {Size: 64 << 10},
	"stream":    {Size: 64 << 10},
	"queue":     {Size: 64 << 10, Slot: 256},
	"dict":      {Size: 64 << 10, MaxKey: 16, MaxValue: 64},
	"semaphore": {Value: 2, Max: 5, Tracked: true},
	"cond":      {},
}

// stateMetric is a metric each kind with state metrics has; the kinds
// not here have none, only the segment's own.
var stateMetric = map[string]string{
	"mutex":     "shmkit_mutex_locked",
	"cond":      "shmkit_cond_locked",
	"event":     "shmkit_event_set",
	"barrier":   "shmkit_barrier_parties",
	"ring":      "shmkit_ring_messages_total",
	"stream":    "shmkit_stream_bytes_total",
	"queue":     "shmkit_queue_messages_total",
	"dict":      "shmkit_dict_entries",
	"semaphore": "shmkit_semaphore_value",
}

// Every kind of the table is exported, readable, with its state metrics;
// the metrics follow Prometheus's conventions (promlint).
func TestEveryKind(t *testing.T) {
	dir := t.TempDir()
	names := map[string]string{}
	for _, kind := range kinds.CreatableNames() { // a pool needs a program: TestPool
		p, ok := params[kind]
		if !ok {
			t.Fatalf("kind %q of the table has no params here: add them, and its metric to stateMetric if it has state", kind)
		}
		k, _ := kinds.Lookup(kind)
		seg, err := k.Create(segPath(t, dir), p, nil)
		if err != nil {
			t.Fatalf("create %s: %v", kind, err)
		}
		defer seg.Close()
		names[kind] = seg.Name()
	}
	var buf bytes.Buffer
	if err := WriteText(&buf, NewRegistry(dir)); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	f := parse(t, strings.NewReader(text))
	for kind, name := range names {
		if got := f.must(t, "shmkit_segment_readable", "name", name, "kind", kind); got != 1 {
			t.Errorf("%s: readable = %v, want 1", kind, got)
		}
		var own []string
		for _, m := range f.named(name) {
			if strings.HasPrefix(m, "shmkit_"+metricWord(kind)+"_") {
				own = append(own, m)
			}
		}
		if want, ok := stateMetric[kind]; ok && !slices.Contains(own, want) {
			t.Errorf("%s: no %s among %v", kind, want, own)
		} else if !ok && len(own) != 0 {
			t.Errorf("%s: state metrics %v; want none (or list the kind in stateMetric)", kind, own)
		}
	}
	for _, mf := range f {
		if mf.GetHelp() == "" {
			t.Errorf("%s has no HELP", mf.GetName())
		}
		if strings.HasSuffix(mf.GetName(), "_total") != (mf.GetType() == dto.MetricType_COUNTER) {
			t.Errorf("%s is a %v: counters, and only they, end in _total", mf.GetName(), mf.GetType())
		}
	}
	problems, err := promlint.New(strings.NewReader(text)).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
}

// A mutex, a semaphore and a dict show their state.
func TestMutexSemaphoreDict(t *testing.T) {
	dir := t.TempDir()
	muName, semName, dictName := segPath(t, dir), segPath(t, dir), segPath(t, dir)
	mu, err := shm.CreateObject[futex.Mutex](muName, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer mu.Close()
	sem, err := semaphore.Create(semName, semaphore.Config{Value: 3, Max: 4, Tracked: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sem.Close()
	d, err := dict.Create(dictName, dict.Config{Capacity: 64 << 10, MaxKey: 16, MaxValue: 64}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()

	if err := mu.Get().Lock(); err != nil {
		t.Fatal(err)
	}
	if !sem.TryAcquire(2) {
		t.Fatal("TryAcquire(2) of 3 failed")
	}
	for _, k := range []string{"a", "b", "c", "d", "e"} {
		if _, err := d.Set([]byte(k), []byte("v-"+k), 0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.Set([]byte("a"), []byte("again"), 0); err != nil {
		t.Fatal(err)
	}
	check := func(f families, want map[string]float64, name string) {
		t.Helper()
		for metric, v := range want {
			if got := f.must(t, metric, "name", name); got != v {
				t.Errorf("%s = %v, want %v", metric, got, v)
			}
		}
	}
	f := scrape(t, dir)
	check(f, map[string]float64{"shmkit_mutex_locked": 1, "shmkit_mutex_owner_alive": 1, "shmkit_mutex_owner_dead": 0,
		"shmkit_mutex_unrecoverable": 0, "shmkit_mutex_waiters": 0}, muName)
	check(f, map[string]float64{"shmkit_semaphore_value": 1, "shmkit_semaphore_max": 4, "shmkit_semaphore_holders": 1,
		"shmkit_semaphore_dead_holders": 0, "shmkit_semaphore_held_permits": 2, "shmkit_semaphore_reclaimed_total": 0,
		"shmkit_semaphore_rollbacks_total": 0, "shmkit_semaphore_waiters": 0}, semName)
	check(f, map[string]float64{"shmkit_dict_entries": 5, "shmkit_dict_sets_total": 6, "shmkit_dict_evictions_total": 0,
		"shmkit_dict_expiries_total": 0, "shmkit_dict_repairs_total": 0}, dictName)
	if f.must(t, "shmkit_dict_capacity_entries", "name", dictName) < 5 || f.must(t, "shmkit_dict_key_value_bytes", "name", dictName) == 0 {
		t.Error("dict capacity or bytes wrong")
	}

	if err := mu.Get().Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := sem.Release(2); err != nil {
		t.Fatal(err)
	}
	f = scrape(t, dir)
	check(f, map[string]float64{"shmkit_mutex_locked": 0, "shmkit_mutex_owner_alive": 0}, muName)
	check(f, map[string]float64{"shmkit_semaphore_value": 3, "shmkit_semaphore_holders": 0}, semName)
}

// Files without the shmkit header are neither exported nor touched, not
// even when another process holds a lock on one; segments are not
// written to.
func TestReadOnly(t *testing.T) {
	dir := t.TempDir()
	foreign := filepath.Join(dir, "other-program")
	junk := bytes.Repeat([]byte{0xAB}, 8192)
	if err := os.WriteFile(foreign, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	testutil.HoldFlock(t, foreign) // a locking scrape would wait, and time out
	ringName := segPath(t, dir)
	r, err := ringbuf.Create(ringName, ringbuf.Config{Capacity: 4096}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p, err := r.Producer()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for range 64 {
		if err := p.Write([]byte("hello")); err != nil {
			t.Fatal(err)
		}
	}
	snapshot := func() map[string]string {
		out := map[string]string{}
		for _, path := range []string{foreign, ringName} {
			b, err := os.ReadFile(path)
			fi, serr := os.Stat(path)
			if err != nil || serr != nil {
				t.Fatal(err, serr)
			}
			out[path] = string(b) + fi.ModTime().String() + fi.Mode().String()
		}
		return out
	}
	before := snapshot()
	opened := 0
	defer func(open func(string, *shm.Options) (*shm.Segment, error)) { openSegment = open }(openSegment)
	openSegment = func(name string, o *shm.Options) (*shm.Segment, error) {
		seg, err := shm.Open(name, o)
		if err == nil {
			opened++
			if !o.ReadOnly || !seg.ReadOnly() {
				t.Errorf("%s opened with %+v, read-only %v: want an observer's read-only mapping", name, *o, seg.ReadOnly())
			}
		}
		if name == foreign {
			t.Errorf("the foreign file %s was opened", name)
		}
		return seg, err
	}
	start := time.Now()
	f := scrape(t, dir)
	if d := time.Since(start); d > openTimeout {
		t.Errorf("the scrape took %v: did it wait for the foreign file's lock?", d)
	}
	if m := f.named(foreign); len(m) != 0 {
		t.Errorf("a foreign file is exported: %v", m)
	}
	if got := f.must(t, "shmkit_ring_messages_total", "name", ringName, "side", "produced"); got != 64 {
		t.Errorf("ring produced = %v, want 64", got)
	}
	if opened != 1 {
		t.Errorf("the scrape opened %d segments, want the ring", opened)
	}
	if after := snapshot(); !maps.Equal(before, after) {
		t.Error("the scrape changed a file")
	}
}

// A segment that cannot be read is exported as unreadable, without its
// state, and the others as usual.
func TestUnreadable(t *testing.T) {
	dir := t.TempDir()
	badHeader, badRing, good := segPath(t, dir), segPath(t, dir), segPath(t, dir)
	for _, name := range []string{badHeader, good} {
		seg, err := shm.Create(name, 4096, nil)
		if err != nil {
			t.Fatal(err)
		}
		closeAll(t, seg)
	}
	r, err := ringbuf.Create(badRing, ringbuf.Config{Capacity: 4096}, nil)
	if err != nil {
		t.Fatal(err)
	}
	closeAll(t, r)
	corrupt := func(path string, off int64) {
		t.Helper()
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteAt([]byte{0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef}, off); err != nil {
			t.Fatal(err)
		}
	}
	corrupt(badHeader, 0x30)           // the header's checksum fails: List says so
	corrupt(badRing, shm.HeaderSize+0) // the ring's geometry: Inspect says so
	f := scrape(t, dir)
	for name, want := range map[string]float64{badHeader: 0, badRing: 0, good: 1} {
		if got := f.must(t, "shmkit_segment_readable", "name", name); got != want {
			t.Errorf("readable = %v, want %v", got, want)
		}
	}
	if m := f.named(badRing); slices.ContainsFunc(m, func(s string) bool { return strings.HasPrefix(s, "shmkit_ring_") }) {
		t.Errorf("a corrupt ring has state metrics: %v", m)
	}
}

// A directory that cannot be listed fails the scrape.
func TestListError(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "none")
	if err := WriteText(io.Discard, NewRegistry(dir)); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("scrape of a missing directory: %v; want no such file", err)
	}
}

// collected gathers ms, as a registry would.
type collected []prometheus.Metric

func (collected) Describe(chan<- *prometheus.Desc) {}
func (c collected) Collect(ch chan<- prometheus.Metric) {
	for _, m := range c {
		ch <- m
	}
}

// A later kind whose state is of no type known here, but that carries
// messages, has what kinds.ReadFlow reads; one that carries none, nothing.
func TestFlowFallback(t *testing.T) {
	type pipeState struct{ N int }
	fl := kinds.Flow{Messages: 5, Bytes: 50, Used: 3, Capacity: 8}
	e := newEmitter("p", "pipe-x")
	if err := stateMetrics(e, pipeState{}, func() (kinds.Flow, error) { return fl, nil }); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collected(e.out))
	var buf bytes.Buffer
	if err := WriteText(&buf, reg); err != nil {
		t.Fatal(err)
	}
	f := parse(t, &buf)
	for metric, want := range map[string]float64{"shmkit_pipe_x_messages_total": 5, "shmkit_pipe_x_bytes_total": 50, "shmkit_pipe_x_used": 3, "shmkit_pipe_x_capacity": 8} {
		if got := f.must(t, metric, "name", "p", "kind", "pipe-x"); got != want {
			t.Errorf("%s = %v, want %v", metric, got, want)
		}
	}
	e = newEmitter("p", "blob")
	if err := stateMetrics(e, pipeState{}, func() (kinds.Flow, error) { return kinds.Flow{}, kinds.ErrNoFlow }); err != nil || len(e.out) != 0 {
		t.Errorf("a kind without flow: %d metrics, %v; want none, nil", len(e.out), err)
	}
	boom := errors.New("boom")
	if err := stateMetrics(newEmitter("p", "pipe"), pipeState{}, func() (kinds.Flow, error) { return kinds.Flow{}, boom }); !errors.Is(err, boom) {
		t.Errorf("a flow that fails: %v, want boom", err)
	}
}

// Serve serves the scrape at /metrics until its context ends; the JSON
// samples are the text's.
func TestServe(t *testing.T) {
	dir := t.TempDir()
	name := segPath(t, dir)
	seg, err := shm.Create(name, 4096, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reg := NewRegistry(dir)
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, Handler(reg, nil)) }()
	base := "http://" + ln.Addr().String()
	get := func(path string) (*http.Response, []byte) {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, body
	}
	resp, body := get(Path)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET %s: %s, %s", Path, resp.Status, resp.Header.Get("Content-Type"))
	}
	f := parse(t, bytes.NewReader(body))
	if got := f.must(t, "shmkit_segment_readable", "name", name, "kind", "raw"); got != 1 {
		t.Errorf("readable = %v, want 1", got)
	}
	samples, err := Samples(reg)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, mf := range f {
		n += len(mf.GetMetric())
	}
	if len(samples) != n {
		t.Errorf("Samples has %d samples, the text %d", len(samples), n)
	}
	for _, s := range samples {
		var labels []string
		for k, v := range s.Labels {
			labels = append(labels, k, v)
		}
		if got, ok := f.get(s.Metric, labels...); !ok || got != s.Value || s.Type != strings.ToLower(f[s.Metric].GetType().String()) {
			t.Errorf("sample %+v; the text has %v, %v", s, got, ok)
		}
	}
	if resp, body := get("/"); resp.StatusCode != http.StatusOK || !strings.Contains(string(body), Path) {
		t.Errorf("GET /: %s %q", resp.Status, body)
	}
	if resp, _ := get("/nope"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /nope: %s, want 404", resp.Status)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve = %v after its context ended, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve still runs after its context ended")
	}
	if _, err := http.Get(base + Path); err == nil {
		t.Error("still serving after Serve returned")
	}
}

// A scrape of a directory that cannot be listed is an HTTP error.
func TestServeListError(t *testing.T) {
	srv := Handler(NewRegistry(filepath.Join(t.TempDir(), "none")), nil)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", Path, nil))
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("scrape of a missing directory: %d, want 500", rec.Code)
	}
}

func TestMetricWord(t *testing.T) {
	for in, want := range map[string]string{"ring": "ring", "shmnet-conn": "shmnet_conn", "k8s": "k8s"} {
		if got := metricWord(in); got != want {
			t.Errorf("metricWord(%q) = %q, want %q", in, got, want)
		}
	}
}
