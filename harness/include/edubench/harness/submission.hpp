// `edubench run --mode submission`: the performance run, the accuracy run and the TEST04 audit
// run (one sample, repeated) into one directory, with submission.json describing them.
#pragma once

#include <edubench/harness/run.hpp>

namespace edubench::harness {

// Writes DIR/performance, DIR/accuracy, DIR/audit_same_sample (run directories) and
// DIR/submission.json; returns the first non-zero exit code of the runs, else 0.
int run_submission(const RunOptions& opts);

}  // namespace edubench::harness
