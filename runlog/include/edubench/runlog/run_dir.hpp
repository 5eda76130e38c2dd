// Writing and reading the run directory: result.json, summary.txt, events.jsonl,
// accuracy.jsonl, trace.json (Chrome trace events, opens in Perfetto) and manifest.json.
#pragma once

#include <edubench/runlog/metrics.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace edubench::runlog {

// Who ran what: recorded in result.json and manifest.json.
struct RunContext {
  std::string division = "closed";
  std::string sut_name, sut_version, sut_path, sut_sha256;
  uint32_t sut_abi_major = 0, sut_abi_minor = 0;
  std::string harness_version, harness_git;
  std::string registry_path, registry_sha256;
  std::string dataset_id, dataset_sha256;
  std::vector<std::pair<std::string, std::string>> model_sha256;  // model id -> sha256
  std::vector<std::string> overrides;      // "key=value" from --set, in order
  std::vector<std::string> sut_options;    // "key=value" passed to create, in order
  std::vector<std::pair<std::string, std::string>> system;  // cpu, cores, os, ...
  std::string command_line;
  std::string isolation = "none";        // none | process
  std::vector<std::string> containment;  // the worker's layers, one line each ("warning: ..." if degraded)
  std::vector<std::string> extra_files;  // files already in the run directory to seal in the manifest
  // How much of the machine the measurement itself took, from the load's start to its end
  // (thread CPU clocks; measured = false when the run failed before its load started).
  struct HarnessCpu {
    bool measured = false;
    double wall_s = 0;
    double issue_thread_s = 0;    // the load generator's thread; in process it includes the SUT's issue() calls
    double watchdog_thread_s = 0; // the monitor (timeouts, progress)
    double log_thread_s = 0;      // the background run-log writer
    double process_s = 0;         // every thread of the process (in process: the SUT's own threads too)
    double wake_latency_us = 0;   // Server: the wake-up latency measured at the start (the spin window)
  } harness_cpu;
  // The SUT's resident memory, read by the harness from the kernel at the end of the load
  // (SutSession::memory_use); measured = false when it could not be read. samples: the RSS
  // during the load, (seconds since its start, bytes), one every sample_interval_s.
  struct SutMemory {
    bool measured = false;
    bool includes_harness = false;  // in process: the harness's own memory is in the figures
    uint64_t peak_rss_bytes = 0, rss_bytes = 0, baseline_rss_bytes = 0;
    std::string source;
    std::vector<std::pair<double, uint64_t>> samples;
    double sample_interval_s = 0;
  } sut_memory;
};

// A malformed run-directory file: what() is "FILE:LINE: what was expected".
class FormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// trace.json holds the first this many queries (by start), so it stays loadable in Perfetto.
constexpr size_t kTraceMaxQueries = 100000;

// Writes every file of the run directory (creating `dir`), manifest.json last. Throws
// std::runtime_error naming the file on an I/O failure. With `events_sha256` set, events.jsonl
// was already streamed into `dir` during the run (EventsWriter) and is only sealed.
void write_run_directory(const std::string& dir, const RunLog& log, const Metrics& m,
                         const AccuracyResult* accuracy, const RunContext& ctx,
                         const std::string& events_sha256 = "");

// Individual writers/readers (the checker uses the readers).
void write_events_jsonl(const std::string& path, const RunLog& log);
void write_accuracy_jsonl(const std::string& path, const RunLog& log);
RunLog read_run_log(const std::string& events_path, const std::string& accuracy_path);

}  // namespace edubench::runlog
