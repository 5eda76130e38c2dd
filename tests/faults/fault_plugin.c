/* Misbehaving SUT plugins for the fault tests: one source, one fault per build, chosen by
 * -DFAULT_<NAME>. Each serves the echo workload (synchronously, like echo_c) and breaks the
 * contract in exactly one way. The honest stress case lives in fault_many_threads.c. */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include <edubench/sut_api.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct fault_sut {
  const edu_host* host;
  unsigned long issued;
} fault_sut;

static __attribute__((unused)) void set_err(char* err, size_t cap, const char* msg) {
  if (err && cap) {
    strncpy(err, msg, cap - 1);
    err[cap - 1] = '\0';
  }
}

static edu_status f_create(const edu_host* host, const char* workload, const edu_kv* cfg,
                           size_t n_cfg, void** out_sut, char* err, size_t err_cap) {
  fault_sut* s;
  (void)workload, (void)cfg, (void)n_cfg;
#ifdef FAULT_CREATE_FAILS
  (void)host, (void)out_sut, (void)s;
  set_err(err, err_cap, "no accelerator found: this SUT needs a GPU");
  return EDU_ERR_UNSUPPORTED;
#else
  (void)err, (void)err_cap;
  s = (fault_sut*)calloc(1, sizeof *s);
  if (!s) return EDU_ERR_INTERNAL;
  s->host = host;
  *out_sut = s;
  return EDU_OK;
#endif
}

static __attribute__((unused)) void echo_one(const edu_host* h, uint64_t id, const edu_sample* in) {
  edu_response r;
  r.struct_size = sizeof r;
  r.tokens = in->tokens;
  r.n_tokens = in->n_tokens;
  r.text = in->text;
  r.text_len = in->text_len;
  h->complete(h->ctx, id, &r);
}

static edu_status f_issue(void* sut, const edu_query* q, size_t n) {
  fault_sut* s = (fault_sut*)sut;
  size_t i;
#if defined(FAULT_HANG_IN_ISSUE)
  (void)s, (void)q, (void)n, (void)i;
  for (;;) sleep(1);
  return EDU_OK;
#else
#if defined(FAULT_SLOW_ISSUE)
  /* Blocks the load generator for 200 ms in every call, then answers: the harness lag guard's
   * case (a SUT that does its work inside issue() instead of queueing it). */
  {
    struct timespec d = {0, 200000000L};
    nanosleep(&d, NULL);
  }
#endif
  for (i = 0; i < n; ++i, ++s->issued) {
#if defined(FAULT_NEVER_COMPLETES)
    if (s->issued == 3) continue; /* the fourth query is silently dropped */
#endif
#if defined(FAULT_UNKNOWN_ID)
    if (s->issued == 3) echo_one(s->host, q[i].id + 1000000, q[i].sample); /* then the real one */
#endif
    echo_one(s->host, q[i].id, q[i].sample);
#if defined(FAULT_COMPLETES_TWICE)
    if (s->issued == 3) echo_one(s->host, q[i].id, q[i].sample);
#endif
  }
  return EDU_OK;
#endif
}

static __attribute__((unused)) edu_status f_flush(void* sut) {
  (void)sut;
  return EDU_OK;
}

static void f_destroy(void* sut) { free(sut); }

#ifdef FAULT_WRONG_WORKLOAD
static const char* const f_workloads[] = {"kv_cache", NULL};
#else
static const char* const f_workloads[] = {"echo", NULL};
#endif

#ifdef FAULT_ABI_MAJOR
#define F_MAJOR 2
#else
#define F_MAJOR EDU_ABI_VERSION_MAJOR
#endif
#ifdef FAULT_SMALL_STRUCT
#define F_SIZE 8
#else
#define F_SIZE sizeof(edu_sut_api)
#endif
#ifdef FAULT_NULL_FUNCTION
#define F_FLUSH NULL
#else
#define F_FLUSH f_flush
#endif

static __attribute__((unused)) const edu_sut_api f_api = {F_SIZE,     F_MAJOR,  EDU_ABI_VERSION_MINOR, "fault", "0.0.1",
                                  f_workloads, f_create, f_issue,               F_FLUSH, f_destroy};

#ifdef FAULT_NO_ENTRY
/* Exports something, but not edu_sut_entry. */
EDU_EXPORT const edu_sut_api* edu_sut_entry_v2(uint32_t host_abi_major) {
  (void)host_abi_major;
  return &f_api;
}
#else
EDU_EXPORT const edu_sut_api* edu_sut_entry(uint32_t host_abi_major) {
#ifdef FAULT_ENTRY_NULL
  (void)host_abi_major;
  return NULL;
#else
  (void)host_abi_major; /* answers any host major: the harness must check abi_major itself */
  return &f_api;
#endif
}
#endif
