// Per-query state of one run and the completion path of the host (stream / complete / report /
// log). Lock-free on the hot path: a query's slot is found by index, its state moves by
// compare-and-swap, so completions from any thread at millions per second neither crash nor
// serialize; a duplicate or unknown completion becomes a logged run error. During a run a
// background thread drains the finished queries in id order (drain()) and frees their memory,
// so the table holds only the queries still in flight, whatever the run's length.
#pragma once

#include "waiter.hpp"

#include <edubench/runlog/run_log.hpp>
#include <edubench/sut_api.h>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

namespace edubench::harness {

class QueryTable {
 public:
  QueryTable();
  ~QueryTable();
  QueryTable(const QueryTable&) = delete;
  QueryTable& operator=(const QueryTable&) = delete;

  // Adds a query (load-generator thread only) and returns its index; its id is index + 1.
  uint64_t add(uint64_t sample_index, bool logged, bool warmup = false);
  static uint64_t id_of(uint64_t index) { return index + 1; }
  // Marks queries [first, first + n) in flight, carried by one issue() call made at issued_ns,
  // just before the call; query `first + k` was scheduled for scheduled_of(first + k) (Server:
  // at or before issued_ns), or for issued_ns without it.
  template <class ScheduledOf>
  void mark_issued(uint64_t first, uint64_t n, int64_t issued_ns, ScheduledOf scheduled_of) {
    for (uint64_t i = first; i < first + n; ++i) set_lateness(i, issued_ns - scheduled_of(i));
    open_call(first, n, issued_ns);
  }
  void mark_issued(uint64_t first, uint64_t n, int64_t issued_ns) { open_call(first, n, issued_ns); }
  // Records when the issue() calls that carried queries [first, first + n) returned.
  void mark_returned(uint64_t first, uint64_t n, int64_t returned_ns);

  uint64_t size() const { return size_.load(std::memory_order_acquire); }
  uint64_t completed() const { return completed_.load(std::memory_order_acquire); }
  bool is_done(uint64_t index) const;
  bool is_in_flight(uint64_t index) const;
  int64_t issued_ns(uint64_t index) const;
  Waiter& waiter() { return waiter_; }

  // The host's functions (thread-safe). Return EDU_OK or an error status, never throw.
  edu_status stream(uint64_t id, const int32_t* tokens, size_t n);
  edu_status complete(uint64_t id, const edu_response* r);
  void report(uint64_t id, const char* metric, double value);
  void log(int32_t level, const char* message);
  // Records a run error (thread-safe; kept up to a cap, the rest counted).
  void error(uint64_t query, const std::string& kind, const std::string& message);
  // Tool calls and code runs are recorded here so they land in the same log.
  uint32_t next_step(uint64_t id);
  void record_tool(runlog::ToolCall call);
  void record_code(runlog::CodeRun run);
  // Keeps `feedback` alive for the query until its next run_code or completion.
  const std::string& keep_feedback(uint64_t id, std::string feedback);
  bool known_in_flight(uint64_t id) const;
  // The sample index of a known query id (call only after known_in_flight).
  uint64_t sample_of(uint64_t id) const;

  // Copies everything not yet drained into `log` (queries, errors, reports, tool calls, plugin
  // log). Safe while stragglers still call in: only fully completed queries are read as completed.
  void snapshot(runlog::RunLog& log) const;
  uint64_t error_count() const;

  // Draining (one thread at a time): hands each query, in id order, to `sink` with whether it
  // made tool calls or code runs, and frees the memory of the chunks wholly drained. drain()
  // stops at the first query not yet completed or whose issue() call has not returned; at the
  // end, drain_rest() takes every issued query left (one in flight as never completed) and
  // stops at the first never issued. A completion for a drained query is a duplicate.
  using Sink = std::function<void(runlog::QueryLog&, bool has_calls)>;
  uint64_t drain(const Sink& sink);
  uint64_t drain_rest(const Sink& sink);
  uint64_t drained() const { return drained_.load(std::memory_order_acquire); }
  // The side logs (errors, reports, tool calls, code runs, plugin log) into `log`.
  void side_logs(runlog::RunLog& log) const;

 private:
  struct Slot;
  struct Extra;
  class Guard;
  // One issue() call: its time and when it returned are the same for every query it carried,
  // so they are kept once a call, not once a query (an Offline run is one call).
  struct Call {
    uint64_t first = 0, n = 0;
    int64_t issued_ns = 0, returned_ns = 0;  // 0: not returned yet
    bool covers(uint64_t index) const { return index >= first && index - first < n; }
  };
  void set_lateness(uint64_t index, int64_t late_ns);
  void open_call(uint64_t first, uint64_t n, int64_t issued_ns);
  Call call_of(uint64_t index) const;  // n == 0: no call carried it
  // The slot of a query id, or nullptr: unknown (`*gone` false) or drained (`*gone` true). Call
  // inside a Guard: the chunk is then not freed before the guard ends.
  Slot* find(uint64_t id, bool* gone = nullptr) const;
  Slot* at(uint64_t index) const;    // under a Guard: nullptr once its chunk is freed
  Slot* live(uint64_t index) const;  // a slot that cannot have been freed (see the .cpp)
  void fill(runlog::QueryLog& q, uint64_t index, Slot& s, const Call& call, bool completed_only_if_done) const;
  bool has_calls(uint64_t id);
  void release_chunks(uint64_t below);

  static constexpr unsigned kChunkBits = 16;
  static constexpr uint64_t kChunk = uint64_t{1} << kChunkBits;
  static constexpr uint64_t kMaxChunks = 1 << 15;  // 2^31 queries
  std::unique_ptr<std::atomic<Slot*>[]> chunks_;
  std::atomic<uint64_t> size_{0};
  std::atomic<uint64_t> completed_{0};
  std::atomic<uint64_t> drained_{0};
  uint64_t released_chunks_ = 0;  // chunks [0, released_chunks_) are freed (drainer only)
  // Freeing a chunk while a plugin thread still reads it would be a use after free, so host
  // calls hold a Guard: they count themselves in active_[epoch & 1]; the drainer unlinks a
  // chunk, moves the epoch on and frees it once the old epoch's count is zero (no caller can
  // still hold the pointer: later callers see it unlinked).
  mutable std::atomic<uint64_t> epoch_{0};
  mutable std::atomic<uint64_t> active_[2] = {{0}, {0}};
  Waiter waiter_;

  mutable std::mutex calls_mu_;  // guards calls_: one lock an issue() call, not a query
  std::deque<Call> calls_;        // in index order; the drainer drops those wholly drained

  mutable std::mutex side_mu_;  // guards the side logs below (rare calls)
  std::vector<runlog::RunError> errors_;
  uint64_t errors_dropped_ = 0;
  std::vector<runlog::Report> reports_;
  std::vector<runlog::ToolCall> tools_;
  std::vector<runlog::CodeRun> code_runs_;
  std::vector<runlog::LogLine> plugin_log_;
  std::unordered_set<uint64_t> called_;  // queries with a tool call or code run, until drained
  std::atomic<bool> any_calls_{false};
};

}  // namespace edubench::harness
