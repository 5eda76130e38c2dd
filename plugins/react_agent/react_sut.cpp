// react_agent: the reference SUT of the react_agent workload. A character-level GPT trained on
// ReAct traces writes "Thought: ..." and "Action: tool[arg]" lines; each action goes to the
// harness through call_tool and its observation is appended as "Observation: ...", until the
// model writes "Answer: ..." or max_steps actions were taken. With reuse_kv=on only the new
// tokens of each step are prefilled (the cache holds the context so far); reuse_kv=off
// re-prefills the whole context at every step, the cost students start from.
// `workers` threads serve queries in parallel, each with its own KV cache over shared weights.
#include <edubench/model/agent_context.hpp>
#include <edubench/model/agent_sut.hpp>
#include <edubench/model/react_protocol.hpp>

namespace {

using namespace edubench::model;

class ReactSut : public AgentSut {
 public:
  ReactSut(const edubench::Host& host, std::string_view workload, const edubench::Config& cfg)
      : AgentSut(host, cfg, "react_agent") {
    if (workload != "react_agent" && workload != "react_agent_long")
      throw edubench::Unsupported("serves only the react_agent and react_agent_long workloads");
    reuse_kv_ = cfg.get_choice("reuse_kv", "on", {"on", "off"}) == "on";
    max_steps_ = static_cast<int>(cfg.get_int("max_steps", 8));
    step_budget_ = cfg.get_int("max_step_tokens", 160);
    cfg.reject_unknown();
    if (max_steps_ < 1 || max_steps_ > 64) throw std::invalid_argument("option max_steps: expected 1..64");
    if (step_budget_ < 8 || step_budget_ > 4096) throw std::invalid_argument("option max_step_tokens: expected 8..4096");
    start();
  }
  ~ReactSut() override { stop(); }

 private:
  // One query's agent loop on this worker's cache.
  void serve(const AgentTask& t, KvCache& cache) override {
    AgentContext ctx(gpt_, cache, react_prompt(t.text));
    std::string answer;
    int actions = 0;
    for (;;) {
      if (!reuse_kv_) ctx.drop_cache();
      AgentContext::Step s = ctx.generate(step_budget_, [](const std::string& text) { return react_step_done(text); });
      host_.report(t.id, "step_model_ms", s.model_ms);
      host_.report(t.id, "step_prefill_tokens", static_cast<double>(s.prefilled));
      host_.report(t.id, "step_tokens_generated", static_cast<double>(s.generated));
      host_.report(t.id, "step_context_tokens", static_cast<double>(ctx.size()));
      host_.report(t.id, "step_kv_bytes", static_cast<double>(ctx.kv_bytes()));
      if (!s.stopped) break;  // out of budget or context: no answer
      ParsedLine line = parse_react_line(last_line(s.text));
      if (line.kind == LineKind::answer) {
        answer = line.text;
        break;
      }
      if (line.kind != LineKind::action || actions == max_steps_) break;  // unparseable, or too many steps
      ++actions;
      ctx.append("Observation: " + observe(t.id, line.tool, line.arg) + "\n");
    }
    host_.report(t.id, "steps", actions);
    host_.report(t.id, "context_tokens", static_cast<double>(ctx.size()));
    host_.complete_text(t.id, answer);
  }

  // The harness runs the tool; an unknown tool name is the model's mistake, shown to it as an
  // error observation like any bad argument.
  std::string observe(uint64_t id, const std::string& tool, const std::string& arg) {
    std::string out(512, '\0');
    for (;;) {
      size_t len = 0;
      const edu_host* h = host_.raw();
      edu_status s = h->call_tool(h->ctx, id, tool.c_str(), arg.c_str(), out.data(), out.size(), &len);
      if (s == EDU_OK) return out.substr(0, len);
      if (s == EDU_ERR_NOT_FOUND) return "error: unknown tool '" + tool + "'";
      if (s != EDU_ERR_BUFFER_TOO_SMALL || len < out.size())
        throw std::runtime_error("call_tool " + tool + " failed with status " + std::to_string(s));
      out.assign(len + 1, '\0');
    }
  }

  bool reuse_kv_ = true;
  int max_steps_ = 8;
  int64_t step_budget_ = 160;
};

}  // namespace

EDUBENCH_SUT(ReactSut, "react_agent", "1.0.0", "react_agent", "react_agent_long")
