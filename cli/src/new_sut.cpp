// `edubench new-sut NAME --workload W [--lang c|cpp] [--dir D]`: a team's project from the
// workload's starter (a correct SUT without the lab's lever), ready to build against the
// installed SDK, with its tests, README and CI files. Never overwrites anything.
#include "commands.hpp"
#include "starter.hpp"

#include <edubench/harness/system_info.hpp>
#include <edubench/session/errors.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>

namespace edubench::cli {
using namespace edubench::harness;
namespace fs = std::filesystem;

namespace {

std::string available(const std::vector<Starter>& all) {
  std::string s;
  for (const auto& st : all) s += (s.empty() ? "" : ", ") + st.workload + " (" + st.lang + ")";
  return s;
}

const Starter& pick(const std::vector<Starter>& all, const std::string& workload, const std::string& lang) {
  const Starter* c = nullptr;
  const Starter* cpp = nullptr;
  for (const auto& s : all)
    if (s.workload == workload) (s.lang == "c" ? c : cpp) = &s;
  if (!c && !cpp) throw BadInput("new-sut: --workload " + workload + ": no starter for it (starters: " + available(all) + ")");
  if (lang == "c" && !c)
    throw BadInput("new-sut: --lang c: the " + workload + " starter is C++ only (it uses the C++ model library); use --lang cpp");
  if (lang == "cpp" && !cpp) throw BadInput("new-sut: --lang cpp: the " + workload + " starter is C only");
  if (lang.empty()) return c ? *c : *cpp;  // plain C where there is one: the smallest template
  return lang == "c" ? *c : *cpp;
}

std::string major_minor(const std::string& v) {
  const auto second = v.find('.', v.find('.') + 1);
  return second == std::string::npos ? v : v.substr(0, second);
}

}  // namespace

int cmd_new_sut(int argc, char** argv) {
  std::string name, workload, lang, dir;
  po::options_description desc(
      "edubench new-sut NAME --workload W [--lang c|cpp] [--dir D]\n\n"
      "Writes a ready-to-build SUT project for workload W into D (default ./NAME): CMakeLists.txt on\n"
      "find_package(edubench), the starter SUT (correct, without the lab's lever; the TODOs say where\n"
      "it goes), tests/ (validate and an accuracy run through ctest), a README (what to change, how to\n"
      "measure before and after, how to submit) and CI files (.github/workflows/edubench.yml,\n"
      ".gitlab-ci.yml). Prints every file it wrote. Refuses to overwrite: if any of them exists,\n"
      "nothing is written (exit 7). The labs: docs/labs/<workload>.md.\n\noptions");
  desc.add_options()("help,h", "show this help")
      ("name", po::value(&name), "project and plugin name: a letter, then letters, digits or _ (at most 64)")
      ("workload,w", po::value(&workload), "the workload (echo, kv_cache, speculative_decode, react_agent, codegen_agent)")
      ("lang", po::value(&lang), "c or cpp (default: c where the workload has a C starter, else cpp)")
      ("dir,d", po::value(&dir), "where to write the project (default: ./NAME)");
  po::positional_options_description pos;
  pos.add("name", 1);
  auto vm = parse_options(desc, &pos, argc, argv);
  if (vm.count("help")) return std::cout << desc, kExitValid;
  if (name.empty()) throw BadInput("new-sut: expected a NAME (see --help)");
  // The name becomes a CMake target, a file name (edubench_sut_NAME.so) and a C string.
  static const std::regex ok("[A-Za-z][A-Za-z0-9_]{0,63}");
  if (!std::regex_match(name, ok))
    throw BadInput("new-sut: NAME '" + name + "': expected a letter, then letters, digits or _ (at most 64)");
  if (workload.empty()) throw BadInput("new-sut: --workload: required (see --help)");
  if (!lang.empty() && lang != "c" && lang != "cpp") throw BadInput("new-sut: --lang " + lang + ": expected c or cpp");
  if (dir.empty()) dir = name;

  const std::string root = starters_root();
  const std::vector<Starter> all = list_starters(root);
  const Starter& st = pick(all, workload, lang);
  std::map<std::string, std::string> vars = st.vars;
  vars["NAME"] = name;
  vars["WORKLOAD"] = st.workload;
  vars["LANG"] = st.lang;
  vars["EDUBENCH_VERSION"] = harness_version();
  vars["EDUBENCH_VERSION_MM"] = major_minor(harness_version());
  const std::vector<RenderedFile> files = render_starter(root, st, vars);

  // Every file is checked before any is written: a refusal leaves the folder as it was.
  for (const auto& f : files) {
    const fs::path p = fs::path(dir) / f.path;
    std::error_code ec;
    if (fs::exists(p, ec) || fs::is_symlink(p, ec))
      throw HarnessError(kExitWouldOverwrite, "new-sut: " + p.string() + " exists; refusing to overwrite (choose another --dir)");
  }
  for (const auto& f : files) {
    const fs::path p = fs::path(dir) / f.path;
    std::error_code ec;
    fs::create_directories(p.parent_path().empty() ? fs::path(".") : p.parent_path(), ec);
    std::ofstream out(p, std::ios::binary);
    out << f.text;
    out.close();
    if (ec || !out) throw HarnessError(kExitInternal, "new-sut: " + p.string() + ": cannot write");
    if (f.executable)
      fs::permissions(p, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec, fs::perm_options::add);
    std::cout << "wrote " << p.string() << "\n";
  }
  std::cout << "\n" << name << ": the " << st.workload << " starter (" << (st.lang == "c" ? "C" : "C++") << "). Next:\n"
            << "  cmake -S " << dir << " -B " << dir << "/build && cmake --build " << dir << "/build && ctest --test-dir "
            << dir << "/build\n"
            << "then read " << dir << "/README.md (the lab: docs/labs/" << st.workload << ".md)\n";
  return kExitValid;
}

}  // namespace edubench::cli
