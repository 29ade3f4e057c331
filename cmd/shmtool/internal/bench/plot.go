package bench

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"slices"
	"strconv"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// The chart is 16:9, 1920×1080 pixels as PNG.
const (
	plotDPI    = 144
	plotWidth  = 1920 * vg.Inch / plotDPI
	plotHeight = 1080 * vg.Inch / plotDPI
)

// svgFonts is the SVG's font, and what will do in its place.
const svgFonts = "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"

// WritePlot draws the chart of rep and writes it to w as format, "svg" or
// "png": one-way throughput by message size (a line per transport and
// mode, spin solid, block dashed), and round-trip latency (p50, p99 and
// p99.9) by transport, mode and regime at one size (64 bytes if it was
// measured, else the smallest), each transport in its own colour in both,
// with the legend to their right and the machine under the title.
func (rep Report) WritePlot(w io.Writer, format string) error {
	var canvas vg.CanvasSizer
	var write func() error
	switch format {
	case "svg":
		c := vgsvg.New(plotWidth, plotHeight)
		canvas, write = c, func() error {
			var b bytes.Buffer
			if _, err := c.WriteTo(&b); err != nil {
				return err
			}
			// Where Liberation Sans is not installed, Arial has its metrics.
			_, err := w.Write(bytes.ReplaceAll(b.Bytes(), []byte("font-family:Liberation Sans;"), []byte(svgFonts)))
			return err
		}
	case "png":
		c := vgimg.NewWith(vgimg.UseWH(plotWidth, plotHeight), vgimg.UseDPI(plotDPI))
		enc := png.Encoder{CompressionLevel: png.BestCompression}
		canvas, write = c, func() error { return enc.Encode(w, paletted(c.Image())) }
	default:
		return fmt.Errorf("bench: plot format %q: want svg or png", format)
	}
	ch, err := newChart(rep)
	if err != nil {
		return err
	}
	ch.draw(draw.New(canvas))
	return write()
}

// chart is what WritePlot draws: a title, a line about the machine, the
// panels side by side (those that have data), and their legend.
type chart struct {
	title, subtitle string
	throughput      *plot.Plot // nil if no row has a throughput
	latency         *plot.Plot // nil if no row has round trips
	legend          []legendEntry
}

// newChart lays out rep's chart.
func newChart(rep Report) (chart, error) {
	rs := rep.Results
	size := latencySize(rs)
	names := chartTransports(rs, size)
	colors := transportColors(names)
	ch := chart{
		title:    "shmtool bench: one-way throughput and round-trip latency between two processes",
		subtitle: machineLine(rep),
	}
	var err error
	if ch.throughput, err = throughputPlot(rs, rep.Machine.CopyBytesPerSec, colors); err != nil {
		return chart{}, err
	}
	if ch.latency, err = latencyPlot(rs, size, colors); err != nil {
		return chart{}, err
	}
	var modes []string
	for _, r := range rs {
		if r.plotted(size) && !slices.Contains(modes, r.Mode) {
			modes = append(modes, r.Mode)
		}
	}
	copyRate := 0.0
	if ch.throughput != nil {
		copyRate = rep.Machine.CopyBytesPerSec
	}
	ch.legend = chartLegend(names, colors, modes, ch.latency != nil, copyRate)
	return ch, nil
}

// plotted reports whether r is drawn, with round trips of latencySize
// size: it has a throughput, or is of that size and has round trips.
func (r Result) plotted(size int) bool {
	return r.BytesPerSec != nil && *r.BytesPerSec > 0 && r.MsgSize > 0 || r.MsgSize == size && r.roundTrips()
}

// roundTrips reports whether r has all three round-trip percentiles.
func (r Result) roundTrips() bool { return r.RTTP50 != nil && r.RTTP99 != nil && r.RTTP999 != nil }

// chartTransports returns the transports drawn, with round trips of
// size, in the order of rs.
func chartTransports(rs []Result, size int) []string {
	var names []string
	for _, r := range rs {
		if r.plotted(size) && !slices.Contains(names, r.Transport) {
			names = append(names, r.Transport)
		}
	}
	return names
}

// machineLine describes what the chart was measured on, and how.
func machineLine(rep Report) string {
	m := rep.Machine
	s := m.String()
	if m.SharedCore && len(m.PinnedCPUs) != 2 {
		s += " (at times both on one core)"
	}
	switch {
	case rep.Rounds == 1:
		s += " · one round"
	case rep.Rounds > 1:
		s += fmt.Sprintf(" · median of %d rounds", rep.Rounds)
	}
	if m.CopyBytesPerSec > 0 {
		s += " · one core copies " + rateLabel(m.CopyBytesPerSec)
	}
	return s
}

// Colours of the transports: shmkit's in blue, green, purple, pink and
// cyan (a batch variant a lighter shade of its transport), the
// alternatives in red, orange, brown and olive, the floors in black and
// greys.
var transportPalette = map[string]color.RGBA{
	"ring":        {0x1f, 0x5f, 0xbf, 0xff},
	"ring-batch":  {0x6f, 0xa8, 0xf0, 0xff},
	"queue":       {0x1a, 0x8f, 0x3a, 0xff},
	"queue-batch": {0x86, 0xcf, 0x5c, 0xff},
	"stream":      {0x7b, 0x3f, 0xb5, 0xff},
	"conn":        {0xd6, 0x5f, 0xb8, 0xff},
	"dict":        {0x12, 0xb0, 0xc0, 0xff},
	"pipe":        {0xd6, 0x27, 0x28, 0xff},
	"unix":        {0xff, 0x8c, 0x00, 0xff},
	"unixpacket":  {0x8c, 0x56, 0x3b, 0xff},
	"chan":        {0xb8, 0xa0, 0x00, 0xff},
	"floor":       {0x00, 0x00, 0x00, 0xff},
	"limit":       {0x4d, 0x4d, 0x4d, 0xff},
	"futex":       {0x99, 0x99, 0x99, 0xff},
}

// spareColors are for transports not in transportPalette.
var spareColors = []color.RGBA{
	{0x00, 0x6d, 0x6f, 0xff},
	{0xe6, 0x4a, 0x19, 0xff},
	{0x39, 0x3b, 0x79, 0xff},
	{0x9e, 0x9a, 0xc8, 0xff},
	{0xa0, 0x1a, 0x58, 0xff},
	{0x63, 0x79, 0x39, 0xff},
}

// transportColors gives each of names a colour of its own: the same one
// for a transport whatever else was measured, so that charts compare.
func transportColors(names []string) map[string]color.Color {
	out := make(map[string]color.Color, len(names))
	used := map[color.RGBA]bool{}
	for _, c := range transportPalette {
		used[c] = true
	}
	spare := 0
	for _, name := range names {
		if _, ok := out[name]; ok {
			continue
		}
		if c, ok := transportPalette[name]; ok {
			out[name] = c
			continue
		}
		var c color.RGBA
		for {
			if spare < len(spareColors) {
				c = spareColors[spare]
			} else { // hues around the wheel, by the golden angle
				c = hueColor(math.Mod(float64(spare)*137.508, 360))
			}
			spare++
			if !used[c] {
				break
			}
		}
		used[c] = true
		out[name] = c
	}
	return out
}

// hueColor is a mid-dark colour of hue h (degrees).
func hueColor(h float64) color.RGBA {
	const s, v = 0.75, 0.75
	f := func(n float64) uint8 {
		k := math.Mod(n+h/60, 6)
		return uint8(math.Round(255 * (v - v*s*max(0, min(k, 4-k, 1)))))
	}
	return color.RGBA{f(5), f(3), f(1), 0xff}
}

// Line styles of the modes, in both panels.
var (
	spinDashes  []vg.Length
	blockDashes = []vg.Length{vg.Points(6), vg.Points(3.5)}
)

func modeDashes(mode string) []vg.Length {
	if mode == "block" {
		return blockDashes
	}
	return spinDashes
}

// modeGlyph is how a throughput point of mode looks: spin filled, block
// hollow.
func modeGlyph(mode string) draw.GlyphDrawer {
	if mode == "block" {
		return hollowGlyph{}
	}
	return draw.CircleGlyph{}
}

// hollowGlyph is a white circle ringed in the style's colour.
type hollowGlyph struct{}

func (hollowGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	var p vg.Path
	p.Move(vg.Point{X: pt.X + sty.Radius, Y: pt.Y})
	p.Arc(pt, sty.Radius, 0, 2*math.Pi)
	p.Close()
	c.SetColor(color.White)
	c.Fill(p)
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: vg.Points(1.5)})
	c.Stroke(p)
}

// Round-trip percentiles: their names and glyphs.
var percentiles = []struct {
	name  string
	of    func(Result) float64
	shape draw.GlyphDrawer
	size  vg.Length
}{
	{"p50", func(r Result) float64 { return *r.RTTP50 }, draw.CircleGlyph{}, vg.Points(4.5)},
	{"p99", func(r Result) float64 { return *r.RTTP99 }, draw.PyramidGlyph{}, vg.Points(4)},
	{"p99.9", func(r Result) float64 { return *r.RTTP999 }, crossGlyph{}, vg.Points(4)},
}

// crossGlyph is a bold ×.
type crossGlyph struct{}

func (crossGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r := sty.Radius * math.Sqrt2 / 2
	ls := draw.LineStyle{Color: sty.Color, Width: vg.Points(2)}
	c.StrokeLine2(ls, pt.X-r, pt.Y-r, pt.X+r, pt.Y+r)
	c.StrokeLine2(ls, pt.X-r, pt.Y+r, pt.X+r, pt.Y-r)
}

// Text: Liberation Sans, in these sizes (points).
const (
	titleSize    = 17
	subtitleSize = 11.5
	panelSize    = 14
	labelSize    = 12
	tickSize     = 11
	legendSize   = 11.5
)

func sans(size vg.Length, bold bool) font.Font {
	f := font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
	if bold {
		f.Weight = xfont.WeightBold
	}
	return f
}

func textStyle(size vg.Length, bold bool, c color.Color) text.Style {
	return text.Style{Color: c, Font: sans(size, bold), Handler: plot.DefaultTextHandler}
}

var (
	inkColor  = color.Gray{0x20}
	softColor = color.Gray{0x55}
	gridColor = color.Gray{0xdd}
)

// newPanel returns a plot styled for the chart.
func newPanel(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = sans(panelSize, true)
	p.Title.TextStyle.Color = inkColor
	p.Title.Padding = vg.Points(10)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = sans(labelSize, false)
		a.Label.TextStyle.Color = inkColor
		a.Tick.Label.Font = sans(tickSize, false)
		a.Tick.Label.Color = inkColor
		a.Color, a.Tick.Color = softColor, softColor
	}
	p.X.Label.Text, p.Y.Label.Text = xLabel, yLabel
	p.X.Label.Padding = vg.Points(4)
	return p
}

// throughputPlot draws the rows' throughput by message size, and a
// dotted line at copyRate if it is above 0; nil if no row has a
// throughput.
func throughputPlot(rs []Result, copyRate float64, colors map[string]color.Color) (*plot.Plot, error) {
	type key struct{ transport, mode string }
	series := map[key]plotter.XYs{}
	var order []key
	var sizes []int
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, r := range rs {
		if r.BytesPerSec == nil || *r.BytesPerSec <= 0 || r.MsgSize <= 0 {
			continue
		}
		k := key{r.Transport, r.Mode}
		if _, ok := series[k]; !ok {
			order = append(order, k)
		}
		series[k] = append(series[k], plotter.XY{X: float64(r.MsgSize), Y: *r.BytesPerSec})
		if !slices.Contains(sizes, r.MsgSize) {
			sizes = append(sizes, r.MsgSize)
		}
		lo, hi = min(lo, *r.BytesPerSec), max(hi, *r.BytesPerSec)
	}
	if len(order) == 0 {
		return nil, nil
	}
	slices.Sort(sizes)
	p := newPanel("One-way throughput (higher is better)", "message size", "")
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker = sizeTicks(sizes)
	p.Y.Tick.Marker = humanLogTicks{rateLabel}
	p.X.Min, p.X.Max = float64(sizes[0])/1.35, float64(sizes[len(sizes)-1])*1.35
	grid := plotter.NewGrid()
	grid.Vertical = draw.LineStyle{Color: gridColor, Width: vg.Points(0.8)}
	grid.Horizontal = grid.Vertical
	p.Add(grid)
	if copyRate > 0 {
		line, err := plotter.NewLine(plotter.XYs{{X: p.X.Min, Y: copyRate}, {X: p.X.Max, Y: copyRate}})
		if err != nil {
			return nil, err
		}
		line.LineStyle = copyLineStyle
		p.Add(line)
		lo, hi = min(lo, copyRate), max(hi, copyRate)
	}
	for _, k := range order {
		xys := series[k]
		slices.SortFunc(xys, func(a, b plotter.XY) int { return int(math.Copysign(1, a.X-b.X)) })
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, err
		}
		c := colors[k.transport]
		line.LineStyle = draw.LineStyle{Color: c, Width: vg.Points(2.2), Dashes: modeDashes(k.mode)}
		points.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(3.5), Shape: modeGlyph(k.mode)}
		p.Add(line, points)
	}
	p.X.Min, p.X.Max = float64(sizes[0])/1.35, float64(sizes[len(sizes)-1])*1.35
	p.Y.Min, p.Y.Max = lo/1.6, hi*1.6
	return p, nil
}

var copyLineStyle = draw.LineStyle{Color: color.Gray{0x70}, Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(1.5), vg.Points(3)}}

// latencyPlot draws, for each row of size with round trips, its p50,
// p99 and p99.9 on a line from the least to the greatest: a row a line,
// the first on top; nil if no such row.
func latencyPlot(rs []Result, size int, colors map[string]color.Color) (*plot.Plot, error) {
	var rows []Result
	for _, r := range rs {
		if r.MsgSize == size && r.roundTrips() {
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return nil, nil
	}
	p := newPanel(fmt.Sprintf("Round-trip latency, %s messages (lower is better)", sizeLabel(size)), "round-trip time", "")
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = humanLogTicks{latencyLabel}
	n := len(rows)
	var shade bands // every other transport's rows
	for i, group := 0, 0; i < n; group++ {
		j := i + 1
		for j < n && rows[j].Transport == rows[i].Transport {
			j++
		}
		if group%2 == 1 {
			shade = append(shade, [2]float64{float64(n-j) - 0.5, float64(n-i) - 0.5})
		}
		i = j
	}
	p.Add(shade)
	grid := plotter.NewGrid()
	grid.Vertical = draw.LineStyle{Color: gridColor, Width: vg.Points(0.8)}
	grid.Horizontal.Color = nil
	p.Add(grid)
	names := make([]string, n)
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, r := range rows {
		y := float64(n - 1 - i)
		names[n-1-i] = rowLabel(r)
		c := colors[r.Transport]
		var vs []float64
		for _, pc := range percentiles {
			vs = append(vs, max(pc.of(r), 1))
		}
		least, most := slices.Min(vs), slices.Max(vs)
		lo, hi = min(lo, least), max(hi, most)
		span, err := plotter.NewLine(plotter.XYs{{X: least, Y: y}, {X: most, Y: y}})
		if err != nil {
			return nil, err
		}
		span.LineStyle = draw.LineStyle{Color: c, Width: vg.Points(2), Dashes: modeDashes(r.Mode)}
		p.Add(span)
		for j, pc := range percentiles {
			s, err := plotter.NewScatter(plotter.XYs{{X: vs[j], Y: y}})
			if err != nil {
				return nil, err
			}
			s.GlyphStyle = draw.GlyphStyle{Color: c, Radius: pc.size, Shape: pc.shape}
			p.Add(s)
		}
	}
	p.NominalY(names...)
	p.Y.Min, p.Y.Max = -0.7, float64(n)-0.3
	p.X.Min, p.X.Max = lo/1.6, hi*1.6
	return p, nil
}

// bands shade horizontal bands of a plot, each from one y to another,
// across the whole width.
type bands [][2]float64

var bandColor = color.Gray{0xf2}

func (bs bands) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	c.SetColor(bandColor)
	for _, b := range bs {
		lo, hi := max(trY(b[0]), c.Min.Y), min(trY(b[1]), c.Max.Y)
		var r vg.Path
		r.Move(vg.Point{X: c.Min.X, Y: lo})
		r.Line(vg.Point{X: c.Max.X, Y: lo})
		r.Line(vg.Point{X: c.Max.X, Y: hi})
		r.Line(vg.Point{X: c.Min.X, Y: hi})
		r.Close()
		c.Fill(r)
	}
}

// rowLabel names a round-trip row: transport, mode and, after idle, the
// regime.
func rowLabel(r Result) string {
	s := r.Transport + " " + r.Mode
	if r.Regime == RegimeAfterIdle {
		s += ", after idle"
	}
	return s
}

// latencySize picks the message size for the latency chart: 64 bytes if
// a row of that size has round trips, else the smallest that has.
func latencySize(rs []Result) int {
	size := 0
	for _, r := range rs {
		if !r.roundTrips() {
			continue
		}
		if r.MsgSize == 64 {
			return 64
		}
		if size == 0 || r.MsgSize < size {
			size = r.MsgSize
		}
	}
	return size
}

// sizeTicks marks exactly the sizes measured.
func sizeTicks(sizes []int) plot.ConstantTicks {
	ts := make(plot.ConstantTicks, len(sizes))
	for i, n := range sizes {
		ts[i] = plot.Tick{Value: float64(n), Label: sizeLabel(n)}
	}
	return ts
}

// sizeLabel writes a message size as a person would: "8 B", "1 KiB",
// "64 KiB", "1 MiB", "1.5 KiB" (to 3 significant digits).
func sizeLabel(n int) string {
	switch {
	case n >= 1<<20:
		return short(float64(n)/(1<<20)) + " MiB"
	case n >= 1<<10:
		return short(float64(n)/(1<<10)) + " KiB"
	}
	return strconv.Itoa(n) + " B"
}

// rateLabel writes bytes per second in the unit that keeps the number
// from 1 to 999: "500 kB/s", "20 MB/s", "1 GB/s", "12.5 GB/s".
func rateLabel(v float64) string {
	return scaled(v, []unit{{1, "B/s"}, {1e3, "kB/s"}, {1e6, "MB/s"}, {1e9, "GB/s"}, {1e12, "TB/s"}})
}

// latencyLabel writes nanoseconds in µs ("0.3 µs", "1 µs", "250 µs"),
// and from a millisecond in ms or s ("1 ms", "20 ms", "1.5 s").
func latencyLabel(ns float64) string {
	if ns < 1e6*(1-1e-9) {
		return short(ns/1e3) + " µs"
	}
	return scaled(ns, []unit{{1e6, "ms"}, {1e9, "s"}})
}

type unit struct {
	size float64
	name string
}

// scaled writes v in the largest of units (ascending) that is no more
// than v, or the first.
func scaled(v float64, units []unit) string {
	u := units[0]
	for _, next := range units[1:] {
		if v >= next.size*(1-1e-9) {
			u = next
		}
	}
	return short(v/u.size) + " " + u.name
}

// short writes v to 3 significant digits, without an exponent for
// 0.0001 <= v < 1000 and without trailing zeros.
func short(v float64) string {
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// humanLogTicks marks a log axis at powers of ten, labelled by label;
// where the range spans too few of them, at 2 and 5 times them too, or at
// every multiple; and unlabelled at the multiples in between.
type humanLogTicks struct {
	label func(float64) string
}

func (t humanLogTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0) || !(hi >= lo) || math.IsInf(hi, 1) {
		return nil
	}
	first, last := int(math.Floor(math.Log10(lo))), int(math.Ceil(math.Log10(hi)))
	in := func(v float64) bool { return v >= lo*(1-1e-9) && v <= hi*(1+1e-9) }
	var ticks []plot.Tick
	for _, labelled := range [][]int{{1}, {1, 2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}} {
		ticks = ticks[:0]
		majors := 0
		for e := first; e <= last; e++ {
			for m := 1; m <= 9; m++ {
				v := float64(m) * math.Pow(10, float64(e))
				if !in(v) {
					continue
				}
				tk := plot.Tick{Value: v}
				if slices.Contains(labelled, m) {
					tk.Label = t.label(v)
					majors++
				}
				ticks = append(ticks, tk)
			}
		}
		if majors >= 3 {
			break
		}
	}
	return ticks
}

// legendEntry is a line of the legend: a section's header, or an entry
// with its thumbnails drawn before its label.
type legendEntry struct {
	label  string
	header bool
	thumbs []plot.Thumbnailer
}

// chartLegend is the legend of the chart: the transports in their
// colours, the modes (if any) in their line styles, the percentiles (if
// the latency panel is drawn) and the copy line (if copyRate > 0).
func chartLegend(names []string, colors map[string]color.Color, modes []string, percentilesDrawn bool, copyRate float64) []legendEntry {
	var es []legendEntry
	if len(names) > 0 {
		es = append(es, legendEntry{label: "Transport", header: true})
	}
	for _, name := range names {
		c := colors[name]
		es = append(es, legendEntry{label: name, thumbs: []plot.Thumbnailer{
			&plotter.Line{LineStyle: draw.LineStyle{Color: c, Width: vg.Points(3)}},
			&plotter.Scatter{GlyphStyle: draw.GlyphStyle{Color: c, Radius: vg.Points(3.5), Shape: draw.CircleGlyph{}}},
		}})
	}
	if len(modes) > 0 {
		es = append(es, legendEntry{label: "Mode", header: true})
	}
	for _, mode := range []string{"spin", "block"} {
		if !slices.Contains(modes, mode) {
			continue
		}
		es = append(es, legendEntry{label: mode, thumbs: []plot.Thumbnailer{
			&plotter.Line{LineStyle: draw.LineStyle{Color: inkColor, Width: vg.Points(2), Dashes: modeDashes(mode)}},
			&plotter.Scatter{GlyphStyle: draw.GlyphStyle{Color: inkColor, Radius: vg.Points(3.5), Shape: modeGlyph(mode)}},
		}})
	}
	if percentilesDrawn {
		es = append(es, legendEntry{label: "Round trip", header: true})
		for _, pc := range percentiles {
			es = append(es, legendEntry{label: pc.name, thumbs: []plot.Thumbnailer{
				&plotter.Scatter{GlyphStyle: draw.GlyphStyle{Color: inkColor, Radius: pc.size, Shape: pc.shape}},
			}})
		}
	}
	if copyRate > 0 {
		es = append(es, legendEntry{label: "Reference", header: true})
		es = append(es, legendEntry{label: "one core's copy", thumbs: []plot.Thumbnailer{&plotter.Line{LineStyle: copyLineStyle}}})
	}
	return es
}

// Legend geometry.
var (
	legendThumb = vg.Points(30)
	legendGap   = vg.Points(8)
	legendLine  = vg.Points(legendSize * 1.45)
)

// legendWidth is how wide es draw.
func legendWidth(es []legendEntry) vg.Length {
	var w vg.Length
	for _, e := range es {
		if e.header {
			w = max(w, textStyle(legendSize, true, inkColor).Width(e.label))
		} else {
			w = max(w, legendThumb+legendGap+textStyle(legendSize, false, inkColor).Width(e.label))
		}
	}
	return w
}

// drawLegend draws es down from the top left of c.
func drawLegend(c draw.Canvas, es []legendEntry) {
	y := c.Max.Y
	for i, e := range es {
		if e.header && i > 0 {
			y -= legendLine * 0.6
		}
		mid := y - legendLine/2
		if e.header {
			sty := textStyle(legendSize, true, inkColor)
			sty.YAlign = draw.YCenter
			c.FillText(sty, vg.Point{X: c.Min.X, Y: mid}, e.label)
		} else {
			icon := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
				Min: vg.Point{X: c.Min.X, Y: mid - legendLine/2},
				Max: vg.Point{X: c.Min.X + legendThumb, Y: mid + legendLine/2},
			}}
			for _, t := range e.thumbs {
				t.Thumbnail(&icon)
			}
			sty := textStyle(legendSize, false, inkColor)
			sty.YAlign = draw.YCenter
			c.FillText(sty, vg.Point{X: c.Min.X + legendThumb + legendGap, Y: mid}, e.label)
		}
		y -= legendLine
	}
}

// chartLayout is where the parts of a chart go on a canvas.
type chartLayout struct {
	title, subtitle vg.Point // their top left corners
	subtitleSize    vg.Length
	panels          []vg.Rectangle // the throughput panel's (if drawn), then the latency panel's
	legend          vg.Rectangle   // its top left corner is where it starts
}

// layout places ch on a canvas of rectangle r: the title and the machine
// line at the top left, the legend at the right, beside the panels, and
// the panels, side by side, in the rest.
func (ch chart) layout(r vg.Rectangle) chartLayout {
	const margin = 18
	area := vg.Rectangle{Min: r.Min.Add(vg.Point{X: margin, Y: margin}), Max: r.Max.Sub(vg.Point{X: margin, Y: margin})}
	var l chartLayout
	l.title = vg.Point{X: area.Min.X, Y: area.Max.Y}
	l.subtitle = l.title.Sub(vg.Point{Y: textStyle(titleSize, true, inkColor).Height(ch.title) + 6})
	sub := textStyle(subtitleSize, false, softColor)
	for sub.Font.Size > 7 && sub.Width(ch.subtitle) > area.Size().X {
		sub.Font.Size -= 0.5
	}
	l.subtitleSize = sub.Font.Size
	body := area
	body.Max.Y = l.subtitle.Y - sub.Height(ch.subtitle) - 10
	if len(ch.legend) > 0 {
		l.legend = body
		l.legend.Min.X = body.Max.X - legendWidth(ch.legend)
		l.legend.Max.Y = body.Max.Y - panelSize*1.3 // about level with the panels' tops
		body.Max.X = l.legend.Min.X - 28
	}
	n := 0
	for _, p := range []*plot.Plot{ch.throughput, ch.latency} {
		if p != nil {
			n++
		}
	}
	const gap = 36
	width := (body.Size().X - gap*vg.Length(max(n-1, 0))) / vg.Length(max(n, 1))
	for i := range n {
		c := body
		c.Min.X = body.Min.X + vg.Length(i)*(width+gap)
		c.Max.X = c.Min.X + width
		l.panels = append(l.panels, c)
	}
	return l
}

// draw draws the chart on dc.
func (ch chart) draw(dc draw.Canvas) {
	var bg vg.Path
	bg.Move(dc.Min)
	bg.Line(vg.Point{X: dc.Max.X, Y: dc.Min.Y})
	bg.Line(dc.Max)
	bg.Line(vg.Point{X: dc.Min.X, Y: dc.Max.Y})
	bg.Close()
	dc.SetColor(color.White)
	dc.Fill(bg)

	l := ch.layout(dc.Rectangle)
	title := textStyle(titleSize, true, inkColor)
	title.YAlign = draw.YTop
	dc.FillText(title, l.title, ch.title)
	sub := textStyle(l.subtitleSize, false, softColor)
	sub.YAlign = draw.YTop
	dc.FillText(sub, l.subtitle, ch.subtitle)
	if len(ch.legend) > 0 {
		drawLegend(draw.Canvas{Canvas: dc.Canvas, Rectangle: l.legend}, ch.legend)
	}
	i := 0
	for _, p := range []*plot.Plot{ch.throughput, ch.latency} {
		if p != nil {
			p.Draw(draw.Canvas{Canvas: dc.Canvas, Rectangle: l.panels[i]})
			i++
		}
	}
}

// paletted returns img with at most 256 colours, for a PNG a third the
// size: its 256 commonest (a chart's fills, lines and text, and the
// commonest of their anti-aliased edges), each other colour drawn as the
// nearest of them.
func paletted(img image.Image) *image.Paletted {
	b := img.Bounds()
	count := map[color.RGBA]int{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			count[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)]++
		}
	}
	cs := make([]color.RGBA, 0, len(count))
	for c := range count {
		cs = append(cs, c)
	}
	slices.SortFunc(cs, func(a, b color.RGBA) int { // commonest first; ties in a fixed order
		if d := count[b] - count[a]; d != 0 {
			return d
		}
		return int(a.R)<<24 | int(a.G)<<16 | int(a.B)<<8 | int(a.A) - (int(b.R)<<24 | int(b.G)<<16 | int(b.B)<<8 | int(b.A))
	})
	pal := make(color.Palette, min(len(cs), 256))
	index := make(map[color.RGBA]uint8, len(cs))
	for i := range pal {
		pal[i] = cs[i]
		index[cs[i]] = uint8(i)
	}
	for _, c := range cs[len(pal):] {
		index[c] = uint8(pal.Index(c))
	}
	out := image.NewPaletted(b, pal)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			out.SetColorIndex(x, y, index[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)])
		}
	}
	return out
}
