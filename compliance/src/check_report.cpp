// The checker's output: one line per rule for a person, verdict.json for scripts.
#include <edubench/compliance/check.hpp>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

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

size_t check_and_report(const std::string& dir, const registry::Registry& reg, const std::string& division) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw std::invalid_argument("check " + dir + ": no such directory");
  if (!division.empty() && division != "closed" && division != "open")
    throw std::invalid_argument("--division " + division + ": expected closed or open");
  std::string used = division;
  const std::vector<RuleResult> rules = check_submission(dir, reg, division, &used);
  size_t failed = 0;
  for (const RuleResult& r : rules) {
    std::printf("%s\n", report_line(r).c_str());
    failed += r.pass ? 0 : 1;
  }
  const fs::path verdict = fs::path(dir) / kVerdictFile;
  {
    std::ofstream out(verdict, std::ios::binary | std::ios::trunc);
    out << verdict_json(dir, used, rules);
    if (!out.flush()) throw std::runtime_error("cannot write " + verdict.string());
  }
  std::fflush(stdout);
  if (failed == 0)
    std::printf("submission %s: every rule holds (%zu rules); verdict: %s\n", dir.c_str(), rules.size(),
                verdict.string().c_str());
  else
    std::fprintf(stderr, "edubench: error: submission %s: %zu of %zu rules FAIL (verdict: %s)\n", dir.c_str(),
                 failed, rules.size(), verdict.string().c_str());
  std::fflush(nullptr);
  return failed;
}

}  // namespace edubench::compliance
