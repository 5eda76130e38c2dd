// One grade: a submission (`run --mode submission`, the plugin isolated in a worker process) of
// one team's plugin for one workload and scenario, then `check` on it, read back into a row.
#pragma once

#include "book.hpp"

#include <optional>
#include <cstdint>
#include <string>
#include <vector>

namespace edubench::harness {

// `row` names the team, plugin, workload, scenario, division, registry and run directory; the
// result is that row with the verdict, failed rules, metric, accuracy, exit codes and timings
// filled in. What the sub-commands print goes to RUN_DIR/grade.log, so the batch's own output
// stays one line per row. nullopt: interrupted (SIGINT/SIGTERM); nothing may be recorded.
// `sut_memory_mb`: the worker's address-space limit (0: run's default).
std::optional<GradeRow> grade_submission(GradeRow row, const std::vector<std::string>& sets,
                                         const std::string& command_line, uint64_t sut_memory_mb = 0);

// `check` again over what `row.run_dir` holds, with the registry `row.registry_path`, nothing
// re-run (a regrade after a rule fix): `row` with the checker's columns and verdict redone.
// nullopt: the run directory holds no submission to check. Output to RUN_DIR/recheck.log.
std::optional<GradeRow> recheck_submission(GradeRow row);

}  // namespace edubench::harness
