// The load generator: SingleStream, Offline and Server as LoadGen defines them, in performance
// and accuracy mode, with a per-query and a whole-run watchdog. It never hangs: a SUT that does
// not complete, or does not return from issue(), ends the run INVALID with every file written.
#pragma once

#include "query_table.hpp"
#include <edubench/session/sut_session.hpp>

#include <edubench/registry/registry.hpp>

#include <atomic>
#include <functional>
#include <mutex>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace edubench::harness {

struct LoadgenConfig {
  registry::Scenario scenario = registry::Scenario::single_stream;
  bool accuracy_mode = false;
  registry::Settings settings;
  bool progress = false;  // a progress line on stderr (only on a terminal)
  // Called by the watchdog when the load-generator thread is stuck inside the plugin after an
  // abort: it must write the run directory and end the process.
  std::function<void()> emergency_finalize;
};

struct RunOutcome {
  bool aborted = false;
  std::string abort_kind;    // query_timeout | run_timeout | plugin_failure | interrupted | sut_* (a worker fault)
  std::string abort_reason;  // one line
  int exit_code = 0;         // for an abort
  int64_t start_ns = 0, end_ns = 0;
  double issue_thread_cpu_s = 0, watchdog_thread_cpu_s = 0;  // CPU of the load generator's two threads
  double wake_latency_us = 0;  // Server: the measured wake-up latency below which the issuer spins
  // The SUT's resident memory over the load, sampled by the monitor (seconds since the start,
  // bytes) every rss_interval_s; the interval doubles whenever kMaxRssSamples are held.
  std::vector<std::pair<double, uint64_t>> rss_samples;
  double rss_interval_s = 0;
};

class LoadGenerator {
 public:
  LoadGenerator(QueryTable& table, SutSession& sut, const std::vector<edu_sample>& samples,
                LoadgenConfig cfg);
  ~LoadGenerator();
  LoadGenerator(const LoadGenerator&) = delete;
  LoadGenerator& operator=(const LoadGenerator&) = delete;
  // Runs the scenario to the end or to an abort. Throws nothing the caller must handle.
  RunOutcome run();
  // The outcome so far (used by the emergency path).
  RunOutcome outcome() const;

  // Number of queries an Offline performance run issues, as LoadGen sizes it.
  static uint64_t planned_queries(const registry::Settings& s);

 private:
  void run_single_stream();
  void run_offline();
  void run_server();
  void issue_range(uint64_t first, uint64_t n);  // queries_[first, first+n)
  bool wait_completed(uint64_t target);          // false when aborted
  void finish_issuing();
  void abort(const std::string& kind, const std::string& reason, int exit_code);
  bool aborted() const { return aborted_.load(std::memory_order_acquire); }
  uint64_t pick_sample();
  uint64_t pick_outside_pool(uint64_t pool);
  void plan(uint64_t n, bool warmup = false);
  void monitor();

  QueryTable& table_;
  SutSession& sut_;
  const std::vector<edu_sample>& samples_;
  LoadgenConfig cfg_;
  // The queries planned and not yet let go, from table index queries_first_ on: the array
  // issue() receives (valid only during the call). Server and SingleStream let the issued ones
  // go as they run, so neither holds a run's worth; Offline holds the batch it hands over.
  std::vector<edu_query> queries_;
  uint64_t queries_first_ = 0;
  std::vector<int64_t> schedule_ns_;  // server: due offsets of queries_, warm-up queries first
  void let_go(uint64_t below);        // drops queries_ (and schedule_ns_) before index `below`
  uint64_t sample_rng_state_ = 0, log_rng_state_ = 0;
  // audit_mix: its own generator, so that a run without the mix picks exactly as before, and the
  // samples outside the pool in a seeded order, each used once before any is used again.
  uint64_t mix_rng_state_ = 0;
  std::vector<uint64_t> outside_pool_;
  size_t outside_next_ = 0;

  std::atomic<bool> aborted_{false};
  std::atomic<bool> stop_monitor_{false};
  std::atomic<bool> returned_{false};  // the load-generator thread is out of the plugin
  double monitor_cpu_s_ = 0;           // written by the monitor as it ends, read after join
  void sample_rss(double t_s);         // the monitor's: adds to rss_samples_
  std::vector<std::pair<double, uint64_t>> rss_samples_;  // the monitor's until it is joined
  double rss_interval_s_ = 0.1;
  mutable std::mutex mu_;
  RunOutcome outcome_;
};

// Installs SIGINT/SIGTERM handlers that ask the running load generator to stop.
void install_interrupt_handlers();

}  // namespace edubench::harness
