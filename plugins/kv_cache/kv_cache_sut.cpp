// kv_cache: the reference SUT of the kv_cache workload. Greedy continuation of each prompt by
// the trained textgen GPT, tokens streamed as they are produced. One worker thread runs a
// continuously batched decode: a query is prefilled alone into a free row of the KV cache,
// then decodes together with the other rows in flight (one batched step per token); a
// finished row is completed and refilled from the queue. issue() only queues.
// Option kv_cache=off recomputes the whole prefix at every step, one query at a time (the
// O(N^2) baseline students start from). Prefill runs on LibTorch; decode steps on the model's
// fast path (FastDecoder), or on LibTorch with decode=torch (the before of
// docs/performance_textgen.md).
#include <edubench/model/fast_decode.hpp>
#include <edubench/model/gpt.hpp>
#include <edubench/model/pending_queue.hpp>
#include <edubench/sut.hpp>

#include <chrono>
#include <filesystem>
#include <thread>

namespace {

using namespace edubench::model;

struct Row {
  bool busy = false;
  uint64_t id = 0;
  uint32_t max_new = 0;
  std::vector<int64_t> prompt;
  std::vector<int32_t> out;
};

class KvCacheSut : public edubench::Sut {
 public:
  KvCacheSut(const edubench::Host& host, std::string_view workload, const edubench::Config& cfg) : host_(host) {
    // kv_cache_large is the same decode on textgen_large (512 new tokens): the model is an option.
    if (workload != "kv_cache" && workload != "kv_cache_large")
      throw edubench::Unsupported("kv_cache serves only the kv_cache and kv_cache_large workloads");
    const std::string model = cfg.get("model", "");
    // weights= defaults to model.safetensors next to config.json.
    const std::string weights =
        cfg.get("weights", (std::filesystem::path(model).parent_path() / "model.safetensors").string());
    use_cache_ = cfg.get_bool("kv_cache", true);
    const bool fast = cfg.get_choice("decode", "fast", {"fast", "torch"}) == "fast";
    const int64_t batch = cfg.get_int("batch", 8);
    // One intra-op thread by default: decode ops are tiny, and when the two cores are shared a
    // second OpenMP thread makes every op wait for the scheduler (docs/performance_textgen.md).
    const int threads = static_cast<int>(cfg.get_int("threads", 1));
    cfg.reject_unknown();
    if (model.empty()) throw std::invalid_argument("option model: expected the path of the model's config.json");
    if (batch < 1 || batch > 256) throw std::invalid_argument("option batch: expected 1..256, got " + std::to_string(batch));
    if (threads < 1 || threads > 64) throw std::invalid_argument("option threads: expected 1..64");
    set_threads(threads);
    gpt_ = load_gpt(model, weights);
    const int64_t rows = use_cache_ ? batch : 1;
    if (use_cache_) cache_ = std::make_unique<KvCache>(gpt_->config(), rows, gpt_->config().block_size);
    if (use_cache_ && fast) fast_ = std::make_unique<FastDecoder>(gpt_, rows);
    rows_.resize(static_cast<size_t>(rows));
    worker_ = std::thread([this] { run(); });
  }

  ~KvCacheSut() override {
    queue_.stop();
    worker_.join();
  }

  void issue(const edu_query* q, size_t n) override { queue_.push(q, n, gpt_->config().block_size); }

 private:
  // Admits queued queries into free rows (prefill) and emits each one's first token.
  void admit() {
    for (size_t r = 0; r < rows_.size(); ++r) {
      if (rows_[r].busy) continue;
      Pending p;
      if (!queue_.try_pop(p)) return;
      Row& row = rows_[r];
      row = Row{true, p.id, p.max_new, std::move(p.prompt), {}};
      if (row.max_new == 0) {
        finish(r);
        continue;
      }
      auto prompt = torch::tensor(row.prompt, torch::kLong);
      torch::Tensor logits;
      if (use_cache_) {
        cache_->truncate(static_cast<int64_t>(r), 0);
        logits = gpt_->forward_cached(prompt, *cache_, static_cast<int64_t>(r));
      } else {
        logits = gpt_->forward(prompt.unsqueeze(0))[0];
      }
      emit(r, argmax_token(logits[-1]));
    }
  }

  void emit(size_t r, int32_t token) {
    Row& row = rows_[r];
    row.out.push_back(token);
    host_.stream(row.id, &token, 1);
    if (row.out.size() >= row.max_new) return finish(r);
    if (use_cache_ && row.out.size() % 32 == 0) report_growth(r);
  }

  // The cache's size against the context it holds, every 32 tokens and at the end: the lab's
  // chart of KV bytes growing linearly with context.
  void report_growth(size_t r) {
    const Row& row = rows_[r];
    host_.report(row.id, "growth_context_tokens", static_cast<double>(row.prompt.size() + row.out.size() - 1));
    host_.report(row.id, "growth_kv_cache_bytes", static_cast<double>(cache_->bytes_used(static_cast<int64_t>(r))));
  }

  void finish(size_t r) {
    Row& row = rows_[r];
    if (use_cache_) report_growth(r);
    // The cache holds the prompt and every generated token but the last (never fed back).
    host_.report(row.id, "kv_cache_bytes", use_cache_ ? static_cast<double>(cache_->bytes_used(static_cast<int64_t>(r))) : 0.0);
    host_.complete(row.id, row.out.data(), row.out.size());
    row.busy = false;
  }

  // One decode step for every busy row.
  void step() {
    std::vector<int64_t> rows, tokens;
    for (size_t r = 0; r < rows_.size(); ++r)
      if (rows_[r].busy) rows.push_back(static_cast<int64_t>(r)), tokens.push_back(rows_[r].out.back());
    if (rows.empty()) return;
    if (fast_) {
      const float* logits = fast_->step(tokens.data(), rows.data(), static_cast<int64_t>(rows.size()), *cache_);
      for (size_t i = 0; i < rows.size(); ++i)
        emit(static_cast<size_t>(rows[i]), argmax_token(logits + static_cast<int64_t>(i) * fast_->vocab(), fast_->vocab()));
    } else if (use_cache_) {
      auto logits = gpt_->decode_step(torch::tensor(tokens, torch::kLong), *cache_, rows);
      for (size_t i = 0; i < rows.size(); ++i) emit(static_cast<size_t>(rows[i]), argmax_token(logits[static_cast<int64_t>(i)]));
    } else {
      // The baseline: the whole prefix again, every step.
      Row& row = rows_[0];
      std::vector<int64_t> ctx = row.prompt;
      ctx.insert(ctx.end(), row.out.begin(), row.out.end());
      emit(0, argmax_token(gpt_->forward(torch::tensor(ctx, torch::kLong).unsqueeze(0))[0][-1]));
    }
  }

  bool any_busy() const {
    for (const auto& r : rows_)
      if (r.busy) return true;
    return false;
  }

  void run() {
    c10::InferenceMode guard;
    while (queue_.wait(any_busy())) {
      try {
        admit();
        step();
      } catch (const std::exception& e) {
        // The rows in flight stay incomplete, so the harness's watchdog names them; the
        // worker goes on with the queue.
        std::string ids;
        for (auto& r : rows_)
          if (r.busy) ids += " " + std::to_string(r.id), r.busy = false;
        host_.log(EDU_LOG_ERROR, std::string("kv_cache worker: ") + e.what() + "; dropped queries:" + ids);
      }
    }
  }

  edubench::Host host_;
  Gpt gpt_{nullptr};
  std::unique_ptr<KvCache> cache_;
  std::unique_ptr<FastDecoder> fast_;  // null: decode steps on LibTorch
  bool use_cache_ = true;
  std::vector<Row> rows_;
  PendingQueue queue_;
  std::thread worker_;
};

}  // namespace

EDUBENCH_SUT(KvCacheSut, "kv_cache", "1.0.0", "kv_cache", "kv_cache_large")
