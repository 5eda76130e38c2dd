#include "team.hpp"

#include <edubench/registry/registry.hpp>
#include <edubench/session/errors.hpp>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

namespace edubench::harness {
namespace {
namespace fs = std::filesystem;

// team.yaml problems, as "FILE:LINE: FIELD: what" like the registry's.
struct YamlProblem : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void bad(const std::string& file, const YAML::Node& at, const std::string& field,
                      const std::string& what) {
  const int line = at.IsDefined() && at.Mark().line >= 0 ? at.Mark().line + 1 : 0;
  throw YamlProblem(file + (line ? ":" + std::to_string(line) : "") + ": " + (field.empty() ? "" : field + ": ") +
                    what);
}

std::string scalar(const std::string& file, const YAML::Node& n, const std::string& field) {
  if (!n.IsScalar()) bad(file, n, field, "expected a string");
  return n.as<std::string>();
}

void read_yaml(TeamFolder& t) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(t.yaml);
  } catch (const YAML::BadFile&) {
    throw YamlProblem(t.yaml + ": cannot be read");
  } catch (const YAML::ParserException& e) {
    throw YamlProblem(t.yaml + ":" + std::to_string(e.mark.line + 1) + ": not YAML: " + e.msg);
  }
  if (root.IsNull()) return;  // an empty team.yaml says nothing
  if (!root.IsMap()) bad(t.yaml, root, "", "expected a mapping with name, members, division, workloads");
  for (const auto& kv : root) {
    const std::string key = kv.first.IsScalar() ? kv.first.as<std::string>() : "?";
    const YAML::Node& v = kv.second;
    if (key == "name") {
      t.name = scalar(t.yaml, v, key);
      if (t.name.empty()) bad(t.yaml, v, key, "must not be empty");
    } else if (key == "members") {
      if (v.IsScalar()) {
        t.members.push_back(v.as<std::string>());
      } else if (v.IsSequence()) {
        for (const auto& m : v) t.members.push_back(scalar(t.yaml, m, key));
      } else {
        bad(t.yaml, v, key, "expected a list of names");
      }
    } else if (key == "division") {
      t.division = scalar(t.yaml, v, key);
      if (t.division != "closed" && t.division != "open")
        bad(t.yaml, v, key, "expected closed or open, got '" + t.division + "'");
    } else if (key == "workloads") {
      if (!v.IsSequence()) bad(t.yaml, v, key, "expected a list of workload ids");
      for (const auto& w : v) t.workloads.push_back({scalar(t.yaml, w, key), w.Mark().line + 1});
    } else {
      bad(t.yaml, kv.first, key, "unknown key (known: name, members, division, workloads)");
    }
  }
}

}  // namespace

std::vector<std::string> team_folder_names(const std::string& submissions_dir) {
  std::error_code ec;
  if (!fs::is_directory(submissions_dir, ec)) throw BadInput("grade " + submissions_dir + ": no such directory");
  std::vector<std::string> names;
  for (fs::directory_iterator it(submissions_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.empty() && name[0] != '.' && it->is_directory(ec)) names.push_back(name);
  }
  if (ec) throw BadInput("grade " + submissions_dir + ": cannot list: " + ec.message());
  if (names.empty())
    throw BadInput("grade " + submissions_dir + ": no team folders (expected one folder per team holding its .so)");
  std::sort(names.begin(), names.end());
  return names;
}

static TeamFolder read_folder(const std::string& submissions_dir, const std::string& id);

TeamFolder read_team_folder(const std::string& submissions_dir, const std::string& id) {
  TeamFolder t = read_folder(submissions_dir, id);
  // A file name or a YAML message can quote the folder's own control characters.
  t.problem = registry::one_line(t.problem);
  return t;
}

static TeamFolder read_folder(const std::string& submissions_dir, const std::string& id) {
  TeamFolder t;
  t.id = id;
  t.name = id;
  std::error_code ec;
  t.dir = fs::absolute(fs::path(submissions_dir) / id, ec).lexically_normal().string();
  std::vector<std::string> libs;
  for (fs::directory_iterator it(t.dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    if (p.extension() == ".so" && it->is_regular_file(ec)) libs.push_back(p.filename().string());
  }
  if (ec) {
    t.problem = t.dir + ": cannot list the team folder: " + ec.message();
    return t;
  }
  std::sort(libs.begin(), libs.end());
  const fs::path yaml = fs::path(t.dir) / "team.yaml";
  if (fs::exists(yaml, ec)) {
    t.yaml = yaml.string();
    try {
      read_yaml(t);
    } catch (const YamlProblem& e) {
      t = TeamFolder{id, t.dir, id};  // none of a half-read team.yaml goes into the grade book
      t.problem = e.what();
      return t;
    }
  }
  if (libs.empty()) {
    t.problem = t.dir + ": no .so in the team folder (hand in exactly one plugin)";
  } else if (libs.size() > 1) {
    std::string all;
    for (const auto& l : libs) all += (all.empty() ? "" : ", ") + l;
    t.problem = t.dir + ": " + std::to_string(libs.size()) + " .so files (" + all + "); hand in exactly one";
  } else {
    t.plugin = (fs::path(t.dir) / libs.front()).string();
  }
  return t;
}

}  // namespace edubench::harness
