// A team's folder in a grading batch (`edubench grade`): its one `.so` and its optional
// team.yaml. Reading a folder never throws for what a team handed in: a problem becomes one
// line in `problem`, so one broken hand-in cannot stop a class's batch.
#pragma once

#include <string>
#include <vector>

namespace edubench::harness {

struct TeamWorkload {
  std::string id;
  int line = 0;  // in team.yaml, for error messages
};

struct TeamFolder {
  std::string id;       // the folder's name: the team's key in the grade book, --team, paths
  std::string dir;      // absolute
  std::string name;     // team.yaml `name`, else the folder's name
  std::vector<std::string> members;
  std::string division = "closed";
  std::vector<TeamWorkload> workloads;  // team.yaml `workloads`; empty: every one the plugin serves
  std::string yaml;     // path of team.yaml when there is one
  std::string plugin;   // absolute path of the one .so; empty when `problem` is set
  std::string problem;  // one line naming the file (and field) when the folder cannot be graded
};

// The team folders of SUBMISSIONS_DIR (its subfolders, not hidden ones), sorted by name.
// Throws BadInput when the directory is missing or holds no folder.
std::vector<std::string> team_folder_names(const std::string& submissions_dir);

// Reads SUBMISSIONS_DIR/ID: exactly one .so at its top level, and team.yaml if present
// (keys: name, members, division closed|open, workloads).
TeamFolder read_team_folder(const std::string& submissions_dir, const std::string& id);

}  // namespace edubench::harness
