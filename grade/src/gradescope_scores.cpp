#include "gradescope_scores.hpp"

#include "report.hpp"

#include <map>

namespace edubench::harness {
namespace {

std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t") - a + 1);
}

// The book joins team.yaml's members with ", " (book.hpp).
std::vector<std::string> members_of(const std::string& joined) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= joined.size()) {
    const size_t end = joined.find(", ", pos);
    const std::string m = trim(joined.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
    if (!m.empty()) out.push_back(m);
    if (end == std::string::npos) break;
    pos = end + 2;
  }
  return out;
}

}  // namespace

std::pair<std::string, std::string> split_member(const std::string& member) {
  const size_t lt = member.rfind('<');
  const size_t gt = member.rfind('>');
  if (lt == std::string::npos || gt == std::string::npos || gt < lt || gt != member.size() - 1)
    return {trim(member), ""};
  return {trim(member.substr(0, lt)), trim(member.substr(lt + 1, gt - lt - 1))};
}

std::string gradescope_scores_csv(const std::vector<GradeRow>& rows, double points,
                                  std::vector<std::string>& warnings) {
  struct Team {
    std::string name, members;
    double score = 0, max = 0;
  };
  std::map<std::string, Team> teams;
  for (const GradeRow& r : rows) {
    Team& t = teams[r.team];
    t.name = r.team_name;
    t.members = r.members;
    t.max += points;
    if (r.verdict == "PASS") t.score += points;
  }
  std::string s = "Name,Email,Team,Total Score,Max Points\n";
  for (const auto& [id, t] : teams) {
    const std::vector<std::string> members = members_of(t.members);
    if (members.empty()) warnings.push_back("team " + id + ": no members in its team.yaml; no line for it");
    for (const std::string& m : members) {
      const auto [name, email] = split_member(m);
      if (email.empty())
        warnings.push_back("team " + id + ": member '" + m +
                           "' has no email (write it as 'Name <email>' in team.yaml); Gradescope cannot match it");
      s += csv_line({name, email, t.name, number(t.score), number(t.max)});
    }
  }
  return s;
}

}  // namespace edubench::harness
