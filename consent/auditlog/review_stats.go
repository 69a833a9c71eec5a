package auditlog

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// The charts' geometry, in SVG user units.
const (
	chartWidth     = 720.0
	chartHeight    = 200.0
	chartLeft      = 48.0 // room for the y axis labels
	chartBottom    = 24.0 // room for the x axis labels
	rowHeight      = 22.0
	rowLabelWidth  = 120.0
	rowChartHeight = 8.0 // padding around the rows
)

// outcomeSeries are the stacked series of every chart, bottom (or left)
// first, with the class that colours them.
var outcomeSeries = []struct {
	name, class string
	count       func(*StatCounts) int64
}{
	{"accept all", "s-accept", func(c *StatCounts) int64 { return c.AcceptAll }},
	{"custom", "s-custom", func(c *StatCounts) int64 { return c.Custom }},
	{"reject all", "s-reject", func(c *StatCounts) int64 { return c.RejectAll }},
}

// chartSeg is one coloured rectangle of a chart, with its text alternative
// (a tooltip, in the SVG's title element).
type chartSeg struct {
	X, Y, W, H   float64
	Class, Title string
}

// chartText is a label of a chart.
type chartText struct {
	X, Y   float64
	Anchor string
	Text   string
}

// chart is a server-rendered SVG chart: a title and a description for
// assistive technology (the SVG is one image to them), the rectangles, the
// labels; the page shows the same figures as a table beside it.
type chart struct {
	ID, Title, Desc string
	Width, Height   float64
	Segs            []chartSeg
	Texts           []chartText
	Lines           []chartSeg // axes, as zero-width or zero-height boxes
}

// dayChart stacks each day's decisions by outcome, one bar a day.
func dayChart(s *DecisionStats) chart {
	c := chart{ID: "chart-days", Title: "Decisions per day, by outcome", Width: chartWidth, Height: chartHeight}
	var top int64
	for _, d := range s.Days {
		top = max(top, d.Decisions)
	}
	c.Desc = fmt.Sprintf("Stacked bars, one per UTC day from %s to %s: accept all, custom and reject all decisions. "+
		"At most %d decisions a day; %d in all. The table below gives every figure.", firstKey(s.Days), lastKey(s.Days), top, s.Total.Decisions)
	plotW, plotH := chartWidth-chartLeft, chartHeight-chartBottom
	c.Lines = append(c.Lines, chartSeg{X: chartLeft, Y: 0, H: plotH}, chartSeg{X: chartLeft, Y: plotH, W: plotW})
	c.Texts = append(c.Texts, chartText{X: chartLeft - 4, Y: 10, Anchor: "end", Text: strconv.FormatInt(top, 10)},
		chartText{X: chartLeft - 4, Y: plotH, Anchor: "end", Text: "0"})
	if len(s.Days) == 0 || top == 0 {
		return c
	}
	step := plotW / float64(len(s.Days))
	for i, d := range s.Days {
		x, y := chartLeft+float64(i)*step, plotH
		for _, o := range outcomeSeries {
			n := o.count(&d.StatCounts)
			if n == 0 {
				continue
			}
			h := float64(n) / float64(top) * (plotH - 12)
			y -= h
			c.Segs = append(c.Segs, chartSeg{X: x + step*0.1, Y: y, W: step * 0.8, H: h, Class: o.class,
				Title: fmt.Sprintf("%s: %d %s", d.Key, n, o.name)})
		}
	}
	c.Texts = append(c.Texts, chartText{X: chartLeft, Y: chartHeight - 6, Anchor: "start", Text: firstKey(s.Days)},
		chartText{X: chartWidth, Y: chartHeight - 6, Anchor: "end", Text: lastKey(s.Days)})
	return c
}

// shareChart draws one horizontal bar per group, split by the shares of
// its outcomes.
func shareChart(id, title, what string, groups []StatGroup) chart {
	c := chart{ID: id, Title: title, Width: chartWidth, Height: 2*rowChartHeight + rowHeight*float64(len(groups))}
	c.Desc = fmt.Sprintf("One bar per %s, %d in all, split into the shares of accept all, custom and reject all decisions. "+
		"The table below gives every figure.", what, len(groups))
	plotW := chartWidth - rowLabelWidth
	for i, g := range groups {
		y := rowChartHeight + float64(i)*rowHeight
		c.Texts = append(c.Texts, chartText{X: rowLabelWidth - 6, Y: y + rowHeight*0.7, Anchor: "end", Text: g.Key})
		if g.Decisions == 0 {
			continue
		}
		x := rowLabelWidth
		for _, o := range outcomeSeries {
			n := o.count(&g.StatCounts)
			if n == 0 {
				continue
			}
			w := float64(n) / float64(g.Decisions) * plotW
			c.Segs = append(c.Segs, chartSeg{X: x, Y: y + 2, W: w, H: rowHeight - 4, Class: o.class,
				Title: fmt.Sprintf("%s: %.1f%% %s (%d)", g.Key, 100*float64(n)/float64(g.Decisions), o.name, n)})
			x += w
		}
	}
	return c
}

func firstKey(gs []StatGroup) string {
	if len(gs) == 0 {
		return ""
	}
	return gs[0].Key
}

func lastKey(gs []StatGroup) string {
	if len(gs) == 0 {
		return ""
	}
	return gs[len(gs)-1].Key
}

// stats serves the statistics page, or with ?format=json the
// DecisionStats themselves.
func (h *reviewHandler) stats(w http.ResponseWriter, r *http.Request, f Filter, p *reviewPage) {
	p.Title, p.Nav, p.Action = "Statistics", "stats", "stats"
	s, err := h.log.DecisionStats(r.Context(), f)
	if err != nil {
		h.dbError(w, p, err)
		return
	}
	if r.URL.Query().Get("format") == "json" {
		w.Header().Set("Content-Type", "application/json")
		if err := json.NewEncoder(w).Encode(&s); err != nil {
			h.opts.Logger.Error("auditlog: write statistics", "err", err)
		}
		return
	}
	// On the page, records without a region (a site without regions, a
	// visitor not located) are named, not a blank label.
	for i := range s.Regions {
		if s.Regions[i].Key == "" {
			s.Regions[i].Key = "(none)"
		}
	}
	p.Stats = &s
	p.Charts = []chart{
		dayChart(&s),
		shareChart("chart-versions", "Outcomes by banner version", "banner version", s.BannerVersions),
		shareChart("chart-languages", "Outcomes by language", "language", s.Languages),
		shareChart("chart-regions", "Outcomes by region", "region", s.Regions),
	}
	h.render(w, http.StatusOK, "stats", p)
}
