// The report's SVG charts and its table rows (report/src), without a browser.
#include "svg_chart.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace edubench::report;

namespace {

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("a line chart draws one path per series with points, and says how many points") {
  LineChart c{"t", "x", "y", {{"a", {{1, 1}, {2, 4}, {3, 9}}}, {"b", {{1, 2}, {3, 3}}}}};
  const std::string svg = render(c);
  CHECK(count(svg, "<path class=\"series\"") == 2);
  CHECK(svg.find("data-series=\"2\" data-points=\"5\"") != std::string::npos);
  CHECK(svg.find("no data") == std::string::npos);
}

TEST_CASE("a chart without points says so instead of drawing empty axes") {
  const std::string svg = render(LineChart{"t", "x", "y", {{"a", {}}}});
  CHECK(svg.find("data-points=\"0\"") != std::string::npos);
  CHECK(svg.find("no data in these runs") != std::string::npos);
  CHECK(count(svg, "class=\"series\"") == 0);
}

TEST_CASE("a log x axis drops points at or below zero rather than drawing them at -infinity") {
  LineChart c{"t", "x", "y", {{"a", {{0, 1}, {10, 2}, {1000, 3}}}}};
  c.x_log = true;
  CHECK(render(c).find("data-points=\"2\"") != std::string::npos);
}

TEST_CASE("markers draw a dashed line with their label") {
  LineChart c{"t", "x", "y", {{"a", {{1, 1}, {2, 2}}}}};
  c.y_markers.push_back({1.5, "bound 1.5 ms"});
  c.x_markers.push_back({1.8, "peak"});
  const std::string svg = render(c);
  CHECK(count(svg, "class=\"marker\"") == 2);
  CHECK(svg.find("bound 1.5 ms") != std::string::npos);
}

TEST_CASE("stacked bars draw one rect per positive value") {
  BarChart b{"t", "step", "ms", {"0", "1", "2"}, {{"model", {{0, 5}, {1, 6}, {2, 0}}}, {"tools", {{0, 1}, {1, 2}}}}};
  const std::string svg = render(b);
  CHECK(count(svg, "<rect class=\"series\"") == 4);
}

TEST_CASE("text from the runs is escaped") {
  const std::string svg = render(LineChart{"<script>", "x", "y", {{"a&b", {{1, 1}}}}});
  CHECK(svg.find("<script>") == std::string::npos);
  CHECK(svg.find("&lt;script&gt;") != std::string::npos);
  CHECK(svg.find("a&amp;b") != std::string::npos);
}

TEST_CASE("short numbers") {
  CHECK(short_number(0) == "0");
  CHECK(short_number(0.0345) == "0.0345");
  CHECK(short_number(12.5) == "12.5");
  CHECK(short_number(259.4) == "259");
  CHECK(short_number(12345) == "12.3k");
  CHECK(short_number(3.4e6) == "3.4M");
}
