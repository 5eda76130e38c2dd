#include "charts.hpp"

#include <edubench/runlog/metrics.hpp>

#include <algorithm>
#include <cmath>
#include <map>

namespace edubench::report {
namespace {

std::vector<double> values(const RunData& r, const std::string& which) {
  std::vector<double> v;
  if (which == "itl") return r.figures.itl_ms;
  for (const auto& q : r.figures.queries) {
    const auto& f = q.figures;
    if (which == "ttft" && f.ttft_ms) v.push_back(*f.ttft_ms);
    else if (which == "tpot" && f.tpot_ms) v.push_back(*f.tpot_ms);
    else if (which == "latency") v.push_back(f.e2e_ms);
  }
  return v;
}

// At most `n` points of a long series, evenly by index (the shape survives, the SVG stays small).
std::vector<std::pair<double, double>> thin(std::vector<std::pair<double, double>> p, size_t n = 400) {
  if (p.size() <= n) return p;
  std::vector<std::pair<double, double>> out;
  for (size_t i = 0; i < n; ++i) out.push_back(p[i * (p.size() - 1) / (n - 1)]);
  return out;
}

double run_span_s(const RunData& r) {
  double end = 0;
  for (const auto& q : r.figures.queries) end = std::max(end, q.completed_s);
  return end;
}

}  // namespace

bool has_streams(const std::vector<const RunData*>& runs) {
  for (const RunData* r : runs)
    if (!r->figures.itl_ms.empty()) return true;
  return false;
}

bool has_agent_steps(const RunData& run) { return !run.log.tool_calls.empty() || !run.log.code_runs.empty(); }

bool has_reported(const std::vector<const RunData*>& runs, const std::string& prefix) {
  for (const RunData* r : runs)
    for (const auto& rep : r->log.reports)
      if (rep.metric.rfind(prefix, 0) == 0) return true;
  return false;
}

LineChart latency_cdf(const std::vector<const RunData*>& runs) {
  LineChart c{"Latency CDF (end to end)", "latency, ms", "fraction of queries", {}, false, true};
  double lo = INFINITY, hi = 0;
  for (const RunData* r : runs) {
    std::vector<double> v = values(*r, "latency");
    std::sort(v.begin(), v.end());
    Series s{r->label, {}};
    for (size_t i = 0; i < v.size(); ++i) s.points.emplace_back(v[i], (i + 1.0) / static_cast<double>(v.size()));
    if (!v.empty()) lo = std::min(lo, v.front()), hi = std::max(hi, v.back());
    s.points = thin(std::move(s.points));
    c.series.push_back(std::move(s));
  }
  c.x_log = lo > 0 && hi / lo > 50;  // decades apart (cache on vs off): a log axis shows both
  return c;
}

LineChart histogram(const std::vector<const RunData*>& runs, const std::string& which) {
  const std::string name = which == "ttft" ? "TTFT" : which == "tpot" ? "TPOT" : "Inter-token gap";
  LineChart c{name + " histogram", name + ", ms", "fraction of " + std::string(which == "itl" ? "gaps" : "queries"),
              {}, false, true};
  std::vector<std::vector<double>> all;
  std::vector<double> pooled;
  for (const RunData* r : runs) {
    all.push_back(values(*r, which));
    pooled.insert(pooled.end(), all.back().begin(), all.back().end());
  }
  if (pooled.empty()) {
    for (const RunData* r : runs) c.series.push_back({r->label, {}});
    return c;
  }
  // Shared bins up to the pooled p99.5 (a few stalls would squeeze everything into one bin).
  const double lo = *std::min_element(pooled.begin(), pooled.end());
  double hi = runlog::quantile(pooled, 0.995);
  if (!(hi > lo)) hi = lo + 1;
  const int bins = 40;
  const double w = (hi - lo) / bins;
  for (size_t k = 0; k < runs.size(); ++k) {
    std::vector<double> count(bins, 0);
    for (double x : all[k]) count[std::min(bins - 1, std::max(0, static_cast<int>((x - lo) / w)))] += 1;
    Series s{runs[k]->label, {}};
    const double n = all[k].empty() ? 1 : static_cast<double>(all[k].size());
    for (int b = 0; b < bins; ++b) s.points.emplace_back(lo + b * w, count[static_cast<size_t>(b)] / n);
    if (!all[k].empty()) s.points.emplace_back(hi, count.back() / n);
    c.series.push_back(std::move(s));
  }
  return c;
}

namespace {

// Completions in bins of the run's time: (bin start, the bin's completions and latencies).
std::map<int, std::vector<double>> by_time_bin(const RunData& r, double width) {
  std::map<int, std::vector<double>> bins;
  for (const auto& q : r.figures.queries) bins[static_cast<int>(q.completed_s / width)].push_back(q.figures.e2e_ms);
  return bins;
}

// Where the warm-up ended (the latest of the runs'), as a marker on the time axis.
void mark_warmup(LineChart& c, const std::vector<const RunData*>& runs) {
  double end = -1;
  for (const RunData* r : runs) end = std::max(end, r->figures.warmup_end_s);
  if (end >= 0) c.x_markers.push_back({end, "warm-up ends"});
}

double bin_width(const std::vector<const RunData*>& runs) {
  double span = 0;
  for (const RunData* r : runs) span = std::max(span, run_span_s(*r));
  return std::max(0.05, span / 40);
}

}  // namespace

LineChart throughput_over_time(const std::vector<const RunData*>& runs) {
  const double w = bin_width(runs);
  LineChart c{"Throughput over the run", "time since the first query, s", "completed queries/s", {}, false, true};
  for (const RunData* r : runs) {
    Series s{r->label, {}};
    const auto bins = by_time_bin(*r, w);
    const int last = bins.empty() ? -1 : bins.rbegin()->first;
    for (int b = 0; b <= last; ++b) {
      auto it = bins.find(b);
      s.points.emplace_back(b * w, it == bins.end() ? 0 : static_cast<double>(it->second.size()) / w);
    }
    c.series.push_back(std::move(s));
  }
  mark_warmup(c, runs);
  return c;
}

LineChart latency_over_time(const std::vector<const RunData*>& runs) {
  const double w = bin_width(runs);
  LineChart c{"Latency over the run (median of each time bin)", "time since the first query, s", "latency, ms"};
  for (const RunData* r : runs) {
    Series s{r->label, {}};
    for (auto& [b, lat] : by_time_bin(*r, w)) s.points.emplace_back((b + 0.5) * w, runlog::quantile(lat, 0.5));
    c.series.push_back(std::move(s));
  }
  mark_warmup(c, runs);
  return c;
}

LineChart memory_over_time(const std::vector<const RunData*>& runs) {
  LineChart c{"SUT memory over the run (resident, as the kernel counts it)", "time since the load began, s",
              "RSS, MiB"};
  for (const RunData* r : runs) {
    const auto mem = r->result.find("sut_memory");
    if (mem == r->result.end() || !mem->is_object() || !mem->contains("samples")) continue;
    const ojson& s = (*mem)["samples"];
    const bool with_harness = mem->value("includes_harness", false);
    Series series{r->label + (with_harness ? " (in process)" : ""), {}};
    const auto& t = s["t_s"];
    const auto& b = s["rss_bytes"];
    for (size_t i = 0; i < t.size() && i < b.size(); ++i)
      series.points.emplace_back(t[i].get<double>(), b[i].get<double>() / (1024.0 * 1024.0));
    c.series.push_back(std::move(series));
  }
  return c;
}

bool has_memory_samples(const std::vector<const RunData*>& runs) {
  for (const RunData* r : runs) {
    const auto mem = r->result.find("sut_memory");
    if (mem != r->result.end() && mem->is_object() && mem->contains("samples")) return true;
  }
  return false;
}

BarChart agent_step_split(const RunData& run) {
  BarChart c{"Where a step's time goes: " + run.label, "step of the query", "mean ms per query reaching the step"};
  // step -> query -> milliseconds, so a query's several calls at one step add up
  auto add = [](std::map<uint32_t, std::map<uint64_t, double>>& m, uint32_t step, uint64_t q, double ms) { m[step][q] += ms; };
  std::map<uint32_t, std::map<uint64_t, double>> m_model, m_tool, m_code;
  for (const auto& s : runlog::sut_segments(run.log)) add(m_model, s.step, s.query, (s.end_ns - s.start_ns) / 1e6);
  for (const auto& t : run.log.tool_calls) add(m_tool, t.step, t.query, (t.end_ns - t.start_ns) / 1e6);
  for (const auto& r : run.log.code_runs) add(m_code, r.attempt, r.query, (r.end_ns - r.start_ns) / 1e6);
  uint32_t steps = 0;
  for (auto* m : {&m_model, &m_tool, &m_code})
    if (!m->empty()) steps = std::max(steps, m->rbegin()->first + 1);
  steps = std::min<uint32_t>(steps, 24);
  auto mean_series = [&](const std::string& name, std::map<uint32_t, std::map<uint64_t, double>>& m) {
    Series s{name, {}};
    for (uint32_t k = 0; k < steps; ++k) {
      const auto it = m.find(k);
      if (it == m.end() || it->second.empty()) continue;
      double sum = 0;
      for (const auto& [q, ms] : it->second) sum += ms;
      s.points.emplace_back(k, sum / static_cast<double>(it->second.size()));
    }
    return s;
  };
  for (uint32_t k = 0; k < steps; ++k) c.categories.push_back(std::to_string(k));
  c.stacks = {mean_series("model (SUT)", m_model), mean_series("tools", m_tool), mean_series("sandbox", m_code)};
  return c;
}

LineChart context_growth(const std::vector<const RunData*>& runs) {
  LineChart c{"Context per step (reported by the SUT)", "step of the query", "context tokens (mean)", {}, false, false, true};
  for (const RunData* r : runs) {
    std::map<uint64_t, uint32_t> step_of;  // query -> next step index
    std::map<uint32_t, std::pair<double, int>> at;
    for (const auto& rep : r->log.reports) {
      if (rep.metric != "step_context_tokens" && rep.metric != "attempt_context_tokens") continue;
      auto& a = at[step_of[rep.query]++];
      a.first += rep.value, ++a.second;
    }
    Series s{r->label, {}};
    for (const auto& [k, a] : at) s.points.emplace_back(k, a.first / a.second);
    c.series.push_back(std::move(s));
  }
  return c;
}

LineChart token_time_by_position(const std::vector<const RunData*>& runs) {
  LineChart c{"Time per token by its position in the response", "response token (position)",
              "ms per token (mean over queries)", {}, false, false, true};
  for (const RunData* r : runs) {
    // A stream() call's gap from the previous call, shared by the tokens it carries, at the
    // position of its last token; in bins of 8 positions so each point averages many gaps.
    constexpr uint32_t kBin = 8;
    std::map<uint32_t, std::pair<double, double>> at;  // bin -> ms, tokens
    for (const auto& q : r->log.queries) {
      if (q.warmup || q.completed_ns < 0) continue;
      uint32_t pos = 0;
      for (size_t i = 0; i < q.streams.size(); ++i) {
        pos += q.streams[i].n_tokens;
        if (i == 0 || q.streams[i].n_tokens == 0) continue;  // the first token is TTFT: prefill
        auto& a = at[(pos - 1) / kBin];
        a.first += (q.streams[i].t_ns - q.streams[i - 1].t_ns) / 1e6;
        a.second += q.streams[i].n_tokens;
      }
    }
    Series s{r->label, {}};
    for (const auto& [bin, a] : at) s.points.emplace_back(bin * kBin + kBin / 2.0, a.first / a.second);
    c.series.push_back(std::move(s));
  }
  return c;
}

LineChart kv_bytes_by_context(const std::vector<const RunData*>& runs) {
  LineChart c{"KV cache size against the context it holds (reported by the SUT)", "context tokens",
              "KV cache, MiB (mean over queries)", {}, false, false, true};
  for (const RunData* r : runs) {
    // The k-th growth_context_tokens report of a query pairs with its k-th growth_kv_cache_bytes.
    std::map<uint64_t, std::pair<std::vector<double>, std::vector<double>>> q;
    for (const auto& rep : r->log.reports) {
      if (rep.metric == "growth_context_tokens") q[rep.query].first.push_back(rep.value);
      if (rep.metric == "growth_kv_cache_bytes") q[rep.query].second.push_back(rep.value);
    }
    std::map<double, std::pair<double, int>> at;  // context tokens -> MiB summed, count
    for (const auto& [id, v] : q)
      for (size_t k = 0; k < std::min(v.first.size(), v.second.size()); ++k)
        at[v.first[k]].first += v.second[k] / (1024.0 * 1024.0), ++at[v.first[k]].second;
    Series s{r->label, {}};
    for (const auto& [n, v] : at) s.points.emplace_back(n, v.first / v.second);
    c.series.push_back(std::move(s));
  }
  return c;
}

LineChart speculative_acceptance(const std::vector<const RunData*>& runs) {
  if (has_reported(runs, "draft_position_")) {
    LineChart c{"Acceptance by draft position", "position in the draft (1 = first drafted token)",
                "share of drafts accepted there", {}, false, false, true};
    for (const RunData* r : runs) {
      std::map<int, std::pair<double, double>> pos;  // position -> accepted, drafted
      for (const auto& rep : r->log.reports) {
        int k = 0;
        char what[16] = {0};
        if (std::sscanf(rep.metric.c_str(), "draft_position_%d_%15s", &k, what) != 2) continue;
        (std::string(what) == "accepted" ? pos[k].first : pos[k].second) += rep.value;
      }
      Series s{r->label, {}};
      for (const auto& [k, a] : pos)
        if (a.second > 0) s.points.emplace_back(k, a.first / a.second);
      c.series.push_back(std::move(s));
    }
    return c;
  }
  LineChart c{"Acceptance rate per query (accepted / drafted tokens)", "acceptance rate", "fraction of queries",
              {}, false, true};
  for (const RunData* r : runs) {
    std::map<uint64_t, std::pair<double, double>> q;
    for (const auto& rep : r->log.reports) {
      if (rep.metric == "accepted_tokens") q[rep.query].first += rep.value;
      if (rep.metric == "drafted_tokens") q[rep.query].second += rep.value;
    }
    std::vector<double> count(20, 0);
    double n = 0;
    for (const auto& [id, a] : q)
      if (a.second > 0) count[std::min<size_t>(19, static_cast<size_t>(a.first / a.second * 20))] += 1, n += 1;
    Series s{r->label, {}};
    for (size_t b = 0; b < 20 && n > 0; ++b) s.points.emplace_back(b / 20.0, count[b] / n);
    if (n > 0) s.points.emplace_back(1.0, count[19] / n);
    c.series.push_back(std::move(s));
  }
  return c;
}

std::vector<LineChart> peak_charts(const RunData& peak) {
  std::map<std::string, LineChart> by_figure;  // one chart per bounded figure (latency, TTFT, TPOT)
  const auto& probes = peak.peak["probes"];
  for (size_t i = 0; i < probes.size() && i < peak.probe_results.size(); ++i) {
    const ojson& res = peak.probe_results[i];
    if (!res.contains("metrics") || !res["metrics"].contains("bounds")) continue;
    const double q = probes[i].value("target_qps", 0.0);
    const std::string pct = "p" + short_number(res["settings"].value("latency_percentile", 0.99) * 100);
    for (const auto& b : res["metrics"]["bounds"]) {
      const std::string fig = b.value("figure", "latency");
      LineChart& c = by_figure[fig];
      if (c.series.empty()) {
        c = LineChart{fig + " at " + pct + " vs offered load", "target_qps (offered)", fig + " " + pct + ", ms",
                      {Series{"VALID"}, Series{"INVALID"}}, false, false, true};
        c.y_markers.push_back({b.value("bound_ms", 0.0), b.value("bound", std::string("bound")) + " " +
                                                              short_number(b.value("bound_ms", 0.0)) + " ms"});
      }
      c.series[probes[i].value("valid", false) ? 0 : 1].points.emplace_back(q, b.value("at_percentile_ms", 0.0));
    }
  }
  std::vector<LineChart> out;
  for (auto& [fig, c] : by_figure) {
    for (Series& s : c.series) std::sort(s.points.begin(), s.points.end());
    c.x_markers.push_back({peak.peak.value("peak_qps", 0.0), "peak " + short_number(peak.peak.value("peak_qps", 0.0))});
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace edubench::report
