#include "loadgen.hpp"

#include "arrivals.hpp"
#include "clock.hpp"
#include "rng.hpp"
#include <edubench/session/errors.hpp>

#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <thread>

namespace edubench::harness {
namespace {

std::atomic<int> g_signal{0};

extern "C" void on_signal(int sig) { g_signal.store(sig); }

std::string id_list(const std::vector<uint64_t>& ids, uint64_t total) {
  std::string s;
  for (size_t i = 0; i < ids.size(); ++i) s += (i ? ", " : "") + std::to_string(ids[i]);
  if (total > ids.size()) s += " and " + std::to_string(total - ids.size()) + " more";
  return s;
}

// How late this machine wakes a thread from a short sleep (timer slack already 1 ns): the p90
// overshoot of 31 sleeps of 20 us, clamped to [5 us, 500 us]. Measured per run, because it is
// a property of the machine's load at the time (tens of us on a busy shared VM, a few idle).
int64_t measure_wake_latency_ns() {
  std::vector<int64_t> late;
  for (int k = 0; k < 31; ++k) {
    const int64_t t0 = now_ns();
    std::this_thread::sleep_for(std::chrono::microseconds(20));
    late.push_back(now_ns() - t0 - 20'000);
  }
  std::sort(late.begin(), late.end());
  return std::clamp<int64_t>(late[27], 5'000, 500'000);
}

// Waits for t_ns. It sleeps while the next arrival is further away than a wake-up takes, and
// spins (yielding) only for the last `wake_ns`, where a sleep would wake too late, and only while
// `sut_idle()`: with queries in flight the SUT has work this core may be needed for, so the
// issuer sleeps through and accepts a wake-up's lateness instead (it is in the figures: latency
// counts from the scheduled time).
template <class Idle>
void wait_until(int64_t t_ns, const std::atomic<bool>& aborted, int64_t wake_ns, Idle sut_idle) {
  for (;;) {
    const int64_t left = t_ns - now_ns();
    if (left <= 0 || aborted.load(std::memory_order_relaxed)) return;
    if (left > wake_ns) {
      std::this_thread::sleep_for(std::chrono::nanoseconds(std::min<int64_t>(left - wake_ns, 20'000'000)));
    } else if (!sut_idle()) {
      std::this_thread::sleep_for(std::chrono::nanoseconds(left));
      return;
    } else if (left > 20'000) {
      std::this_thread::yield();
    }
  }
}

}  // namespace

void install_interrupt_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

LoadGenerator::LoadGenerator(QueryTable& table, SutSession& sut,
                             const std::vector<edu_sample>& samples, LoadgenConfig cfg)
    : table_(table), sut_(sut), samples_(samples), cfg_(std::move(cfg)) {
  sample_rng_state_ = cfg_.settings.sample_seed;
  log_rng_state_ = cfg_.settings.accuracy_log_seed;
  mix_rng_state_ = cfg_.settings.sample_seed ^ 0x6d69786d69786d69ull;  // "mixmixmi": not the picks' sequence
  // A worker that crashes, exits or breaks the channel ends the run as a plugin failure.
  sut_.on_fault([this](const std::string& kind, const std::string& reason) {
    abort(kind, reason, kExitPluginFailure);
  });
}

LoadGenerator::~LoadGenerator() { sut_.on_fault(nullptr); }

uint64_t LoadGenerator::planned_queries(const registry::Settings& s) {
  // LoadGen sizes Offline and Server runs as max(min_query_count, expected QPS x min duration).
  uint64_t n = std::max<uint64_t>(
      s.min_query_count, static_cast<uint64_t>(std::ceil(s.target_qps * s.min_duration_s)));
  if (s.max_query_count > 0) n = std::min(n, s.max_query_count);
  return std::max<uint64_t>(n, 1);
}

// A seeded pick within the pool of performance_sample_count samples that starts at
// performance_sample_offset (mod the data set's size, wrapping). With offset 0 the picks are
// exactly those of a run without the setting. With audit_mix, that share of the picks (a seeded
// coin per query) is a sample from outside the pool instead (pick_outside_pool).
uint64_t LoadGenerator::pick_sample() {
  const uint64_t n = samples_.size();
  uint64_t pool = cfg_.settings.performance_sample_count;
  if (pool == 0 || pool > n) pool = n;
  if (cfg_.settings.audit_mix > 0 && pool < n && uniform01(mix_rng_state_) <= cfg_.settings.audit_mix)
    return pick_outside_pool(pool);
  const uint64_t pick = splitmix64(sample_rng_state_) % pool;
  return (pick + cfg_.settings.performance_sample_offset % n) % n;  // both < n: no overflow
}

// A seeded set of the samples after the pool (Fisher-Yates over them, wrapping), handed out in
// turn. The set holds min(queries, samples) / 16 of them (at least 1): a cache then does about a
// sixteenth of the distinct work of a performance run's batch for the whole audit, which TEST04
// sees even through a batched SUT's rounding to whole batches, while the batch is no longer one
// prompt over and over.
uint64_t LoadGenerator::pick_outside_pool(uint64_t pool) {
  const uint64_t n = samples_.size();
  if (outside_pool_.empty()) {
    const uint64_t first = (cfg_.settings.performance_sample_offset % n + pool) % n;
    outside_pool_.reserve(n - pool);
    for (uint64_t i = 0; i < n - pool; ++i) outside_pool_.push_back((first + i) % n);
    for (size_t i = outside_pool_.size() - 1; i > 0; --i)
      std::swap(outside_pool_[i], outside_pool_[splitmix64(mix_rng_state_) % (i + 1)]);
    const uint64_t distinct = std::min<uint64_t>(planned_queries(cfg_.settings), n);
    outside_pool_.resize(std::clamp<size_t>((distinct + 15) / 16, 1, outside_pool_.size()));
  }
  if (outside_next_ == outside_pool_.size()) outside_next_ = 0;
  return outside_pool_[outside_next_++];
}

// Adds n queries to the table: every sample once in accuracy mode, seeded picks otherwise.
// Warm-up queries draw from the same seeded sequences as the measured ones that follow them.
void LoadGenerator::plan(uint64_t n, bool warmup) {
  uint64_t first = table_.size();
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t sample = cfg_.accuracy_mode ? (first + i) : pick_sample();
    bool logged = cfg_.accuracy_mode ||
                  uniform01(log_rng_state_) <= cfg_.settings.accuracy_log_probability;
    uint64_t index = table_.add(sample, logged, warmup);
    queries_.push_back({sizeof(edu_query), QueryTable::id_of(index), &samples_[sample]});
  }
}

void LoadGenerator::abort(const std::string& kind, const std::string& reason, int exit_code) {
  {
    std::lock_guard<std::mutex> g(mu_);
    if (outcome_.aborted) return;  // the first cause is the one reported
    outcome_.aborted = true;
    outcome_.abort_kind = kind;
    outcome_.abort_reason = reason;
    outcome_.exit_code = exit_code;
    outcome_.end_ns = now_ns();
  }
  aborted_.store(true, std::memory_order_release);
  table_.waiter().notify();
  // A worker process is stopped here, so a call blocked in it returns and the run ends cleanly.
  sut_.cancel(reason);
}

RunOutcome LoadGenerator::outcome() const {
  std::lock_guard<std::mutex> g(mu_);
  return outcome_;
}

void LoadGenerator::issue_range(uint64_t first, uint64_t n) {
  edu_status s;
  try {
    s = sut_.issue(&queries_[first - queries_first_], n);
  } catch (const HarnessError& e) {
    return abort("plugin_failure", e.what(), e.code());
  }
  // When issue() gave the load generator back: a lag behind the schedule is the SUT's when
  // issue() held it up, the harness's otherwise (the lag guard's reason says which).
  table_.mark_returned(first, n, now_ns());
  if (s != EDU_OK)
    abort("plugin_failure",
          "issue() returned " + std::string(status_name(s)) + " for query " +
              std::to_string(QueryTable::id_of(first)) + (n > 1 ? " (batch of " + std::to_string(n) + ")" : ""),
          kExitPluginFailure);
}

void LoadGenerator::let_go(uint64_t below) {
  // In steps of 64 Ki: the erase moves what is left (a few thousand planned ahead) rarely.
  const uint64_t n = below - queries_first_;
  if (n < (uint64_t{1} << 16)) return;
  queries_.erase(queries_.begin(), queries_.begin() + static_cast<std::ptrdiff_t>(n));
  if (!schedule_ns_.empty())
    schedule_ns_.erase(schedule_ns_.begin(), schedule_ns_.begin() + static_cast<std::ptrdiff_t>(n));
  queries_first_ = below;
}

void LoadGenerator::finish_issuing() {
  if (aborted()) return;
  edu_status s;
  try {
    s = sut_.flush();
  } catch (const HarnessError& e) {
    return abort("plugin_failure", e.what(), e.code());
  }
  if (s != EDU_OK)
    abort("plugin_failure", "flush() returned " + std::string(status_name(s)), kExitPluginFailure);
}

bool LoadGenerator::wait_completed(uint64_t target) {
  Waiter& w = table_.waiter();
  for (;;) {
    uint32_t seen = w.value();
    if (table_.completed() >= target) return true;
    if (aborted()) return false;
    w.wait(seen, 50'000'000);
  }
}

void LoadGenerator::run_single_stream() {
  const auto& s = cfg_.settings;
  const uint64_t total = cfg_.accuracy_mode ? samples_.size() : 0;
  const uint64_t warmup = cfg_.accuracy_mode ? 0 : s.warmup_query_count;
  int64_t first_issue = 0, last_issue = 0;
  for (uint64_t i = 0; !aborted(); ++i) {
    let_go(i);
    if (cfg_.accuracy_mode) {
      if (i >= total) break;
    } else if (i >= warmup) {
      // LoadGen's rule: the last query must be issued at or after min_duration_s. Counted over
      // the measured queries: the warm-up ones come first and count for nothing.
      const uint64_t measured = i - warmup;
      bool enough = measured >= s.min_query_count &&
                    last_issue - first_issue >= static_cast<int64_t>(s.min_duration_s * 1e9);
      if (enough || (s.max_query_count > 0 && measured >= s.max_query_count)) break;
    }
    plan(1, i < warmup);
    const int64_t t = now_ns();
    if (i == warmup) first_issue = t;
    last_issue = t;
    table_.mark_issued(i, 1, t);
    issue_range(i, 1);
    if (!wait_completed(i + 1)) break;
  }
  finish_issuing();
}

void LoadGenerator::run_offline() {
  const uint64_t n = cfg_.accuracy_mode ? samples_.size() : planned_queries(cfg_.settings);
  const uint64_t warmup = cfg_.accuracy_mode ? 0 : cfg_.settings.warmup_query_count;
  queries_.reserve(warmup + n);
  // The warm-up batch goes first, in its own call, and is done before the measured batch starts:
  // the measured duration then holds no start-up cost.
  uint64_t issued = 0;
  for (const auto& [count, is_warmup] : {std::pair{warmup, true}, std::pair{n, false}}) {
    if (count == 0 || aborted()) continue;
    plan(count, is_warmup);
    const int64_t t = now_ns();
    table_.mark_issued(issued, count, t);
    issue_range(issued, count);  // LoadGen's Offline: every query in one call
    issued += count;
    if (is_warmup) {  // nothing more comes until the warm-up is done: say so, as at the end
      finish_issuing();
      wait_completed(issued);
    }
  }
  finish_issuing();
  wait_completed(issued);
}

void LoadGenerator::run_server() {
  // The arrivals (arrivals.cpp): the registry's load shape from its schedule seed, warm-up
  // queries first; as in LoadGen, until min_query_count and min_duration_s are covered. They are
  // drawn and planned a few thousand ahead of the issue point, never the whole run at once.
  ArrivalStream arrivals(cfg_.settings, cfg_.accuracy_mode, samples_.size());
  const uint64_t warmup = arrivals.warmup();
  bool more = true;
  uint64_t drawn = 0;
  // Plans up to `k` more arrivals; small steps, so planning never holds up a due query for long.
  auto plan_more = [&](uint64_t k) {
    for (int64_t t; k > 0 && more; --k) {
      if (!(more = arrivals.next(t))) break;
      schedule_ns_.push_back(t);
      plan(1, drawn++ < warmup);
    }
  };
  constexpr uint64_t kAhead = 16384, kStep = 1024;
  plan_more(kAhead);
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);  // wake from sleeps within microseconds
  const int64_t wake_ns = measure_wake_latency_ns();
  {
    std::lock_guard<std::mutex> g(mu_);
    outcome_.wake_latency_us = wake_ns / 1e3;
  }
  constexpr uint64_t kMaxBatch = 4096;
  const int64_t start = now_ns() + 1'000'000;
  auto due_of = [&](uint64_t j) { return start + schedule_ns_[j - queries_first_]; };
  uint64_t i = 0;
  while (!aborted()) {
    if (drawn - i < kAhead / 2 && more) {
      let_go(i);
      plan_more(kStep);
    }
    if (i == drawn) break;
    const int64_t due = due_of(i);
    int64_t now = now_ns();
    if (now < due) {
      wait_until(due, aborted_, wake_ns, [&] { return table_.completed() >= i; });
      now = now_ns();
    }
    // Every query that is due goes out in one call: latency counts from its scheduled time,
    // so batching never hides lateness, and the issuer keeps up at high rates.
    uint64_t j = i;
    while (j < drawn && j - i < kMaxBatch && due_of(j) <= now) ++j;
    if (j == i) continue;
    table_.mark_issued(i, j - i, now, due_of);
    issue_range(i, j - i);
    i = j;
  }
  finish_issuing();
  wait_completed(i);
}

// A memory sample of the SUT every rss_interval_s_, as the kernel counts it (SutSession::
// memory_use: the worker's /proc status, or the process's in process). At most kMaxRssSamples
// are held: then every other one is dropped and the interval doubles, so a run of any length
// keeps an even picture of itself in bounded memory.
constexpr size_t kMaxRssSamples = 1024;

void LoadGenerator::sample_rss(double t_s) {
  if (!rss_samples_.empty() && t_s < rss_samples_.back().first + rss_interval_s_) return;
  const SutSession::MemoryUse u = sut_.memory_use();
  if (!u.measured || u.rss_bytes == 0) return;  // not measurable, or the worker is gone
  rss_samples_.emplace_back(t_s, u.rss_bytes);
  if (rss_samples_.size() < kMaxRssSamples) return;
  size_t kept = 0;
  for (size_t i = 0; i < rss_samples_.size(); i += 2) rss_samples_[kept++] = rss_samples_[i];
  rss_samples_.resize(kept);
  rss_interval_s_ *= 2;
}

void LoadGenerator::monitor() {
  const double cpu0 = thread_cpu_s();
  const auto& s = cfg_.settings;
  const int64_t started = now_ns();
  const int64_t query_timeout = static_cast<int64_t>(s.query_timeout_s * 1e9);
  const int64_t run_timeout = static_cast<int64_t>(s.run_timeout_s * 1e9);
  const bool tty = cfg_.progress && isatty(STDERR_FILENO);
  uint64_t cursor = 0;  // every query before it is done
  int64_t last_progress = 0;
  int64_t aborted_at = 0;
  while (!stop_monitor_.load(std::memory_order_acquire)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const int64_t now = now_ns();
    sample_rss((now - started) / 1e9);
    if (int sig = g_signal.load()) {
      abort("interrupted", std::string("interrupted by signal ") + (sig == SIGINT ? "SIGINT" : "SIGTERM"),
            kExitInterrupted);
    }
    if (!aborted() && now - started > run_timeout) {
      abort("run_timeout", "the run exceeded run_timeout_s=" + std::to_string(s.run_timeout_s) +
                               " with " + std::to_string(table_.size() - table_.completed()) +
                               " queries outstanding", kExitInvalidRun);
    }
    const uint64_t size = table_.size();
    while (cursor < size && table_.is_done(cursor)) ++cursor;
    if (!aborted() && cursor < size && table_.is_in_flight(cursor) &&
        now - table_.issued_ns(cursor) > query_timeout) {
      std::vector<uint64_t> late;
      uint64_t n_late = 0;
      for (uint64_t i = cursor; i < size; ++i) {
        if (table_.is_in_flight(i) && now - table_.issued_ns(i) > query_timeout) {
          if (late.size() < 10) late.push_back(QueryTable::id_of(i));
          ++n_late;
        }
      }
      abort("query_timeout", "quer" + std::string(n_late == 1 ? "y " : "ies ") + id_list(late, n_late) +
                                 " did not complete within query_timeout_s=" + std::to_string(s.query_timeout_s),
            kExitInvalidRun);
      for (uint64_t i = cursor; i < size; ++i)
        if (table_.is_in_flight(i) && now - table_.issued_ns(i) > query_timeout)
          table_.error(QueryTable::id_of(i), "query_timeout",
                       "query " + std::to_string(QueryTable::id_of(i)) + " not completed within " +
                           std::to_string(s.query_timeout_s) + " s");
    }
    if (tty && now - last_progress > 250'000'000) {
      last_progress = now;
      std::fprintf(stderr, "\r  %s: %llu/%llu queries done, %.1f s   ",
                   registry::to_string(cfg_.scenario),
                   static_cast<unsigned long long>(table_.completed()),
                   static_cast<unsigned long long>(table_.size()), (now - started) / 1e9);
    }
    if (aborted()) {
      if (!aborted_at) aborted_at = now;
      // The load-generator thread is stuck inside the plugin: write everything from here.
      if (!returned_.load() && now - aborted_at > 2'000'000'000 && cfg_.emergency_finalize) {
        if (tty) std::fprintf(stderr, "\n");
        cfg_.emergency_finalize();
      }
    }
  }
  if (tty) std::fprintf(stderr, "\r%70s\r", "");
  monitor_cpu_s_ = thread_cpu_s() - cpu0;
}

RunOutcome LoadGenerator::run() {
  {
    std::lock_guard<std::mutex> g(mu_);
    outcome_.start_ns = now_ns();
  }
  const double cpu0 = thread_cpu_s();
  std::thread mon([this] { monitor(); });
  switch (cfg_.scenario) {
    case registry::Scenario::single_stream: run_single_stream(); break;
    case registry::Scenario::offline: run_offline(); break;
    case registry::Scenario::server: run_server(); break;
  }
  const double issue_cpu = thread_cpu_s() - cpu0;
  returned_.store(true);
  stop_monitor_.store(true);
  mon.join();
  std::lock_guard<std::mutex> g(mu_);
  outcome_.issue_thread_cpu_s = issue_cpu;
  outcome_.watchdog_thread_cpu_s = monitor_cpu_s_;
  outcome_.rss_samples = std::move(rss_samples_);
  outcome_.rss_interval_s = rss_interval_s_;
  if (!outcome_.aborted) outcome_.end_ns = now_ns();
  return outcome_;
}

}  // namespace edubench::harness
