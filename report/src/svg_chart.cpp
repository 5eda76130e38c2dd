#include "svg_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace edubench::report {
namespace {

constexpr double kW = 560, kH = 320;                            // the whole chart
constexpr double kLeft = 62, kRight = 16, kTop = 54, kBottom = 46;  // the plot area's margins
constexpr double kPlotW = kW - kLeft - kRight, kPlotH = kH - kTop - kBottom;

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else if (c == '&') o += "&amp;";
    else if (c == '"') o += "&quot;";
    else o += c;
  }
  return o;
}

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", v);
  return b;
}

// "Nice" ticks (1, 2, 5 x 10^k) covering [lo, hi].
std::vector<double> ticks(double lo, double hi, int want = 5) {
  const double span = hi - lo;
  if (!(span > 0)) return {lo};
  const double raw = span / want, mag = std::pow(10, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * mag) {
      step = m * mag;
      break;
    }
  std::vector<double> t;
  for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) t.push_back(std::abs(v) < step * 1e-9 ? 0 : v);
  return t;
}

struct Scale {
  double lo = 0, hi = 1;
  bool log = false;
  double at(double v, double pixels) const {
    if (log) return (std::log10(std::max(v, lo)) - std::log10(lo)) / (std::log10(hi) - std::log10(lo)) * pixels;
    return (v - lo) / (hi - lo) * pixels;
  }
};

std::string frame(const std::string& title, const std::string& x_label, const std::string& y_label, size_t n_series,
                  size_t n_points) {
  std::string s = "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(kW) + "\" height=\"" +
                  num(kH) + "\" viewBox=\"0 0 " + num(kW) + " " + num(kH) + "\" data-series=\"" +
                  std::to_string(n_series) + "\" data-points=\"" + std::to_string(n_points) + "\">";
  s += "<text class=\"title\" x=\"" + num(kLeft) + "\" y=\"20\">" + esc(title) + "</text>";
  s += "<text class=\"axis-label\" x=\"" + num(kLeft + kPlotW / 2) + "\" y=\"" + num(kH - 8) +
       "\" text-anchor=\"middle\">" + esc(x_label) + "</text>";
  s += "<text class=\"axis-label\" transform=\"translate(14," + num(kTop + kPlotH / 2) +
       ") rotate(-90)\" text-anchor=\"middle\">" + esc(y_label) + "</text>";
  return s;
}

std::string empty_body(const std::string& why) {
  return "<text class=\"empty\" x=\"" + num(kLeft + kPlotW / 2) + "\" y=\"" + num(kTop + kPlotH / 2) +
         "\" text-anchor=\"middle\">" + esc(why) + "</text></svg>";
}

std::string axes(const Scale& x, const Scale& y, bool x_ticks_are_categories = false) {
  std::string s = "<g class=\"axes\">";
  s += "<rect x=\"" + num(kLeft) + "\" y=\"" + num(kTop) + "\" width=\"" + num(kPlotW) + "\" height=\"" + num(kPlotH) +
       "\" fill=\"none\" stroke=\"#bbb\"/>";
  for (double t : ticks(y.lo, y.hi)) {
    const double py = kTop + kPlotH - y.at(t, kPlotH);
    s += "<line x1=\"" + num(kLeft) + "\" x2=\"" + num(kLeft + kPlotW) + "\" y1=\"" + num(py) + "\" y2=\"" + num(py) +
         "\" stroke=\"#eee\"/><text x=\"" + num(kLeft - 6) + "\" y=\"" + num(py + 4) + "\" text-anchor=\"end\">" +
         short_number(t) + "</text>";
  }
  if (!x_ticks_are_categories) {
    std::vector<double> xt;
    if (x.log)
      for (double d = std::pow(10, std::floor(std::log10(x.lo))); d <= x.hi * 1.0001; d *= 10) {
        if (d >= x.lo * 0.9999) xt.push_back(d);
      }
    if (xt.size() < 2) xt = ticks(x.lo, x.hi);
    for (double t : xt) {
      const double px = kLeft + x.at(t, kPlotW);
      s += "<line x1=\"" + num(px) + "\" x2=\"" + num(px) + "\" y1=\"" + num(kTop + kPlotH) + "\" y2=\"" +
           num(kTop + kPlotH + 4) + "\" stroke=\"#888\"/><text x=\"" + num(px) + "\" y=\"" + num(kTop + kPlotH + 16) +
           "\" text-anchor=\"middle\">" + short_number(t) + "</text>";
    }
  }
  return s + "</g>";
}

// Between the title and the plot, wrapped onto a second row when long; names cut at 30 characters.
std::string legend(const std::vector<Series>& series) {
  std::string s = "<g class=\"legend\">";
  double x = kLeft, y = 30;
  for (size_t k = 0; k < series.size(); ++k) {
    std::string name = series[k].name.size() > 30 ? series[k].name.substr(0, 29) + "~" : series[k].name;
    const double w = 22 + 6.2 * static_cast<double>(name.size());
    if (x + w > kW - kRight && x > kLeft) x = kLeft, y += 13;
    s += "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"9\" height=\"9\" fill=\"" + series_colour(k) +
         "\"/><text x=\"" + num(x + 13) + "\" y=\"" + num(y + 8.5) + "\">" + esc(name) + "</text>";
    x += w;
  }
  return s + "</g>";
}

}  // namespace

const char* series_colour(size_t k) {
  static const char* kColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"};
  return kColours[k % 8];
}

std::string short_number(double v) {
  char b[32];
  const double a = std::abs(v);
  if (a >= 1e6) std::snprintf(b, sizeof b, "%.3gM", v / 1e6);
  else if (a >= 1e4) std::snprintf(b, sizeof b, "%.3gk", v / 1e3);
  else if (a >= 100 || a == 0) std::snprintf(b, sizeof b, "%.0f", v);
  else std::snprintf(b, sizeof b, "%.3g", v);
  return b;
}

std::string render(const LineChart& c) {
  size_t n_points = 0;
  double x_lo = std::numeric_limits<double>::infinity(), x_hi = -x_lo, y_hi = 0, y_lo = 0;
  for (const Series& s : c.series)
    for (const auto& [x, y] : s.points) {
      if (c.x_log && !(x > 0)) continue;
      ++n_points;
      x_lo = std::min(x_lo, x), x_hi = std::max(x_hi, x);
      y_hi = std::max(y_hi, y), y_lo = std::min(y_lo, y);
    }
  for (const Marker& m : c.x_markers) x_lo = std::min(x_lo, m.value), x_hi = std::max(x_hi, m.value);
  for (const Marker& m : c.y_markers) y_hi = std::max(y_hi, m.value);
  std::string s = frame(c.title, c.x_label, c.y_label, c.series.size(), n_points);
  if (n_points == 0) return s + empty_body("no data in these runs");
  Scale xs{x_lo, x_hi > x_lo ? x_hi : x_lo + 1, c.x_log};
  if (c.x_log && xs.hi <= xs.lo * 1.0001) xs.hi = xs.lo * 10;
  Scale ys{y_lo, y_hi > y_lo ? y_hi * 1.05 : y_lo + 1, false};
  s += axes(xs, ys);
  for (size_t k = 0; k < c.series.size(); ++k) {
    std::string d;
    for (const auto& [x, y] : c.series[k].points) {
      if (c.x_log && !(x > 0)) continue;
      const double px = kLeft + xs.at(x, kPlotW), py = kTop + kPlotH - ys.at(y, kPlotH);
      if (d.empty()) d = "M" + num(px) + " " + num(py);
      else if (c.steps) d += " H" + num(px) + " V" + num(py);
      else d += " L" + num(px) + " " + num(py);
      if (c.dots)
        s += "<circle class=\"dot\" cx=\"" + num(px) + "\" cy=\"" + num(py) + "\" r=\"3.5\" fill=\"" + series_colour(k) + "\"/>";
    }
    if (!d.empty())
      s += "<path class=\"series\" d=\"" + d + "\" fill=\"none\" stroke=\"" + series_colour(k) + "\" stroke-width=\"1.8\"/>";
  }
  for (const Marker& m : c.y_markers) {
    const double py = kTop + kPlotH - ys.at(m.value, kPlotH);
    s += "<line class=\"marker\" x1=\"" + num(kLeft) + "\" x2=\"" + num(kLeft + kPlotW) + "\" y1=\"" + num(py) +
         "\" y2=\"" + num(py) + "\" stroke=\"#555\" stroke-dasharray=\"5 4\"/><text x=\"" + num(kLeft + kPlotW - 4) +
         "\" y=\"" + num(py - 4) + "\" text-anchor=\"end\">" + esc(m.label) + "</text>";
  }
  for (const Marker& m : c.x_markers) {
    const double px = kLeft + xs.at(m.value, kPlotW);
    s += "<line class=\"marker\" x1=\"" + num(px) + "\" x2=\"" + num(px) + "\" y1=\"" + num(kTop) + "\" y2=\"" +
         num(kTop + kPlotH) + "\" stroke=\"#555\" stroke-dasharray=\"5 4\"/><text x=\"" + num(px + 4) + "\" y=\"" +
         num(kTop + 28) + "\">" + esc(m.label) + "</text>";
  }
  return s + legend(c.series) + "</svg>";
}

std::string render(const BarChart& c) {
  size_t n_points = 0;
  std::vector<double> totals(c.categories.size(), 0);
  for (const Series& s : c.stacks)
    for (const auto& [x, y] : s.points) {
      const size_t i = static_cast<size_t>(x);
      if (i < totals.size() && y > 0) totals[i] += y, ++n_points;
    }
  std::string s = frame(c.title, c.x_label, c.y_label, c.stacks.size(), n_points);
  if (n_points == 0) return s + empty_body("no data in these runs");
  const double top = *std::max_element(totals.begin(), totals.end());
  Scale ys{0, top > 0 ? top * 1.05 : 1, false};
  s += axes(Scale{0, 1, false}, ys, true);
  const double slot = kPlotW / static_cast<double>(c.categories.size()), bar = std::min(40.0, slot * 0.7);
  std::vector<double> base(c.categories.size(), 0);
  for (size_t k = 0; k < c.stacks.size(); ++k)
    for (const auto& [x, y] : c.stacks[k].points) {
      const size_t i = static_cast<size_t>(x);
      if (i >= base.size() || !(y > 0)) continue;
      const double h = ys.at(y, kPlotH), y0 = kTop + kPlotH - ys.at(base[i], kPlotH) - h;
      s += "<rect class=\"series\" x=\"" + num(kLeft + slot * (static_cast<double>(i) + 0.5) - bar / 2) + "\" y=\"" +
           num(y0) + "\" width=\"" + num(bar) + "\" height=\"" + num(h) + "\" fill=\"" + series_colour(k) + "\"/>";
      base[i] += y;
    }
  const size_t every = std::max<size_t>(1, c.categories.size() / 12);
  for (size_t i = 0; i < c.categories.size(); i += every)
    s += "<text x=\"" + num(kLeft + slot * (static_cast<double>(i) + 0.5)) + "\" y=\"" + num(kTop + kPlotH + 16) +
         "\" text-anchor=\"middle\">" + esc(c.categories[i]) + "</text>";
  return s + legend(c.stacks) + "</svg>";
}

}  // namespace edubench::report
