package bench

import (
	"encoding/xml"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Figures of a quick run (bench --quick) on a 2-core VM, rounded: the
// throughput in bytes per second at 8 B, 64 B, 1 KiB and 64 KiB, and the
// round trips of 64-byte messages, p50, p99 and p99.9 in nanoseconds.
var (
	fixtureThroughput = []struct {
		transport, mode string
		bps             [4]float64
	}{
		{"ring", "spin", [4]float64{2.61e8, 1.67e9, 1.24e10, 1.61e10}},
		{"ring", "block", [4]float64{2.16e8, 1.65e9, 1.26e10, 9.69e9}},
		{"ring-batch", "spin", [4]float64{4.66e8, 2.86e9, 1.63e10, 1.87e10}},
		{"ring-batch", "block", [4]float64{6.06e8, 3.97e9, 1.56e10, 2.84e9}},
		{"queue", "spin", [4]float64{7.74e7, 9.58e8, 1.87e9, 2.53e9}},
		{"queue", "block", [4]float64{1.63e8, 9.56e8, 8.12e9, 1.24e10}},
		{"queue-batch", "spin", [4]float64{1.05e8, 7.72e8, 7.96e9, 1.26e10}},
		{"queue-batch", "block", [4]float64{7.17e7, 5.63e8, 7.48e9, 1.16e10}},
		{"stream", "spin", [4]float64{1.57e8, 1.4e9, 8.37e9, 1.75e10}},
		{"stream", "block", [4]float64{1.72e8, 1.37e9, 9.33e9, 1.77e10}},
		{"conn", "spin", [4]float64{1.31e8, 1.37e9, 3.01e9, 6.91e9}},
		{"conn", "block", [4]float64{9.66e7, 5.73e8, 3.28e9, 6.08e9}},
		{"dict", "spin", [4]float64{2.09e7, 1.58e8, 1.46e9, 3.88e9}},
		{"pipe", "spin", [4]float64{1.22e7, 8.47e7, 7.18e8, 2e9}},
		{"pipe", "block", [4]float64{9.03e6, 6.42e7, 7.61e8, 1.89e9}},
		{"unix", "spin", [4]float64{4.14e6, 3.41e7, 5e8, 5.06e9}},
		{"unix", "block", [4]float64{3.06e6, 2.47e7, 3.42e8, 2.05e9}},
		{"unixpacket", "spin", [4]float64{4.35e6, 3.33e7, 5.03e8, 4.16e9}},
		{"unixpacket", "block", [4]float64{3.61e6, 1.93e7, 3.63e8, 2.3e9}},
		{"chan", "block", [4]float64{5.66e7, 3.28e8, 1.35e9, 1.02e10}},
		{"floor", "spin", [4]float64{3.45e8, 6.46e8, 7.63e8, 5.67e8}},
	}
	fixtureRTT = []struct {
		transport, mode, regime string
		ns                      [3]float64
	}{
		{"ring", "spin", RegimeBackToBack, [3]float64{300, 881, 2.92e4}},
		{"ring", "block", RegimeBackToBack, [3]float64{5.96e4, 1.34e5, 1.76e5}},
		{"ring", "block", RegimeAfterIdle, [3]float64{5.03e4, 1.22e5, 1.37e5}},
		{"queue", "spin", RegimeBackToBack, [3]float64{911, 1.23e3, 1.9e4}},
		{"queue", "block", RegimeBackToBack, [3]float64{4.68e4, 1.11e5, 1.91e5}},
		{"queue", "block", RegimeAfterIdle, [3]float64{6.07e4, 1.61e5, 2.23e5}},
		{"stream", "spin", RegimeBackToBack, [3]float64{310, 661, 5.78e3}},
		{"stream", "block", RegimeBackToBack, [3]float64{5.99e4, 1.5e5, 2.03e5}},
		{"stream", "block", RegimeAfterIdle, [3]float64{8.5e4, 1.34e5, 1.82e5}},
		{"conn", "spin", RegimeBackToBack, [3]float64{280, 9.39e3, 1.86e4}},
		{"conn", "block", RegimeBackToBack, [3]float64{4.92e4, 1.52e5, 1.03e6}},
		{"dict", "spin", RegimeBackToBack, [3]float64{991, 1.44e3, 3.19e4}},
		{"pipe", "spin", RegimeBackToBack, [3]float64{1.91e3, 3.9e4, 6.47e4}},
		{"pipe", "block", RegimeBackToBack, [3]float64{8.66e3, 1.02e5, 1.2e5}},
		{"unix", "spin", RegimeBackToBack, [3]float64{4.96e3, 3.76e4, 7.77e4}},
		{"unix", "block", RegimeBackToBack, [3]float64{1.24e5, 2.06e5, 4.89e6}},
		{"unixpacket", "spin", RegimeBackToBack, [3]float64{5.58e3, 4.33e4, 6.86e4}},
		{"unixpacket", "block", RegimeBackToBack, [3]float64{1.2e5, 3.04e5, 1.34e6}},
		{"chan", "block", RegimeBackToBack, [3]float64{5.09e4, 3.2e5, 1.64e6}},
		{"limit", "spin", RegimeBackToBack, [3]float64{180, 260, 1.2e3}},
		{"futex", "block", RegimeBackToBack, [3]float64{4.47e4, 1.49e5, 1.66e5}},
		{"futex", "block", RegimeAfterIdle, [3]float64{6.85e4, 9.5e4, 1.44e5}},
	}
	fixtureSizes = []int{8, 64, 1024, 65536}
)

// fixtureReport is a report of the fixture's figures, the rows in Run's
// order.
func fixtureReport() Report {
	v := func(f float64) *float64 { return &f }
	rep := Report{
		Machine: Machine{CPU: "AMD EPYC", Cores: 2, Kernel: "6.18.44", Go: "go1.26.8", CopyBytesPerSec: 3.47e10},
		Rounds:  1,
	}
	for _, t := range Transports() {
		for _, mode := range t.Modes {
			for _, idle := range []bool{false, true} {
				if idle && !t.idleRegime(mode) {
					continue
				}
				for i, size := range fixtureSizes {
					r := Result{Transport: t.Name, Mode: mode, MsgSize: size}
					if t.RoundTrip || idle {
						r.Regime = RegimeBackToBack
						if idle {
							r.Regime = RegimeAfterIdle
						}
					}
					for _, f := range fixtureThroughput {
						if f.transport == t.Name && f.mode == mode && !idle {
							r.BytesPerSec, r.MsgsPerSec = v(f.bps[i]), v(f.bps[i]/float64(size))
						}
					}
					for _, f := range fixtureRTT {
						if f.transport == t.Name && f.mode == mode && f.regime == r.Regime && size == 64 {
							r.RTTP50, r.RTTP99, r.RTTP999 = v(f.ns[0]), v(f.ns[1]), v(f.ns[2])
						}
					}
					if r.BytesPerSec != nil || r.RTTP50 != nil {
						rep.Results = append(rep.Results, r)
					}
				}
			}
		}
	}
	return rep
}

// WritePlot writes a PNG of 1920×1080 pixels, well under 300 KB, and an
// SVG of the same aspect, with the measured sizes, the units and every
// transport's name in its text, and no number in exponent notation.
func TestPlotFiles(t *testing.T) {
	rep := fixtureReport()
	dir := t.TempDir()
	write := func(format string) string {
		path := filepath.Join(dir, "bench."+format)
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := rep.WritePlot(f, format); err != nil {
			t.Fatalf("WritePlot(%s): %v", format, err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		return path
	}

	f, err := os.Open(write("png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("the PNG does not decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1920 || b.Dy() != 1080 {
		t.Errorf("PNG is %d×%d pixels, want 1920×1080", b.Dx(), b.Dy())
	}
	if st, _ := f.Stat(); st.Size() > 300<<10 {
		t.Errorf("PNG is %d bytes, want at most 300 KiB", st.Size())
	}
	if c := color.GrayModel.Convert(img.At(2, 2)).(color.Gray); c.Y != 0xff {
		t.Errorf("PNG's corner is %v, want white", c)
	}

	b, err := os.ReadFile(write("svg"))
	if err != nil {
		t.Fatal(err)
	}
	var root struct {
		Width  string `xml:"width,attr"`
		Height string `xml:"height,attr"`
	}
	if err := xml.Unmarshal(b, &root); err != nil {
		t.Fatalf("the SVG does not parse: %v", err)
	}
	if root.Width != "960pt" || root.Height != "540pt" {
		t.Errorf("SVG is %s × %s, want 960pt × 540pt", root.Width, root.Height)
	}
	svg := string(b)
	var texts []string
	for _, m := range regexp.MustCompile(`<text[^>]*>([^<]*)</text>`).FindAllStringSubmatch(svg, -1) {
		texts = append(texts, m[1])
	}
	want := []string{"8 B", "64 B", "1 KiB", "64 KiB", "10 MB/s", "100 MB/s", "1 GB/s", "10 GB/s", "1 µs", "10 µs", "100 µs", "1 ms",
		"ring spin", "futex block, after idle", "spin", "block", "p50", "p99", "p99.9",
		"AMD EPYC, 2 cores, Linux 6.18.44, go1.26.8, processes not pinned · one round · one core copies 34.7 GB/s"}
	for _, tr := range Transports() {
		want = append(want, tr.Name)
	}
	for _, w := range want {
		if !slices.Contains(texts, w) {
			t.Errorf("SVG has no text %q", w)
		}
	}
	exp := regexp.MustCompile(`\d[eE][+-]?\d`)
	for _, s := range texts {
		if exp.MatchString(s) {
			t.Errorf("SVG text %q is in exponent notation", s)
		}
	}
	if !strings.Contains(svg, svgFonts) {
		t.Errorf("SVG does not name the fonts %q", svgFonts)
	}
}

func TestSizeLabel(t *testing.T) {
	for n, want := range map[int]string{
		8: "8 B", 64: "64 B", 100: "100 B", 1000: "1000 B", 1024: "1 KiB", 1536: "1.5 KiB", 4096: "4 KiB",
		65536: "64 KiB", 1 << 20: "1 MiB", 3 << 20: "3 MiB", 1<<20 + 1<<19: "1.5 MiB",
	} {
		if got := sizeLabel(n); got != want {
			t.Errorf("sizeLabel(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestRateLabel(t *testing.T) {
	for v, want := range map[float64]string{
		500: "500 B/s", 2e3: "2 kB/s", 1e6: "1 MB/s", 10e6: "10 MB/s", 20.000000000000004e6: "20 MB/s", 250e6: "250 MB/s",
		999.99999999e6: "1 GB/s", 1e9: "1 GB/s", 1e10: "10 GB/s", 1.25e10: "12.5 GB/s", 3.47e10: "34.7 GB/s", 2e12: "2 TB/s",
	} {
		if got := rateLabel(v); got != want {
			t.Errorf("rateLabel(%g) = %q, want %q", v, got, want)
		}
	}
}

func TestLatencyLabel(t *testing.T) {
	for v, want := range map[float64]string{
		100: "0.1 µs", 250: "0.25 µs", 1e3: "1 µs", 2e3: "2 µs", 1e4: "10 µs", 2.5e5: "250 µs",
		999.9999999e3: "1 ms", 1e6: "1 ms", 2e7: "20 ms", 1.5e9: "1.5 s",
	} {
		if got := latencyLabel(v); got != want {
			t.Errorf("latencyLabel(%g) = %q, want %q", v, got, want)
		}
	}
}

// labels returns the labelled ticks' labels, in order.
func labels(ts []plot.Tick) []string {
	var out []string
	for _, t := range ts {
		if t.Label != "" {
			out = append(out, t.Label)
		}
	}
	return out
}

// humanLogTicks labels the powers of ten, and more where the range spans
// too few of them.
func TestHumanLogTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   []string
	}{
		{2e6, 3e10, []string{"10 MB/s", "100 MB/s", "1 GB/s", "10 GB/s"}},
		{1e6, 1e9, []string{"1 MB/s", "10 MB/s", "100 MB/s", "1 GB/s"}},
		{6e8, 3e10, []string{"1 GB/s", "2 GB/s", "5 GB/s", "10 GB/s", "20 GB/s"}},
		{5.5e9, 1.9e10, []string{"6 GB/s", "7 GB/s", "8 GB/s", "9 GB/s", "10 GB/s"}},
		{0, 1e9, nil},
	} {
		ts := humanLogTicks{rateLabel}.Ticks(c.lo, c.hi)
		if got := labels(ts); !slices.Equal(got, c.want) {
			t.Errorf("ticks of %g to %g: labelled %q, want %q", c.lo, c.hi, got, c.want)
		}
		for _, tk := range ts {
			if tk.Value < c.lo || tk.Value > c.hi {
				t.Errorf("ticks of %g to %g: one at %g", c.lo, c.hi, tk.Value)
			}
		}
	}
	if got, want := labels(humanLogTicks{latencyLabel}.Ticks(150, 2e7)), []string{"1 µs", "10 µs", "100 µs", "1 ms", "10 ms"}; !slices.Equal(got, want) {
		t.Errorf("latency ticks of 150ns to 20ms: %q, want %q", got, want)
	}
}

// The chart's axes: throughput ticked at the sizes measured and in
// bytes per second, latency in µs, every axis logarithmic.
func TestChartAxes(t *testing.T) {
	ch, err := newChart(fixtureReport())
	if err != nil {
		t.Fatal(err)
	}
	tp, lat := ch.throughput, ch.latency
	if tp == nil || lat == nil {
		t.Fatalf("throughput panel %v, latency panel %v: want both", tp, lat)
	}
	xs := tp.X.Tick.Marker.Ticks(tp.X.Min, tp.X.Max)
	var values []float64
	for _, tk := range xs {
		values = append(values, tk.Value)
	}
	if got, want := labels(xs), []string{"8 B", "64 B", "1 KiB", "64 KiB"}; !slices.Equal(got, want) || len(xs) != 4 {
		t.Errorf("throughput's x ticks %q, want exactly %q", got, want)
	}
	if want := []float64{8, 64, 1024, 65536}; !slices.Equal(values, want) {
		t.Errorf("throughput's x ticks at %v, want %v", values, want)
	}
	if got, want := labels(tp.Y.Tick.Marker.Ticks(tp.Y.Min, tp.Y.Max)), []string{"10 MB/s", "100 MB/s", "1 GB/s", "10 GB/s"}; !slices.Equal(got, want) {
		t.Errorf("throughput's y ticks %q, want %q", got, want)
	}
	if got, want := labels(lat.X.Tick.Marker.Ticks(lat.X.Min, lat.X.Max)), []string{"1 µs", "10 µs", "100 µs", "1 ms"}; !slices.Equal(got, want) {
		t.Errorf("latency's x ticks %q, want %q", got, want)
	}
	rows := labels(lat.Y.Tick.Marker.Ticks(lat.Y.Min, lat.Y.Max))
	if len(rows) != len(fixtureRTT) || rows[len(rows)-1] != "ring spin" || rows[0] != "futex block, after idle" {
		t.Errorf("latency rows %q: want the %d rows of 64 B, ring spin on top", rows, len(fixtureRTT))
	}
	for _, a := range []plot.Axis{tp.X, tp.Y, lat.X} {
		if _, ok := a.Scale.(plot.LogScale); !ok {
			t.Errorf("an axis has scale %T, want plot.LogScale", a.Scale)
		}
	}
	if !strings.Contains(lat.Title.Text, "64 B messages") {
		t.Errorf("latency title %q does not name the size", lat.Title.Text)
	}
}

// Every transport has a colour of its own, the same whatever else is
// drawn; so have transports bench does not know yet.
func TestTransportColors(t *testing.T) {
	names := strings.Split(TransportNames(), ",")
	all := append(slices.Clone(names), "new1", "new2", "new3", "new4", "new5", "new6", "new7", "new8", "new9")
	colors := transportColors(all)
	seen := map[color.RGBA]string{}
	for _, name := range all {
		c, ok := colors[name]
		if !ok {
			t.Fatalf("%s has no colour", name)
		}
		rgba := color.RGBAModel.Convert(c).(color.RGBA)
		if other, ok := seen[rgba]; ok {
			t.Errorf("%s and %s are both %v", name, other, rgba)
		}
		seen[rgba] = name
		if rgba == (color.RGBA{0xff, 0xff, 0xff, 0xff}) {
			t.Errorf("%s is white, on white", name)
		}
	}
	for _, name := range names {
		if transportColors([]string{name})[name] != colors[name] {
			t.Errorf("%s alone is %v, with the others %v", name, transportColors([]string{name})[name], colors[name])
		}
	}
}

// The legend names each transport drawn, in its colour, the modes drawn,
// the percentiles and the copy line.
func TestChartLegend(t *testing.T) {
	rep := fixtureReport()
	ch, err := newChart(rep)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ch.legend {
		got = append(got, e.label)
	}
	want := []string{"Transport"}
	want = append(want, strings.Split(TransportNames(), ",")...)
	want = append(want, "Mode", "spin", "block", "Round trip", "p50", "p99", "p99.9", "Reference", "one core's copy")
	if !slices.Equal(got, want) {
		t.Errorf("legend %q, want %q", got, want)
	}
	colors := transportColors(chartTransports(rep.Results, 64))
	for _, e := range ch.legend[1:15] {
		line, ok := e.thumbs[0].(*plotter.Line)
		if !ok || line.Color != colors[e.label] {
			t.Errorf("legend's %s is drawn %v, the panels %v", e.label, e.thumbs[0], colors[e.label])
		}
	}

	// Spin rows alone: no block in the legend, no copy line without the
	// throughput panel.
	var spin []Result
	for _, r := range rep.Results {
		if r.Mode == "spin" && r.BytesPerSec == nil {
			spin = append(spin, r)
		}
	}
	ch, err = newChart(Report{Machine: rep.Machine, Results: spin})
	if err != nil {
		t.Fatal(err)
	}
	got = got[:0]
	for _, e := range ch.legend {
		got = append(got, e.label)
	}
	if want := []string{"Transport", "limit", "Mode", "spin", "Round trip", "p50", "p99", "p99.9"}; !slices.Equal(got, want) {
		t.Errorf("legend of spin round trips alone %q, want %q", got, want)
	}
}

// The legend stands right of the panels, clear of them, and everything
// on the canvas.
func TestChartLayout(t *testing.T) {
	ch, err := newChart(fixtureReport())
	if err != nil {
		t.Fatal(err)
	}
	canvas := vg.Rectangle{Max: vg.Point{X: plotWidth, Y: plotHeight}}
	l := ch.layout(canvas)
	if len(l.panels) != 2 {
		t.Fatalf("%d panels, want 2", len(l.panels))
	}
	inside := func(r vg.Rectangle) bool {
		return r.Min.X >= canvas.Min.X && r.Min.Y >= canvas.Min.Y && r.Max.X <= canvas.Max.X && r.Max.Y <= canvas.Max.Y && r.Min.X < r.Max.X && r.Min.Y < r.Max.Y
	}
	for i, p := range l.panels {
		if !inside(p) {
			t.Errorf("panel %d at %v, off the canvas %v", i, p, canvas)
		}
		if p.Max.X >= l.legend.Min.X {
			t.Errorf("panel %d reaches %v, the legend starts at %v", i, p.Max.X, l.legend.Min.X)
		}
	}
	if l.panels[0].Max.X >= l.panels[1].Min.X {
		t.Errorf("panels overlap: %v, %v", l.panels[0], l.panels[1])
	}
	if !inside(l.legend) {
		t.Errorf("legend at %v, off the canvas %v", l.legend, canvas)
	}
	var height vg.Length
	for i, e := range ch.legend {
		height += legendLine
		if e.header && i > 0 {
			height += legendLine * 0.6
		}
	}
	if height > l.legend.Size().Y {
		t.Errorf("legend is %v high, has room for %v", height, l.legend.Size().Y)
	}
	if l.subtitleSize != subtitleSize {
		t.Errorf("machine line shrunk to %vpt", l.subtitleSize)
	}
}

// A report with only round trips, only throughput, one size, or nothing
// still draws.
func TestPlotPartial(t *testing.T) {
	rep := fixtureReport()
	only := func(keep func(Result) bool) Report {
		out := Report{Machine: rep.Machine}
		for _, r := range rep.Results {
			if keep(r) {
				out.Results = append(out.Results, r)
			}
		}
		return out
	}
	for name, c := range map[string]struct {
		rep                   Report
		throughput, roundTrip bool
	}{
		"floors":     {only(func(r Result) bool { return r.Transport == "limit" || r.Transport == "futex" }), false, true},
		"throughput": {only(func(r Result) bool { return r.BytesPerSec != nil && r.RTTP50 == nil }), true, false},
		"one size":   {only(func(r Result) bool { return r.MsgSize == 1024 }), true, false},
		"ring 64":    {only(func(r Result) bool { return r.MsgSize == 64 && r.Transport == "ring" }), true, true},
		"nothing":    {Report{Machine: rep.Machine}, false, false},
	} {
		ch, err := newChart(c.rep)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if (ch.throughput != nil) != c.throughput || (ch.latency != nil) != c.roundTrip {
			t.Errorf("%s: throughput panel %t, latency panel %t; want %t, %t", name, ch.throughput != nil, ch.latency != nil, c.throughput, c.roundTrip)
		}
		for _, format := range []string{"png", "svg"} {
			if err := c.rep.WritePlot(new(strings.Builder), format); err != nil {
				t.Errorf("%s: WritePlot(%s): %v", name, format, err)
			}
		}
	}
	if err := rep.WritePlot(new(strings.Builder), "jpeg"); err == nil {
		t.Error("WritePlot(jpeg) succeeded, want an error")
	}
}

// paletted keeps an image of few colours exactly, and draws one of many
// in 256.
func TestPaletted(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for y := range 30 {
		for x := range 40 {
			img.Set(x, y, color.RGBA{uint8(x * 6), uint8(y * 8), 0x80, 0xff})
		}
	}
	p := paletted(img)
	if len(p.Palette) != 256 {
		t.Errorf("%d colours, want 256", len(p.Palette))
	}
	few := image.NewRGBA(image.Rect(0, 0, 10, 10))
	for y := range 10 {
		for x := range 10 {
			few.Set(x, y, color.RGBA{uint8(x * 20), 0, uint8(y), 0xff})
		}
	}
	p = paletted(few)
	for y := range 10 {
		for x := range 10 {
			if p.At(x, y) != few.At(x, y) {
				t.Fatalf("(%d, %d) is %v, was %v", x, y, p.At(x, y), few.At(x, y))
			}
		}
	}
}
