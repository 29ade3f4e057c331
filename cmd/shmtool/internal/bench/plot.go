package bench

import (
	"fmt"
	"io"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// WritePlot draws throughput by message size (one line per transport and
// mode) and round-trip percentiles by transport and regime (at the
// smallest size measured, 64 bytes if it was) side by side, and writes the chart to w
// as format: "svg" or "png".
func (rep Report) WritePlot(w io.Writer, format string) error {
	if format != "svg" && format != "png" {
		return fmt.Errorf("bench: plot format %q: want svg or png", format)
	}
	m, rs := rep.Machine, rep.Results
	tput := plot.New()
	tput.Title.Text = "One-way throughput"
	tput.X.Label.Text = "message size (bytes)"
	tput.Y.Label.Text = "bytes per second"
	tput.X.Scale, tput.Y.Scale = plot.LogScale{}, plot.LogScale{}
	tput.X.Tick.Marker, tput.Y.Tick.Marker = plot.LogTicks{Prec: -1}, plot.LogTicks{Prec: -1}
	tput.Legend.Top, tput.Legend.Left = false, false // bottom right, below the lines
	series := map[string]plotter.XYs{}
	var order []string
	for _, r := range rs {
		if r.BytesPerSec == nil || *r.BytesPerSec <= 0 {
			continue
		}
		key := r.Transport + " " + r.Mode
		if _, ok := series[key]; !ok {
			order = append(order, key)
		}
		series[key] = append(series[key], plotter.XY{X: float64(r.MsgSize), Y: *r.BytesPerSec})
	}
	transports := map[string]int{} // one color per transport; block mode dashed
	for _, key := range order {
		name, mode, _ := strings.Cut(key, " ")
		if _, ok := transports[name]; !ok {
			transports[name] = len(transports)
		}
		i := transports[name]
		line, points, err := plotter.NewLinePoints(series[key])
		if err != nil {
			return err
		}
		line.Color, points.Color = plotutil.Color(i), plotutil.Color(i)
		points.Shape = plotutil.Shape(i)
		if mode == "block" {
			line.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		tput.Add(line, points)
		tput.Legend.Add(key, line, points)
	}

	size := latencySize(rs)
	lat := plot.New()
	lat.Title.Text = fmt.Sprintf("Round trip, %d-byte messages", size)
	lat.Y.Label.Text = "nanoseconds"
	lat.Y.Scale, lat.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	lat.Legend.Top = true
	var names []string
	pct := [3]plotter.XYs{}
	for _, r := range rs {
		if r.MsgSize != size || r.RTTP50 == nil {
			continue
		}
		x := float64(len(names))
		label := r.Transport + "\n" + r.Mode
		if r.Regime == RegimeAfterIdle {
			label += ", after idle"
		}
		names = append(names, label)
		for i, v := range []*float64{r.RTTP50, r.RTTP99, r.RTTP999} {
			pct[i] = append(pct[i], plotter.XY{X: x, Y: max(*v, 1)})
		}
	}
	for i, label := range []string{"p50", "p99", "p99.9"} {
		if len(pct[i]) == 0 {
			continue
		}
		s, err := plotter.NewScatter(pct[i])
		if err != nil {
			return err
		}
		s.Color, s.Shape, s.Radius = plotutil.Color(i), plotutil.Shape(i), vg.Points(4)
		lat.Add(s)
		lat.Legend.Add(label, s)
	}
	lat.Y.Min, lat.Y.Max = lat.Y.Min/1.5, lat.Y.Max*1.5 // no point on the frame
	lat.NominalX(names...)
	lat.X.Tick.Label.Rotation = 0.8
	lat.X.Tick.Label.XAlign, lat.X.Tick.Label.YAlign = draw.XRight, draw.YCenter

	const width, height = 14 * vg.Inch, 6 * vg.Inch
	var canvas vg.CanvasSizer
	var write func(io.Writer) error
	if format == "svg" {
		c := vgsvg.New(width, height)
		canvas, write = c, func(out io.Writer) error { _, err := c.WriteTo(out); return err }
	} else {
		c := vgimg.New(width, height)
		canvas, write = c, func(out io.Writer) error { _, err := vgimg.PngCanvas{Canvas: c}.WriteTo(out); return err }
	}
	dc := draw.New(canvas)
	dc.FillText(draw.TextStyle{Color: plotutil.Color(6), Font: tput.Title.TextStyle.Font, XAlign: draw.XCenter, YAlign: draw.YTop, Handler: tput.Title.TextStyle.Handler},
		vg.Point{X: width / 2, Y: height - vg.Points(4)}, "shmtool bench: "+m.String())
	body := draw.Crop(dc, 0, 0, 0, -vg.Points(20))
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Points(20), PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(10)}
	cs := plot.Align([][]*plot.Plot{{tput, lat}}, tiles, body)
	tput.Draw(cs[0][0])
	lat.Draw(cs[0][1])
	return write(w)
}

// latencySize picks the message size for the latency chart.
func latencySize(rs []Result) int {
	size := 0
	for _, r := range rs {
		if r.MsgSize == 64 {
			return 64
		}
		if r.RTTP50 != nil && (size == 0 || r.MsgSize < size) {
			size = r.MsgSize
		}
	}
	return size
}
