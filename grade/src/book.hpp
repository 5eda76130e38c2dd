// The grade book of `edubench grade`: one SQLite file, one row per (team, workload, scenario)
// describing the team's current hand-in, plus one row per grading batch. Every write is its own
// transaction, so a batch that is killed keeps every row it finished.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace edubench::harness {

// workload and scenario are kNoItem in a row about the whole team folder (no .so, a bad
// team.yaml, a plugin that cannot be described); scenario alone is kNoItem for a workload
// team.yaml names but the plugin does not serve.
inline constexpr const char* kNoItem = "-";

struct GradeRow {
  std::string team;  // the folder's name
  std::string team_name, members, division = "closed";
  std::string plugin_path, plugin_sha256, plugin_name, plugin_version;
  std::string workload = kNoItem, scenario = kNoItem;
  std::string metric_name;  // samples_per_s | latency_p90_ms | latency_p99_ms
  std::optional<double> metric_value;
  bool higher_is_better = false;
  std::string accuracy_metric;
  std::optional<double> accuracy_value;
  std::string verdict;       // PASS | FAIL | ERROR
  std::string failed_rules;  // the checker's rule names, space-separated
  std::string detail;        // one line: the first failed rule, or what went wrong
  std::optional<int> submission_exit, check_exit;
  std::optional<double> submission_s, check_s;  // wall time
  std::string registry_path, registry_sha256;
  std::string overrides;     // the --set values, space-separated
  std::string run_dir;       // absolute
  std::string graded_at;     // UTC, ISO 8601
  int64_t batch_id = 0;
  // --retries: how many submissions this row took, and one line per attempt that did not count
  // ("attempt 1: FAIL, submission exit 3: ..."), so a pass on a retry is visible, not hidden.
  int attempts = 1;
  std::string earlier_attempts;
  // --verify-top: a re-run from scratch of a leading row. verified is "" (never), "same" (the
  // re-run's metric within the tolerance) or "differs"; verify_value is the re-run's metric.
  std::string verified;
  std::optional<double> verify_value;
  std::string verify_run_dir, verified_at;
  std::string rechecked_at;  // --recheck: when the checker last re-read the run directory
};

struct GradeBatch {
  int64_t id = 0;
  std::string started_at, finished_at;  // finished_at empty: the batch did not end (killed)
  std::string host, harness_version, harness_git, command;
  std::string registry_path, registry_sha256, overrides;
  int64_t graded = 0, skipped = 0;
};

class GradeBook {
 public:
  // Opens or creates `path`. Throws HarnessError(kExitInternal) naming the file.
  explicit GradeBook(const std::string& path);
  ~GradeBook();
  GradeBook(const GradeBook&) = delete;
  GradeBook& operator=(const GradeBook&) = delete;

  const std::string& path() const { return path_; }

  // A PASS or FAIL for exactly this plugin, registry, division and --set: nothing to redo.
  // ERROR rows are never "graded": the next batch tries them again.
  bool has_grade(const std::string& team, const std::string& workload, const std::string& scenario,
                 const std::string& plugin_sha256, const std::string& registry_sha256,
                 const std::string& division, const std::string& overrides) const;
  // Before a team is graded: drops its rows about another plugin (the hand-in changed) and its
  // rows about the folder (kNoItem in workload or scenario), which are always worked out anew.
  // An empty sha drops all of the team's rows.
  void forget_stale(const std::string& team, const std::string& plugin_sha256);
  // team.yaml's name and members as they are now, in every row of the team (they grade nothing).
  void set_team_names(const std::string& team, const std::string& team_name, const std::string& members);
  // Inserts or replaces the row of (team, workload, scenario), and counts it in its batch.
  void put(const GradeRow& row);

  int64_t begin_batch(const GradeBatch& b);
  void count_skipped(int64_t batch_id);
  void end_batch(int64_t batch_id, const std::string& finished_at);

  // Updates the checker's columns of a row (verdict, failed_rules, detail, check_exit, check_s,
  // rechecked_at) after --recheck, and the verification columns after --verify-top.
  void update_check(const GradeRow& row);
  void update_verification(const GradeRow& row);

  std::vector<GradeRow> rows() const;
  std::vector<GradeBatch> batches() const;

  // Takes over another grade book's teams (a Slurm task's part): each team in `part` replaces
  // every row of that team here; its batches are copied once.
  void merge(const GradeBook& part);

 private:
  void exec(const char* sql);
  [[noreturn]] void fail(const std::string& what) const;
  sqlite3* db_ = nullptr;
  std::string path_;
};

// The current time in UTC, ISO 8601 ("2024-05-01T12:00:00Z").
std::string utc_now();

}  // namespace edubench::harness
