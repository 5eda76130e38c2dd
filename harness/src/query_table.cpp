#include "query_table.hpp"

#include "clock.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <thread>

namespace edubench::harness {
namespace {

enum : uint8_t { kNotIssued = 0, kInFlight = 1, kDone = 2, kCompleting = 3 };
enum : uint8_t { kLogged = 1, kWarmup = 2 };
constexpr uint32_t kLateInExtra = UINT32_MAX;
constexpr size_t kMaxErrors = 1000;
constexpr size_t kMaxLogLines = 10000;

class SpinLock {
 public:
  void lock() {
    while (flag_.test_and_set(std::memory_order_acquire)) {
    }
  }
  void unlock() { flag_.clear(std::memory_order_release); }

 private:
  std::atomic_flag flag_ = ATOMIC_FLAG_INIT;
};

}  // namespace

// What only some queries need: allocated on first stream, logged response, text, tool use or a
// lateness beyond 4 s.
struct QueryTable::Extra {
  std::vector<runlog::StreamEvent> streams;
  std::vector<int32_t> streamed_tokens;
  std::vector<int32_t> tokens;
  std::string text;
  std::string feedback;
  uint64_t n_text = 0;
  int64_t late_ns = 0;  // when Slot::late_ns cannot hold it
  uint32_t steps = 0;
};

// 32 bytes a query: an Offline run holds one for every query of its batch until issue() returns
// (issue 17: at most 32 bytes a query beyond the edu_query array). The issue and return times
// are the call's (Call); Server's scheduled time is kept as its lateness behind the issue.
struct QueryTable::Slot {
  std::atomic<uint8_t> state{kNotIssued};
  uint8_t flags = 0;  // kLogged | kWarmup
  SpinLock lock;      // guards `extra`
  uint32_t sample_index = 0;
  uint32_t n_tokens = 0;
  uint32_t late_ns = 0;  // issued - scheduled; kLateInExtra: Extra::late_ns holds it
  int64_t completed_ns = -1;
  std::unique_ptr<Extra> extra;

  Extra& ensure_extra() {
    if (!extra) extra = std::make_unique<Extra>();
    return *extra;
  }
  bool logged() const { return flags & kLogged; }
};

// Counts a host call in the current epoch for as long as it may hold a chunk pointer.
class QueryTable::Guard {
 public:
  explicit Guard(const QueryTable& t) : t_(t) {
    for (;;) {
      const uint64_t e = t_.epoch_.load(std::memory_order_seq_cst);
      slot_ = e & 1;
      t_.active_[slot_].fetch_add(1, std::memory_order_seq_cst);
      if (t_.epoch_.load(std::memory_order_seq_cst) == e) return;
      t_.active_[slot_].fetch_sub(1, std::memory_order_seq_cst);  // the epoch moved on: enter the new one
    }
  }
  ~Guard() { t_.active_[slot_].fetch_sub(1, std::memory_order_release); }
  Guard(const Guard&) = delete;
  Guard& operator=(const Guard&) = delete;

 private:
  const QueryTable& t_;
  uint64_t slot_ = 0;
};

QueryTable::QueryTable() : chunks_(new std::atomic<Slot*>[kMaxChunks]) {
  static_assert(sizeof(Slot) <= 32, "a query's slot is the run's memory per query");
  for (uint64_t i = 0; i < kMaxChunks; ++i) chunks_[i].store(nullptr, std::memory_order_relaxed);
}

QueryTable::~QueryTable() {
  for (uint64_t i = 0; i < kMaxChunks; ++i) delete[] chunks_[i].load(std::memory_order_relaxed);
}

uint64_t QueryTable::add(uint64_t sample_index, bool logged, bool warmup) {
  uint64_t index = size_.load(std::memory_order_relaxed);
  uint64_t c = index >> kChunkBits;
  if (c >= kMaxChunks) throw std::length_error("too many queries in one run");
  if (sample_index > UINT32_MAX) throw std::length_error("a sample index beyond 2^32 - 1");
  if (!chunks_[c].load(std::memory_order_relaxed)) chunks_[c].store(new Slot[kChunk], std::memory_order_release);
  Slot& s = chunks_[c].load(std::memory_order_relaxed)[index & (kChunk - 1)];
  s.sample_index = static_cast<uint32_t>(sample_index);
  s.flags = static_cast<uint8_t>((logged ? kLogged : 0) | (warmup ? kWarmup : 0));
  size_.store(index + 1, std::memory_order_release);
  return index;
}

QueryTable::Slot* QueryTable::at(uint64_t index) const {
  Slot* base = chunks_[index >> kChunkBits].load(std::memory_order_acquire);
  return base ? base + (index & (kChunk - 1)) : nullptr;
}

QueryTable::Slot* QueryTable::find(uint64_t id, bool* gone) const {
  if (gone) *gone = false;
  if (id == 0) return nullptr;
  uint64_t index = id - 1;
  if (index >= size_.load(std::memory_order_acquire)) return nullptr;
  Slot* s = index < drained_.load(std::memory_order_acquire) ? nullptr : at(index);
  if (!s && gone) *gone = true;  // drained (its chunk may be freed): it was completed
  return s;
}

// The issuer's own queries: added, not yet completed and returned, so never drained or freed.
QueryTable::Slot* QueryTable::live(uint64_t index) const {
  return chunks_[index >> kChunkBits].load(std::memory_order_acquire) + (index & (kChunk - 1));
}

void QueryTable::set_lateness(uint64_t index, int64_t late_ns) {
  Slot* s = live(index);  // not in flight yet: no plugin thread reads it
  if (late_ns >= 0 && late_ns < kLateInExtra) {
    s->late_ns = static_cast<uint32_t>(late_ns);
  } else {
    s->late_ns = kLateInExtra;
    s->ensure_extra().late_ns = late_ns;
  }
}

void QueryTable::open_call(uint64_t first, uint64_t n, int64_t issued_ns) {
  {
    std::lock_guard<std::mutex> g(calls_mu_);
    calls_.push_back({first, n, issued_ns, 0});
  }
  for (uint64_t i = first; i < first + n; ++i) live(i)->state.store(kInFlight, std::memory_order_release);
}

void QueryTable::mark_returned(uint64_t first, uint64_t n, int64_t returned_ns) {
  std::lock_guard<std::mutex> g(calls_mu_);
  for (auto c = calls_.rbegin(); c != calls_.rend() && c->first + c->n > first; ++c)
    if (c->first < first + n) c->returned_ns = returned_ns;
}

QueryTable::Call QueryTable::call_of(uint64_t index) const {
  std::lock_guard<std::mutex> g(calls_mu_);
  auto c = std::upper_bound(calls_.begin(), calls_.end(), index,
                            [](uint64_t i, const Call& call) { return i < call.first; });
  if (c == calls_.begin() || !(--c)->covers(index)) return {};
  return *c;
}

bool QueryTable::is_done(uint64_t index) const {
  Guard g(*this);
  bool gone = false;
  Slot* s = find(id_of(index), &gone);
  return gone || (s && s->state.load(std::memory_order_acquire) == kDone);
}
bool QueryTable::is_in_flight(uint64_t index) const {
  Guard g(*this);
  Slot* s = find(id_of(index));
  return s && s->state.load(std::memory_order_acquire) == kInFlight;
}
int64_t QueryTable::issued_ns(uint64_t index) const {
  return call_of(index).issued_ns;  // the call records, not the slots: no Guard needed
}

bool QueryTable::known_in_flight(uint64_t id) const {
  Guard g(*this);
  Slot* s = find(id);
  return s && s->state.load(std::memory_order_acquire) == kInFlight;
}

uint64_t QueryTable::sample_of(uint64_t id) const {
  Guard g(*this);
  Slot* s = find(id);
  return s ? s->sample_index : 0;
}

static std::string describe_state(uint8_t st) {
  switch (st) {
    case kNotIssued: return "not issued yet";
    case kDone:
    case kCompleting: return "already completed";
    default: return "in flight";
  }
}

edu_status QueryTable::stream(uint64_t id, const int32_t* tokens, size_t n) {
  const int64_t t = now_ns();
  Guard g(*this);
  bool gone = false;
  Slot* s = find(id, &gone);
  if (gone) {
    error(id, "stream_not_in_flight", "stream() for query " + std::to_string(id) + " which is already completed");
    return EDU_ERR_NOT_FOUND;
  }
  if (!s) {
    error(id, "stream_unknown", "stream() for unknown query id " + std::to_string(id));
    return EDU_ERR_NOT_FOUND;
  }
  uint8_t st = s->state.load(std::memory_order_acquire);
  if (st != kInFlight) {
    error(id, "stream_not_in_flight",
          "stream() for query " + std::to_string(id) + " which is " + describe_state(st));
    return EDU_ERR_NOT_FOUND;
  }
  if (n > 0 && !tokens) {
    error(id, "bad_stream", "stream() with NULL tokens and n_tokens > 0");
    return EDU_ERR_INVALID_ARGUMENT;
  }
  s->lock.lock();
  Extra& e = s->ensure_extra();
  e.streams.push_back({t, static_cast<uint32_t>(n)});
  if (s->logged()) e.streamed_tokens.insert(e.streamed_tokens.end(), tokens, tokens + n);
  s->lock.unlock();
  return EDU_OK;
}

edu_status QueryTable::complete(uint64_t id, const edu_response* r) {
  const int64_t t = now_ns();
  Guard g(*this);
  bool gone = false;
  Slot* s = find(id, &gone);
  if (gone) {
    error(id, "duplicate_completion", "complete() for query " + std::to_string(id) + " which is already completed");
    return EDU_ERR_NOT_FOUND;
  }
  if (!s) {
    error(id, "unknown_completion", "complete() for unknown query id " + std::to_string(id));
    return EDU_ERR_NOT_FOUND;
  }
  uint8_t expected = kInFlight;
  if (!s->state.compare_exchange_strong(expected, kCompleting, std::memory_order_acq_rel)) {
    bool dup = expected == kDone || expected == kCompleting;
    error(id, dup ? "duplicate_completion" : "unknown_completion",
          "complete() for query " + std::to_string(id) + " which is " + describe_state(expected));
    return EDU_ERR_NOT_FOUND;
  }
  bool bad = false;
  const size_t v1_size = offsetof(edu_response, text_len) + sizeof(size_t);
  if (!r || r->struct_size < v1_size) {
    error(id, "bad_response",
          "complete() for query " + std::to_string(id) +
              (r ? " with struct_size " + std::to_string(r->struct_size) + " < " + std::to_string(v1_size)
                 : std::string(" with a NULL response")));
    bad = true;
  } else if ((r->n_tokens > 0 && !r->tokens) || (r->text_len > 0 && !r->text)) {
    error(id, "bad_response", "complete() for query " + std::to_string(id) + " with a NULL pointer and a non-zero length");
    bad = true;
  } else if (r->n_tokens > UINT32_MAX) {
    error(id, "bad_response", "complete() for query " + std::to_string(id) + " with n_tokens " +
                                  std::to_string(r->n_tokens) + " (at most 2^32 - 1)");
    bad = true;
  }
  s->completed_ns = t;
  if (!bad) {
    s->n_tokens = static_cast<uint32_t>(r->n_tokens);
    if (s->logged() || r->text_len) {
      s->lock.lock();
      Extra& e = s->ensure_extra();
      e.n_text = r->text_len;
      if (s->logged() && r->n_tokens) e.tokens.assign(r->tokens, r->tokens + r->n_tokens);
      if (s->logged() && r->text_len) e.text.assign(r->text, r->text_len);
      s->lock.unlock();
    }
  }
  s->state.store(kDone, std::memory_order_release);
  completed_.fetch_add(1, std::memory_order_acq_rel);
  waiter_.notify();
  return bad ? EDU_ERR_INVALID_ARGUMENT : EDU_OK;
}

void QueryTable::report(uint64_t id, const char* metric, double value) {
  const int64_t t = now_ns();
  if (!metric) return error(id, "bad_report", "report() with a NULL metric name");
  std::lock_guard<std::mutex> g(side_mu_);
  reports_.push_back({id, metric, value, t});
}

void QueryTable::log(int32_t level, const char* message) {
  const int64_t t = now_ns();
  std::lock_guard<std::mutex> g(side_mu_);
  if (plugin_log_.size() < kMaxLogLines)
    plugin_log_.push_back({t, level, message ? message : "(null)"});
}

void QueryTable::error(uint64_t query, const std::string& kind, const std::string& message) {
  const int64_t t = now_ns();
  std::lock_guard<std::mutex> g(side_mu_);
  if (errors_.size() < kMaxErrors)
    errors_.push_back({t, query, kind, message});
  else
    ++errors_dropped_;
}

uint64_t QueryTable::error_count() const {
  std::lock_guard<std::mutex> g(side_mu_);
  return errors_.size() + errors_dropped_;
}

uint32_t QueryTable::next_step(uint64_t id) {
  Guard g(*this);
  Slot* s = find(id);
  if (!s) return 0;
  s->lock.lock();
  uint32_t step = s->ensure_extra().steps++;
  s->lock.unlock();
  return step;
}

void QueryTable::record_tool(runlog::ToolCall call) {
  std::lock_guard<std::mutex> g(side_mu_);
  called_.insert(call.query);
  any_calls_.store(true, std::memory_order_release);
  tools_.push_back(std::move(call));
}

void QueryTable::record_code(runlog::CodeRun run) {
  std::lock_guard<std::mutex> g(side_mu_);
  called_.insert(run.query);
  any_calls_.store(true, std::memory_order_release);
  code_runs_.push_back(std::move(run));
}

const std::string& QueryTable::keep_feedback(uint64_t id, std::string feedback) {
  // Called for a query in flight (run_code checks it first), which is never drained under it.
  Guard g(*this);
  Slot* s = find(id);
  if (!s) throw std::logic_error("keep_feedback for a query that is not in the table");
  s->lock.lock();
  Extra& e = s->ensure_extra();
  e.feedback = std::move(feedback);
  s->lock.unlock();
  return e.feedback;
}

void QueryTable::fill(runlog::QueryLog& q, uint64_t index, Slot& s, const Call& call, bool done) const {
  q.id = id_of(index);
  q.sample_index = s.sample_index;
  q.issued_ns = call.issued_ns;
  q.issue_returned_ns = call.returned_ns;
  q.logged = s.logged();
  q.warmup = s.flags & kWarmup;
  s.lock.lock();  // a racing stream() may still be appending
  q.scheduled_ns = call.issued_ns - (s.late_ns == kLateInExtra ? s.extra->late_ns : s.late_ns);
  if (done) {  // in flight or mid-completion: never completed for the record
    q.completed_ns = s.completed_ns;
    q.n_tokens = s.n_tokens;
    if (s.extra) {
      q.n_text_bytes = s.extra->n_text;
      q.streams = s.extra->streams;
      if (s.logged()) {
        q.tokens = s.extra->tokens;
        q.text = s.extra->text;
        q.streamed_tokens = s.extra->streamed_tokens;
      }
    }
  }
  s.lock.unlock();
}

void QueryTable::snapshot(runlog::RunLog& log) const {
  const uint64_t n = size();
  log.queries.clear();
  Call call;
  for (uint64_t i = drained(); i < n; ++i) {
    Slot* s = live(i);
    const uint8_t st = s->state.load(std::memory_order_acquire);
    if (st == kNotIssued) break;  // planned but never issued (aborted run): not part of the record
    if (!call.covers(i)) call = call_of(i);
    log.queries.emplace_back();
    fill(log.queries.back(), i, *s, call, st == kDone);
  }
  side_logs(log);
}

void QueryTable::side_logs(runlog::RunLog& log) const {
  std::lock_guard<std::mutex> g(side_mu_);
  log.errors.insert(log.errors.end(), errors_.begin(), errors_.end());
  if (errors_dropped_)
    log.errors.push_back({now_ns(), runlog::kNoQuery, "errors_dropped",
                          std::to_string(errors_dropped_) + " further run errors not kept"});
  log.reports = reports_;
  log.tool_calls = tools_;
  log.code_runs = code_runs_;
  log.plugin_log = plugin_log_;
}

bool QueryTable::has_calls(uint64_t id) {
  if (!any_calls_.load(std::memory_order_acquire)) return false;
  std::lock_guard<std::mutex> g(side_mu_);
  return called_.erase(id) > 0;  // asked once per query, as it is drained
}

uint64_t QueryTable::drain(const Sink& sink) {
  uint64_t i = drained_.load(std::memory_order_relaxed);
  const uint64_t n = size(), first = i;
  runlog::QueryLog q;
  Call call;
  for (; i < n; ++i) {
    Slot* s = live(i);
    if (s->state.load(std::memory_order_acquire) != kDone) break;
    // Not before its issue() call returned: that return time belongs to its record.
    if (!call.covers(i) || call.returned_ns == 0) call = call_of(i);
    if (call.returned_ns == 0) break;
    q = runlog::QueryLog{};
    fill(q, i, *s, call, true);
    sink(q, has_calls(q.id));
    drained_.store(i + 1, std::memory_order_release);
  }
  release_chunks(i);
  {  // the calls wholly drained are done with
    std::lock_guard<std::mutex> g(calls_mu_);
    while (!calls_.empty() && calls_.front().first + calls_.front().n <= i) calls_.pop_front();
  }
  return i - first;
}

uint64_t QueryTable::drain_rest(const Sink& sink) {
  uint64_t i = drained_.load(std::memory_order_relaxed);
  const uint64_t n = size(), first = i;
  runlog::QueryLog q;
  Call call;
  for (; i < n; ++i) {
    Slot* s = live(i);
    const uint8_t st = s->state.load(std::memory_order_acquire);
    if (st == kNotIssued) break;  // planned but never issued (aborted run): not part of the record
    if (!call.covers(i) || call.returned_ns == 0) call = call_of(i);
    q = runlog::QueryLog{};
    fill(q, i, *s, call, st == kDone);
    sink(q, has_calls(q.id));
  }
  return i - first;  // nothing freed: stragglers may still call in until the process ends
}

void QueryTable::release_chunks(uint64_t below) {
  const uint64_t whole = below >> kChunkBits;
  if (whole <= released_chunks_) return;
  std::vector<Slot*> retired;
  for (; released_chunks_ < whole; ++released_chunks_)
    retired.push_back(chunks_[released_chunks_].exchange(nullptr, std::memory_order_seq_cst));
  const uint64_t old = epoch_.fetch_add(1, std::memory_order_seq_cst) & 1;
  while (active_[old].load(std::memory_order_seq_cst) != 0) std::this_thread::yield();
  for (Slot* c : retired) delete[] c;
}

}  // namespace edubench::harness
