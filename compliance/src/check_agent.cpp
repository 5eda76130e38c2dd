// Agent workloads: the tool calls and code runs in events.jsonl are the harness's own. Each
// tool is a pure function of its argument, so the checker runs it again and compares the
// observation; steps are numbered by the harness per query, so a gap or a repeat means an
// event was deleted or inserted.
#include <edubench/compliance/check.hpp>
#include <edubench/hostsvc/tools.hpp>

#include <algorithm>
#include <map>
#include <unordered_map>

namespace edubench::compliance {

RuleResult check_agent_trace(const runlog::RunLog& run, const std::string& file) {
  RuleResult r{"agent_trace", false, file, ""};
  std::unordered_map<uint64_t, const runlog::QueryLog*> queries;
  for (const auto& q : run.queries) queries.emplace(q.id, &q);
  std::map<uint64_t, std::vector<uint32_t>> steps;  // query -> the steps its events carry
  uint64_t problems = 0;
  std::string first;
  auto problem = [&](const std::string& what) {
    if (problems++ == 0) first = what;
  };
  // The event must belong to an issued query and lie between its issue and its completion.
  auto placed = [&](uint64_t id, int64_t start, int64_t end, const std::string& what) {
    auto it = queries.find(id);
    if (it == queries.end()) return problem(what + " for query " + std::to_string(id) + ", never issued");
    const runlog::QueryLog& q = *it->second;
    const int64_t done = q.completed_ns >= 0 ? q.completed_ns : run.end_ns;
    if (start < q.issued_ns || end > done || end < start)
      problem(what + " of query " + std::to_string(id) + " outside the query's issue-to-completion time");
  };
  for (const runlog::ToolCall& t : run.tool_calls) {
    const std::string what = "tool call " + t.tool + "[" + t.arg + "] (step " + std::to_string(t.step) + ")";
    placed(t.query, t.start_ns, t.end_ns, what);
    steps[t.query].push_back(t.step);
    const hostsvc::ToolResult again = hostsvc::run_tool(t.tool, t.arg);
    if (again.observation != t.observation)
      problem(what + " of query " + std::to_string(t.query) + ": logged observation '" + t.observation.substr(0, 40) +
              "' is not what the tool returns ('" + again.observation.substr(0, 40) + "')");
  }
  for (const runlog::CodeRun& c : run.code_runs) {
    placed(c.query, c.start_ns, c.end_ns, "code run (attempt " + std::to_string(c.attempt) + ")");
    steps[c.query].push_back(c.attempt);
  }
  for (auto& [id, v] : steps) {
    std::sort(v.begin(), v.end());
    for (uint32_t k = 0; k < v.size(); ++k)
      if (v[k] != k) {
        problem("query " + std::to_string(id) + ": its tool calls and code runs are not steps 0.." +
                std::to_string(v.size() - 1) + " (an event deleted or inserted)");
        break;
      }
  }
  r.pass = problems == 0;
  r.figures = r.pass ? std::to_string(run.tool_calls.size()) + " tool calls reproduce their observations, " +
                           std::to_string(run.code_runs.size()) + " code runs in place; steps of " +
                           std::to_string(steps.size()) + " queries complete"
                     : std::to_string(problems) + " problems; first: " + first;
  return r;
}

}  // namespace edubench::compliance
