// codegen_agent: the reference SUT of the codegen_agent workload. A character-level GPT trained
// on attempt traces writes a Python function; the harness runs it against the task's visible
// tests (run_code); on failure the verdict line is appended to the context and the model tries
// again, up to max_attempts. The answer is the last attempt's code: the harness scores it on
// the hidden tests, which the SUT never sees. Each attempt prefills only the verdict it adds
// (the KV cache keeps the rest). `workers` threads serve queries in parallel.
#include <edubench/model/agent_context.hpp>
#include <edubench/model/agent_tasks.hpp>
#include <edubench/model/codegen_protocol.hpp>
#include <edubench/sut.hpp>

#include <filesystem>
#include <thread>

namespace {

using namespace edubench::model;

class CodegenSut : public edubench::Sut {
 public:
  CodegenSut(const edubench::Host& host, std::string_view workload, const edubench::Config& cfg) : host_(host) {
    if (workload != "codegen_agent") throw edubench::Unsupported("serves only the codegen_agent workload");
    const std::string model = cfg.get("model", "");
    const std::string weights =
        cfg.get("weights", (std::filesystem::path(model).parent_path() / "model.safetensors").string());
    max_attempts_ = static_cast<int>(cfg.get_int("max_attempts", 3));
    code_budget_ = cfg.get_int("max_code_tokens", 200);
    const int threads = static_cast<int>(cfg.get_int("threads", 1));
    const int workers = static_cast<int>(cfg.get_int("workers", 1));
    cfg.reject_unknown();
    if (model.empty()) throw std::invalid_argument("option model: expected the model's config.json");
    if (max_attempts_ < 1 || max_attempts_ > 16) throw std::invalid_argument("option max_attempts: expected 1..16");
    if (code_budget_ < 8 || code_budget_ > 4096) throw std::invalid_argument("option max_code_tokens: expected 8..4096");
    if (threads < 1 || threads > 64) throw std::invalid_argument("option threads: expected 1..64");
    if (workers < 1 || workers > 64) throw std::invalid_argument("option workers: expected 1..64");
    set_threads(threads);
    gpt_ = load_gpt(model, weights);
    gpt_->eval();
    for (int i = 0; i < workers; ++i) workers_.emplace_back([this] { run(); });
  }

  ~CodegenSut() override {
    tasks_.stop();
    for (auto& w : workers_) w.join();
  }

  void issue(const edu_query* q, size_t n) override { tasks_.push(q, n); }

 private:
  void serve(const AgentTask& t, KvCache& cache) {
    AgentContext ctx(gpt_, cache, codegen_prompt(t.text));
    std::string code;
    int attempts = 0;
    while (attempts < max_attempts_ && ctx.room() > 0) {
      AgentContext::Step s = ctx.generate(code_budget_, [](const std::string& g) { return codegen_code_done(g); });
      ++attempts;
      code = codegen_code(s.text);
      host_.report(t.id, "attempt_model_ms", s.model_ms);
      host_.report(t.id, "attempt_prefill_tokens", static_cast<double>(s.prefilled));
      host_.report(t.id, "attempt_tokens_generated", static_cast<double>(s.generated));
      host_.report(t.id, "attempt_context_tokens", static_cast<double>(ctx.size()));
      if (!s.stopped) break;  // out of budget or context: submit what there is
      edubench::ExecResult r = host_.run_code(t.id, code);
      if (r.passed) break;
      ctx.append(codegen_feedback(false, r.timed_out, r.feedback, attempts < max_attempts_));
    }
    host_.report(t.id, "attempts", attempts);
    host_.report(t.id, "context_tokens", static_cast<double>(ctx.size()));
    host_.complete_text(t.id, code);
  }

  void run() {
    c10::InferenceMode guard;
    KvCache cache(gpt_->config(), 1, gpt_->config().block_size);
    AgentTask t;
    while (tasks_.pop(t)) {
      try {
        serve(t, cache);
      } catch (const std::exception& e) {
        // The query stays incomplete, so the harness's watchdog names it; the others go on.
        host_.log(EDU_LOG_ERROR, "codegen_agent worker: query " + std::to_string(t.id) + ": " + e.what());
      }
    }
  }

  edubench::Host host_;
  Gpt gpt_{nullptr};
  int max_attempts_ = 3;
  int64_t code_budget_ = 200;
  AgentTaskQueue tasks_;
  std::vector<std::thread> workers_;
};

}  // namespace

EDUBENCH_SUT(CodegenSut, "codegen_agent", "1.0.0", "codegen_agent")
