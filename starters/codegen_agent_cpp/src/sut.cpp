// A codegen_agent SUT (from edubench's codegen_agent starter). The workload's GPT, trained on
// attempt traces, writes a Python function for each task; the answer is that code, which the
// harness scores on hidden tests the SUT never sees. One attempt, no feedback: the retry loop
// with the sandbox's verdict is the lab's lever (TODO(lab)). AgentSut (model library) brings
// the options model, weights, threads and workers, the task queue and the worker threads;
// AgentContext keeps the context on one KV cache row and prefills only what the cache lacks.
#include <edubench/model/agent_context.hpp>
#include <edubench/model/agent_sut.hpp>
#include <edubench/model/codegen_protocol.hpp>

#ifndef SUT_NAME
#define SUT_NAME "codegen_starter"  // CMakeLists.txt sets it to the project's name
#endif

namespace {

using namespace edubench::model;

class CodegenStarter : public AgentSut {
 public:
  CodegenStarter(const edubench::Host& host, std::string_view workload, const edubench::Config& cfg)
      : AgentSut(host, cfg, SUT_NAME) {
    if (workload != "codegen_agent" && workload != "codegen_agent_hard")
      throw edubench::Unsupported(SUT_NAME " serves only the codegen_agent and codegen_agent_hard workloads");
    code_budget_ = cfg.get_int("max_code_tokens", 200);
    cfg.reject_unknown();
    if (code_budget_ < 8 || code_budget_ > 4096) throw std::invalid_argument("option max_code_tokens: expected 8..4096");
    start();  // loads the model, starts the workers
  }
  ~CodegenStarter() override { stop(); }  // the workers call serve(): stop them first

 private:
  void serve(const AgentTask& t, KvCache& cache) override {
    AgentContext ctx(gpt_, cache, codegen_prompt(t.text));
    AgentContext::Step s = ctx.generate(code_budget_, [](const std::string& g) { return codegen_code_done(g); });
    const std::string code = codegen_code(s.text);
    host_.report(t.id, "attempt_model_ms", s.model_ms);
    host_.report(t.id, "attempt_tokens_generated", static_cast<double>(s.generated));
    // TODO(lab): check the attempt before submitting it: host_.run_code(t.id, code) runs it on
    // the visible tests. While it fails and attempts remain (an option max_attempts), append
    // codegen_feedback(false, r.timed_out, r.feedback, retry) to ctx and generate again.
    host_.report(t.id, "attempts", 1);
    host_.complete_text(t.id, code);
  }

  int64_t code_budget_ = 200;
};

}  // namespace

EDUBENCH_SUT(CodegenStarter, SUT_NAME, "0.1.0", "codegen_agent", "codegen_agent_hard")
