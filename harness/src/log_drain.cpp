#include "log_drain.hpp"

#include "clock.hpp"

#include <edubench/runlog/run_dir.hpp>

#include <chrono>
#include <filesystem>

namespace edubench::harness {

LogDrain::LogDrain(QueryTable& table, runlog::RunLog& held, const std::string& dir)
    : table_(table),
      held_(held),
      writer_((std::filesystem::path(dir) / "events.jsonl").string()),
      acc_(held.scenario, held.mode, held.settings) {
  writer_.start(held_);
}

LogDrain::~LogDrain() {
  {
    std::lock_guard<std::mutex> g(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LogDrain::start() { thread_ = std::thread([this] { loop(); }); }

void LogDrain::take(runlog::QueryLog& q, bool has_calls) {
  acc_.add(q, has_calls);
  writer_.query(q);
  if (q.logged || q.id <= runlog::kTraceMaxQueries)
    held_.queries.push_back(std::move(q));
  else
    ++held_.queries_not_held;
}

// Every 5 ms: at 1.6 M queries/s that is 8,000 queries a round. At normal priority, on purpose:
// tried at nice 19 (with a normal-priority backstop above a backlog), on the loaded 2-vCPU VM it
// was starved, held its lock while descheduled, and a 6M-query run at 400k QPS grew to 455 MB as
// before streaming. The price is its CPU during the run (about 0.2 us a query, result.json's
// harness.cpu.log_thread_s), which an issuer with no spare core feels (docs/performance.md).
void LogDrain::loop() {
  const double cpu0 = thread_cpu_s();
  const QueryTable::Sink sink = [this](runlog::QueryLog& q, bool c) { take(q, c); };
  struct CpuAtExit {  // counted on every way out, the failed one included
    LogDrain* d;
    double cpu0;
    ~CpuAtExit() { d->cpu_s_ = thread_cpu_s() - cpu0; }
  } at_exit{this, cpu0};
  std::unique_lock<std::mutex> lk(mu_);
  while (!stop_) {
    lk.unlock();
    try {
      table_.drain(sink);
    } catch (...) {  // a full disk: keep the error for finish(), stop draining
      lk.lock();
      failed_ = std::current_exception();
      return;
    }
    lk.lock();
    cv_.wait_for(lk, std::chrono::milliseconds(5), [this] { return stop_; });
  }
}

runlog::Metrics LogDrain::finish(std::string& events_sha256) {
  {
    std::lock_guard<std::mutex> g(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (failed_) std::rethrow_exception(failed_);
  table_.drain_rest([this](runlog::QueryLog& q, bool c) { take(q, c); });
  events_sha256 = writer_.finish(held_);
  return acc_.finish(held_);
}

}  // namespace edubench::harness
