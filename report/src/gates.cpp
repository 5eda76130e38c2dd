// `edubench compare BEFORE AFTER --gates`: a lesson's gates (workloads.yaml) on a before/after
// pair of runs of its workload, from their result.json files (see report.hpp).
#include <edubench/report/report.hpp>

#include "run_data.hpp"

#include <cmath>
#include <cstdio>

namespace edubench::report {
namespace {

std::string str(const ojson& j, const char* key) { return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : ""; }

std::string num(double x) {
  char b[32];
  std::snprintf(b, sizeof b, "%.4g", x);
  return b;
}

}  // namespace

std::vector<GateResult> check_gates(const std::string& before_dir, const std::string& after_dir, const registry::Registry& reg) {
  const RunData before = load_run(before_dir), after = load_run(after_dir);
  if (before.is_peak || after.is_peak) throw InputError("compare --gates: expected two run directories, not a peak search");
  const std::string workload = str(after.result, "workload");
  if (str(before.result, "workload") != workload || str(before.result, "scenario") != str(after.result, "scenario"))
    throw InputError("compare --gates: " + before_dir + " and " + after_dir +
                     " are runs of different workloads or scenarios (gates compare one workload in one scenario)");
  const registry::Workload* w = reg.find_workload(workload);
  if (w == nullptr) throw InputError("compare --gates: workload " + workload + " is not in " + reg.path);
  if (w->gates.empty()) throw InputError("compare --gates: workload " + workload + " declares no gates in " + reg.path);
  std::vector<GateResult> out;
  for (const auto& g : w->gates) {
    const double b = figure(before, g.metric), a = figure(after, g.metric);
    GateResult r{g.name, false, ""};
    const std::string pair = " (before: " + g.before + "; after: " + g.after + ")";
    if (std::isnan(a) || std::isnan(b)) {
      r.line = g.metric + " is missing from a run's result.json" + pair;
    } else if (g.test == "difference_at_least") {
      r.pass = a - b >= g.threshold;
      r.line = g.metric + " after - before = " + num(a) + " - " + num(b) + " = " + num(a - b) + ", needs >= " + num(g.threshold) + pair;
    } else if (b <= 0) {
      r.line = g.metric + " of the before run is " + num(b) + ": no ratio" + pair;
    } else {
      const double ratio = a / b;
      r.pass = g.test == "ratio_at_least" ? ratio >= g.threshold : ratio <= g.threshold;
      r.line = g.metric + " after / before = " + num(a) + " / " + num(b) + " = " + num(ratio) + "x, needs " +
               (g.test == "ratio_at_least" ? ">= " : "<= ") + num(g.threshold) + "x" + pair;
    }
    out.push_back(r);
  }
  return out;
}

}  // namespace edubench::report
