// The edu_host handed to a plugin: C trampolines onto the query table and the harness-owned
// agent services (tools, code sandbox). Nothing thrown here ever reaches the plugin.
#pragma once

#include "query_table.hpp"

#include <edubench/hostsvc/sandbox.hpp>
#include <edubench/registry/registry.hpp>
#include <edubench/sut_api.h>

#include <vector>

namespace edubench::harness {

class HostBridge {
 public:
  // `samples[query's sample_index]` gives run_code the visible tests; both must outlive this.
  // `code_limits`: the sandbox of run_code (runlog::code_limits of the run's settings).
  HostBridge(QueryTable& table, const std::vector<registry::Sample>& samples,
             const hostsvc::SandboxLimits& code_limits = {});
  const edu_host* host() const { return &host_; }

 private:
  static edu_status stream(void* ctx, uint64_t id, const int32_t* tokens, size_t n);
  static edu_status complete(void* ctx, uint64_t id, const edu_response* r);
  static edu_status call_tool(void* ctx, uint64_t id, const char* tool, const char* arg, char* out,
                              size_t out_cap, size_t* out_len);
  static edu_status run_code(void* ctx, uint64_t id, const char* code, size_t code_len,
                             edu_exec_result* result);
  static void report(void* ctx, uint64_t id, const char* metric, double value);
  static void log(void* ctx, int32_t level, const char* message);

  edu_status do_call_tool(uint64_t id, const char* tool, const char* arg, char* out,
                          size_t out_cap, size_t* out_len);
  edu_status do_run_code(uint64_t id, const char* code, size_t code_len, edu_exec_result* result);

  QueryTable& table_;
  const std::vector<registry::Sample>& samples_;
  hostsvc::SandboxLimits code_limits_;
  edu_host host_{};
};

}  // namespace edubench::harness
