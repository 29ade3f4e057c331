package metrics

import (
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/shmkit/shmkit/cmd/shmtool/internal/kinds"
	"github.com/shmkit/shmkit/shm"
)

// openTimeout bounds how long a scrape waits for a segment's creator to
// finish initializing it: List leaves out no segment that is not ready,
// so this only matters for one replaced between the list and the open.
const openTimeout = 100 * time.Millisecond

// openSegment is shm.Open; tests watch how it is called.
var openSegment = shm.Open

// Collector is a prometheus.Collector of the shmkit segments in a
// directory. It is unchecked (Describe sends nothing): which metrics a
// scrape yields depends on the segments there at that moment. It is safe
// for concurrent use.
type Collector struct {
	dir string
}

// NewCollector returns a Collector of the segments in dir, shm.DefaultDir
// when dir is "".
func NewCollector(dir string) *Collector { return &Collector{dir: dir} }

// NewRegistry returns a fresh registry holding only a Collector of dir.
func NewRegistry(dir string) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewCollector(dir))
	return reg
}

// Describe sends nothing: the Collector is unchecked.
func (c *Collector) Describe(chan<- *prometheus.Desc) {}

// listDesc names the error of a scrape that cannot list the directory.
var listDesc = prometheus.NewDesc("shmkit_segments_list_error", "The directory of segments could not be listed.", nil, nil)

// Collect lists the segments and sends the metrics of each. A directory
// that cannot be listed fails the scrape; a segment that cannot be read
// is exported with shmkit_segment_readable 0 and no state.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	infos, err := shm.List(c.dir)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(listDesc, err)
		return
	}
	for i := range infos {
		for _, m := range segmentMetrics(&infos[i]) {
			ch <- m
		}
	}
}

// segmentMetrics returns the metrics of the segment info lists.
func segmentMetrics(info *shm.Info) []prometheus.Metric {
	e := newEmitter(info.Name, info.Header.Kind)
	e.segment("size_bytes", "Size of the segment's file, its header included.", float64(info.Size))
	readable := false
	if info.Err == nil {
		h := info.Header
		e.segment("creator_alive", "1 if the process that created the segment still runs.", b2f(h.CreatorAlive()))
		e.segment("creation_timestamp_seconds", "When the segment was created, in seconds since the Unix epoch.",
			float64(h.CreatedAt.UnixNano())/1e9)
		if state, err := readState(info.Name, h.Kind); err == nil {
			e.out = append(e.out, state...)
			readable = true
		}
	}
	e.segment("readable", "1 if the segment's state was read at this scrape; 0 if it is listed but could not be read (corrupt, not ready, refused).", b2f(readable))
	return e.out
}

// readState opens the segment called name read-only and returns the
// metrics of its state. A fault on the mapping (a segment truncated while
// mapped) or a panic on hostile bytes is an error, for this segment only.
func readState(name, kind string) (_ []prometheus.Metric, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("metrics: reading %s: %v", name, r)
		}
	}()
	seg, err := openSegment(name, &shm.Options{ReadOnly: true, AllowOtherUsers: true, Timeout: openTimeout})
	if err != nil {
		return nil, err
	}
	defer seg.Close()
	if seg.Kind() != kind { // replaced since it was listed
		return nil, fmt.Errorf("metrics: %s: a %q segment, listed as a %q one", name, seg.Kind(), kind)
	}
	st, err := kinds.Inspect(seg)
	if err != nil {
		return nil, err
	}
	e := newEmitter(name, kind)
	if err := stateMetrics(e, st, func() (kinds.Flow, error) { return kinds.ReadFlow(seg) }); err != nil {
		return nil, err
	}
	return e.out, nil
}

// label is one label beyond name and kind.
type label struct{ name, value string }

// emitter makes the metrics of one segment.
type emitter struct {
	name, kind string
	prefix     string // "shmkit_<kind>_"
	out        []prometheus.Metric
}

func newEmitter(name, kind string) *emitter {
	return &emitter{name: name, kind: kind, prefix: "shmkit_" + metricWord(kind) + "_"}
}

// metricWord turns a kind's name (a-z, 0-9 and '-') into a word of a
// metric name.
func metricWord(kind string) string {
	return strings.Map(func(r rune) rune {
		if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, kind)
}

// counter adds shmkit_<kind>_<what>_total.
func (e *emitter) counter(what, help string, v float64, extra ...label) {
	e.add(e.prefix+what+"_total", help, prometheus.CounterValue, v, extra)
}

// gauge adds shmkit_<kind>_<what>.
func (e *emitter) gauge(what, help string, v float64, extra ...label) {
	e.add(e.prefix+what, help, prometheus.GaugeValue, v, extra)
}

// segment adds shmkit_segment_<what>, a gauge every segment has.
func (e *emitter) segment(what, help string, v float64) {
	e.add("shmkit_segment_"+what, help, prometheus.GaugeValue, v, nil)
}

func (e *emitter) add(fqName, help string, t prometheus.ValueType, v float64, extra []label) {
	names := []string{"name", "kind"}
	values := []string{e.name, e.kind}
	for _, l := range extra {
		names, values = append(names, l.name), append(values, l.value)
	}
	m, err := prometheus.NewConstMetric(prometheus.NewDesc(fqName, help, names, nil), t, v, values...)
	if err != nil { // a label value that is not UTF-8: leave the sample out
		return
	}
	e.out = append(e.out, m)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
