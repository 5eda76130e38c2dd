// A team's team.yaml (read_team_folder): whatever a team hands in, reading its folder never
// throws; a problem is one line in `problem`.
#include "fuzz_support.hpp"

#include "team.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fz = edubench::fuzz;
  static const auto subs = [] {
    const auto d = fz::scratch_dir() / "submissions";
    std::filesystem::create_directories(d / "team");
    fz::write_file(d / "team" / "sut.so", "");  // read_team_folder wants one .so; it does not open it
    return d;
  }();
  fz::write_file(subs / "team" / "team.yaml", fz::as_text(data, size));
  const auto t = edubench::harness::read_team_folder(subs.string(), "team");
  if (!t.problem.empty()) fz::require_one_line(t.problem, "read_team_folder");
  return 0;
}
