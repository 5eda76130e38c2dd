// The report's SVG charts and its table rows (report/src), without a browser.
#include "charts.hpp"
#include "run_data.hpp"
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

TEST_CASE("time per token by position: each stream() gap shared by its tokens, in bins of 8, the first token left out") {
  RunData run;
  run.label = "r";
  for (uint64_t id = 1; id <= 2; ++id) {
    edubench::runlog::QueryLog q;
    q.id = id;
    q.completed_ns = 1;
    // Token k (0-based) arrives k^2 ms after the first: gaps grow as with no KV cache; query 2
    // sends tokens 8-9 in one call.
    for (int64_t k = 0; k < 16; ++k) {
      if (id == 2 && k == 8) continue;
      q.streams.push_back({k * k * 1'000'000, static_cast<uint32_t>(id == 2 && k == 9 ? 2 : 1)});
    }
    run.log.queries.push_back(q);
  }
  const LineChart c = token_time_by_position({&run});
  REQUIRE(c.series.size() == 1);
  REQUIRE(c.series[0].points.size() == 2);
  // Positions 1-7: gaps (2k - 1) ms for k = 1..7 in both queries: 49 ms over 7 tokens each.
  CHECK(c.series[0].points[0] == std::pair<double, double>(4, 7.0));
  // Positions 8-15: 8..15 in query 1 (k^2 - (k-1)^2 = 2k - 1: 15+17+...+29 = 176 ms over 8 tokens);
  // query 2's gap to token 9 (81 - 49 = 32 ms) carries tokens 8 and 9, then 19+...+29 = 144 ms.
  CHECK(c.series[0].points[1].first == 12);
  CHECK(c.series[0].points[1].second == doctest::Approx((176.0 + 32 + 144) / 16));
}

TEST_CASE("KV size against context pairs each query's k-th growth reports") {
  RunData run;
  run.label = "r";
  run.log.reports = {{1, "growth_context_tokens", 80, 0}, {1, "growth_kv_cache_bytes", 80 * 8192, 0},
                     {2, "growth_context_tokens", 80, 0}, {1, "growth_context_tokens", 112, 0},
                     {2, "growth_kv_cache_bytes", 80 * 8192, 0}, {1, "growth_kv_cache_bytes", 112 * 8192, 0}};
  const LineChart c = kv_bytes_by_context({&run});
  REQUIRE(c.series.size() == 1);
  REQUIRE(c.series[0].points.size() == 2);
  CHECK(c.series[0].points[0] == std::pair<double, double>(80, 0.625));
  CHECK(c.series[0].points[1] == std::pair<double, double>(112, 0.875));
}
