/* An echo SUT steered from outside by moody.txt next to its .so (the sandbox lets a worker
 * read its plugin's folder): the grade tests' plugin whose behaviour changes between runs.
 *   crash_until EPOCH_S  the first query of a run started before then waits until then and
 *                        aborts: a crash on the first attempt, a pass on the retry.
 *   service_us N         every query takes N microseconds: a slower re-run for --verify-top.
 *   alloc_mb N           create() allocates and touches N MiB and keeps it: memory the harness
 *                        must see in result.json's sut_memory.
 * Without the file it is an honest synchronous echo. */
#define _GNU_SOURCE /* dladdr */
#include <edubench/sut_api.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct moody {
  const edu_host* host;
  long crash_until, service_us, alloc_mb;
  int issued;
  char* ballast;
} moody;

static void read_moods(moody* m) {
  Dl_info info;
  char path[4096], key[64];
  const char* slash;
  long v;
  FILE* f;
  if (!dladdr((void*)&read_moods, &info) || !info.dli_fname) return;
  slash = strrchr(info.dli_fname, '/');
  if (!slash) return;
  snprintf(path, sizeof path, "%.*s/moody.txt", (int)(slash - info.dli_fname), info.dli_fname);
  f = fopen(path, "r");
  if (!f) return;
  while (fscanf(f, "%63s %ld", key, &v) == 2) {
    if (!strcmp(key, "crash_until")) m->crash_until = v;
    if (!strcmp(key, "service_us")) m->service_us = v;
    if (!strcmp(key, "alloc_mb")) m->alloc_mb = v;
  }
  fclose(f);
}

static edu_status m_create(const edu_host* host, const char* workload, const edu_kv* cfg, size_t n_cfg,
                           void** out, char* err, size_t err_cap) {
  moody* m;
  (void)workload, (void)cfg, (void)n_cfg, (void)err, (void)err_cap;
  m = (moody*)calloc(1, sizeof *m);
  if (!m) return EDU_ERR_INTERNAL;
  m->host = host;
  read_moods(m);
  if (m->alloc_mb > 0) {
    const size_t n = (size_t)m->alloc_mb << 20;
    m->ballast = (char*)malloc(n);
    if (!m->ballast) {
      free(m);
      return EDU_ERR_INTERNAL;
    }
    memset(m->ballast, 1, n); /* resident, not only reserved */
  }
  *out = m;
  return EDU_OK;
}

static edu_status m_issue(void* sut, const edu_query* q, size_t n) {
  moody* m = (moody*)sut;
  size_t i;
  if (!m->issued++ && m->crash_until) {
    time_t now = time(NULL);
    if (now < m->crash_until) {
      sleep((unsigned)(m->crash_until - now));
      abort();
    }
  }
  for (i = 0; i < n; ++i) {
    edu_response r;
    if (m->service_us) {
      struct timespec d = {m->service_us / 1000000, (m->service_us % 1000000) * 1000};
      nanosleep(&d, NULL);
    }
    r.struct_size = sizeof r;
    r.tokens = q[i].sample->tokens;
    r.n_tokens = q[i].sample->n_tokens;
    r.text = q[i].sample->text;
    r.text_len = q[i].sample->text_len;
    m->host->complete(m->host->ctx, q[i].id, &r);
  }
  return EDU_OK;
}

static edu_status m_flush(void* sut) {
  (void)sut;
  return EDU_OK;
}

static void m_destroy(void* sut) {
  moody* m = (moody*)sut;
  free(m->ballast);
  free(m);
}

static const char* const m_workloads[] = {"echo", NULL};
static const edu_sut_api m_api = {sizeof(edu_sut_api), EDU_ABI_VERSION_MAJOR, EDU_ABI_VERSION_MINOR, "fault_moody",
                                  "0.0.1", m_workloads, m_create, m_issue, m_flush, m_destroy};

EDU_EXPORT const edu_sut_api* edu_sut_entry(uint32_t host_abi_major) {
  (void)host_abi_major;
  return &m_api;
}
