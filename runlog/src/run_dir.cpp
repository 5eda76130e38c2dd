// The run directory: result.json, summary.txt and trace.json derived from the RunLog and its
// metrics, events.jsonl and accuracy.jsonl holding the raw log, manifest.json sealing them all.
#include "json_out.hpp"

#include <edubench/runlog/run_dir.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <queue>
#include <unordered_map>

namespace edubench::runlog {
using namespace detail;
using ojson = nlohmann::ordered_json;
namespace fs = std::filesystem;

namespace {

// In process: how far the process's peak rose above it before the plugin's create.
uint64_t peak_growth_bytes(const RunContext::SutMemory& m) {
  return m.peak_rss_bytes > m.baseline_rss_bytes ? m.peak_rss_bytes - m.baseline_rss_bytes : 0;
}

constexpr int kSchema = 1;

ojson pct_json(const Percentiles& p) {
  return ojson{{"count", p.count}, {"mean", p.mean}, {"min", p.min}, {"p50", p.p50}, {"p90", p.p90},
               {"p95", p.p95},     {"p99", p.p99},   {"p999", p.p999}, {"max", p.max}};
}

ojson goodput_json(const Goodput& g, double slo_percentile) {
  ojson slos = ojson::array();
  for (const SloCheck& c : g.slos)
    slos.push_back({{"figure", c.figure}, {"slo", c.setting}, {"slo_ms", c.slo_ms}, {"met", c.met},
                    {"share", c.share}, {"met_at_percentile", c.met_at_percentile}});
  return {{"request_goodput_per_s", g.request_goodput_per_s}, {"token_goodput_per_s", g.token_goodput_per_s},
          {"good_queries", g.good_queries}, {"good_tokens", g.good_tokens}, {"good_share", g.good_share},
          {"slo_percentile", slo_percentile}, {"slos_met", g.slos_met}, {"slos", slos}};
}

ojson pairs_json(const std::vector<std::pair<std::string, std::string>>& v) {
  ojson o = ojson::object();
  for (const auto& [k, x] : v) o[k] = x;
  return o;
}

ojson settings_json(const registry::Settings& s) {
  ojson o = ojson::object();
  for (const auto& [k, v] : registry::settings_fields(s)) {
    // Numbers stay numbers for readers; the seeds are integers.
    try {
      size_t pos = 0;
      double d = std::stod(v, &pos);
      if (pos == v.size()) {
        if (v.find_first_not_of("0123456789") == std::string::npos) o[k] = std::stoull(v);
        else o[k] = d;
        continue;
      }
    } catch (...) {
    }
    o[k] = v;
  }
  return o;
}

std::string fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

std::string write_text(const std::string& path, const std::string& text) {
  AtomicFile f(path);
  f.buffer() = text;
  return f.commit();
}

ojson result_json(const RunLog& log, const Metrics& m, const AccuracyResult* acc, const RunContext& c) {
  ojson r;
  r["schema"] = kSchema;
  r["workload"] = log.workload;
  r["scenario"] = registry::to_string(log.scenario);
  r["mode"] = log.mode;
  r["division"] = c.division;
  r["valid"] = m.valid && (!acc || acc->passed);
  r["invalid_reasons"] = m.invalid_reasons;
  if (acc && !acc->passed)
    r["invalid_reasons"].push_back("accuracy " + fmt("%.4f", acc->value) + " < target " + fmt("%.4f", acc->target));
  r["settings"] = settings_json(log.settings);
  r["overrides"] = c.overrides;
  r["sut_options"] = c.sut_options;
  ojson mt;
  mt["queries_issued"] = m.queries_issued;
  mt["queries_completed"] = m.queries_completed;
  mt["duration_s"] = m.duration_s;
  mt["samples_per_s"] = m.samples_per_s;
  mt["tokens_per_s"] = m.tokens_per_s;
  mt["tokens_total"] = m.tokens_total;
  mt["latency_ms"] = pct_json(m.latency_ms);
  if (m.latency_early_stopping_ms) mt["latency_early_stopping_ms"] = *m.latency_early_stopping_ms;
  mt["ttft_ms"] = pct_json(m.ttft_ms);
  mt["tpot_ms"] = pct_json(m.tpot_ms);
  mt["itl_ms"] = pct_json(m.itl_ms);
  mt["warmup_queries"] = m.warmup_queries;
  mt["issue_lag_ms"] = pct_json(m.issue_lag_ms);
  mt["issue_call_max_ms"] = m.issue_call_max_ms;
  if (m.goodput) mt["goodput"] = goodput_json(*m.goodput, log.settings.slo_percentile);
  if (log.scenario == registry::Scenario::server) {
    mt["achieved_qps"] = m.achieved_qps;
    ojson bounds = ojson::array();
    for (const BoundCheck& b : m.bounds)
      bounds.push_back({{"figure", b.figure}, {"bound", b.bound_name}, {"bound_ms", b.bound_ms},
                        {"at_percentile_ms", b.at_percentile_ms}, {"over", b.over},
                        {"early_stopping_needed", b.needed}, {"ok", b.ok}});
    mt["bounds"] = bounds;
  }
  if (m.tool_ms.count) mt["tool_ms"] = pct_json(m.tool_ms);
  if (m.code_run_ms.count) mt["code_run_ms"] = pct_json(m.code_run_ms);
  if (m.time_split) {  // agent runs: harness-timed, unlike the SUT's own step_model_ms reports
    const TimeSplit& t = *m.time_split;
    mt["sut_step_ms"] = pct_json(m.sut_step_ms);
    mt["time_split"] = {{"queries", t.queries},         {"sut_steps", t.sut_steps},
                        {"query_ms", t.query_ms},       {"sut_ms", t.sut_ms},
                        {"tool_ms", t.tool_ms},         {"code_run_ms", t.code_run_ms},
                        {"overlap_ms", t.overlap_ms},   {"sut_share", t.sut_share},
                        {"tool_share", t.tool_share},   {"code_run_share", t.code_run_share}};
  }
  ojson rep = ojson::object();
  for (const auto& [k, a] : m.reported)
    rep[k] = {{"count", a.count}, {"sum", a.sum}, {"mean", a.mean}, {"min", a.min}, {"max", a.max}};
  mt["reported"] = rep;
  if (!m.derived.empty()) mt["derived"] = m.derived;
  r["metrics"] = mt;
  ojson defs = ojson::object();
  for (const auto& [figure, formula] : metric_definitions()) defs[figure] = formula;
  r["metric_definitions"] = defs;
  if (acc)
    r["accuracy"] = {{"metric", acc->metric}, {"value", acc->value}, {"target", acc->target},
                     {"passed", acc->passed}, {"scored", acc->scored}, {"expected", acc->expected},
                     {"problems", acc->problems}, {"figures", acc->figures}};
  else
    r["accuracy"] = nullptr;
  r["sut"] = {{"name", c.sut_name}, {"version", c.sut_version}, {"abi_major", c.sut_abi_major},
              {"abi_minor", c.sut_abi_minor}, {"path", c.sut_path}, {"sha256", c.sut_sha256},
              {"isolation", c.isolation}, {"containment", c.containment}};
  r["harness"] = {{"version", c.harness_version}, {"git", c.harness_git}, {"command", c.command_line}};
  if (c.harness_cpu.measured) {
    const auto& h = c.harness_cpu;
    r["harness"]["cpu"] = {{"wall_s", h.wall_s},
                           {"issue_thread_s", h.issue_thread_s},
                           {"watchdog_thread_s", h.watchdog_thread_s},
                           {"log_thread_s", h.log_thread_s},
                           {"harness_threads_s", h.issue_thread_s + h.watchdog_thread_s + h.log_thread_s},
                           {"process_s", h.process_s}};
    if (h.wake_latency_us > 0) r["harness"]["cpu"]["wake_latency_us"] = h.wake_latency_us;
  }
  if (c.sut_memory.measured) {
    const auto& mem = c.sut_memory;
    r["sut_memory"] = {{"peak_rss_bytes", mem.peak_rss_bytes}, {"rss_bytes", mem.rss_bytes},
                       {"includes_harness", mem.includes_harness}, {"source", mem.source}};
    if (mem.includes_harness) {
      r["sut_memory"]["baseline_rss_bytes"] = mem.baseline_rss_bytes;
      r["sut_memory"]["peak_growth_bytes"] = peak_growth_bytes(mem);
    }
    if (!mem.samples.empty()) {
      ojson t = ojson::array(), b = ojson::array();
      for (const auto& [s, bytes] : mem.samples) {
        t.push_back(std::round(s * 1e3) / 1e3);  // ms resolution: the samples are 100 ms or more apart
        b.push_back(bytes);
      }
      r["sut_memory"]["samples"] = {{"interval_s", mem.sample_interval_s}, {"t_s", t}, {"rss_bytes", b}};
    }
  } else {
    r["sut_memory"] = nullptr;
  }
  r["system"] = pairs_json(c.system);
  r["errors"] = log.errors.size();
  return r;
}

std::string pct_line(const char* name, const Percentiles& p) {
  if (!p.count) return "";
  char b[256];
  // %g keeps the sub-microsecond figures of a null-SUT run readable next to multi-second ones.
  std::snprintf(b, sizeof b, "  %-12s p50 %10.6g  p90 %10.6g  p99 %10.6g  p99.9 %10.6g  mean %10.6g  (n=%llu)\n",
                name, p.p50, p.p90, p.p99, p.p999, p.mean, static_cast<unsigned long long>(p.count));
  return b;
}

// Agent runs: where the queries' time went, by the harness's clock.
std::string time_split_line(const TimeSplit& t) {
  auto part = [](const char* name, double ms, double share) {
    return std::string(name) + " " + fmt("%.1f", share * 100) + "% (" + fmt("%.1f", ms) + " ms)";
  };
  std::string s = "Time split (harness-timed, " + std::to_string(t.queries) + " queries, " +
                  fmt("%.1f", t.query_ms) + " ms issue to completion): " + part("SUT", t.sut_ms, t.sut_share) + ", " +
                  part("tools", t.tool_ms, t.tool_share) + ", " + part("code runs", t.code_run_ms, t.code_run_share);
  if (t.overlap_ms > 0) s += ", overlapping calls " + fmt("%.1f", t.overlap_ms) + " ms";
  return s + "\n";
}

std::string summary_text(const RunLog& log, const Metrics& m, const AccuracyResult* acc, const RunContext& c) {
  const bool valid = m.valid && (!acc || acc->passed);
  std::string s;
  s += std::string("Result: ") + (valid ? "VALID" : "INVALID") + "\n";
  s += "Run: " + log.workload + " / " + registry::to_string(log.scenario) + " / " + log.mode + " (" + c.division +
       " division)\n";
  for (const auto& r : m.invalid_reasons) s += "  - " + r + "\n";
  if (acc && !acc->passed)
    s += "  - accuracy " + fmt("%.4f", acc->value) + " < target " + fmt("%.4f", acc->target) + "\n";
  s += "SUT: " + c.sut_name + " " + c.sut_version + " (" + c.sut_path + ")\n";
  if (c.isolation == "process") {
    s += "Isolation: process\n";
    for (const auto& line : c.containment) s += "  " + line + "\n";
  }
  if (!log.crash_report.empty()) s += "The SUT failed: see crash_report.txt\n";
  s += "\n";
  s += "Queries: " + std::to_string(m.queries_completed) + " completed of " + std::to_string(m.queries_issued) +
       " issued in " + fmt("%.3f", m.duration_s) + " s\n";
  s += "Throughput: " + fmt("%.2f", m.samples_per_s) + " samples/s";
  if (m.tokens_total) s += ", " + fmt("%.2f", m.tokens_per_s) + " tokens/s";
  s += "\n";
  if (log.scenario == registry::Scenario::server)
    s += "Achieved arrival rate: " + fmt("%.2f", m.achieved_qps) + " QPS (target " +
         fmt("%.2f", log.settings.target_qps) + ")\n";
  if (m.warmup_queries) s += "Warm-up: " + std::to_string(m.warmup_queries) + " queries issued first, in no figure\n";
  if (m.goodput) {
    const Goodput& g = *m.goodput;
    s += "Goodput: " + fmt("%.2f", g.request_goodput_per_s) + " queries/s";
    if (g.good_tokens) s += ", " + fmt("%.2f", g.token_goodput_per_s) + " tokens/s";
    s += " (" + std::to_string(g.good_queries) + " queries met every SLO; SLOs at p" +
         fmt("%.1f", log.settings.slo_percentile * 100) + (g.slos_met ? " met" : " NOT met") + ")\n";
    for (const SloCheck& c : g.slos)
      s += "  " + c.figure + " <= " + fmt("%.6g", c.slo_ms) + " ms (" + c.setting + "): " + fmt("%.1f", c.share * 100) +
           "% of queries\n";
  }
  s += "Latencies (ms):\n";
  s += pct_line("end to end", m.latency_ms);
  s += pct_line("TTFT", m.ttft_ms);
  s += pct_line("TPOT", m.tpot_ms);
  s += pct_line("inter-token", m.itl_ms);
  s += pct_line("tool calls", m.tool_ms);
  s += pct_line("code runs", m.code_run_ms);
  s += pct_line("SUT steps", m.sut_step_ms);
  if (log.scenario == registry::Scenario::server) s += pct_line("issue lag", m.issue_lag_ms);
  for (const BoundCheck& b : m.bounds)
    s += "  " + b.figure + " p" + fmt("%.1f", log.settings.latency_percentile * 100) + " " +
         fmt("%.6g", b.at_percentile_ms) + " ms vs " + b.bound_name + " " + fmt("%.6g", b.bound_ms) + "; " +
         std::to_string(b.over) + " queries over, early stopping needs " + std::to_string(b.needed) + " issued: " +
         (b.ok ? "met" : "NOT met") + "\n";
  if (m.latency_early_stopping_ms)
    s += "  early-stopping p" + fmt("%.1f", log.settings.latency_percentile * 100) + " estimate: " +
         fmt("%.6g", *m.latency_early_stopping_ms) + " ms\n";
  if (m.time_split) s += time_split_line(*m.time_split);
  if (!m.reported.empty()) {
    s += "Reported by the SUT (not used for validity):\n";
    for (const auto& [k, a] : m.reported)
      s += "  " + k + ": mean " + fmt("%.3f", a.mean) + ", sum " + fmt("%.3f", a.sum) + " over " +
           std::to_string(a.count) + "\n";
    for (const auto& [k, v] : m.derived) s += "  " + k + ": " + fmt("%.4f", v) + "\n";
  }
  if (acc) {
    s += "Accuracy (" + acc->metric + "): " + fmt("%.4f", acc->value) + ", target " + fmt("%.4f", acc->target) +
         (acc->passed ? " PASSED" : " FAILED") + " (" + std::to_string(acc->scored) + " of " +
         std::to_string(acc->expected) + " scored)\n";
    for (const auto& [k, v] : acc->figures) s += "  " + k + ": " + fmt("%.4f", v) + "\n";
    for (const auto& p : acc->problems) s += "  - " + p + "\n";
  }
  s += "\nSettings:\n ";
  size_t width = 1;  // wrapped near 100 columns
  for (const auto& [k, v] : registry::settings_fields(log.settings)) {
    const std::string item = " " + k + "=" + v;
    if (width > 1 && width + item.size() > 100) {
      s += "\n ";
      width = 1;
    }
    s += item;
    width += item.size();
  }
  s += "\n";
  if (!c.overrides.empty()) {
    s += "Overrides:";
    for (const auto& o : c.overrides) s += " " + o;
    s += "\n";
  }
  s += "Harness: " + c.harness_version + " (" + c.harness_git + ")\n";
  if (c.sut_memory.measured) {
    const auto& mem = c.sut_memory;
    const double mib = 1024.0 * 1024.0;
    s += "SUT memory: peak RSS " + fmt("%.1f", mem.peak_rss_bytes / mib) + " MiB" +
         (mem.includes_harness ? " (in process, the harness included; " +
                                     fmt("%.1f", peak_growth_bytes(mem) / mib) +
                                     " MiB above the process before create)"
                               : " (the worker process)") +
         "\n";
  }
  if (c.harness_cpu.measured) {
    const auto& h = c.harness_cpu;
    s += "Harness CPU: " + fmt("%.2f", h.issue_thread_s + h.watchdog_thread_s + h.log_thread_s) + " s over " +
         fmt("%.2f", h.wall_s) + " s wall (issue thread " + fmt("%.2f", h.issue_thread_s) + ", watchdog " +
         fmt("%.2f", h.watchdog_thread_s) + ", log writer " + fmt("%.2f", h.log_thread_s) + "); whole process " +
         fmt("%.2f", h.process_s) + " s\n";
  }
  return s;
}

// Chrome trace-event format: one "X" span per query on the first free lane, instant events for
// streamed tokens, spans for tool calls and code runs and, in agent runs, for the SUT's time
// between them ("sut step N"), so a query's track reads model / tool / model / ...
// Timestamps in microseconds from start.
std::string write_trace(const std::string& path, const RunLog& log) {
  AtomicFile f(path);
  std::string& b = f.buffer();
  const int64_t t0 = log.start_ns;
  auto us = [&](int64_t ns) { return (ns - t0) / 1000.0; };
  b += "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"workload\":";
  append_json_string(b, log.workload);
  b += ",\"scenario\":";
  append_json_string(b, registry::to_string(log.scenario));
  b += ",\"queries_in_trace\":";
  append_uint(b, std::min(log.queries.size(), kTraceMaxQueries));
  b += ",\"queries_in_run\":";
  append_uint(b, log.queries.size() + log.queries_not_held);
  b += "},\"traceEvents\":[\n";
  b += "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"args\":{\"name\":\"queries\"}}";
  // Lanes: a min-heap of (free-from time, lane) so overlapping queries never share a track.
  using Lane = std::pair<int64_t, int>;
  std::priority_queue<Lane, std::vector<Lane>, std::greater<>> free_lanes;
  int lanes = 0;
  std::unordered_map<uint64_t, int> lane_of;
  // Lanes are handed out in order of start time; the query table is in that order already
  // unless the scheduler reordered it.
  auto start_of = [](const QueryLog& q) { return std::min(q.scheduled_ns, q.issued_ns); };
  std::vector<size_t> order;
  const bool sorted = std::is_sorted(log.queries.begin(), log.queries.end(),
                                     [&](const QueryLog& a, const QueryLog& c) { return start_of(a) < start_of(c); });
  if (!sorted) {
    order.resize(log.queries.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t c) { return start_of(log.queries[a]) < start_of(log.queries[c]); });
  }
  size_t n = std::min(log.queries.size(), kTraceMaxQueries);
  for (size_t i = 0; i < n; ++i) {
    const QueryLog& q = log.queries[sorted ? i : order[i]];
    const int64_t start = start_of(q);
    const int64_t end = q.completed_ns >= 0 ? q.completed_ns : log.end_ns;
    int lane;
    if (!free_lanes.empty() && free_lanes.top().first <= start) {
      lane = free_lanes.top().second;
      free_lanes.pop();
    } else {
      lane = lanes++;
    }
    free_lanes.push({end, lane});
    lane_of[q.id] = lane;
    b += ",\n{\"name\":\"q";
    append_uint(b, q.id);
    if (q.warmup) b += " (warm-up)";
    b += q.completed_ns >= 0 ? "\"" : " (never completed)\"";
    b += ",\"cat\":\"query\",\"ph\":\"X\",\"pid\":1,\"tid\":";
    append_int(b, lane);
    b += ",\"ts\":";
    append_double(b, us(start));
    b += ",\"dur\":";
    append_double(b, std::max(0.0, us(end) - us(start)));
    b += ",\"args\":{\"sample\":";
    append_uint(b, q.sample_index);
    b += ",\"wait_for_issue_us\":";
    append_double(b, (q.issued_ns - q.scheduled_ns) / 1000.0);
    b += ",\"tokens\":";
    append_uint(b, q.n_tokens);
    b += "}}";
    for (const StreamEvent& s : q.streams) {
      b += ",\n{\"name\":\"tokens\",\"cat\":\"stream\",\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":";
      append_int(b, lane);
      b += ",\"ts\":";
      append_double(b, us(s.t_ns));
      b += ",\"args\":{\"n\":";
      append_uint(b, s.n_tokens);
      b += "}}";
    }
    f.maybe_flush();
  }
  auto span = [&](const std::string& name, const char* cat, uint64_t q, int64_t s, int64_t e) {
    auto it = lane_of.find(q);
    if (it == lane_of.end()) return;
    b += ",\n{\"name\":";
    append_json_string(b, name);
    b += ",\"cat\":\"";
    b += cat;
    b += "\",\"ph\":\"X\",\"pid\":1,\"tid\":";
    append_int(b, it->second);
    b += ",\"ts\":";
    append_double(b, us(s));
    b += ",\"dur\":";
    append_double(b, std::max(0.0, us(e) - us(s)));
    b += "}";
  };
  for (int lane = 0; lane < lanes; ++lane) {  // name the tracks: one per in-flight slot
    b += ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":";
    append_int(b, lane);
    b += ",\"args\":{\"name\":\"slot ";
    append_int(b, lane);
    b += "\"}}";
  }
  for (const ToolCall& t : log.tool_calls) span("tool " + t.tool, "tool", t.query, t.start_ns, t.end_ns);
  for (const CodeRun& c : log.code_runs) span("run_code " + c.verdict, "code", c.query, c.start_ns, c.end_ns);
  if (has_agent_calls(log))
    for (const SutSegment& g : sut_segments(log))
      span("sut step " + std::to_string(g.step), "sut", g.query, g.start_ns, g.end_ns);
  for (const RunError& e : log.errors) {
    b += ",\n{\"name\":";
    append_json_string(b, "error " + e.kind);
    b += ",\"cat\":\"error\",\"ph\":\"i\",\"s\":\"g\",\"pid\":1,\"tid\":0,\"ts\":";
    append_double(b, us(e.t_ns));
    b += "}";
  }
  b += "\n]}\n";
  return f.commit();
}

}  // namespace

void write_run_directory(const std::string& dir, const RunLog& log, const Metrics& m,
                         const AccuracyResult* accuracy, const RunContext& ctx, const std::string& events_sha256) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error(dir + ": cannot create: " + ec.message());
  const fs::path d(dir);
  // The raw log first: if anything later fails, the evidence is already on disk. Each writer
  // returns the sha256 of what it wrote, for the manifest, written last.
  ojson files = ojson::object();
  files["events.jsonl"] =
      events_sha256.empty() ? write_events_file((d / "events.jsonl").string(), log) : events_sha256;
  files["accuracy.jsonl"] = write_accuracy_file((d / "accuracy.jsonl").string(), log);
  files["trace.json"] = write_trace((d / "trace.json").string(), log);
  files["result.json"] = write_text(
      (d / "result.json").string(),
      result_json(log, m, accuracy, ctx).dump(2, ' ', false, ojson::error_handler_t::replace) + "\n");
  files["summary.txt"] = write_text((d / "summary.txt").string(), summary_text(log, m, accuracy, ctx));
  if (!log.crash_report.empty())
    files["crash_report.txt"] = write_text((d / "crash_report.txt").string(), log.crash_report);
  for (const std::string& name : ctx.extra_files) {
    std::error_code exists_ec;
    if (fs::exists(d / name, exists_ec)) files[name] = registry::sha256_file((d / name).string());
  }
  ojson man;
  man["schema"] = kSchema;
  man["files"] = files;
  man["sut"] = {{"path", ctx.sut_path}, {"sha256", ctx.sut_sha256}};
  man["dataset"] = {{"id", ctx.dataset_id}, {"sha256", ctx.dataset_sha256}};
  ojson models = ojson::object();
  for (const auto& [id, sha] : ctx.model_sha256) models[id] = sha;
  man["models"] = models;
  man["registry"] = {{"path", ctx.registry_path}, {"sha256", ctx.registry_sha256}};
  man["harness"] = {{"version", ctx.harness_version}, {"git", ctx.harness_git}};
  write_text((d / "manifest.json").string(), man.dump(2) + "\n");
}

}  // namespace edubench::runlog
