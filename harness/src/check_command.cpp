#include "check_command.hpp"

#include "errors.hpp"
#include "run_command.hpp"

#include <edubench/compliance/check.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace edubench::harness {

int check_command(const std::string& dir, const std::string& registry_path, const std::string& division) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw BadInput("check " + dir + ": no such directory");
  if (!division.empty() && division != "closed" && division != "open")
    throw BadInput("--division " + division + ": expected closed or open");
  const registry::Registry reg = load_registry_or_bad_input(registry_path);
  std::string used = division;
  const auto rules = compliance::check_submission(dir, reg, division, &used);
  size_t failed = 0;
  for (const auto& r : rules) {
    std::printf("%s\n", compliance::report_line(r).c_str());
    failed += r.pass ? 0 : 1;
  }
  const fs::path verdict = fs::path(dir) / compliance::kVerdictFile;
  {
    std::ofstream out(verdict, std::ios::binary | std::ios::trunc);
    out << compliance::verdict_json(dir, used, rules);
    if (!out.flush()) throw HarnessError(kExitInternal, "cannot write " + verdict.string());
  }
  std::fflush(stdout);
  if (failed == 0) {
    std::printf("submission %s: every rule holds (%zu rules); verdict: %s\n", dir.c_str(), rules.size(),
                verdict.string().c_str());
    return kExitValid;
  }
  std::fprintf(stderr, "edubench: error: submission %s: %zu of %zu rules FAIL (verdict: %s)\n", dir.c_str(), failed,
               rules.size(), verdict.string().c_str());
  return kExitCheckFailed;
}

}  // namespace edubench::harness
