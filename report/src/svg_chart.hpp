// Charts as inline SVG: a report is one self-contained HTML file (no script, no network), so
// every picture is drawn here, from numbers, and opens in any browser.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace edubench::report {

struct Series {
  std::string name;
  std::vector<std::pair<double, double>> points;  // x, y
};

struct Marker {  // a labelled reference line: an SLO bound, the peak
  double value = 0;
  std::string label;
};

struct LineChart {
  std::string title, x_label, y_label;
  std::vector<Series> series;
  bool x_log = false;
  bool steps = false;    // draw as a step function (CDFs, histograms)
  bool dots = false;     // a dot at each point (few points: probes)
  std::vector<Marker> x_markers, y_markers;
};

struct BarChart {  // stacked bars, one stack per category
  std::string title, x_label, y_label;
  std::vector<std::string> categories;
  std::vector<Series> stacks;  // each series' points: (category index, value)
};

// Colours are assigned by series position, the same across charts, so run k has one colour.
const char* series_colour(size_t k);

// <svg class="chart" data-series="N" data-points="M"> ... </svg>; a chart with no points says so
// in its body instead of drawing empty axes.
std::string render(const LineChart& c);
std::string render(const BarChart& c);

// "12.5", "0.03", "1.2k", "3.4M": tick labels and table cells.
std::string short_number(double v);

}  // namespace edubench::report
