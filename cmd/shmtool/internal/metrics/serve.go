package metrics

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// Path is where Handler serves the metrics.
const Path = "/metrics"

// Handler serves g's metrics at Path in the Prometheus exposition format,
// and a line pointing there at "/". A scrape that fails (the directory
// cannot be listed) is an HTTP error, logged to log when it is not nil.
func Handler(g prometheus.Gatherer, log promhttp.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(Path, promhttp.HandlerFor(g, promhttp.HandlerOpts{
		ErrorLog:            log,
		ErrorHandling:       promhttp.HTTPErrorOnError,
		MaxRequestsInFlight: 4,
		Timeout:             30 * time.Second,
	}))
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "shmtool metrics: the segments' counters are at "+Path+"\n")
	})
	return mux
}

// shutdownGrace bounds how long Serve waits for scrapes in flight once
// its context ends.
const shutdownGrace = 5 * time.Second

// Serve serves h on ln until ctx ends, then shuts down, letting scrapes
// in flight finish for a few seconds, and returns nil; or returns the
// error that stopped it serving. It closes ln.
func Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// WriteText writes one scrape of g in the text exposition format, as
// Handler serves it.
func WriteText(w io.Writer, g prometheus.Gatherer) error {
	mfs, err := g.Gather()
	if err != nil {
		return err
	}
	enc := expfmt.NewEncoder(w, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			return err
		}
	}
	return nil
}

// Sample is one sample of a scrape, for JSON.
type Sample struct {
	Metric string            `json:"metric"`
	Type   string            `json:"type"` // "counter" or "gauge"
	Labels map[string]string `json:"labels"`
	Value  float64           `json:"value"`
}

// Samples returns one scrape of g: the samples WriteText writes, in its
// order (by metric name, then labels, as Gather sorts them).
func Samples(g prometheus.Gatherer) ([]Sample, error) {
	mfs, err := g.Gather()
	if err != nil {
		return nil, err
	}
	out := []Sample{}
	for _, mf := range mfs {
		typ := strings.ToLower(mf.GetType().String())
		for _, m := range mf.GetMetric() {
			s := Sample{Metric: mf.GetName(), Type: typ, Labels: map[string]string{}, Value: sampleValue(mf.GetType(), m)}
			for _, lp := range m.GetLabel() {
				s.Labels[lp.GetName()] = lp.GetValue()
			}
			out = append(out, s)
		}
	}
	return out, nil
}

func sampleValue(t dto.MetricType, m *dto.Metric) float64 {
	switch t {
	case dto.MetricType_COUNTER:
		return m.GetCounter().GetValue()
	case dto.MetricType_GAUGE:
		return m.GetGauge().GetValue()
	}
	return m.GetUntyped().GetValue()
}
