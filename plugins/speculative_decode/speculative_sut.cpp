// speculative_decode: the reference SUT of the speculative_decode workload. A drafter proposes
// `gamma` tokens; the target verifies them all in one forward pass over its cached prefix; the
// accepted prefix plus the target's own next token is emitted (a burst on the stream); both
// caches roll back to the accepted length by a length change, not a copy. Lossless: the
// output is the target's greedy output. drafter=model uses the small draft GPT;
// drafter=ngram looks the continuation up in the context itself (prompt lookup), no model.
// draft_confidence=p (drafter=model, default 0: off): a row stops drafting for the round after a
// token the draft gave less than probability p, so unsure drafts are not verified.
// A worker thread (issue() only queues) serves up to `batch` queries at once, continuously
// batched: each round drafts for every row in flight and verifies all their drafts in one
// target pass; rows accept different numbers of drafts; a finished row is completed and
// refilled from the queue. batch=1 (the default) serves one query at a time.
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
    if (workload != "speculative_decode" && workload != "speculative_decode_large" &&
        workload != "speculative_decode_by_length")
      throw edubench::Unsupported("serves only the speculative_decode workloads (plain, _large, _by_length)");
    const std::string model = cfg.get("model", "");
    const std::string weights = weights_for(cfg, "weights", model);
    const std::string drafter = cfg.get_choice("drafter", "model", {"model", "ngram"});
    const std::string dmodel = cfg.get("draft_model", "");
    const std::string dweights = weights_for(cfg, "draft_weights", dmodel);
    const int64_t gamma = cfg.get_int("gamma", 4);
    // A row stops drafting for the round after a token the draft gave less than this probability.
    const double confidence = cfg.get_double("draft_confidence", 0.0);
    const int64_t batch = cfg.get_int("batch", 1);
    // One intra-op thread by default: decode ops are tiny, and when the two cores are shared a
    // second OpenMP thread makes every op wait for the scheduler (docs/performance_textgen.md).
    const int threads = static_cast<int>(cfg.get_int("threads", 1));
    cfg.reject_unknown();
    if (model.empty()) throw std::invalid_argument("option model: expected the target's config.json");
    if (drafter == "model" && dmodel.empty())
      throw std::invalid_argument("option draft_model: drafter=model needs the draft's config.json");
    if (gamma < 1 || gamma > 32) throw std::invalid_argument("option gamma: expected 1..32, got " + std::to_string(gamma));
    if (!(confidence >= 0 && confidence < 1))
      throw std::invalid_argument("option draft_confidence: expected a probability in [0, 1), got '" +
                                  cfg.get("draft_confidence", "") + "'");
    if (confidence > 0 && drafter != "model")
      throw std::invalid_argument("option draft_confidence: needs drafter=model (prompt lookup has no probabilities)");
    if (batch < 1 || batch > 64) throw std::invalid_argument("option batch: expected 1..64, got " + std::to_string(batch));
    if (threads < 1 || threads > 64) throw std::invalid_argument("option threads: expected 1..64");
    set_threads(threads);
    Gpt target = load_gpt(model, weights);
    Gpt draft{nullptr};
    if (drafter == "model") draft = load_gpt(dmodel, dweights);
    decoder_ = std::make_unique<SpeculativeDecoder>(target, draft, gamma, batch);
    decoder_->set_draft_confidence(confidence);
    slots_.resize(static_cast<size_t>(batch));
    worker_ = std::thread([this] { run(); });
  }

  ~SpeculativeSut() override {
    queue_.stop();
    worker_.join();
  }

  void issue(const edu_query* q, size_t n) override { queue_.push(q, n, decoder_->context()); }

 private:
  struct Slot {
    bool busy = false;
    uint64_t id = 0;
    int64_t rounds = 0, rows_in_rounds = 0;  // for verify_batch_rows
  };

  // Queued queries into free rows: prefilled, their first token streamed.
  void admit() {
    for (size_t r = 0; r < slots_.size(); ++r) {
      if (slots_[r].busy) continue;
      Pending p;
      if (!queue_.try_pop(p)) return;
      const uint64_t id = p.id;
      slots_[r] = Slot{true, id};
      decoder_->start(static_cast<int64_t>(r), p.prompt, p.max_new,
                      [this, id](const int32_t* t, size_t n) { host_.stream(id, t, n); });
    }
  }

  void finish(size_t r) {
    Slot& s = slots_[r];
    const SpecStats& st = decoder_->stats(static_cast<int64_t>(r));
    host_.report(s.id, "drafted_tokens", static_cast<double>(st.drafted));
    host_.report(s.id, "accepted_tokens", static_cast<double>(st.accepted));
    host_.report(s.id, "target_passes", static_cast<double>(st.target_passes));
    host_.report(s.id, "draft_passes", static_cast<double>(st.draft_passes));
    // The rows that shared this query's verification passes, on average (1 at batch=1).
    if (s.rounds) host_.report(s.id, "verify_batch_rows", static_cast<double>(s.rows_in_rounds) / static_cast<double>(s.rounds));
    for (size_t i = 0; i < st.drafted_at.size(); ++i) {  // positions 1-based, as a report shows them
      const std::string pos = "draft_position_" + std::to_string(i + 1);
      host_.report(s.id, (pos + "_drafted").c_str(), static_cast<double>(st.drafted_at[i]));
      host_.report(s.id, (pos + "_accepted").c_str(), static_cast<double>(st.accepted_at[i]));
    }
    const auto& out = decoder_->output(static_cast<int64_t>(r));
    host_.complete(s.id, out.data(), out.size());
    s.busy = false;
  }

  void step() {
    int64_t n = 0;
    for (size_t r = 0; r < slots_.size(); ++r) n += slots_[r].busy && decoder_->active(static_cast<int64_t>(r));
    for (size_t r = 0; r < slots_.size(); ++r)
      if (slots_[r].busy && decoder_->active(static_cast<int64_t>(r))) ++slots_[r].rounds, slots_[r].rows_in_rounds += n;
    decoder_->round();
    for (size_t r = 0; r < slots_.size(); ++r)
      if (slots_[r].busy && !decoder_->active(static_cast<int64_t>(r))) finish(r);
  }

  bool any_busy() const {
    for (const auto& s : slots_)
      if (s.busy) return true;
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
        for (auto& s : slots_)
          if (s.busy) ids += " " + std::to_string(s.id), s.busy = false;
        host_.log(EDU_LOG_ERROR, std::string("speculative_decode worker: ") + e.what() + "; dropped queries:" + ids);
      }
    }
  }

  edubench::Host host_;
  std::unique_ptr<SpeculativeDecoder> decoder_;
  std::vector<Slot> slots_;
  PendingQueue queue_;
  std::thread worker_;
};

}  // namespace

EDUBENCH_SUT(SpeculativeSut, "speculative_decode", "1.0.0", "speculative_decode", "speculative_decode_large",
             "speculative_decode_by_length")
