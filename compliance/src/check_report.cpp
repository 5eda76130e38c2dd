// The checker's output: one line per rule for a person, verdict.json for scripts.
#include <edubench/compliance/check.hpp>

#include <nlohmann/json.hpp>

namespace edubench::compliance {

std::string report_line(const RuleResult& r) {
  return r.pass ? "PASS " + r.rule + ": " + r.figures : "FAIL " + r.rule + ": " + r.file + ": " + r.figures;
}

bool all_pass(const std::vector<RuleResult>& rules) {
  for (const RuleResult& r : rules)
    if (!r.pass) return false;
  return !rules.empty();
}

std::string verdict_json(const std::string& dir, const std::string& division, const std::vector<RuleResult>& rules) {
  nlohmann::ordered_json v;
  v["schema"] = 1;
  v["directory"] = dir;
  v["division"] = division;
  v["passed"] = all_pass(rules);
  auto& list = v["rules"] = nlohmann::ordered_json::array();
  for (const RuleResult& r : rules)
    list.push_back({{"rule", r.rule}, {"status", r.pass ? "PASS" : "FAIL"}, {"file", r.file}, {"figures", r.figures}});
  // Figures quote logged text: never let a stray byte make the verdict unwritable.
  return v.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace edubench::compliance
