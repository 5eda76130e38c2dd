#include "regrade.hpp"

#include "report.hpp"
#include "submission.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <sstream>

namespace edubench::harness {
namespace {
namespace fs = std::filesystem;

bool in_scope(const GradeRow& r, const RegradeScope& s) {
  if (r.workload == kNoItem || r.scenario == kNoItem) return false;
  if (!s.team.empty() && r.team != s.team) return false;
  return s.scenarios.empty() || std::find(s.scenarios.begin(), s.scenarios.end(), r.scenario) != s.scenarios.end();
}

std::vector<std::string> split_spaces(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string percent(double a, double b) {
  if (a == 0) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", 100.0 * (b - a) / std::fabs(a));
  return buf;
}

}  // namespace

double ratio_apart(double a, double b) {
  if (a == b) return 0;
  const double lo = std::min(std::fabs(a), std::fabs(b)), hi = std::max(std::fabs(a), std::fabs(b));
  if (lo == 0 || (a < 0) != (b < 0)) return std::numeric_limits<double>::infinity();
  return hi / lo - 1;
}

size_t recheck_rows(GradeBook& book, const std::string& registry_path, const std::string& registry_sha256,
                    const RegradeScope& scope) {
  size_t n = 0;
  for (GradeRow r : book.rows()) {
    if (!in_scope(r, scope) || (r.verdict != "PASS" && r.verdict != "FAIL")) continue;
    const std::string before = r.verdict;
    r.registry_path = registry_path;
    r.registry_sha256 = registry_sha256;
    std::optional<GradeRow> c = recheck_submission(r);
    if (!c) {
      if (!scope.quiet)
        std::printf("skip  %s  %s/%s: %s holds no submission to recheck\n", r.team.c_str(), r.workload.c_str(),
                    r.scenario.c_str(), r.run_dir.c_str());
      continue;
    }
    c->rechecked_at = utc_now();
    book.update_check(*c);
    ++n;
    if (!scope.quiet && c->verdict != before)
      std::printf("%-5s %s  %s/%s: was %s on recheck (%s)\n", c->verdict.c_str(), c->team.c_str(),
                  c->workload.c_str(), c->scenario.c_str(), before.c_str(), c->detail.c_str());
  }
  return n;
}

bool verify_top_rows(GradeBook& book, const VerifyOptions& o, const RegradeScope& scope) {
  std::vector<GradeRow> rows = book.rows();
  sort_for_report(rows);  // best first within each workload and scenario
  std::map<std::pair<std::string, std::string>, size_t> seen;
  for (const GradeRow& r : rows) {
    if (r.verdict != "PASS" || !r.metric_value || !in_scope(r, scope)) continue;
    if (++seen[{r.workload, r.scenario}] > o.top || !r.verified.empty()) continue;
    GradeRow v = r;
    v.run_dir = (fs::path(o.out) / "verify" / r.team / r.workload / r.scenario).string();
    v.metric_value.reset();
    v.accuracy_value.reset();
    std::optional<GradeRow> g = grade_submission(v, split_spaces(r.overrides), o.command_line, o.sut_memory_mb);
    if (!g) return false;
    GradeRow done = r;
    done.verify_run_dir = g->run_dir;
    done.verify_value = g->metric_value;
    done.verified_at = utc_now();
    if (g->verdict != "PASS" || !g->metric_value)
      done.verified = "failed";
    else
      done.verified = ratio_apart(*r.metric_value, *g->metric_value) <= o.tolerance ? "same" : "differs";
    book.update_verification(done);
    if (scope.quiet) continue;
    if (done.verified == "failed")
      std::printf("verify %s  %s/%s: failed, the re-run is %s: %s\n", r.team.c_str(), r.workload.c_str(),
                  r.scenario.c_str(), g->verdict.c_str(), g->detail.c_str());
    else
      std::printf("verify %s  %s/%s: %s, %s %.6g graded, %.6g re-run (%s; tolerance %.3gx)\n", r.team.c_str(),
                  r.workload.c_str(), r.scenario.c_str(), done.verified.c_str(), r.metric_name.c_str(),
                  *r.metric_value, *g->metric_value, percent(*r.metric_value, *g->metric_value).c_str(),
                  1 + o.tolerance);
    std::fflush(stdout);
  }
  return true;
}

}  // namespace edubench::harness
