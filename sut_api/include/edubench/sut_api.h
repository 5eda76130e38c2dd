/* edubench SUT ABI, version 1: the one C header a System Under Test is written against.
 * Valid C99 and C++17. Fields are only ever appended; read struct_size before touching
 * a field that a later minor version added. See docs/writing-a-sut.md. */
#ifndef EDUBENCH_SUT_API_H
#define EDUBENCH_SUT_API_H

#include <stddef.h>
#include <stdint.h>

#define EDU_ABI_VERSION_MAJOR 1
#define EDU_ABI_VERSION_MINOR 0

#ifdef __cplusplus
#define EDU_EXTERN_C extern "C"
#else
#define EDU_EXTERN_C
#endif
#if defined(_WIN32)
#define EDU_EXPORT EDU_EXTERN_C __declspec(dllexport)
#else
#define EDU_EXPORT EDU_EXTERN_C __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Status of every call that can fail. EDU_OK is 0; values are append only. */
typedef int32_t edu_status;
#define EDU_OK 0
#define EDU_ERR_INVALID_ARGUMENT 1 /* a NULL, malformed or out-of-range argument */
#define EDU_ERR_UNSUPPORTED 2      /* the workload, option or host version is not served */
#define EDU_ERR_NOT_FOUND 3        /* unknown query id, tool or key */
#define EDU_ERR_BUFFER_TOO_SMALL 4 /* the output did not fit; the needed size is reported */
#define EDU_ERR_TIMEOUT 5          /* the operation ran out of time */
#define EDU_ERR_INTERNAL 6         /* anything else; a message says what */

/* Log levels for edu_host.log. */
#define EDU_LOG_DEBUG 0
#define EDU_LOG_INFO 1
#define EDU_LOG_WARNING 2
#define EDU_LOG_ERROR 3

/* One configuration entry: the registry's sut_config merged with --sut-opt key=value.
 * Both strings are NUL-terminated UTF-8 owned by the harness, valid during create only. */
typedef struct edu_kv {
  const char* key;
  const char* value;
} edu_kv;

/* One sample of the data set: a prompt, a question or a task.
 * Owned by the harness; valid until the query that carries it is completed. */
typedef struct edu_sample {
  uint32_t struct_size;    /* sizeof(edu_sample) as the harness compiled it */
  uint64_t index;          /* index of the sample in the workload's data set */
  const char* text;        /* UTF-8, NUL-terminated, text_len bytes before the NUL */
  size_t text_len;
  const int32_t* tokens;   /* token ids from the workload's tokenizer, or NULL */
  size_t n_tokens;         /* 0 when the workload has no registered tokenizer */
  uint32_t max_new_tokens; /* generation budget; 0 when the workload does not generate */
} edu_sample;

/* One query: the harness's handle for one sample in flight. */
typedef struct edu_query {
  uint32_t struct_size;
  uint64_t id;               /* echo it back to stream / complete / call_tool / run_code */
  const edu_sample* sample;  /* owned by the harness; valid until the query is completed */
} edu_query;

/* The answer to one query. Filled by the SUT; the harness copies it before complete
 * returns, so it may live on the SUT's stack. */
typedef struct edu_response {
  uint32_t struct_size;
  const int32_t* tokens; /* generated token ids (generation workloads), or NULL */
  size_t n_tokens;
  const char* text;      /* UTF-8 answer (echo, agents, code), or NULL; need not be NUL-terminated */
  size_t text_len;
} edu_response;

/* The verdict of one run_code call. Filled by the harness. */
typedef struct edu_exec_result {
  uint32_t struct_size;  /* set by the SUT to sizeof(edu_exec_result) before the call */
  int32_t passed;        /* 1 when every visible test passed */
  int32_t timed_out;     /* 1 when the wall-clock or CPU limit killed the code */
  const char* feedback;  /* owned by the harness: the first failing assertion, the exception,
                            or the crash; valid until the next run_code on the same query or
                            until that query is completed, whichever comes first */
  size_t feedback_len;
} edu_exec_result;

/* What the harness offers the SUT. Passed to create; the struct and every function in it
 * stay valid until destroy returns. Every function is [thread-safe]: it may be called from
 * any thread, concurrently, and returns in bounded time. */
typedef struct edu_host {
  uint32_t struct_size;
  uint32_t abi_major;
  uint32_t abi_minor;
  void* ctx; /* opaque; pass it back as the first argument of every function below */

  /* [thread-safe] New output tokens of a generation query exist now. The harness takes its
   * timestamp first thing: the first call is the time to first token, the gaps between calls
   * are inter-token latencies. The tokens of all calls, in order, must equal the response's
   * tokens. `tokens` is owned by the SUT and read during the call only.
   * Returns EDU_ERR_NOT_FOUND for an unknown or already completed query. */
  edu_status (*stream)(void* ctx, uint64_t query_id, const int32_t* tokens, size_t n_tokens);

  /* [thread-safe] The query is done. The harness takes its timestamp first thing and copies
   * the response before returning; `response` and everything it points to stay owned by the
   * SUT. Completing an unknown or already completed id returns EDU_ERR_NOT_FOUND and is
   * logged as a run error. After this call the query's sample may be freed by the harness. */
  edu_status (*complete)(void* ctx, uint64_t query_id, const edu_response* response);

  /* [thread-safe] Agent workloads: run the harness's tool `tool` (NUL-terminated) on `arg`
   * (NUL-terminated UTF-8), time it, log it in the query's trace and write the observation
   * (UTF-8, NUL-terminated when it fits) into `out` (owned by the SUT, out_cap bytes).
   * `*out_len` receives the observation's length without the NUL. When it does not fit,
   * returns EDU_ERR_BUFFER_TOO_SMALL with *out_len set and nothing logged, so the SUT may retry
   * with a larger buffer. Unknown tool: EDU_ERR_NOT_FOUND. A bad argument is not an error
   * status: it yields an observation that starts with "error:". */
  edu_status (*call_tool)(void* ctx, uint64_t query_id, const char* tool, const char* arg,
                          char* out, size_t out_cap, size_t* out_len);

  /* [thread-safe] Code-generation workloads: run `code` (code_len bytes of UTF-8, owned by the
   * SUT, read during the call only) in the harness's sandbox against the query's visible tests
   * and fill `*result` (see edu_exec_result for the lifetime of its feedback). Blocks until the
   * sandbox's verdict, bounded by the registry's time limit. */
  edu_status (*run_code)(void* ctx, uint64_t query_id, const char* code, size_t code_len,
                         edu_exec_result* result);

  /* [thread-safe] A SUT-side figure for one query ("drafted_tokens", "accepted_tokens",
   * "kv_cache_bytes", "model_ms", ...). `metric` is NUL-terminated, read during the call only.
   * Aggregated per metric in the results; never trusted for validity. */
  void (*report)(void* ctx, uint64_t query_id, const char* metric, double value);

  /* [thread-safe] One line of the plugin's own log (EDU_LOG_* level), written into the run's
   * detail log. `message` is NUL-terminated, read during the call only. */
  void (*log)(void* ctx, int32_t level, const char* message);
} edu_host;

/* What the plugin provides: a static, immutable description that outlives every instance. */
typedef struct edu_sut_api {
  uint32_t struct_size; /* sizeof(edu_sut_api) as the plugin compiled it */
  uint32_t abi_major;   /* EDU_ABI_VERSION_MAJOR the plugin was built against */
  uint32_t abi_minor;
  const char* name;     /* UTF-8, static: shown in every report */
  const char* version;  /* UTF-8, static */
  const char* const* workloads; /* static, NULL-terminated list of workload ids served */

  /* [main-thread] Build one instance for `workload`. `host` stays valid until destroy returns;
   * `workload` and `cfg` (n_cfg entries) are owned by the harness and valid during the call
   * only. On success store the instance in *out_sut and return EDU_OK. On failure return a
   * status and write a NUL-terminated one-line message into `err` (err_cap bytes, owned by the
   * harness); *out_sut is then ignored. */
  edu_status (*create)(const edu_host* host, const char* workload, const edu_kv* cfg,
                       size_t n_cfg, void** out_sut, char* err, size_t err_cap);

  /* [issue-thread] Hand the SUT n queries (the array is owned by the harness and valid during
   * the call only; copy what you keep; each query's sample lives until it is completed). The
   * SUT may complete them before returning or later from any thread. It must not block on
   * anything but its own work. A non-OK status aborts the run as a plugin failure. Calls are
   * never concurrent with each other, with flush or with destroy. */
  edu_status (*issue)(void* sut, const edu_query* queries, size_t n);

  /* [issue-thread] No more queries are coming soon: finish what is pending. */
  edu_status (*flush)(void* sut);

  /* [main-thread] Free the instance. Called once, after every query completed or the run was
   * aborted; the host's functions may still be called until it returns, not after. */
  void (*destroy)(void* sut);
} edu_sut_api;

/* The one symbol a plugin exports. Returns the plugin's static description, or NULL when it
 * cannot serve a host of major version `host_abi_major`. [main-thread], called before create. */
EDU_EXPORT const edu_sut_api* edu_sut_entry(uint32_t host_abi_major);

/* The entry point's type and name, for hosts that look it up with dlsym. */
typedef const edu_sut_api* (*edu_sut_entry_fn)(uint32_t host_abi_major);
#define EDU_SUT_ENTRY_SYMBOL "edu_sut_entry"

#ifdef __cplusplus
}
#endif

#endif /* EDUBENCH_SUT_API_H */
