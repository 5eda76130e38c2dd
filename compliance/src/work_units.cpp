// TEST04's unit of work. Queries of one workload differ in cost (a ReAct question needs 2 to 5
// tool calls, speculative decoding accepts more drafts on some prompts), so a run's time is
// compared per unit of work, not per query. The units are what the harness itself counted in
// events.jsonl: a SUT cannot report its way to a different figure without doing the steps.
#include <edubench/compliance/check.hpp>

#include <algorithm>

namespace edubench::compliance {

const char* work_unit_name(registry::Kind kind) {
  switch (kind) {
    case registry::Kind::generation: return "decoding step (stream call)";
    case registry::Kind::react: return "model turn (tool calls + 1)";
    case registry::Kind::codegen: return "attempt (code run)";
    case registry::Kind::echo: break;
  }
  return "query";
}

std::unordered_map<uint64_t, double> work_units(const runlog::RunLog& run, registry::Kind kind) {
  std::unordered_map<uint64_t, double> w;
  for (const runlog::QueryLog& q : run.queries) {
    // Generation: each stream() call is one decoding step that produced tokens (one token for
    // plain decoding, one accepted burst per verification for speculative decoding). React: one
    // model turn before each tool call and one that writes the answer. Codegen: counted below.
    double units = 1;
    if (kind == registry::Kind::generation) units = static_cast<double>(q.streams.size());
    if (kind == registry::Kind::codegen) units = 0;
    w[q.id] = units;
  }
  if (kind == registry::Kind::react)
    for (const runlog::ToolCall& t : run.tool_calls) w[t.query] += 1;
  if (kind == registry::Kind::codegen)  // each attempt writes code and runs it on the visible tests
    for (const runlog::CodeRun& c : run.code_runs) w[c.query] += 1;
  for (auto& [id, units] : w) units = std::max(units, 1.0);  // a query that answered at once did one step
  return w;
}

}  // namespace edubench::compliance
