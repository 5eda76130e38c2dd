// speculative_decode: the reference SUT of the speculative_decode workload. A drafter proposes
// `gamma` tokens; the target verifies them all in one forward pass over its cached prefix; the
// accepted prefix plus the target's own next token is emitted (a burst on the stream); both
// caches roll back to the accepted length by a length change, not a copy. Lossless: the
// output is the target's greedy output. drafter=model uses the small draft GPT;
// drafter=ngram looks the continuation up in the context itself (prompt lookup), no model.
// Queries are served one at a time by a worker thread (issue() only queues them).
#include <edubench/model/generate.hpp>
#include <edubench/model/pending_queue.hpp>
#include <edubench/sut.hpp>

#include <filesystem>
#include <thread>

namespace {

using namespace edubench::model;

// weights= defaults to model.safetensors next to config.json.
std::string weights_for(const edubench::Config& cfg, const std::string& key, const std::string& config_path) {
  return cfg.get(key, (std::filesystem::path(config_path).parent_path() / "model.safetensors").string());
}

class SpeculativeSut : public edubench::Sut {
 public:
  SpeculativeSut(const edubench::Host& host, std::string_view workload, const edubench::Config& cfg) : host_(host) {
    if (workload != "speculative_decode" && workload != "speculative_decode_large")
      throw edubench::Unsupported("serves only the speculative_decode and speculative_decode_large workloads");
    const std::string model = cfg.get("model", "");
    const std::string weights = weights_for(cfg, "weights", model);
    const std::string drafter = cfg.get_choice("drafter", "model", {"model", "ngram"});
    const std::string dmodel = cfg.get("draft_model", "");
    const std::string dweights = weights_for(cfg, "draft_weights", dmodel);
    const int64_t gamma = cfg.get_int("gamma", 4);
    // One intra-op thread by default: decode ops are tiny, and when the two cores are shared a
    // second OpenMP thread makes every op wait for the scheduler (docs/performance_textgen.md).
    const int threads = static_cast<int>(cfg.get_int("threads", 1));
    cfg.reject_unknown();
    if (model.empty()) throw std::invalid_argument("option model: expected the target's config.json");
    if (drafter == "model" && dmodel.empty())
      throw std::invalid_argument("option draft_model: drafter=model needs the draft's config.json");
    if (gamma < 1 || gamma > 32) throw std::invalid_argument("option gamma: expected 1..32, got " + std::to_string(gamma));
    if (threads < 1 || threads > 64) throw std::invalid_argument("option threads: expected 1..64");
    set_threads(threads);
    Gpt target = load_gpt(model, weights);
    Gpt draft{nullptr};
    if (drafter == "model") draft = load_gpt(dmodel, dweights);
    decoder_ = std::make_unique<SpeculativeDecoder>(target, draft, gamma);
    worker_ = std::thread([this] { run(); });
  }

  ~SpeculativeSut() override {
    queue_.stop();
    worker_.join();
  }

  void issue(const edu_query* q, size_t n) override { queue_.push(q, n, decoder_->context()); }

 private:
  void serve(const Pending& p) {
    SpecStats st;
    auto out = decoder_->generate(p.prompt, p.max_new, st,
                                  [&](const int32_t* t, size_t n) { host_.stream(p.id, t, n); });
    host_.report(p.id, "drafted_tokens", static_cast<double>(st.drafted));
    host_.report(p.id, "accepted_tokens", static_cast<double>(st.accepted));
    host_.report(p.id, "target_passes", static_cast<double>(st.target_passes));
    host_.report(p.id, "draft_passes", static_cast<double>(st.draft_passes));
    for (size_t i = 0; i < st.drafted_at.size(); ++i) {  // positions 1-based, as a report shows them
      const std::string pos = "draft_position_" + std::to_string(i + 1);
      host_.report(p.id, (pos + "_drafted").c_str(), static_cast<double>(st.drafted_at[i]));
      host_.report(p.id, (pos + "_accepted").c_str(), static_cast<double>(st.accepted_at[i]));
    }
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
        host_.log(EDU_LOG_ERROR, "speculative_decode worker: query " + std::to_string(p.id) + ": " + e.what());
      }
    }
  }

  edubench::Host host_;
  std::unique_ptr<SpeculativeDecoder> decoder_;
  PendingQueue queue_;
  std::thread worker_;
};

}  // namespace

EDUBENCH_SUT(SpeculativeSut, "speculative_decode", "1.0.0", "speculative_decode", "speculative_decode_large")
