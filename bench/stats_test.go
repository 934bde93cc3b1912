package main

import (
	"math"
	"strings"
	"testing"
	"time"
)

// The statistics helpers only: nothing here starts a server or takes time.

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{7, 7, 1, 100, 7}, 7},
	} {
		in := append([]float64(nil), tc.in...)
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", in, got, tc.want)
		}
		for i := range in {
			if in[i] != tc.in[i] {
				t.Errorf("median reordered its input: %v became %v", in, tc.in)
				break
			}
		}
	}
	if !math.IsNaN(median(nil)) {
		t.Errorf("median(nil) is not NaN")
	}
}

func TestMinMax(t *testing.T) {
	lo, hi := minMax([]float64{3, -1, 8, 2})
	if lo != -1 || hi != 8 {
		t.Errorf("minMax = %v, %v; want -1, 8", lo, hi)
	}
	if lo, hi := minMax(nil); !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("minMax(nil) = %v, %v; want NaN, NaN", lo, hi)
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 1000; i++ {
		d = append(d, time.Duration(i)*time.Microsecond)
	}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{
		{50, 500 * time.Microsecond},
		{99, 990 * time.Microsecond},
		{99.9, 999 * time.Microsecond},
		{100, 1000 * time.Microsecond},
		{0, 1 * time.Microsecond},
	} {
		if got := percentile(d, tc.p); got != tc.want {
			t.Errorf("p%v = %v, want %v", tc.p, got, tc.want)
		}
	}
	// Few samples: p99.9 of ten values is the largest.
	if got := percentile(d[:10], 99.9); got != 10*time.Microsecond {
		t.Errorf("p99.9 of 10 samples = %v, want 10µs", got)
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("percentile(nil) = %v, want 0", got)
	}
}

func TestRatio(t *testing.T) {
	if r := ratio(3, 2); r != 1.5 {
		t.Errorf("ratio(3, 2) = %v", r)
	}
	for _, tc := range [][2]float64{{1, 0}, {math.NaN(), 1}, {1, math.NaN()}} {
		if r := ratio(tc[0], tc[1]); !math.IsNaN(r) {
			t.Errorf("ratio(%v, %v) = %v, want NaN", tc[0], tc[1], r)
		}
	}
}

// The analysis section written by hand survives regeneration.
func TestPreservedAnalysis(t *testing.T) {
	old := "# x\n\n" + analysisBegin + "\nhand-written\n\nfindings\n" + analysisEnd + "\nrest\n"
	if got := preservedAnalysis(old); got != "hand-written\n\nfindings" {
		t.Errorf("preservedAnalysis = %q", got)
	}
	if got := preservedAnalysis("no markers"); !strings.Contains(got, "No analysis yet") {
		t.Errorf("without markers: %q, want the placeholder", got)
	}
}
