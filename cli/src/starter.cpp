// Finding and rendering the starters' templates (starters/README.md describes their layout).
#include "starter.hpp"

#include <edubench/session/errors.hpp>

#include <boost/dll/runtime_symbol_info.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#ifndef EDUBENCH_SOURCE_STARTERS
#define EDUBENCH_SOURCE_STARTERS ""
#endif

namespace edubench::cli {
namespace fs = std::filesystem;
using harness::HarnessError;
using harness::kExitInternal;

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) throw HarnessError(kExitInternal, p.string() + ": cannot read the starter template");
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// starter.txt: "key = value" lines, '#' comments. A malformed line is the SDK's bug: name it.
std::map<std::string, std::string> read_vars(const fs::path& p) {
  std::map<std::string, std::string> out;
  std::istringstream in(read_file(p));
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    const auto eq = line.find('=');
    if (eq == std::string::npos)
      throw HarnessError(kExitInternal, p.string() + ":" + std::to_string(n) + ": expected 'KEY = value'");
    auto trim = [](std::string s) {
      s.erase(0, s.find_first_not_of(" \t"));
      s.erase(s.find_last_not_of(" \t\r") + 1);
      return s;
    };
    out[trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
  }
  return out;
}

// Files under dir, relative, sorted (hidden ones too: .github/, .gitlab-ci.yml, .gitignore).
std::vector<std::string> files_under(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), dir).generic_string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::string starters_root() {
  std::vector<fs::path> candidates;
  if (const char* env = std::getenv("EDUBENCH_STARTERS")) candidates.emplace_back(env);
  const fs::path exe_dir = boost::dll::program_location().parent_path().string();
  candidates.push_back(exe_dir / ".." / "share" / "edubench" / "starters");
  if (*EDUBENCH_SOURCE_STARTERS) candidates.emplace_back(EDUBENCH_SOURCE_STARTERS);
  std::string tried;
  for (const auto& c : candidates) {
    std::error_code ec;
    if (fs::is_directory(c / "project", ec)) return fs::weakly_canonical(c).string();
    tried += (tried.empty() ? "" : ", ") + c.string();
  }
  throw HarnessError(kExitInternal, "new-sut: no starter templates found (looked in " + tried + ")");
}

std::vector<Starter> list_starters(const std::string& root) {
  std::vector<Starter> out;
  for (const auto& e : fs::directory_iterator(root)) {
    const std::string name = e.path().filename().string();
    const auto us = name.rfind('_');
    if (!e.is_directory() || name == "project" || us == std::string::npos) continue;
    if (!fs::is_regular_file(e.path() / "starter.txt")) continue;
    out.push_back({name.substr(0, us), name.substr(us + 1), e.path().string(), read_vars(e.path() / "starter.txt")});
  }
  std::sort(out.begin(), out.end(), [](const Starter& a, const Starter& b) {
    return std::tie(a.workload, a.lang) < std::tie(b.workload, b.lang);
  });
  return out;
}

std::vector<RenderedFile> render_starter(const std::string& root, const Starter& s,
                                         const std::map<std::string, std::string>& vars) {
  std::map<std::string, fs::path> sources;  // project path -> template; the starter's own win
  const fs::path common = fs::path(root) / "project";
  for (const auto& rel : files_under(common)) sources[rel] = common / rel;
  for (const auto& rel : files_under(s.dir))
    if (rel != "starter.txt") sources[rel] = fs::path(s.dir) / rel;

  static const std::regex placeholder("@([A-Z][A-Z0-9_]*)@");
  std::vector<RenderedFile> out;
  for (const auto& [rel, src] : sources) {
    const std::string text = read_file(src);
    std::string rendered;
    auto last = text.cbegin();
    for (std::sregex_iterator it(text.begin(), text.end(), placeholder), end; it != end; ++it) {
      const auto found = vars.find((*it)[1].str());
      if (found == vars.end())
        throw HarnessError(kExitInternal, src.string() + ": placeholder " + it->str() + " has no value (a broken starter)");
      rendered.append(last, text.cbegin() + it->position());
      rendered += found->second;
      last = text.cbegin() + it->position() + it->length();
    }
    rendered.append(last, text.cend());
    const auto perms = fs::status(src).permissions();
    out.push_back({rel, rendered, (perms & fs::perms::owner_exec) != fs::perms::none});
  }
  return out;
}

}  // namespace edubench::cli
