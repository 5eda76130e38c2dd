#include "report.hpp"

#include <edubench/session/errors.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <tuple>

namespace edubench::harness {
namespace {
namespace fs = std::filesystem;

int verdict_rank(const std::string& v) { return v == "PASS" ? 0 : v == "FAIL" ? 1 : 2; }

std::string seconds(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f", v);
  return b;
}

// Place among the PASS rows of the same workload and scenario (rows are sorted already): the
// ranking a course posts. Empty for rows that did not pass.
std::vector<std::string> ranks(const std::vector<GradeRow>& rows) {
  std::vector<std::string> out(rows.size());
  std::map<std::pair<std::string, std::string>, int> next;
  for (size_t i = 0; i < rows.size(); ++i)
    if (rows[i].verdict == "PASS" && rows[i].workload != kNoItem)
      out[i] = std::to_string(++next[{rows[i].workload, rows[i].scenario}]);
  return out;
}

std::string csv(const std::vector<GradeRow>& rows, const std::vector<std::string>& rank) {
  std::string s =
      "rank,verdict,team,team_name,members,division,workload,scenario,metric,value,accuracy_metric,accuracy,"
      "failed_rules,detail,submission_exit,check_exit,submission_s,check_s,plugin_name,plugin_version,"
      "plugin_sha256,registry_sha256,overrides,graded_at,run_dir,attempts,earlier_attempts,verified,verify_value\n";
  auto opt_int = [](std::optional<int> v) { return v ? std::to_string(*v) : std::string(); };
  for (size_t i = 0; i < rows.size(); ++i) {
    const GradeRow& r = rows[i];
    s += csv_line({rank[i], r.verdict, r.team, r.team_name, r.members, r.division, r.workload,
                                 r.scenario, r.metric_name, number(r.metric_value), r.accuracy_metric,
                                 number(r.accuracy_value), r.failed_rules, r.detail, opt_int(r.submission_exit),
                                 opt_int(r.check_exit), number(r.submission_s), number(r.check_s), r.plugin_name,
                                 r.plugin_version, r.plugin_sha256, r.registry_sha256, r.overrides, r.graded_at,
                                 r.run_dir, std::to_string(r.attempts), r.earlier_attempts, r.verified,
                                 number(r.verify_value)});
  }
  return s;
}

constexpr const char* kStyle = R"css(
body { font-family: sans-serif; margin: 1.5em; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #eee; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.PASS td.verdict { background: #d4f4d4; }
tr.FAIL td.verdict { background: #f8d0d0; }
tr.ERROR td.verdict { background: #f8ecc0; }
td.detail { max-width: 40em; }
code { font-size: 0.95em; }
)css";

std::string html(const std::vector<GradeRow>& rows, const std::vector<std::string>& rank) {
  std::map<std::string, int> count;
  std::set<std::string> teams;
  for (const GradeRow& r : rows) ++count[r.verdict], teams.insert(r.team);
  std::string s = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  s += "<title>edubench grades</title>\n<style>";
  s += kStyle;
  s += "</style>\n</head>\n<body>\n<h1>edubench grades</h1>\n<p>" + html_escape(utc_now()) + ": " +
       std::to_string(rows.size()) + " rows of " + std::to_string(teams.size()) + " teams: " +
       std::to_string(count["PASS"]) + " PASS, " +
       std::to_string(count["FAIL"]) + " FAIL, " + std::to_string(count["ERROR"]) +
       " ERROR. Sorted by result: passing rows first, each workload and scenario ranked by its metric. "
       "Rules: docs/compliance.md; this table: docs/grading.md.</p>\n";
  s += "<table>\n<thead><tr><th>rank</th><th>verdict</th><th>team</th><th>members</th><th>division</th>"
       "<th>workload</th><th>scenario</th><th>metric</th><th>accuracy</th><th>failed rules</th><th>detail</th>"
       "<th>time (s)</th><th>plugin</th><th>graded at (UTC)</th></tr></thead>\n<tbody>\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const GradeRow& r = rows[i];
    const std::string verdict = r.verdict == "PASS" || r.verdict == "FAIL" ? r.verdict : "ERROR";
    std::string team = html_escape(r.team_name);
    if (r.team_name != r.team) team += "<br><code>" + html_escape(r.team) + "</code>";
    std::string metric = r.metric_value ? html_escape(r.metric_name) + " " + html_escape(number(r.metric_value)) : "";
    std::string accuracy =
        r.accuracy_value ? html_escape(r.accuracy_metric) + " " + html_escape(number(r.accuracy_value)) : "";
    std::string detail = html_escape(r.detail);
    if (r.attempts > 1)
      detail += (detail.empty() ? "" : "<br>") + std::string("<i>attempt ") + std::to_string(r.attempts) +
                "; earlier: " + html_escape(r.earlier_attempts) + "</i>";
    if (!r.verified.empty())
      metric += "<br><i>re-run " + html_escape(r.verified) +
                (r.verify_value ? " " + html_escape(number(r.verify_value)) : std::string()) + "</i>";
    std::string time;
    if (r.submission_s) time = seconds(*r.submission_s) + " + " + seconds(r.check_s.value_or(0));
    s += "<tr class=\"" + verdict + "\"><td class=\"num\">" + html_escape(rank[i]) + "</td><td class=\"verdict\">" +
         verdict + "</td><td>" + team + "</td><td>" + html_escape(r.members) + "</td><td>" + html_escape(r.division) +
         "</td><td>" + html_escape(r.workload) + "</td><td>" + html_escape(r.scenario) + "</td><td class=\"num\">" +
         metric + "</td><td class=\"num\">" + accuracy + "</td><td>" + html_escape(r.failed_rules) +
         "</td><td class=\"detail\">" + detail + "</td><td class=\"num\">" + html_escape(time) +
         "</td><td><code title=\"" + html_escape(r.plugin_sha256) + "\">" + html_escape(r.plugin_sha256.substr(0, 12)) +
         "</code></td><td>" + html_escape(r.graded_at) + "</td></tr>\n";
  }
  s += "</tbody>\n</table>\n</body>\n</html>\n";
  return s;
}

}  // namespace

// Writes through a temporary file and a rename: a browser or a script never reads half a file.
void write_atomically(const std::string& path, const std::string& text) {
  const fs::path file = path;
  const fs::path tmp = file.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw HarnessError(kExitInternal, "cannot write " + tmp.string());
  }
  std::error_code ec;
  fs::rename(tmp, file, ec);
  if (ec) throw HarnessError(kExitInternal, "cannot write " + file.string() + ": " + ec.message());
}

void sort_for_report(std::vector<GradeRow>& rows) {
  std::stable_sort(rows.begin(), rows.end(), [](const GradeRow& a, const GradeRow& b) {
    const auto ka = std::make_tuple(verdict_rank(a.verdict), a.workload, a.scenario);
    const auto kb = std::make_tuple(verdict_rank(b.verdict), b.workload, b.scenario);
    if (ka != kb) return ka < kb;
    if (a.metric_value.has_value() != b.metric_value.has_value()) return a.metric_value.has_value();
    if (a.metric_value && *a.metric_value != *b.metric_value)
      return a.higher_is_better ? *a.metric_value > *b.metric_value : *a.metric_value < *b.metric_value;
    return a.team < b.team;
  });
}

std::string html_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string number(std::optional<double> v) {
  if (!v) return "";
  char b[32];
  std::snprintf(b, sizeof b, "%.6g", *v);
  return b;
}

std::string csv_line(const std::vector<std::string>& cells) {
  std::string s;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i) s += ',';
    s += csv_field(cells[i]);
  }
  return s + '\n';
}

std::string csv_field(const std::string& s) {
  // A cell starting with = + - @ is a formula to a spreadsheet: a team name must not run one.
  // The "-" placeholder of team-folder rows stays as it is.
  std::string v = s;
  if (!v.empty() && v != kNoItem && std::string("=+-@\t\r").find(v[0]) != std::string::npos) v = "'" + v;
  if (v.find_first_of(",\"\n\r") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

void write_grade_reports(std::vector<GradeRow> rows, const std::string& out_dir) {
  sort_for_report(rows);
  const std::vector<std::string> rank = ranks(rows);
  write_atomically((fs::path(out_dir) / "grades.csv").string(), csv(rows, rank));
  write_atomically((fs::path(out_dir) / "grades.html").string(), html(rows, rank));
  write_atomically((fs::path(out_dir) / "leaderboard.csv").string(), leaderboard_csv(rows));
}

namespace {
// The leaderboard's rows: PASS with a metric, sorted, each with its place.
std::vector<std::pair<int, GradeRow>> standings(std::vector<GradeRow> rows) {
  sort_for_report(rows);
  std::vector<std::pair<int, GradeRow>> out;
  std::map<std::pair<std::string, std::string>, int> next;
  for (GradeRow& r : rows)
    if (r.verdict == "PASS" && r.metric_value && r.workload != kNoItem)
      out.emplace_back(++next[{r.workload, r.scenario}], std::move(r));
  return out;
}
}  // namespace

std::string leaderboard_csv(std::vector<GradeRow> rows) {
  std::string s = "workload,scenario,rank,team,team_name,metric,value,higher_is_better,accuracy_metric,accuracy,"
                  "verified,verify_value,attempts,plugin_sha256,graded_at\n";
  for (const auto& [place, r] : standings(std::move(rows))) {
    s += csv_line({r.workload, r.scenario, std::to_string(place), r.team, r.team_name, r.metric_name,
                                 number(r.metric_value), r.higher_is_better ? "1" : "0", r.accuracy_metric,
                                 number(r.accuracy_value), r.verified, number(r.verify_value),
                                 std::to_string(r.attempts), r.plugin_sha256, r.graded_at});
  }
  return s;
}

std::string leaderboard_text(std::vector<GradeRow> rows) {
  std::string s, group;
  const auto table = standings(std::move(rows));
  if (table.empty()) return "leaderboard: no passing row yet\n";
  for (const auto& [place, r] : table) {
    if (r.workload + "/" + r.scenario != group) {
      group = r.workload + "/" + r.scenario;
      s += "leaderboard " + group + " by " + r.metric_name + " (" + (r.higher_is_better ? "higher" : "lower") +
           " is better)\n";
    }
    char b[96];
    std::snprintf(b, sizeof b, "%4d  %-20s %12.6g", place, r.team.c_str(), *r.metric_value);
    s += b;
    if (r.verified.empty()) s += "  not verified";
    else s += "  re-run " + r.verified + (r.verify_value ? " (" + number(r.verify_value) + ")" : std::string());
    if (r.attempts > 1) s += ", passed on attempt " + std::to_string(r.attempts);
    s += '\n';
  }
  return s;
}

}  // namespace edubench::harness
