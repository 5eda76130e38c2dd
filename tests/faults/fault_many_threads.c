/* An HONEST asynchronous SUT under stress: issue() only queues the queries; a pool of worker
 * threads completes them later, many at the same moment, from threads the harness never saw.
 * The contract allows completions from any thread at any rate, so every run must end VALID.
 * Workers take one query at a time and call complete() outside the queue lock, so completions
 * really overlap.
 * Built with SERVICE_US (the fixed_rate SUT of the peak-search tests): one worker that spends
 * SERVICE_US microseconds on each query, a server of known capacity 1e6 / SERVICE_US queries/s. */
#include <edubench/sut_api.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef SERVICE_US
enum { kWorkers = 1 };
#else
enum { kWorkers = 8 };
#endif

typedef struct pool_item {
  uint64_t id;
  const edu_sample* sample; /* valid until the query is completed (sut_api.h) */
} pool_item;

typedef struct pool_sut {
  const edu_host* host;
  pthread_t workers[kWorkers];
  size_t n_workers;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  pool_item* items; /* ring buffer */
  size_t cap, head, count;
  int stopping;
} pool_sut;

static void set_err(char* err, size_t cap, const char* msg) {
  if (err && cap) {
    strncpy(err, msg, cap - 1);
    err[cap - 1] = '\0';
  }
}

static void* worker(void* arg) {
  pool_sut* s = (pool_sut*)arg;
  for (;;) {
    pool_item it;
    edu_response r;
    pthread_mutex_lock(&s->mu);
    while (s->count == 0 && !s->stopping) pthread_cond_wait(&s->cv, &s->mu);
    if (s->count == 0) { /* stopping and drained */
      pthread_mutex_unlock(&s->mu);
      return NULL;
    }
    it = s->items[s->head];
    s->head = (s->head + 1) % s->cap;
    --s->count;
    pthread_mutex_unlock(&s->mu);
#ifdef SERVICE_US
    {
      struct timespec t = {0, SERVICE_US * 1000L};
      nanosleep(&t, NULL);
    }
#endif
    r.struct_size = sizeof r;
    r.tokens = it.sample->tokens;
    r.n_tokens = it.sample->n_tokens;
    r.text = it.sample->text;
    r.text_len = it.sample->text_len;
    s->host->complete(s->host->ctx, it.id, &r);
  }
}

/* Grows the ring to hold `need` items; called with the lock held. */
static int reserve(pool_sut* s, size_t need) {
  size_t cap = s->cap ? s->cap : 64, i;
  pool_item* grown;
  if (need <= s->cap) return 1;
  while (cap < need) cap *= 2;
  grown = (pool_item*)malloc(cap * sizeof *grown);
  if (!grown) return 0;
  for (i = 0; i < s->count; ++i) grown[i] = s->items[(s->head + i) % s->cap];
  free(s->items);
  s->items = grown;
  s->cap = cap;
  s->head = 0;
  return 1;
}

static void stop_workers(pool_sut* s) {
  size_t i;
  pthread_mutex_lock(&s->mu);
  s->stopping = 1;
  pthread_cond_broadcast(&s->cv);
  pthread_mutex_unlock(&s->mu);
  for (i = 0; i < s->n_workers; ++i) pthread_join(s->workers[i], NULL);
}

static void pool_destroy(void* sut) {
  pool_sut* s = (pool_sut*)sut;
  stop_workers(s);
  pthread_cond_destroy(&s->cv);
  pthread_mutex_destroy(&s->mu);
  free(s->items);
  free(s);
}

static edu_status pool_create(const edu_host* host, const char* workload, const edu_kv* cfg,
                              size_t n_cfg, void** out_sut, char* err, size_t err_cap) {
  pool_sut* s;
  (void)workload, (void)cfg, (void)n_cfg;
  s = (pool_sut*)calloc(1, sizeof *s);
  if (!s) {
    set_err(err, err_cap, "out of memory");
    return EDU_ERR_INTERNAL;
  }
  s->host = host;
  pthread_mutex_init(&s->mu, NULL);
  pthread_cond_init(&s->cv, NULL);
  for (s->n_workers = 0; s->n_workers < kWorkers; ++s->n_workers) {
    if (pthread_create(&s->workers[s->n_workers], NULL, worker, s) != 0) {
      pool_destroy(s);
      set_err(err, err_cap, "cannot start the worker threads");
      return EDU_ERR_INTERNAL;
    }
  }
  *out_sut = s;
  return EDU_OK;
}

static edu_status pool_issue(void* sut, const edu_query* q, size_t n) {
  pool_sut* s = (pool_sut*)sut;
  size_t i;
  pthread_mutex_lock(&s->mu);
  if (!reserve(s, s->count + n)) {
    pthread_mutex_unlock(&s->mu);
    return EDU_ERR_INTERNAL;
  }
  for (i = 0; i < n; ++i) {
    pool_item* it = &s->items[(s->head + s->count) % s->cap];
    it->id = q[i].id;
    it->sample = q[i].sample;
    ++s->count;
  }
  pthread_cond_broadcast(&s->cv);
  pthread_mutex_unlock(&s->mu);
  return EDU_OK;
}

static edu_status pool_flush(void* sut) {
  (void)sut; /* the workers drain the queue on their own */
  return EDU_OK;
}

static const char* const pool_workloads[] = {"echo", NULL};
static const edu_sut_api pool_api = {sizeof(edu_sut_api), EDU_ABI_VERSION_MAJOR,
                                     EDU_ABI_VERSION_MINOR, "fault_many_threads",
                                     "0.0.1",              pool_workloads,
                                     pool_create,          pool_issue,
                                     pool_flush,           pool_destroy};

EDU_EXPORT const edu_sut_api* edu_sut_entry(uint32_t host_abi_major) {
  return host_abi_major == EDU_ABI_VERSION_MAJOR ? &pool_api : NULL;
}
