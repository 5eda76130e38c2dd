// The grade book as a person reads it: grades.csv and grades.html, regenerated from the SQLite
// file after every batch and every --collect, sorted by result.
#pragma once

#include "book.hpp"

#include <optional>
#include <string>
#include <vector>

namespace edubench::harness {

// PASS rows first, then FAIL, then ERROR; within that by workload and scenario, then the metric
// best first (rows without one last), then the team.
void sort_for_report(std::vector<GradeRow>& rows);

// Writes OUT_DIR/grades.csv and OUT_DIR/grades.html (each through a temporary file and a
// rename, so a reader never sees half a table). Throws HarnessError(kExitInternal) naming the
// file it cannot write.
void write_grade_reports(std::vector<GradeRow> rows, const std::string& out_dir);

// The leaderboard: per workload and scenario, the PASS rows with a metric, best first, with
// their verification (--verify-top) and attempts. As CSV (OUT/leaderboard.csv) and as the
// text `grade --leaderboard` prints.
std::string leaderboard_csv(std::vector<GradeRow> rows);
std::string leaderboard_text(std::vector<GradeRow> rows);

// Writes through a temporary file and a rename: a browser or a script never reads half a file.
// Throws HarnessError(kExitInternal) naming the file.
void write_atomically(const std::string& file, const std::string& text);

// What a report cell shows (exposed for the tests of escaping).
std::string html_escape(const std::string& s);
std::string csv_field(const std::string& s);
std::string number(std::optional<double> v);  // %.6g; "" for none
std::string csv_line(const std::vector<std::string>& cells);  // csv_field of each, commas, a newline

}  // namespace edubench::harness
