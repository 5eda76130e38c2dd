// `edubench gradescope init DIR`: the autograder bundle (see gradescope.hpp). The scripts are
// written with this command's choices baked in, so the bundle needs nothing but the SDK.
#include <edubench/grade/gradescope.hpp>

#include "shell_quote.hpp"

#include <edubench/harness/system_info.hpp>
#include <edubench/registry/registry.hpp>
#include <edubench/session/errors.hpp>

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace edubench::harness {
namespace {
namespace fs = std::filesystem;

const char* kSetup = R"SH(#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image. Written by
# `edubench gradescope init` (edubench @VERSION@).
set -euo pipefail
cd "$(dirname "$0")"
if compgen -G "edubench-sdk_*.deb" > /dev/null; then
  apt-get update
  apt-get install -y ./edubench-sdk_*.deb
fi
if ! command -v edubench > /dev/null; then
  echo "setup.sh: edubench is not installed: put edubench-sdk_<version>_amd64.deb (cpack -G DEB in an" \
       "edubench build) next to this script, or use an image that has it" >&2
  exit 1
fi
edubench --version
)SH";

const char* kRunAutograder = R"SH(#!/usr/bin/env bash
# Gradescope's entry point: grades the hand-in in /autograder/submission (one .so, or a CMake
# project that builds one against the edubench SDK) with `edubench grade`, and writes
# /autograder/results/results.json with `edubench gradescope results`. Every failure still
# writes a results.json that says what went wrong. Written by `edubench gradescope init`
# (edubench @VERSION@); AUTOGRADER_ROOT and EDUBENCH override the paths for a local test.
set -uo pipefail
ROOT=${AUTOGRADER_ROOT:-/autograder}
EDUBENCH=${EDUBENCH:-edubench}
RESULTS=$ROOT/results/results.json
POINTS=@POINTS@
REGISTRY=(@REGISTRY@)
GRADE=(@GRADE@)
WORKLOADS=(@WORKLOADS@)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$ROOT/results"

fail() {
  "$EDUBENCH" gradescope results --error "$1" --points "$POINTS" -o "$RESULTS" "${REGISTRY[@]}" ||
    printf '{"score": 0, "output": "the autograder could not run edubench", "tests": []}\n' > "$RESULTS"
  exit 0
}

SUB=$ROOT/submission
mapfile -t sos < <(find "$SUB" -maxdepth 2 -name '*.so' -type f | sort)
if [[ ${#sos[@]} -eq 0 && -f $SUB/CMakeLists.txt ]]; then
  if ! { cmake -S "$SUB" -B "$WORK/build" -DCMAKE_BUILD_TYPE=Release && cmake --build "$WORK/build" -j2; } \
      > "$WORK/build.log" 2>&1; then
    fail "your project does not build (cmake -S . -B build && cmake --build build); its last lines:
$(tail -n 25 "$WORK/build.log")"
  fi
  mapfile -t sos < <(find "$WORK/build" -name '*.so' -type f | sort)
fi
[[ ${#sos[@]} -eq 1 ]] ||
  fail "expected exactly one .so at the top of your hand-in (or a CMakeLists.txt that builds one), found ${#sos[@]}"

mkdir -p "$WORK/class/team"
cp "${sos[0]}" "$WORK/class/team/"
if [[ ${#WORKLOADS[@]} -gt 0 ]]; then
  printf 'workloads: [%s]\n' "$(IFS=,; echo "${WORKLOADS[*]}")" > "$WORK/class/team/team.yaml"
fi
"$EDUBENCH" grade "$WORK/class" --output "$WORK/grades" "${REGISTRY[@]}" "${GRADE[@]}" --quiet > "$WORK/grade.log" 2>&1 ||
  fail "edubench grade stopped: $(tail -n 3 "$WORK/grade.log")"
"$EDUBENCH" gradescope results "$WORK/grades" --output "$RESULTS" --points "$POINTS" "${REGISTRY[@]}" ||
  fail "edubench gradescope results failed"
# The instructor's copy (the runs, verdicts and grade book); Gradescope does not show it to students.
rm -rf "$ROOT/results/edubench-grades" && cp -r "$WORK/grades" "$ROOT/results/edubench-grades"
)SH";

std::string fill(std::string text, const std::map<std::string, std::string>& values) {
  for (const auto& [key, value] : values)
    for (size_t at; (at = text.find(key)) != std::string::npos;) text.replace(at, key.size(), value);
  return text;
}

std::string words(const std::vector<std::string>& flag_values, const std::string& flag) {
  std::string s;
  for (const auto& v : flag_values) {
    if (!s.empty()) s += ' ';
    if (!flag.empty()) s.append(flag).append(" ");
    s += shell_quote(v);
  }
  return s;
}

void write_file(const fs::path& path, const std::string& text, bool executable) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  if (!f.flush()) throw HarnessError(kExitInternal, path.string() + ": cannot write");
  f.close();
  if (executable && chmod(path.c_str(), 0755) != 0) throw HarnessError(kExitInternal, path.string() + ": cannot make executable");
  std::printf("wrote %s\n", path.string().c_str());
}

}  // namespace

void gradescope_init(const GradescopeInitOptions& o) {
  if (!(o.points > 0)) throw BadInput("--points: expected a positive number");
  std::error_code ec;
  if (fs::exists(o.dir, ec) && !fs::is_empty(o.dir, ec))
    throw BadInput(o.dir + ": exists and is not empty (the bundle is written into a new folder)");
  // The choices are checked here, against the registry the autograder will use, so a typo
  // fails now and not in every student's run.
  const registry::Registry reg = registry::load_registry(o.registry_path);
  for (const auto& s : o.scenarios)
    if (!registry::parse_scenario(s)) throw BadInput("--scenario " + s + ": expected single_stream, offline or server");
  for (const auto& w : o.workloads) {
    const registry::Workload* wl = reg.find_workload(w);
    if (wl == nullptr || wl->status != "ready")
      throw BadInput("--workload " + w + ": not a ready workload of " + o.registry_path);
    for (const auto& s : o.scenarios)
      if (!wl->scenarios.count(*registry::parse_scenario(s)))
        throw BadInput("--scenario " + s + ": workload " + w + " does not define it in " + o.registry_path);
  }
  fs::create_directories(o.dir, ec);
  if (ec) throw HarnessError(kExitInternal, o.dir + ": cannot create: " + ec.message());
  const fs::path dir(o.dir);
  std::ostringstream points;
  points << o.points;
  std::string grade = words(o.scenarios, "--scenario");
  const std::string sets = words(o.sets, "--set");
  grade += (grade.empty() || sets.empty() ? "" : " ") + sets;
  const std::string registry = "--registry " + shell_quote(fs::absolute(o.registry_path).lexically_normal().string());
  const std::map<std::string, std::string> values = {{"@VERSION@", harness_version()}, {"@POINTS@", points.str()},
                                                     {"@REGISTRY@", registry}, {"@GRADE@", grade},
                                                     {"@WORKLOADS@", words(o.workloads, "")}};
  write_file(dir / "setup.sh", fill(kSetup, values), true);
  write_file(dir / "run_autograder", fill(kRunAutograder, values), true);
  write_file(dir / "README.md",
             "# edubench autograder bundle\n\nWritten by `edubench gradescope init` (edubench " + harness_version() +
                 "). Zip this folder's files (and `edubench-sdk_<version>_amd64.deb`, which `setup.sh` installs)\n"
                 "and upload the zip as a Gradescope programming assignment's autograder. Each workload and scenario\n"
                 "is worth " + points.str() + " points, shared by the checker's rules. The registry is read from\n`" +
                 fs::absolute(o.registry_path).lexically_normal().string() +
                 "` on the autograder image. See docs/gradescope.md in edubench.\n",
             false);
}

}  // namespace edubench::harness
