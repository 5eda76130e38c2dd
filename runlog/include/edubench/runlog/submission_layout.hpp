// The layout of a submission directory (edubench run --mode submission): the harness writes it,
// the checker and the grade book read it.
#pragma once

namespace edubench::runlog {

// The run directories of a submission, in the order they are made.
inline constexpr const char* kPerformanceRun = "performance";
inline constexpr const char* kAccuracyRun = "accuracy";
inline constexpr const char* kAuditRun = "audit_same_sample";  // TEST04: one sample, repeated
inline constexpr const char* kSubmissionFile = "submission.json";
inline constexpr const char* kVerdictFile = "verdict.json";

}  // namespace edubench::runlog
