// Trajectory figures of agent runs whose data set carries each question's reference route (the
// tool names in call order): did the agent take the direct route, and how many calls did it
// spend. Computed from the logged tool calls alone, so the checker recomputes them from
// events.jsonl.
#include "metrics_detail.hpp"

#include <algorithm>
#include <map>

namespace edubench::runlog {

void add_trajectory_figures(const RunLog& log, const std::vector<registry::Sample>& samples,
                            const std::unordered_map<uint64_t, const QueryLog*>& by_sample, bool accuracy_mode,
                            std::map<std::string, double>& figures) {
  if (std::none_of(samples.begin(), samples.end(), [](const registry::Sample& s) { return !s.reference_tools.empty(); }))
    return;
  std::unordered_map<uint64_t, std::vector<const ToolCall*>> calls;  // by query id, in step order
  for (const ToolCall& t : log.tool_calls) calls[t.query].push_back(&t);
  for (auto& [q, v] : calls)
    std::sort(v.begin(), v.end(), [](const ToolCall* a, const ToolCall* b) { return a->step < b->step; });
  double exact = 0, denom = 0, answered = 0, reference_calls = 0, calls_made = 0, invalid = 0;
  std::map<size_t, double> steps;  // calls made -> answered queries
  for (size_t i = 0; i < samples.size(); ++i) {
    auto it = by_sample.find(i);
    if (it == by_sample.end()) {
      denom += accuracy_mode ? 1 : 0;  // an unanswered question took no route
      continue;
    }
    denom += 1;
    answered += 1;
    const auto c = calls.find(it->second->id);
    static const std::vector<const ToolCall*> kNone;
    const auto& made = c == calls.end() ? kNone : c->second;
    const auto& ref = samples[i].reference_tools;
    bool same = made.size() == ref.size();
    for (size_t k = 0; same && k < made.size(); ++k) same = made[k]->tool == ref[k];
    exact += same ? 1 : 0;
    reference_calls += static_cast<double>(ref.size());
    calls_made += static_cast<double>(made.size());
    for (const ToolCall* t : made) invalid += t->observation.rfind("error:", 0) == 0 ? 1 : 0;
    steps[made.size()] += 1;
  }
  figures["trajectory_exact_match"] = denom > 0 ? exact / denom : 0;
  // Reference calls over calls made: 1 on the direct route, below 1 for detours and retries
  // (above 1 when an agent answers with fewer calls than the route: a guess).
  figures["tool_call_efficiency"] = calls_made > 0 ? reference_calls / calls_made : 0;
  figures["invalid_tool_calls"] = invalid;
  figures["steps_to_answer_mean"] = answered > 0 ? calls_made / answered : 0;
  for (const auto& [n, count] : steps) figures["steps_to_answer_" + std::to_string(n)] = count;
}

}  // namespace edubench::runlog
