// A speculative_decode SUT (from edubench's speculative_decode starter): greedy decoding with
// the target GPT alone, one target forward pass per token over its KV cache. The draft GPT is
// loaded (the registry names it) and not used yet: draft-and-verify is the lab's lever, and the
// TODO(lab) comments say where it goes. Output: the target's greedy tokens, which is also what
// a lossless speculative decoder must produce. A worker thread serves one query at a time.
#include <edubench/model/gpt.hpp>
#include <edubench/model/pending_queue.hpp>
#include <edubench/sut.hpp>

#include <filesystem>
#include <memory>
#include <thread>

#ifndef SUT_NAME
#define SUT_NAME "speculative_starter"  // CMakeLists.txt sets it to the project's name
#endif

namespace {

using namespace edubench::model;

// weights default to model.safetensors next to the config.json.
std::string weights_for(const edubench::Config& cfg, const std::string& key, const std::string& config_path) {
  return cfg.get(key, (std::filesystem::path(config_path).parent_path() / "model.safetensors").string());
}

class SpeculativeStarter : public edubench::Sut {
 public:
  SpeculativeStarter(const edubench::Host& host, std::string_view workload, const edubench::Config& cfg)
      : host_(host) {
    if (workload != "speculative_decode" && workload != "speculative_decode_by_length")
      throw edubench::Unsupported(SUT_NAME " serves only speculative_decode and speculative_decode_by_length");
    const std::string model = cfg.get("model", "");
    const std::string weights = weights_for(cfg, "weights", model);
    const std::string dmodel = cfg.get("draft_model", "");
    const std::string dweights = weights_for(cfg, "draft_weights", dmodel);
    // The registry passes these for the lever; read them now so reject_unknown accepts them.
    const std::string drafter = cfg.get_choice("drafter", "model", {"model"});
    gamma_ = cfg.get_int("gamma", 4);
    const int threads = static_cast<int>(cfg.get_int("threads", 1));
    cfg.reject_unknown();
    if (model.empty()) throw std::invalid_argument("option model: expected the target's config.json");
    if (dmodel.empty()) throw std::invalid_argument("option draft_model: expected the draft's config.json");
    if (gamma_ < 1 || gamma_ > 32) throw std::invalid_argument("option gamma: expected 1..32, got " + std::to_string(gamma_));
    if (threads < 1 || threads > 64) throw std::invalid_argument("option threads: expected 1..64");
    set_threads(threads);
    target_ = load_gpt(model, weights);
    draft_ = load_gpt(dmodel, dweights);
    if (draft_->config().vocab_size != target_->config().vocab_size)
      throw std::invalid_argument("option draft_model: its vocabulary differs from the target's");
    const int64_t ctx = target_->config().block_size;
    tcache_ = std::make_unique<KvCache>(target_->config(), 1, ctx);
    // TODO(lab): the draft needs its own cache (KvCache(draft_->config(), 1, ...)) to propose from.
    worker_ = std::thread([this] { run(); });
  }

  ~SpeculativeStarter() override {
    queue_.stop();
    worker_.join();
  }

  void issue(const edu_query* q, size_t n) override { queue_.push(q, n, target_->config().block_size); }

 private:
  void serve(const Pending& p) {
    tcache_->reset();
    std::vector<int32_t> out;
    out.reserve(p.max_new);
    int64_t target_passes = 0;
    if (p.max_new > 0) {
      // Prefill: the prompt through the target once; its last row predicts the first token.
      torch::Tensor logits = target_->forward_cached(torch::tensor(p.prompt, torch::kLong), *tcache_, 0);
      ++target_passes;
      // TODO(lab): replace this loop. Per round: the draft proposes gamma tokens (one cheap pass
      // each on its cache); the target runs forward_cached on [last, d1..d_gamma] once and its
      // rows say which drafts agree with its greedy choice; emit the agreeing prefix plus the
      // target's next token in one stream() call; truncate both caches to the accepted length.
      for (;;) {
        const int32_t next = argmax_token(logits[-1]);
        out.push_back(next);
        host_.stream(p.id, &next, 1);
        if (out.size() >= p.max_new) break;
        logits = target_->forward_cached(torch::tensor({static_cast<int64_t>(next)}, torch::kLong), *tcache_, 0);
        ++target_passes;
      }
    }
    // The figures the lab compares: 0 drafted and accepted now, one target pass per token.
    host_.report(p.id, "drafted_tokens", 0.0);
    host_.report(p.id, "accepted_tokens", 0.0);
    host_.report(p.id, "target_passes", static_cast<double>(target_passes));
    host_.complete(p.id, out.data(), out.size());
  }

  void run() {
    c10::InferenceMode guard;
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
  Gpt target_{nullptr}, draft_{nullptr};
  int64_t gamma_ = 4;
  std::unique_ptr<KvCache> tcache_;
  PendingQueue queue_;
  std::thread worker_;
};

}  // namespace

EDUBENCH_SUT(SpeculativeStarter, SUT_NAME, "0.1.0", "speculative_decode", "speculative_decode_by_length")
