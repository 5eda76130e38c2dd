// codegen_agent: the reference SUT of the codegen_agent workload. A character-level GPT trained
// on attempt traces writes a Python function; the harness runs it against the task's visible
// tests (run_code); on failure the verdict line is appended to the context and the model tries
// again, up to max_attempts. The answer is the last attempt's code: the harness scores it on
// the hidden tests, which the SUT never sees. Each attempt prefills only the verdict it adds
// (the KV cache keeps the rest). `workers` threads serve queries in parallel.
#include <edubench/model/agent_context.hpp>
#include <edubench/model/agent_sut.hpp>
#include <edubench/model/codegen_protocol.hpp>

namespace {

using namespace edubench::model;

class CodegenSut : public AgentSut {
 public:
  CodegenSut(const edubench::Host& host, std::string_view workload, const edubench::Config& cfg)
      : AgentSut(host, cfg, "codegen_agent") {
    if (workload != "codegen_agent" && workload != "codegen_agent_hard")
      throw edubench::Unsupported("serves only the codegen_agent and codegen_agent_hard workloads");
    max_attempts_ = static_cast<int>(cfg.get_int("max_attempts", 3));
    code_budget_ = cfg.get_int("max_code_tokens", 200);
    cfg.reject_unknown();
    if (max_attempts_ < 1 || max_attempts_ > 16) throw std::invalid_argument("option max_attempts: expected 1..16");
    if (code_budget_ < 8 || code_budget_ > 4096) throw std::invalid_argument("option max_code_tokens: expected 8..4096");
    start();
  }
  ~CodegenSut() override { stop(); }

 private:
  void serve(const AgentTask& t, KvCache& cache) override {
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
      host_.report(t.id, "attempt_kv_bytes", static_cast<double>(ctx.kv_bytes()));  // grows with every retry
      if (!s.stopped) break;  // out of budget or context: submit what there is
      edubench::ExecResult r = host_.run_code(t.id, code);
      if (r.passed) break;
      ctx.append(codegen_feedback(false, r.timed_out, r.feedback, attempts < max_attempts_));
    }
    host_.report(t.id, "attempts", attempts);
    host_.report(t.id, "context_tokens", static_cast<double>(ctx.size()));
    host_.complete_text(t.id, code);
  }

  int max_attempts_ = 3;
  int64_t code_budget_ = 200;
};

}  // namespace

EDUBENCH_SUT(CodegenSut, "codegen_agent", "1.0.0", "codegen_agent", "codegen_agent_hard")
