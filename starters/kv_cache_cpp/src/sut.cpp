// A kv_cache SUT (from edubench's kv_cache starter): the greedy continuation of each prompt by
// the workload's GPT, one token streamed per step. Correct, and slow on purpose: every step runs
// the whole context through every layer again (O(N^2) in the response length). The lab's lever
// is the KV cache: the TODO(lab) comments say where it goes. A worker thread serves the queries
// one at a time; issue() only queues them (it must not block the harness).
#include <edubench/model/layers.hpp>
#include <edubench/model/pending_queue.hpp>
#include <edubench/sut.hpp>

#include <filesystem>
#include <memory>
#include <thread>

#ifndef SUT_NAME
#define SUT_NAME "kv_cache_starter"  // CMakeLists.txt sets it to the project's name
#endif

namespace {

using namespace edubench::model;

class KvCacheStarter : public edubench::Sut {
 public:
  KvCacheStarter(const edubench::Host& host, std::string_view workload, const edubench::Config& cfg) : host_(host) {
    if (workload != "kv_cache") throw edubench::Unsupported(SUT_NAME " serves only the kv_cache workload");
    // The registry's sut_config names the model; weights default to model.safetensors next to it.
    const std::string model = cfg.get("model", "");
    const std::string weights =
        cfg.get("weights", (std::filesystem::path(model).parent_path() / "model.safetensors").string());
    const int threads = static_cast<int>(cfg.get_int("threads", 1));
    cfg.reject_unknown();  // a typo in --sut-opt is an error, not a no-op
    if (model.empty()) throw std::invalid_argument("option model: expected the path of the model's config.json");
    if (threads < 1 || threads > 64) throw std::invalid_argument("option threads: expected 1..64");
    // One intra-op thread: decode-sized ops are tiny, and extra threads mostly wait on each other.
    set_threads(threads);
    layers_ = std::make_unique<GptLayers>(load_gpt(model, weights));
    worker_ = std::thread([this] { run(); });
  }

  ~KvCacheStarter() override {
    queue_.stop();
    worker_.join();
  }

  // Copies the queries (their memory is the harness's) and returns at once.
  void issue(const edu_query* q, size_t n) override { queue_.push(q, n, layers_->config().block_size); }

 private:
  // Logits of the token after `ctx`: the whole context through every layer.
  // TODO(lab): this recomputes K and V of every earlier position at every step. Keep each
  // layer's K and V in a cache (KvCache in <edubench/model/gpt.hpp> is one: [batch, heads,
  // max_ctx, head_dim] per layer), prefill the prompt once, then feed only the newest token:
  // embed(token, pos), qkv(), write k/v at `pos`, attend() over the cache's 0..pos.
  torch::Tensor next_logits(const std::vector<int64_t>& ctx) {
    torch::Tensor x = layers_->embed(torch::tensor(ctx, torch::kLong), 0);  // [T, C]
    for (int64_t l = 0; l < layers_->n_layer(); ++l) {
      Qkv a = layers_->qkv(l, x);  // K and V of every position, recomputed
      x = x + layers_->attn_out(l, GptLayers::attend(a.q, a.k, a.v));
      x = x + layers_->mlp(l, x);
    }
    return layers_->head(x)[-1];  // only the last position's logits are used
  }

  void serve(const Pending& p) {
    std::vector<int64_t> ctx = p.prompt;
    std::vector<int32_t> out;
    out.reserve(p.max_new);
    while (out.size() < p.max_new) {
      const int32_t next = greedy_token(next_logits(ctx));
      out.push_back(next);
      ctx.push_back(next);
      host_.stream(p.id, &next, 1);  // the harness timestamps every token it is told about
    }
    // TODO(lab): report the cache's bytes for this query (KvCache::bytes_used): 0 without one.
    host_.report(p.id, "kv_cache_bytes", 0.0);
    host_.complete(p.id, out.data(), out.size());
  }

  void run() {
    c10::InferenceMode guard;  // no autograd bookkeeping: inference only
    Pending p;
    while (queue_.wait(false)) {
      if (!queue_.try_pop(p)) continue;
      try {
        serve(p);
      } catch (const std::exception& e) {
        // The query stays incomplete, so the harness's watchdog names it; the others go on.
        host_.log(EDU_LOG_ERROR, std::string(SUT_NAME ": query ") + std::to_string(p.id) + ": " + e.what());
      }
    }
  }

  edubench::Host host_;
  std::unique_ptr<GptLayers> layers_;
  PendingQueue queue_;
  std::thread worker_;
};

}  // namespace

EDUBENCH_SUT(KvCacheStarter, SUT_NAME, "0.1.0", "kv_cache")
