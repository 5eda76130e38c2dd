// A react_agent SUT (from edubench's react_agent starter). The workload's GPT, trained on ReAct
// traces, writes "Thought: ..." and "Action: tool[arg]" lines; each action goes to the harness
// (call_tool) and its observation is appended as "Observation: ...", until the model writes
// "Answer: ..." or max_steps actions were taken. Correct, and wasteful on purpose: every step
// re-prefills the whole context into an empty KV cache. Keeping the cache across steps is the
// lab's lever (TODO(lab)). AgentSut (model library) brings the options model, weights, threads
// and workers, the task queue and the worker threads; this file is the agent loop.
#include <edubench/model/agent_sut.hpp>
#include <edubench/model/react_protocol.hpp>
#include <edubench/model/tokenizer.hpp>

#include <chrono>

#ifndef SUT_NAME
#define SUT_NAME "react_starter"  // CMakeLists.txt sets it to the project's name
#endif

namespace {

using namespace edubench::model;

class ReactStarter : public AgentSut {
 public:
  ReactStarter(const edubench::Host& host, std::string_view workload, const edubench::Config& cfg)
      : AgentSut(host, cfg, SUT_NAME) {
    if (workload != "react_agent" && workload != "react_agent_long")
      throw edubench::Unsupported(SUT_NAME " serves only the react_agent and react_agent_long workloads");
    max_steps_ = static_cast<int>(cfg.get_int("max_steps", 8));
    step_budget_ = cfg.get_int("max_step_tokens", 160);
    cfg.reject_unknown();
    if (max_steps_ < 1 || max_steps_ > 64) throw std::invalid_argument("option max_steps: expected 1..64");
    if (step_budget_ < 8 || step_budget_ > 4096) throw std::invalid_argument("option max_step_tokens: expected 8..4096");
    start();  // loads the model, starts the workers
  }
  ~ReactStarter() override { stop(); }  // the workers call serve(): stop them first

 private:
  struct Step {
    std::string text;        // what the model wrote this step
    int64_t prefilled = 0;   // context tokens fed before the first new one
    bool stopped = false;    // a full line ended the step (else budget or context ran out)
    double model_ms = 0;
  };

  // Greedy tokens after `ctx` until a Thought/Action/Answer line is complete; appends them.
  Step step(std::vector<int64_t>& ctx, KvCache& cache) {
    const auto t0 = std::chrono::steady_clock::now();
    const int64_t room = gpt_->config().block_size;
    Step s;
    // TODO(lab): this empties the cache and prefills the whole context again, every step. The
    // cache still holds everything up to the previous step's last token: keep it, and feed only
    // the tokens it lacks (the last generated token and the observation appended since).
    cache.truncate(0, 0);
    s.prefilled = static_cast<int64_t>(ctx.size());
    torch::Tensor logits = gpt_->forward_cached(torch::tensor(ctx, torch::kLong), cache, 0);
    for (int64_t n = 0; n < step_budget_ && static_cast<int64_t>(ctx.size()) < room; ++n) {
      const int32_t next = argmax_token(logits[-1]);
      ctx.push_back(next);
      s.text += static_cast<char>(next);
      if (react_step_done(s.text)) {
        s.stopped = true;
        break;
      }
      if (static_cast<int64_t>(ctx.size()) >= room) break;
      logits = gpt_->forward_cached(torch::tensor({static_cast<int64_t>(next)}, torch::kLong), cache, 0);
    }
    s.model_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    return s;
  }

  void serve(const AgentTask& t, KvCache& cache) override {
    std::vector<int64_t> ctx = encode_bytes(react_prompt(t.text));
    std::string answer;
    int actions = 0;
    for (;;) {
      Step s = step(ctx, cache);
      host_.report(t.id, "step_model_ms", s.model_ms);
      host_.report(t.id, "step_prefill_tokens", static_cast<double>(s.prefilled));
      host_.report(t.id, "step_context_tokens", static_cast<double>(ctx.size()));
      if (!s.stopped) break;  // out of budget or context: no answer
      ParsedLine line = parse_react_line(last_line(s.text));
      if (line.kind == LineKind::answer) {
        answer = line.text;
        break;
      }
      if (line.kind != LineKind::action || actions == max_steps_) break;  // unparseable, or too many
      ++actions;
      const auto obs = encode_bytes("Observation: " + observe(t.id, line.tool, line.arg) + "\n");
      ctx.insert(ctx.end(), obs.begin(), obs.end());
    }
    host_.report(t.id, "steps", actions);
    host_.complete_text(t.id, answer);
  }

  // The harness runs the tool and logs it; an unknown tool is the model's mistake, shown to it
  // as an error observation like any bad argument.
  std::string observe(uint64_t id, const std::string& tool, const std::string& arg) {
    std::string out(512, '\0');
    for (;;) {
      size_t len = 0;
      const edu_host* h = host_.raw();
      edu_status st = h->call_tool(h->ctx, id, tool.c_str(), arg.c_str(), out.data(), out.size(), &len);
      if (st == EDU_OK) return out.substr(0, len);
      if (st == EDU_ERR_NOT_FOUND) return "error: unknown tool '" + tool + "'";
      if (st != EDU_ERR_BUFFER_TOO_SMALL || len < out.size())
        throw std::runtime_error("call_tool " + tool + " failed with status " + std::to_string(st));
      out.assign(len + 1, '\0');
    }
  }

  int max_steps_ = 8;
  int64_t step_budget_ = 160;
};

}  // namespace

EDUBENCH_SUT(ReactStarter, SUT_NAME, "0.1.0", "react_agent", "react_agent_long")
