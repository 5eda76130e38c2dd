// The documented exit codes of `edubench` (README "Exit codes"); scripts depend on them.
#pragma once

namespace edubench::harness {

enum ExitCode : int {
  kExitValid = 0,          // the run is VALID (and, in accuracy mode, met its target)
  kExitInvalidRun = 1,     // the run finished or was aborted INVALID (bounds, watchdog, run errors)
  kExitBadInput = 2,       // command line, workloads.yaml or data set
  kExitPluginFailure = 3,  // cannot load, ABI mismatch, create failed, a call failed or threw
  kExitAccuracyFailed = 4, // accuracy mode: below the target
  kExitInternal = 5,       // the harness could not do its own job (I/O, out of memory)
  kExitCheckFailed = 6,    // edubench check: at least one compliance rule does not hold
  kExitWouldOverwrite = 7, // edubench new-sut: a file it would write exists (nothing was written)
  kExitGateFailed = 8,     // edubench compare --gates: a lesson's gate does not hold
  kExitInterrupted = 130,  // SIGINT / SIGTERM: the run directory is still written
};

}  // namespace edubench::harness
