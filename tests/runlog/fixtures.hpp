// What the runlog tests share: a hand-made server log and whether a run's invalid reasons
// mention something.
#pragma once

#include <edubench/runlog/metrics.hpp>

#include <string>

inline bool has_reason(const edubench::runlog::Metrics& m, const std::string& part) {
  for (const auto& r : m.invalid_reasons)
    if (r.find(part) != std::string::npos) return true;
  return false;
}

// Three server queries over 30 ms: a (TTFT 2, TPOT 5/3, latency 7 ms, 4 tokens), b (TTFT 1, one
// token, latency 2 ms), c (no stream() call, 2 tokens, latency 10 ms).
inline edubench::runlog::RunLog handcrafted_server_log() {
  edubench::runlog::RunLog log;  // no workload name: GCC 12 warns falsely (-Wrestrict) on assigning one here
  log.scenario = edubench::registry::Scenario::server;
  log.mode = "performance";
  log.settings.min_duration_s = 0;
  log.settings.min_query_count = 1;
  log.settings.latency_percentile = 0.99;
  edubench::runlog::QueryLog a;
  a.id = 1;
  a.scheduled_ns = 0;
  a.issued_ns = 1'000'000;
  a.streams = {{2'000'000, 1}, {5'000'000, 2}, {6'000'000, 1}};
  a.n_tokens = 4;
  a.completed_ns = 7'000'000;
  edubench::runlog::QueryLog b;
  b.id = 2;
  b.scheduled_ns = b.issued_ns = 10'000'000;
  b.streams = {{11'000'000, 1}};
  b.n_tokens = 1;
  b.completed_ns = 12'000'000;
  edubench::runlog::QueryLog c;
  c.id = 3;
  c.scheduled_ns = c.issued_ns = 20'000'000;
  c.n_tokens = 2;
  c.completed_ns = 30'000'000;
  log.queries = {a, b, c};
  return log;
}
