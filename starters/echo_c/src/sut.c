/* An echo SUT in plain C99 against sut_api.h alone (from edubench's echo starter): the response
 * is the prompt; its tokens are streamed first, so TTFT and the token checks have something to
 * look at. Synchronous: every query completes inside issue(). */
#include <edubench/sut_api.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SUT_NAME
#define SUT_NAME "echo_starter" /* CMakeLists.txt sets it to the project's name */
#endif

typedef struct echo_sut {
  const edu_host* host;
  int stream_tokens; /* option stream=on|off (--sut-opt stream=off) */
} echo_sut;

static void set_err(char* err, size_t cap, const char* msg) {
  if (err && cap) {
    strncpy(err, msg, cap - 1);
    err[cap - 1] = '\0';
  }
}

static edu_status echo_create(const edu_host* host, const char* workload, const edu_kv* cfg,
                              size_t n_cfg, void** out_sut, char* err, size_t err_cap) {
  size_t i;
  echo_sut* s;
  if (!host || !workload || !out_sut) {
    set_err(err, err_cap, "create: NULL host, workload or out_sut");
    return EDU_ERR_INVALID_ARGUMENT;
  }
  if (strcmp(workload, "echo") != 0) {
    set_err(err, err_cap, SUT_NAME " serves only the echo workload");
    return EDU_ERR_UNSUPPORTED;
  }
  s = (echo_sut*)calloc(1, sizeof *s);
  if (!s) {
    set_err(err, err_cap, "out of memory");
    return EDU_ERR_INTERNAL;
  }
  s->host = host;
  s->stream_tokens = 1;
  for (i = 0; i < n_cfg; ++i) {
    /* An option this SUT does not know is an error, not a silent no-op: a typo shows. */
    if (strcmp(cfg[i].key, "stream") == 0 && strcmp(cfg[i].value, "off") == 0) {
      s->stream_tokens = 0;
    } else if (strcmp(cfg[i].key, "stream") == 0 && strcmp(cfg[i].value, "on") == 0) {
      s->stream_tokens = 1;
    } else {
      char msg[256];
      snprintf(msg, sizeof msg, "unknown option %s=%s (known: stream=on|off)", cfg[i].key, cfg[i].value);
      set_err(err, err_cap, msg);
      free(s);
      return EDU_ERR_INVALID_ARGUMENT;
    }
  }
  *out_sut = s;
  return EDU_OK;
}

/* TODO(lab): stream in several calls, or hand the queries to a worker thread and return. */
static edu_status echo_issue(void* sut, const edu_query* queries, size_t n) {
  echo_sut* s = (echo_sut*)sut;
  size_t i;
  for (i = 0; i < n; ++i) {
    const edu_sample* in = queries[i].sample;
    edu_response r;
    edu_status st;
    if (s->stream_tokens && in->n_tokens > 0) {
      st = s->host->stream(s->host->ctx, queries[i].id, in->tokens, in->n_tokens);
      if (st != EDU_OK) return st;
    }
    r.struct_size = sizeof r;
    r.tokens = in->tokens;
    r.n_tokens = in->n_tokens;
    r.text = in->text;
    r.text_len = in->text_len;
    st = s->host->complete(s->host->ctx, queries[i].id, &r); /* the harness copies r */
    if (st != EDU_OK) return st;
  }
  return EDU_OK;
}

static edu_status echo_flush(void* sut) {
  (void)sut; /* synchronous: nothing is pending */
  return EDU_OK;
}

static void echo_destroy(void* sut) { free(sut); }

static const char* const echo_workloads[] = {"echo", NULL};

static const edu_sut_api echo_api = {
    sizeof(edu_sut_api), EDU_ABI_VERSION_MAJOR, EDU_ABI_VERSION_MINOR,
    SUT_NAME,           "0.1.0",               echo_workloads,
    echo_create,        echo_issue,            echo_flush,
    echo_destroy};

EDU_EXPORT const edu_sut_api* edu_sut_entry(uint32_t host_abi_major) {
  return host_abi_major == EDU_ABI_VERSION_MAJOR ? &echo_api : NULL;
}
