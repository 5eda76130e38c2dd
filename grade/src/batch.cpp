#include "batch.hpp"

#include <edubench/session/errors.hpp>
#include "submission.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace edubench::harness {
namespace fs = std::filesystem;
namespace {

// "a b c d e" -> "a b c and 2 more": a line per row stays a line.
std::string first_words(const std::string& s, size_t n) {
  size_t pos = 0, words = 0;
  while (pos != std::string::npos && words < n) {
    pos = s.find(' ', pos + (words ? 1 : 0));
    ++words;
  }
  if (pos == std::string::npos) return s;
  const size_t rest = std::count(s.begin() + pos, s.end(), ' ');
  return s.substr(0, pos) + " and " + std::to_string(rest) + " more";
}

}  // namespace

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

bool Batch::grade_team(const std::string& folder) {
  const TeamFolder t = read_team_folder(o_.submissions, folder);
  GradeRow base;
  base.team = t.id;
  base.team_name = t.name;
  base.members = join(t.members, ", ");
  base.division = t.division;
  base.registry_path = reg_.path;
  base.registry_sha256 = registry_sha_;
  base.overrides = join(o_.sets, " ");
  base.run_dir = t.dir;
  base.batch_id = id;
  base.plugin_path = t.plugin;
  if (!t.problem.empty()) {
    book_.forget_stale(t.id, "");
    record(team_row(base, "ERROR", t.problem));
    return true;
  }
  try {
    base.plugin_sha256 = registry::sha256_file(t.plugin);
  } catch (const std::exception& e) {
    book_.forget_stale(t.id, "");
    record(team_row(base, "ERROR", e.what()));
    return true;
  }
  book_.forget_stale(t.id, base.plugin_sha256);
  book_.set_team_names(t.id, base.team_name, base.members);
  PluginDescription d;
  try {
    d = describe_plugin_isolated(t.plugin);
  } catch (const HarnessError& e) {  // cannot load, ABI mismatch, crashed while loading
    record(team_row(base, "FAIL", e.what()));
    return true;
  }
  base.plugin_name = d.name;
  base.plugin_version = d.version;

  std::vector<std::string> workloads;
  if (!pick_workloads(t, d, base, workloads)) return true;
  for (const std::string& w : workloads) {
    for (const auto& [sc, settings] : reg_.find_workload(w)->scenarios) {
      const std::string scenario = registry::to_string(sc);
      if (!o_.scenarios.empty() &&
          std::find(o_.scenarios.begin(), o_.scenarios.end(), scenario) == o_.scenarios.end())
        continue;
      GradeRow row = base;
      row.workload = w;
      row.scenario = scenario;
      row.run_dir = (fs::path(out_) / "runs" / t.id / w / scenario).string();
      if (!o_.regrade && book_.has_grade(t.id, w, scenario, row.plugin_sha256, registry_sha_, row.division,
                                        row.overrides)) {
        ++skipped;
        book_.count_skipped(id);
        if (!o_.quiet) std::printf("skip  %s  %s/%s: graded already for this plugin\n", t.id.c_str(), w.c_str(),
                                   scenario.c_str());
        continue;
      }
      progress(t.id + " " + w + "/" + scenario);
      std::optional<GradeRow> g = grade_with_retries(row);
      progress("");
      if (!g) return false;
      ++graded;
      record(*g);
    }
  }
  return true;
}

void Batch::progress(const std::string& what) const {
  if (o_.quiet || !isatty(STDERR_FILENO)) return;
  if (what.empty())
    std::fprintf(stderr, "\r%78s\r", "");
  else
    std::fprintf(stderr, "\r  grading %s (team %zu of %zu) ...", what.c_str(), team_index, team_count);
  std::fflush(stderr);
}

bool Batch::worth_retrying(const GradeRow& r) {
  return r.verdict == "ERROR" || (r.verdict == "FAIL" && r.submission_exit == kExitPluginFailure);
}

std::optional<GradeRow> Batch::grade_with_retries(const GradeRow& row) {
  std::string earlier;
  for (int attempt = 1;; ++attempt) {
    std::optional<GradeRow> g = grade_submission(row, o_.sets, o_.command_line, o_.sut_memory_mb);
    if (!g) return g;
    g->attempts = attempt;
    g->earlier_attempts = earlier;
    if (attempt > o_.retries || !worth_retrying(*g)) return g;
    const std::string kept = row.run_dir + ".attempt" + std::to_string(attempt);
    std::error_code ec;
    fs::remove_all(kept, ec);
    fs::rename(row.run_dir, kept, ec);
    earlier += (earlier.empty() ? "" : "\n") + std::string("attempt ") + std::to_string(attempt) + ": " +
               g->verdict + ", submission exit " + std::to_string(g->submission_exit.value_or(-1)) + ": " +
               first_words(g->detail, 40) + (ec ? std::string() : " (run directory " + kept + ")");
    if (!o_.quiet)
      std::printf("retry %s  %s/%s: attempt %d was %s (%s)\n", row.team.c_str(), row.workload.c_str(),
                  row.scenario.c_str(), attempt, g->verdict.c_str(), first_words(g->detail, 12).c_str());
  }
}

GradeRow Batch::team_row(GradeRow r, const char* verdict, const std::string& detail) const {
  r.verdict = verdict;
  r.detail = detail;
  return r;
}

void Batch::record(GradeRow r) {
  r.graded_at = utc_now();
  book_.put(r);
  if (!o_.quiet) print(r);
}

void Batch::print(const GradeRow& r) {
  std::string what;
  if (r.verdict == "PASS") {
    char b[160];
    std::snprintf(b, sizeof b, "%s %.6g, %s %.6g", r.metric_name.c_str(), r.metric_value.value_or(0),
                  r.accuracy_metric.c_str(), r.accuracy_value.value_or(0));
    what = b;
  } else {
    what = r.failed_rules.empty() ? r.detail : "failed: " + first_words(r.failed_rules, 3) + " (" + r.detail + ")";
  }
  if (r.attempts > 1) what += " (attempt " + std::to_string(r.attempts) + ")";
  if (r.submission_s) {
    char b[64];
    std::snprintf(b, sizeof b, " [%.1f s]", *r.submission_s + r.check_s.value_or(0));
    what += b;
  }
  std::printf("%-5s %s  %s/%s: %s\n", r.verdict.c_str(), r.team.c_str(), r.workload.c_str(), r.scenario.c_str(),
              what.c_str());
  std::fflush(stdout);
}

bool Batch::pick_workloads(const TeamFolder& t, const PluginDescription& d, const GradeRow& base,
                    std::vector<std::string>& out) {
  auto declared = [&](const std::string& w) {
    return std::find(d.workloads.begin(), d.workloads.end(), w) != d.workloads.end();
  };
  if (t.workloads.empty()) {
    std::vector<std::string> ready;
    for (const auto& w : reg_.workloads)
      if (w.status == "ready") (declared(w.id) ? out : ready).push_back(w.id);
    if (out.empty())
      record(team_row(base, "FAIL",
                      t.plugin + ": serves none of the ready workloads of " + reg_.path + " (it serves: " +
                          join(d.workloads, ", ") + "; ready: " + join(ready, ", ") + ")"));
    return !out.empty();
  }
  std::vector<GradeRow> undeclared;
  for (const TeamWorkload& tw : t.workloads) {
    const registry::Workload* w = reg_.find_workload(tw.id);
    const std::string where = t.yaml + ":" + std::to_string(tw.line) + ": workloads: " + tw.id + ": ";
    if (!w) {
      std::vector<std::string> known;
      for (const auto& x : reg_.workloads) known.push_back(x.id);
      record(team_row(base, "ERROR",
                      where + "not a workload of " + reg_.path + " (known: " + join(known, ", ") + ")"));
      return false;
    }
    if (w->status != "ready") {
      record(team_row(base, "ERROR", where + "status is '" + w->status + "' in " + reg_.path + ", not ready"));
      return false;
    }
    if (std::find(out.begin(), out.end(), tw.id) != out.end()) continue;
    if (declared(tw.id)) {
      out.push_back(tw.id);
    } else {
      GradeRow r = team_row(base, "FAIL", where + "the plugin does not serve it (it serves: " +
                                              join(d.workloads, ", ") + ")");
      r.workload = tw.id;
      undeclared.push_back(r);
    }
  }
  for (const GradeRow& r : undeclared) record(r);
  return true;
}

}  // namespace edubench::harness
