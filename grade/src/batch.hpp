// A batch of grading: the team folders walked in turn, each row graded and recorded.
#pragma once

#include <edubench/grade/grade.hpp>
#include <edubench/registry/registry.hpp>
#include <edubench/session/process_session.hpp>
#include "book.hpp"
#include "team.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace edubench::harness {

// One batch of `edubench grade`: walks the team folders one at a time, grades each team's
// workloads and scenarios (retrying a flaky row, skipping what is graded already) and records a
// row per submission in the grade book as soon as it is graded.
class Batch {
 public:
  Batch(const GradeOptions& o, const registry::Registry& reg, std::string registry_sha, std::string out,
        GradeBook& book)
      : o_(o), reg_(reg), registry_sha_(std::move(registry_sha)), out_(std::move(out)), book_(book) {}

  int64_t id = 0;
  size_t team_index = 0, team_count = 0;  // for the progress line
  size_t graded = 0, skipped = 0;

  // false: interrupted, stop the batch.
  bool grade_team(const std::string& folder);

 private:
  // On a terminal only: what is being graded now (a submission takes seconds to minutes), on one
  // line that the row's own line replaces.
  void progress(const std::string& what) const;

  // A row whose plugin failed (crashed, hung, a call failed) or that could not be made at all
  // may be bad luck: it is graded again, up to --retries times. Each attempt that does not count
  // keeps its run directory (RUN_DIR.attemptN) and a line in earlier_attempts.
  static bool worth_retrying(const GradeRow& r);
  std::optional<GradeRow> grade_with_retries(const GradeRow& row);
  GradeRow team_row(GradeRow r, const char* verdict, const std::string& detail) const;
  void record(GradeRow r);
  static void print(const GradeRow& r);

  // The workloads to grade: those the plugin declares and the registry has ready, or the
  // team.yaml subset of them. false when a row about the team says why there is nothing.
  bool pick_workloads(const TeamFolder& t, const PluginDescription& d, const GradeRow& base,
                      std::vector<std::string>& out);

  const GradeOptions& o_;
  const registry::Registry& reg_;
  std::string registry_sha_;
  std::string out_;
  GradeBook& book_;
};

// "a, b, c" from {"a", "b", "c"} and ", ".
std::string join(const std::vector<std::string>& v, const char* sep);

}  // namespace edubench::harness
