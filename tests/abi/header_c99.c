/* sut_api.h must compile as strict C99 (-std=c99 -pedantic -Wall -Wextra -Werror), and a plugin
 * written in C must be able to fill every struct and function pointer without a cast. The
 * layout checks below fail the build if a field moves: field order is part of the ABI. */
#include <edubench/sut_api.h>

#include <stddef.h>

/* C99 has no _Static_assert: a negative array size is a compile error. */
#define EDU_CHECK(name, cond) typedef char edu_check_##name[(cond) ? 1 : -1]

EDU_CHECK(version, EDU_ABI_VERSION_MAJOR == 1 && EDU_ABI_VERSION_MINOR == 0);
EDU_CHECK(statuses, EDU_OK == 0 && EDU_ERR_INVALID_ARGUMENT == 1 && EDU_ERR_UNSUPPORTED == 2 &&
                        EDU_ERR_NOT_FOUND == 3 && EDU_ERR_BUFFER_TOO_SMALL == 4 &&
                        EDU_ERR_TIMEOUT == 5 && EDU_ERR_INTERNAL == 6);
EDU_CHECK(status_is_int32, sizeof(edu_status) == 4 && (edu_status)-1 < 0);
EDU_CHECK(sample_first, offsetof(edu_sample, struct_size) == 0);
EDU_CHECK(sample_order, offsetof(edu_sample, index) < offsetof(edu_sample, text) &&
                            offsetof(edu_sample, text) < offsetof(edu_sample, text_len) &&
                            offsetof(edu_sample, text_len) < offsetof(edu_sample, tokens) &&
                            offsetof(edu_sample, tokens) < offsetof(edu_sample, n_tokens) &&
                            offsetof(edu_sample, n_tokens) < offsetof(edu_sample, max_new_tokens));
EDU_CHECK(query_first, offsetof(edu_query, struct_size) == 0);
EDU_CHECK(query_order, offsetof(edu_query, id) < offsetof(edu_query, sample));
EDU_CHECK(response_first, offsetof(edu_response, struct_size) == 0);
EDU_CHECK(response_order, offsetof(edu_response, tokens) < offsetof(edu_response, n_tokens) &&
                              offsetof(edu_response, n_tokens) < offsetof(edu_response, text) &&
                              offsetof(edu_response, text) < offsetof(edu_response, text_len));
EDU_CHECK(exec_first, offsetof(edu_exec_result, struct_size) == 0);
EDU_CHECK(exec_order, offsetof(edu_exec_result, passed) < offsetof(edu_exec_result, timed_out) &&
                          offsetof(edu_exec_result, timed_out) < offsetof(edu_exec_result, feedback) &&
                          offsetof(edu_exec_result, feedback) < offsetof(edu_exec_result, feedback_len));
EDU_CHECK(host_first, offsetof(edu_host, struct_size) == 0);
EDU_CHECK(host_order, offsetof(edu_host, abi_major) < offsetof(edu_host, abi_minor) &&
                          offsetof(edu_host, abi_minor) < offsetof(edu_host, ctx) &&
                          offsetof(edu_host, ctx) < offsetof(edu_host, stream) &&
                          offsetof(edu_host, stream) < offsetof(edu_host, complete) &&
                          offsetof(edu_host, complete) < offsetof(edu_host, call_tool) &&
                          offsetof(edu_host, call_tool) < offsetof(edu_host, run_code) &&
                          offsetof(edu_host, run_code) < offsetof(edu_host, report) &&
                          offsetof(edu_host, report) < offsetof(edu_host, log));
EDU_CHECK(api_first, offsetof(edu_sut_api, struct_size) == 0);
EDU_CHECK(api_order, offsetof(edu_sut_api, abi_major) < offsetof(edu_sut_api, abi_minor) &&
                         offsetof(edu_sut_api, abi_minor) < offsetof(edu_sut_api, name) &&
                         offsetof(edu_sut_api, name) < offsetof(edu_sut_api, version) &&
                         offsetof(edu_sut_api, version) < offsetof(edu_sut_api, workloads) &&
                         offsetof(edu_sut_api, workloads) < offsetof(edu_sut_api, create) &&
                         offsetof(edu_sut_api, create) < offsetof(edu_sut_api, issue) &&
                         offsetof(edu_sut_api, issue) < offsetof(edu_sut_api, flush) &&
                         offsetof(edu_sut_api, flush) < offsetof(edu_sut_api, destroy));

/* A C plugin's functions, with exactly the contract's signatures. */
static edu_status c_create(const edu_host* host, const char* workload, const edu_kv* cfg,
                           size_t n_cfg, void** out_sut, char* err, size_t err_cap) {
  (void)workload, (void)cfg, (void)n_cfg, (void)err, (void)err_cap;
  *out_sut = (void*)host->ctx;
  return EDU_OK;
}
static edu_status c_issue(void* sut, const edu_query* queries, size_t n) {
  (void)sut, (void)queries, (void)n;
  return EDU_OK;
}
static edu_status c_flush(void* sut) {
  (void)sut;
  return EDU_OK;
}
static void c_destroy(void* sut) { (void)sut; }

static const char* const c_workloads[] = {"echo", NULL};
static const edu_sut_api c_api = {sizeof(edu_sut_api), EDU_ABI_VERSION_MAJOR, EDU_ABI_VERSION_MINOR,
                                  "c99-check",         "1.0",                 c_workloads,
                                  c_create,            c_issue,               c_flush,
                                  c_destroy};

/* Not named edu_sut_entry (the test executable has its own), but of the entry's type. */
static const edu_sut_api* c_entry(uint32_t host_abi_major) {
  return host_abi_major == EDU_ABI_VERSION_MAJOR ? &c_api : NULL;
}
const edu_sut_entry_fn edubench_c99_entry = c_entry;
