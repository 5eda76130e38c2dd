// `edubench gradescope results`: a one-team grade output as Gradescope's results.json (see
// gradescope.hpp). What a student sees is decided here, so every text passes through redact().
#include <edubench/grade/gradescope.hpp>

#include "book.hpp"

#include <edubench/harness/system_info.hpp>
#include <edubench/registry/registry.hpp>
#include <edubench/runlog/submission_layout.hpp>
#include <edubench/session/errors.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace edubench::harness {
namespace {
namespace fs = std::filesystem;
using nlohmann::ordered_json;

// Texts a student must never see: every hidden test of the workloads graded, whole and as its
// call and its expected value (a failing test's feedback quotes them), longest first so a line
// is cut before its parts.
std::vector<std::string> hidden_strings(const std::string& registry_path, const std::set<std::string>& workloads) {
  std::set<std::string> out;
  const registry::Registry reg = registry::load_registry(registry_path);
  for (const auto& id : workloads) {
    const registry::Workload* w = reg.find_workload(id);
    const registry::Dataset* d = w ? reg.find_dataset(w->dataset) : nullptr;
    if (d == nullptr) continue;
    for (const auto& s : registry::load_samples(*d)) {
      auto extra = nlohmann::json::parse(s.extra_json, nullptr, false);
      if (!extra.is_object() || !extra.contains("hidden_tests") || !extra["hidden_tests"].is_string()) continue;
      std::istringstream lines(extra["hidden_tests"].get<std::string>());
      for (std::string line; std::getline(lines, line);) {
        if (line.rfind("assert ", 0) == 0) line = line.substr(7);
        if (line.size() >= 4) out.insert(line);
        const size_t eq = line.find(" == ");
        if (eq == std::string::npos) continue;
        // Short parts ("0", "[]") would cut harmless text and reveal nothing on their own.
        for (const std::string& part : {line.substr(0, eq), line.substr(eq + 4)})
          if (part.size() >= 6) out.insert(part);
      }
    }
  }
  std::vector<std::string> v(out.begin(), out.end());
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  return v;
}

std::string redact(std::string text, const std::vector<std::string>& hidden) {
  for (const auto& h : hidden)
    for (size_t at; (at = text.find(h)) != std::string::npos;) text.replace(at, h.size(), "[hidden test]");
  return text;
}

// Rules whose figures are about the hidden tests: the student learns whether they hold, and the
// full figures only after the grades are published.
bool about_hidden_tests(const std::string& rule) { return rule == "hidden_tests"; }

std::string rule_output(const std::string& rule, bool pass, const std::string& file, const std::string& figures) {
  if (about_hidden_tests(rule))
    return pass ? "the recorded hidden-test verdicts equal the checker's own runs of the code"
                : "the recorded hidden-test verdicts differ from the checker's own runs of the code "
                  "(the details are in the instructor's grade book)";
  return (pass ? "PASS: " : "FAIL: ") + (file.empty() || pass ? "" : file + ": ") + figures;
}

double round2(double x) { return std::round(x * 100) / 100; }

void write_atomically(const std::string& path, const std::string& text) {
  std::error_code ec;
  if (const fs::path parent = fs::path(path).parent_path(); !parent.empty()) fs::create_directories(parent, ec);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    if (!f.flush()) throw HarnessError(kExitInternal, tmp + ": cannot write");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw HarnessError(kExitInternal, path + ": cannot write");
}

ordered_json test(const std::string& name, const std::string& number, double score, double max, bool pass,
                  const std::string& output, const std::vector<std::string>& tags, const char* visibility) {
  return {{"name", name}, {"number", number}, {"score", round2(score)}, {"max_score", round2(max)},
          {"status", pass ? "passed" : "failed"}, {"output", output}, {"tags", tags}, {"visibility", visibility}};
}

ordered_json error_results(const std::string& message, double points) {
  ordered_json r;
  r["score"] = 0;
  r["output"] = "The autograder could not grade this hand-in: " + message;
  r["visibility"] = "visible";
  r["stdout_visibility"] = "hidden";
  r["tests"] = ordered_json::array({test("hand-in", "1", 0, points, false, message, {}, "visible")});
  return r;
}

}  // namespace

void gradescope_results(const GradescopeResultsOptions& o) {
  if (!(o.points > 0)) throw BadInput("--points: expected a positive number");
  if (!o.error.empty()) {
    write_atomically(o.output, error_results(o.error, o.points).dump(2) + "\n");
    return;
  }
  const std::string book_path = (fs::path(o.grades) / "gradebook.sqlite").string();
  if (!fs::is_regular_file(book_path))
    throw BadInput(o.grades + ": no gradebook.sqlite (expected the output folder of `edubench grade`)");
  const std::vector<GradeRow> rows = GradeBook(book_path).rows();
  if (rows.empty()) throw BadInput(book_path + ": the grade book has no rows");
  std::set<std::string> workloads;
  for (const auto& row : rows)
    if (row.workload != kNoItem) workloads.insert(row.workload);
  const std::vector<std::string> hidden = hidden_strings(o.registry_path, workloads);

  ordered_json tests = ordered_json::array(), board = ordered_json::array();
  double score = 0, seconds = 0;
  int passed_rows = 0, row_no = 0;
  std::set<std::string> accuracy_on_board;
  for (const auto& row : rows) {
    ++row_no;
    seconds += row.submission_s.value_or(0) + row.check_s.value_or(0);
    const bool whole_team = row.workload == kNoItem;
    const std::string title = whole_team ? std::string("hand-in") : row.workload + " / " + row.scenario;
    const std::vector<std::string> tags = whole_team ? std::vector<std::string>{} : std::vector<std::string>{row.workload, row.scenario};
    passed_rows += row.verdict == "PASS";
    const fs::path verdict = fs::path(row.run_dir) / runlog::kVerdictFile;
    nlohmann::json v;
    if (!whole_team && fs::is_regular_file(verdict)) {
      std::ifstream f(verdict);
      v = nlohmann::json::parse(f, nullptr, false);
    }
    // The row's points go to its verdict, as in the grade book: only a PASS counts (a crashed
    // plugin still "passes" rules such as dataset, and must not collect points for them). Each
    // rule is a test of its own worth 0 points, so the student sees which rules failed.
    const bool pass = row.verdict == "PASS";
    score += pass ? o.points : 0;
    const bool has_rules = v.is_object() && v.contains("rules") && v["rules"].is_array() && !v["rules"].empty();
    std::string summary = pass ? "PASS: every rule of the checker holds" : row.verdict;
    if (!pass && !row.failed_rules.empty()) summary += ": failed rules: " + row.failed_rules;
    if (!pass && !has_rules && !row.detail.empty()) summary += ": " + row.detail;
    tests.push_back(test(title, std::to_string(row_no), pass ? o.points : 0, o.points, pass, redact(summary, hidden), tags,
                         "visible"));
    if (has_rules) {
      int rule_no = 0;
      for (const auto& r : v["rules"]) {
        const std::string rule = r.value("rule", std::string("?"));
        const bool rule_pass = r.value("status", std::string()) == "PASS";
        tests.push_back(test(title + ": " + rule, std::to_string(row_no) + "." + std::to_string(++rule_no), 0, 0, rule_pass,
                             redact(rule_output(rule, rule_pass, r.value("file", std::string()), r.value("figures", std::string())), hidden),
                             tags, about_hidden_tests(rule) ? "after_published" : "visible"));
      }
    }
    if (row.verdict == "PASS" && row.metric_value) {
      board.push_back({{"name", row.workload + " " + row.scenario + " " + row.metric_name},
                       {"value", *row.metric_value},
                       {"order", row.higher_is_better ? "desc" : "asc"}});
      if (row.accuracy_value && accuracy_on_board.insert(row.workload).second)
        board.push_back({{"name", row.workload + " " + row.accuracy_metric}, {"value", *row.accuracy_value}, {"order", "desc"}});
    }
  }
  ordered_json r;
  r["score"] = round2(score);
  r["execution_time"] = static_cast<int64_t>(std::lround(seconds));
  r["output"] = "edubench " + harness_version() + ": " + std::to_string(passed_rows) + " of " + std::to_string(rows.size()) +
                " workload/scenario submissions pass every rule of the checker; " +
                "hidden-test details are shown after grades are published.";
  r["visibility"] = "visible";
  r["stdout_visibility"] = "hidden";
  r["tests"] = std::move(tests);
  if (!board.empty()) r["leaderboard"] = std::move(board);
  write_atomically(o.output, r.dump(2) + "\n");
}

}  // namespace edubench::harness
