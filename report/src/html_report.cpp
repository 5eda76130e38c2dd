// The page: the runs, a table of their figures, then every chart that has data, each section
// saying what it shows. One file, inline CSS and SVG, nothing fetched.
#include <edubench/report/report.hpp>

#include "charts.hpp"
#include "run_data.hpp"
#include "table.hpp"

#include <cmath>

namespace edubench::report {
namespace {

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) o += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : std::string(1, c);
  return o;
}

std::string cell(double v) { return std::isnan(v) ? "&ndash;" : short_number(v); }

const char* kStyle = R"(<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; max-width: 1200px; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 8px 0; } td, th { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: right; }
td:first-child, th:first-child { text-align: left; } .swatch { display: inline-block; width: 10px; height: 10px; margin-right: 6px; }
.valid { color: #2a7a2a; font-weight: 600; } .invalid { color: #b22; font-weight: 600; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; } .note { color: #666; font-size: 13px; }
svg.chart { background: #fff; border: 1px solid #e4e4e4; } svg.chart text { font: 11px system-ui, sans-serif; fill: #333; }
svg.chart text.title { font-size: 13px; font-weight: 600; } svg.chart text.empty { fill: #999; }
</style>)";

std::string runs_table(const std::vector<RunData>& all) {
  std::string s = "<table><tr><th>run</th><th>workload</th><th>scenario</th><th>mode</th><th>verdict</th><th>directory</th></tr>";
  for (size_t k = 0; k < all.size(); ++k) {
    const RunData& r = all[k];
    std::string verdict, workload, scenario, mode;
    if (r.is_peak) {
      workload = r.peak.value("workload", "");
      scenario = r.peak.value("scenario", "");
      mode = "peak search";
      verdict = "<span class=\"valid\">peak " + short_number(r.peak.value("peak_qps", 0.0)) + " q/s</span>";
    } else {
      workload = r.result.value("workload", "");
      scenario = r.result.value("scenario", "");
      mode = r.result.value("mode", "");
      const bool valid = r.result.value("valid", false);
      verdict = valid ? "<span class=\"valid\">VALID</span>" : "<span class=\"invalid\">INVALID</span>";
      if (!valid && r.result.contains("invalid_reasons") && !r.result["invalid_reasons"].empty())
        verdict += " <span class=\"note\">" + esc(r.result["invalid_reasons"][0].get<std::string>()) + "</span>";
    }
    s += "<tr><td><span class=\"swatch\" style=\"background:" + std::string(series_colour(k)) + "\"></span>" +
         esc(r.label) + "</td><td>" + esc(workload) + "</td><td>" + esc(scenario) + "</td><td>" + esc(mode) +
         "</td><td>" + verdict + "</td><td class=\"note\">" + esc(r.dir) + "</td></tr>";
  }
  return s + "</table>";
}

std::string figures_table(const std::vector<const RunData*>& runs) {
  std::string s = "<table><tr><th>figure</th>";
  for (const RunData* r : runs) s += "<th>" + esc(r->label) + "</th>";
  if (runs.size() > 1) s += "<th>last / first</th>";
  s += "</tr>";
  for (const Row& row : comparison_rows(runs)) {
    s += "<tr><td>" + esc(row.name) + "</td>";
    for (double v : row.values) s += "<td>" + cell(v) + "</td>";
    if (runs.size() > 1) {
      const double a = row.values.front(), b = row.values.back();
      s += "<td>" + (std::isnan(a) || std::isnan(b) || a == 0 ? std::string("&ndash;") : short_number(b / a) + "x") + "</td>";
    }
    s += "</tr>";
  }
  return s + "</table>";
}

std::string section(const std::string& title, const std::string& note, const std::string& body) {
  return "<h2>" + esc(title) + "</h2><p class=\"note\">" + esc(note) + "</p><div class=\"charts\">" + body + "</div>";
}

}  // namespace

std::string html_report(const std::vector<std::string>& dirs) {
  if (dirs.empty()) throw InputError("report: expected at least one run directory");
  std::vector<RunData> all;
  for (const std::string& d : dirs) all.push_back(load_run(d));
  std::vector<const RunData*> runs;
  for (const RunData& r : all)
    if (!r.is_peak) runs.push_back(&r);

  std::string page = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>edubench report</title>" +
                     std::string(kStyle) + "</head><body><h1>edubench report</h1>";
  page += "<p class=\"note\">Every figure below is computed from the runs' own files (result.json, events.jsonl): "
          "harness timestamps, nothing the SUT reported, except where a chart says so.</p>";
  page += runs_table(all);
  if (!runs.empty()) {
    page += section("Figures", "From each run's result.json; the last column is the last run over the first.",
                    figures_table(runs));
    page += section("Latency", "End to end: from the scheduled time (Server) or the issue (otherwise) to complete().",
                    render(latency_cdf(runs)) + render(latency_over_time(runs)));
    page += section("Throughput", "Completed queries per second in bins of the run's time; warm-up queries are in no "
                                  "figure (the marker shows where they ended).",
                    render(throughput_over_time(runs)));
    if (has_memory_samples(runs))
      page += section("Memory",
                      "The SUT's resident memory (RSS), read by the harness from the kernel every 0.1 s or more "
                      "during the load: isolated, the worker process alone; in process, the whole process.",
                      render(memory_over_time(runs)));
    if (has_streams(runs))
      page += section("Tokens",
                      "TTFT: to the first stream() call. TPOT: (completion - first token) / (tokens - 1), per query. "
                      "Inter-token: the gaps between a query's stream() calls. Time per token by position: each gap shared by the "
                      "tokens of its call, by where they sit in the response (the KV-cache lesson: flat with a cache, "
                      "growing without). KV cache size: as the SUT reported it, against the context it held.",
                      render(histogram(runs, "ttft")) + render(histogram(runs, "tpot")) + render(histogram(runs, "itl")) +
                          render(token_time_by_position(runs)) +
                          (has_reported(runs, "growth_kv_cache_bytes")
                               ? render(kv_bytes_by_context(runs))
                               : ""));
    std::string agents;
    for (const RunData* r : runs)
      if (has_agent_steps(*r)) agents += render(agent_step_split(*r));
    if (!agents.empty()) {
      if (has_reported(runs, "step_context_tokens") || has_reported(runs, "attempt_context_tokens"))
        agents += render(context_growth(runs));
      page += section("Agent steps",
                      "Harness-timed: tool calls and sandbox runs as the harness served them; the SUT's time is the "
                      "rest of each step. Context tokens are what the SUT reported.",
                      agents);
    }
    if (has_reported(runs, "drafted_tokens"))
      page += section("Speculative decoding", "From the SUT's reports (drafted and accepted tokens).",
                      render(speculative_acceptance(runs)));
  }
  for (const RunData& r : all)
    if (r.is_peak) {
      std::string body;
      for (const LineChart& c : peak_charts(r)) body += render(c);
      page += section("Peak search: " + r.label,
                      "Each dot is a whole Server run at that offered rate; the dashed lines are the bound and the peak "
                      "(the highest VALID rate).",
                      body);
    }
  return page + "</body></html>\n";
}

}  // namespace edubench::report
