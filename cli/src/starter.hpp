// The starters `edubench new-sut` writes: where their templates live (next to the binary when
// installed, the source tree when run from a build), which exist, and a starter rendered into
// the files of a ready-to-build project.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace edubench::cli {

// One starter: share/edubench/starters/<workload>_<lang>/ over the common project/ files.
struct Starter {
  std::string workload, lang;  // "kv_cache", "cpp"
  std::string dir;             // its own folder
  std::map<std::string, std::string> vars;  // starter.txt: key = value (SOURCES, LIBRARIES, ...)
};

// The starters folder: $EDUBENCH_STARTERS, else <bin>/../share/edubench/starters, else the
// source tree's starters/. Throws HarnessError(kExitInternal) when none exists.
std::string starters_root();

// Every starter under `root`, sorted by workload then language.
std::vector<Starter> list_starters(const std::string& root);

struct RenderedFile {
  std::string path;  // relative to the project folder
  std::string text;
  bool executable = false;
};

// The project's files: project/ then the starter's own (which win on the same path), every
// @KEY@ replaced from `vars`. Throws HarnessError(kExitInternal) naming the template and the
// placeholder when one is left unreplaced (a broken SDK, not the student's input).
std::vector<RenderedFile> render_starter(const std::string& root, const Starter& s,
                                         const std::map<std::string, std::string>& vars);

}  // namespace edubench::cli
