// The grade book as a Gradescope score upload (`edubench grade --gradescope-csv FILE`): one line
// per team member, matched on Gradescope by Email, with the team's points.
#pragma once

#include "book.hpp"

#include <string>
#include <utility>
#include <vector>

namespace edubench::harness {

// "Ada Lovelace <ada@uni.edu>" -> {"Ada Lovelace", "ada@uni.edu"}; without <...> the email is "".
std::pair<std::string, std::string> split_member(const std::string& member);

// CSV with the header "Name,Email,Team,Total Score,Max Points": a team scores `points` per PASS
// row, out of `points` per workload and scenario graded (a row about the whole folder, e.g. no
// .so, counts as one item). `warnings` gets a line per member without an email (Gradescope
// cannot match them) and per team without members.
std::string gradescope_scores_csv(const std::vector<GradeRow>& rows, double points,
                                  std::vector<std::string>& warnings);

}  // namespace edubench::harness
