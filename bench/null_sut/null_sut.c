/* null SUT: completes every query inside issue() with an empty response, so a run measures
 * the harness alone (issue path, completion path, scheduler). Serves the echo workload's data
 * set; its accuracy is meaningless by design, so use it in performance mode only. */
#include <edubench/sut_api.h>

#include <stdlib.h>

static edu_status null_create(const edu_host* host, const char* workload, const edu_kv* cfg,
                              size_t n_cfg, void** out_sut, char* err, size_t err_cap) {
  (void)workload, (void)cfg, (void)n_cfg, (void)err, (void)err_cap;
  *out_sut = (void*)host;
  return EDU_OK;
}

static edu_status null_issue(void* sut, const edu_query* queries, size_t n) {
  const edu_host* host = (const edu_host*)sut;
  edu_response r = {sizeof(edu_response), NULL, 0, NULL, 0};
  size_t i;
  for (i = 0; i < n; ++i) host->complete(host->ctx, queries[i].id, &r);
  return EDU_OK;
}

static edu_status null_flush(void* sut) { (void)sut; return EDU_OK; }
static void null_destroy(void* sut) { (void)sut; }

static const char* const null_workloads[] = {"echo", NULL};
static const edu_sut_api null_api = {sizeof(edu_sut_api), EDU_ABI_VERSION_MAJOR,
                                     EDU_ABI_VERSION_MINOR, "null", "1.0.0", null_workloads,
                                     null_create, null_issue, null_flush, null_destroy};

EDU_EXPORT const edu_sut_api* edu_sut_entry(uint32_t host_abi_major) {
  return host_abi_major == EDU_ABI_VERSION_MAJOR ? &null_api : NULL;
}
