#include "query_table.hpp"

#include "clock.hpp"

#include <cstddef>
#include <cstring>

namespace edubench::harness {
namespace {

enum : uint8_t { kNotIssued = 0, kInFlight = 1, kDone = 2, kCompleting = 3 };
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

// What only some queries need: allocated on first stream, logged response or tool use.
struct QueryTable::Extra {
  std::vector<runlog::StreamEvent> streams;
  std::vector<int32_t> streamed_tokens;
  std::vector<int32_t> tokens;
  std::string text;
  std::string feedback;
  uint32_t steps = 0;
};

struct QueryTable::Slot {
  std::atomic<uint8_t> state{kNotIssued};
  bool logged = false;
  bool warmup = false;
  SpinLock lock;  // guards `extra`
  uint64_t sample_index = 0;
  int64_t scheduled_ns = 0, issued_ns = 0, completed_ns = -1;
  // Written by the load-generator thread after issue() returns, read by a snapshot that may run
  // while a plugin thread completes: atomic, so neither tears.
  std::atomic<int64_t> returned_ns{0};
  uint64_t n_tokens = 0, n_text = 0;
  std::unique_ptr<Extra> extra;

  Extra& ensure_extra() {
    if (!extra) extra = std::make_unique<Extra>();
    return *extra;
  }
};

QueryTable::QueryTable() : chunks_(new std::atomic<Slot*>[kMaxChunks]) {
  for (uint64_t i = 0; i < kMaxChunks; ++i) chunks_[i].store(nullptr, std::memory_order_relaxed);
}

QueryTable::~QueryTable() {
  for (uint64_t i = 0; i < kMaxChunks; ++i) delete[] chunks_[i].load(std::memory_order_relaxed);
}

uint64_t QueryTable::add(uint64_t sample_index, bool logged, bool warmup) {
  uint64_t index = size_.load(std::memory_order_relaxed);
  uint64_t c = index >> kChunkBits;
  if (c >= kMaxChunks) throw std::length_error("too many queries in one run");
  if (!chunks_[c].load(std::memory_order_relaxed)) chunks_[c].store(new Slot[kChunk], std::memory_order_release);
  Slot& s = chunks_[c].load(std::memory_order_relaxed)[index & (kChunk - 1)];
  s.sample_index = sample_index;
  s.logged = logged;
  s.warmup = warmup;
  size_.store(index + 1, std::memory_order_release);
  return index;
}

QueryTable::Slot* QueryTable::at(uint64_t index) const {
  Slot* base = chunks_[index >> kChunkBits].load(std::memory_order_acquire);
  return base + (index & (kChunk - 1));
}

QueryTable::Slot* QueryTable::find(uint64_t id) const {
  if (id == 0) return nullptr;
  uint64_t index = id - 1;
  if (index >= size_.load(std::memory_order_acquire)) return nullptr;
  return at(index);
}

void QueryTable::mark_issued(uint64_t index, int64_t scheduled_ns, int64_t issued_ns) {
  Slot* s = at(index);
  s->scheduled_ns = scheduled_ns;
  s->issued_ns = issued_ns;
  s->state.store(kInFlight, std::memory_order_release);
}

void QueryTable::mark_returned(uint64_t first, uint64_t n, int64_t returned_ns) {
  for (uint64_t i = first; i < first + n; ++i) at(i)->returned_ns.store(returned_ns, std::memory_order_relaxed);
}

bool QueryTable::is_done(uint64_t index) const {
  return at(index)->state.load(std::memory_order_acquire) == kDone;
}
bool QueryTable::is_in_flight(uint64_t index) const {
  return at(index)->state.load(std::memory_order_acquire) == kInFlight;
}
int64_t QueryTable::issued_ns(uint64_t index) const { return at(index)->issued_ns; }

bool QueryTable::known_in_flight(uint64_t id) const {
  Slot* s = find(id);
  return s && s->state.load(std::memory_order_acquire) == kInFlight;
}

uint64_t QueryTable::sample_of(uint64_t id) const { return find(id)->sample_index; }

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
  Slot* s = find(id);
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
  if (s->logged) e.streamed_tokens.insert(e.streamed_tokens.end(), tokens, tokens + n);
  s->lock.unlock();
  return EDU_OK;
}

edu_status QueryTable::complete(uint64_t id, const edu_response* r) {
  const int64_t t = now_ns();
  Slot* s = find(id);
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
  }
  s->completed_ns = t;
  if (!bad) {
    s->n_tokens = r->n_tokens;
    s->n_text = r->text_len;
    if (s->logged) {
      s->lock.lock();
      Extra& e = s->ensure_extra();
      if (r->n_tokens) e.tokens.assign(r->tokens, r->tokens + r->n_tokens);
      if (r->text_len) e.text.assign(r->text, r->text_len);
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
  Slot* s = find(id);
  if (!s) return 0;
  s->lock.lock();
  uint32_t step = s->ensure_extra().steps++;
  s->lock.unlock();
  return step;
}

void QueryTable::record_tool(runlog::ToolCall call) {
  std::lock_guard<std::mutex> g(side_mu_);
  tools_.push_back(std::move(call));
}

void QueryTable::record_code(runlog::CodeRun run) {
  std::lock_guard<std::mutex> g(side_mu_);
  code_runs_.push_back(std::move(run));
}

const std::string& QueryTable::keep_feedback(uint64_t id, std::string feedback) {
  Slot* s = find(id);
  s->lock.lock();
  Extra& e = s->ensure_extra();
  e.feedback = std::move(feedback);
  s->lock.unlock();
  return e.feedback;
}

void QueryTable::snapshot(runlog::RunLog& log) const {
  const uint64_t n = size();
  log.queries.clear();
  log.queries.resize(n);
  for (uint64_t i = 0; i < n; ++i) {
    Slot* s = at(i);
    if (s->state.load(std::memory_order_acquire) == kNotIssued) {
      log.queries.resize(i);  // planned but never issued (aborted run): not part of the record
      break;
    }
    runlog::QueryLog& q = log.queries[i];
    q.id = id_of(i);
    q.sample_index = s->sample_index;
    uint8_t st = s->state.load(std::memory_order_acquire);
    q.scheduled_ns = s->scheduled_ns;
    q.issued_ns = s->issued_ns;
    q.logged = s->logged;
    q.warmup = s->warmup;
    q.issue_returned_ns = s->returned_ns.load(std::memory_order_relaxed);
    if (st != kDone) continue;  // in flight or mid-completion: never completed for the record
    q.completed_ns = s->completed_ns;
    q.n_tokens = s->n_tokens;
    q.n_text_bytes = s->n_text;
    s->lock.lock();  // a racing stream() may still be appending
    if (s->extra) {
      q.streams = s->extra->streams;
      if (s->logged) {
        q.tokens = s->extra->tokens;
        q.text = s->extra->text;
        q.streamed_tokens = s->extra->streamed_tokens;
      }
    }
    s->lock.unlock();
  }
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

}  // namespace edubench::harness
