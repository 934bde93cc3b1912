package main

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// writeChart draws a horizontal bar per shown metric and GOMAXPROCS: Troupe's advantage over
// nats-server (see row.advantage), with a dashed line at 1.0.
func writeChart(path string, rows []row) error {
	procs := procsOf(rows)
	// One category per (scenario, size, metric), first at the top.
	type cat struct{ key, label string }
	var cats []cat
	index := map[string]int{}
	for _, r := range rows {
		k := fmt.Sprintf("%s/%d/%s", r.Scenario, r.Size, r.Metric.Name)
		if _, ok := index[k]; ok {
			continue
		}
		label := r.Scenario
		if r.Size > 0 {
			label += " " + sizeLabel(r.Size)
		}
		if r.Metric.Name != "throughput" && r.Metric.Name != "-" {
			label += " " + r.Metric.Label
		}
		if !r.Metric.Higher && r.Metric.Name != "-" {
			label += " (inv.)"
		}
		index[k] = len(cats)
		cats = append(cats, cat{k, label})
	}
	n := len(cats)
	if n == 0 {
		return nil
	}
	pos := func(i int) int { return n - 1 - i }

	p := plot.New()
	p.Title.Text = "Troupe relative to nats-server (right of 1.0: Troupe ahead)"
	p.X.Label.Text = "median ratio (throughput: Troupe / nats-server; inv.: nats-server / Troupe)"
	p.X.Min = 0
	labels := make([]string, n)
	for i, c := range cats {
		labels[pos(i)] = c.label
	}
	p.NominalY(labels...)

	const barWidth = 9.0
	group := barWidth * float64(len(procs))
	colors := []color.Color{
		color.RGBA{R: 0x3b, G: 0x75, B: 0xaf, A: 0xff},
		color.RGBA{R: 0xef, G: 0x85, B: 0x36, A: 0xff},
		color.RGBA{R: 0x51, G: 0x9e, B: 0x3e, A: 0xff},
		color.RGBA{R: 0xc5, G: 0x3a, B: 0x32, A: 0xff},
	}
	maxX := 1.2
	for gi, pr := range procs {
		vals := make(plotter.Values, n)
		var xys plotter.XYs
		var texts []string
		for _, r := range rows {
			if r.Procs != pr {
				continue
			}
			i := index[fmt.Sprintf("%s/%d/%s", r.Scenario, r.Size, r.Metric.Name)]
			a := r.advantage()
			if math.IsNaN(a) || math.IsInf(a, 0) {
				xys = append(xys, plotter.XY{X: 0, Y: float64(pos(i))})
				if len(r.Fails[refName])+len(r.Fails[troupeName]) > 0 {
					texts = append(texts, "failed")
				} else {
					texts = append(texts, "n/a")
				}
				continue
			}
			vals[pos(i)] = a
			maxX = math.Max(maxX, a)
			xys = append(xys, plotter.XY{X: a, Y: float64(pos(i))})
			texts = append(texts, fmt.Sprintf("%.2f", a))
		}
		bc, err := plotter.NewBarChart(vals, vg.Points(barWidth))
		if err != nil {
			return err
		}
		bc.Horizontal = true
		bc.LineStyle.Width = 0
		bc.Color = colors[gi%len(colors)]
		off := vg.Points(group/2 - barWidth*float64(gi) - barWidth/2) // the first GOMAXPROCS on top
		bc.Offset = off
		p.Add(bc)
		if len(procs) > 1 {
			p.Legend.Add(fmt.Sprintf("GOMAXPROCS=%d", pr), bc)
		}
		lb, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: texts})
		if err != nil {
			return err
		}
		for i := range lb.TextStyle {
			lb.TextStyle[i].Font.Size = vg.Points(7)
			lb.TextStyle[i].YAlign = -0.5
		}
		lb.Offset = vg.Point{X: vg.Points(3), Y: off}
		p.Add(lb)
	}
	one, err := plotter.NewLine(plotter.XYs{{X: 1, Y: -0.6}, {X: 1, Y: float64(n) - 0.4}})
	if err != nil {
		return err
	}
	one.LineStyle.Width = vg.Points(1)
	one.LineStyle.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	one.LineStyle.Color = color.Gray{Y: 0x40}
	p.Add(one)
	p.X.Max = maxX * 1.3 // room for the value labels and the legend
	p.Legend.Top = true
	p.Legend.Left = false
	p.Legend.XOffs = -vg.Points(4)
	p.Add(plotter.NewGrid())
	p.Y.Tick.Label.Font.Size = vg.Points(9)

	height := vg.Points(90 + float64(n)*(group+8))
	return p.Save(8*vg.Inch, height, path)
}
