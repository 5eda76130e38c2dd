/* A cheating SUT for the compliance tests of the model workloads: it wraps an honest plugin
 * (--sut-opt inner=PATH.so; every other option goes to that plugin) and caches answers by
 * prompt. A prompt answered before is answered at once from the cache; a prompt already in
 * flight waits for that query's answer instead of being computed again. Answers are the honest
 * plugin's, so accuracy and TEST01 hold; TEST04 must catch it (the same-sample audit does one
 * query's work). The name starts with cheat_, so `edubench list` never offers it.
 *
 * Built with -DCHEAT_TIMED_TRUNCATE or -DCHEAT_TIMED_PERTURB it caches nothing and instead
 * spoils the answers of the timed runs only, told apart from the accuracy run by its order
 * (the accuracy run issues sample 0, 1, 2, ... in turn): TRUNCATE keeps half of each answer's
 * tokens (TEST09's case: a faster run with shorter answers), PERTURB changes every tenth token
 * (TEST07's case). Streams are spoiled alike, so the stream rules still hold. */
#include <edubench/sut_api.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
  uint64_t hash;     /* of the prompt's text and tokens */
  uint64_t leader;   /* the query computing it */
  int done;
  int32_t* tokens;   /* the answer, once done */
  size_t n_tokens;
  char* text;
  size_t text_len;
  uint64_t* waiting; /* queries with the same prompt issued while it was in flight */
  size_t n_waiting, cap_waiting;
} entry;

typedef struct wrap {
  const edu_host* host; /* the harness's */
  edu_host inner_host;  /* ours, handed to the inner plugin */
  void* lib;
  const edu_sut_api* inner;
  void* inner_sut;
  pthread_mutex_t mu;
  entry* entries;
  size_t n_entries, cap_entries;
  uint64_t next_index; /* the accuracy run's next sample, while the order holds */
  int timed;           /* the order broke: a performance run */
  struct spoilt { uint64_t id; size_t streamed; int used; } * spoilt; /* per query, open addressing */
} wrap;

#define SPOILT_CAP (1u << 18)
#if defined(CHEAT_TIMED_TRUNCATE) || defined(CHEAT_TIMED_PERTURB)
#define CHEAT_TIMED 1
#endif

/* The slot of query `id` (timed runs only), created on first use; NULL when full. */
static __attribute__((unused)) struct spoilt* spoilt_of(wrap* w, uint64_t id) {
  size_t i, k;
  if (!w->timed || !w->spoilt) return NULL;
  for (k = 0, i = (size_t)(id * 11400714819323198485ull) & (SPOILT_CAP - 1); k < SPOILT_CAP;
       ++k, i = (i + 1) & (SPOILT_CAP - 1)) {
    if (w->spoilt[i].used && w->spoilt[i].id == id) return &w->spoilt[i];
    if (!w->spoilt[i].used) {
      w->spoilt[i].used = 1;
      w->spoilt[i].id = id;
      return &w->spoilt[i];
    }
  }
  return NULL;
}

/* Spoils tokens [from, from + n) of a timed answer in place; returns how many to keep. */
static __attribute__((unused)) size_t spoil(int32_t* t, size_t from, size_t n, size_t cap) {
#ifdef CHEAT_TIMED_TRUNCATE
  (void)t;
  return from >= cap ? 0 : (from + n > cap ? cap - from : n);
#else
  size_t i;
  (void)cap;
  for (i = 0; i < n; ++i)
    if ((from + i) % 10 == 0) t[i] = t[i] == 'e' ? 'a' : 'e';
  return n;
#endif
}

static uint64_t prompt_hash(const edu_sample* s) {
  uint64_t h = 1469598103934665603ull;
  size_t i;
  for (i = 0; i < s->text_len; ++i) h = (h ^ (unsigned char)s->text[i]) * 1099511628211ull;
  for (i = 0; i < s->n_tokens; ++i) h = (h ^ (uint32_t)s->tokens[i]) * 1099511628211ull;
  return h;
}

/* Called with mu held. */
static entry* find_hash(wrap* w, uint64_t h) {
  size_t i;
  for (i = 0; i < w->n_entries; ++i)
    if (w->entries[i].hash == h) return &w->entries[i];
  return NULL;
}

static entry* find_leader(wrap* w, uint64_t id) {
  size_t i;
  for (i = 0; i < w->n_entries; ++i)
    if (!w->entries[i].done && w->entries[i].leader == id) return &w->entries[i];
  return NULL;
}

static int grow(void** p, size_t* cap, size_t need, size_t elem) {
  size_t c = *cap ? *cap : 16;
  void* q;
  if (need <= *cap) return 1;
  while (c < need) c *= 2;
  q = realloc(*p, c * elem);
  if (!q) return 0;
  *p = q;
  *cap = c;
  return 1;
}

/* Answers `id` with a cached response: all tokens in one stream call, then complete. */
static edu_status answer(wrap* w, uint64_t id, const int32_t* tokens, size_t n_tokens, const char* text,
                         size_t text_len) {
  edu_response r;
  if (n_tokens > 0) {
    edu_status st = w->host->stream(w->host->ctx, id, tokens, n_tokens);
    if (st != EDU_OK) return st;
  }
  r.struct_size = sizeof r;
  r.tokens = tokens;
  r.n_tokens = n_tokens;
  r.text = text;
  r.text_len = text_len;
  return w->host->complete(w->host->ctx, id, &r);
}

static __attribute__((unused)) edu_status complete_and_cache(wrap* w, uint64_t id, const edu_response* r);

/* The inner plugin's callbacks: forwarded to the harness; a completion also fills the cache
 * and answers the queries that waited for it. */
static edu_status h_stream(void* ctx, uint64_t id, const int32_t* t, size_t n) {
  wrap* w = (wrap*)ctx;
#ifdef CHEAT_TIMED
  struct spoilt* q;
  pthread_mutex_lock(&w->mu);
  q = spoilt_of(w, id);
  pthread_mutex_unlock(&w->mu);
  if (q && n > 0) {
    int32_t* copy = (int32_t*)malloc(n * sizeof *copy);
    size_t keep;
    edu_status st = EDU_OK;
    if (!copy) return EDU_ERR_INTERNAL;
    memcpy(copy, t, n * sizeof *copy);
    keep = spoil(copy, q->streamed, n, 64);
    q->streamed += n;
    if (keep) st = w->host->stream(w->host->ctx, id, copy, keep);
    free(copy);
    return st;
  }
#endif
  return w->host->stream(w->host->ctx, id, t, n);
}

static edu_status h_complete(void* ctx, uint64_t id, const edu_response* r) {
  wrap* w = (wrap*)ctx;
#ifdef CHEAT_TIMED
  struct spoilt* q;
  pthread_mutex_lock(&w->mu);
  q = spoilt_of(w, id);
  pthread_mutex_unlock(&w->mu);
  if (q) {
    edu_response s = *r;
    int32_t* tokens = (int32_t*)malloc((r->n_tokens ? r->n_tokens : 1) * sizeof *tokens);
    char* text = (char*)malloc(r->n_tokens ? r->n_tokens : 1);
    size_t i;
    edu_status st;
    if (!tokens || !text) return free(tokens), free(text), EDU_ERR_INTERNAL;
    if (r->n_tokens) memcpy(tokens, r->tokens, r->n_tokens * sizeof *tokens);
    s.n_tokens = spoil(tokens, 0, r->n_tokens, 64);
    s.tokens = tokens;
    /* The byte tokenizer: the text is the tokens' bytes (any other text is passed on as it is). */
    if (r->text_len == r->n_tokens) {
      for (i = 0; i < s.n_tokens; ++i) text[i] = (char)tokens[i];
      s.text = text;
      s.text_len = s.n_tokens;
    }
    st = w->host->complete(w->host->ctx, id, &s);
    free(tokens);
    free(text);
    return st;
  }
  return w->host->complete(w->host->ctx, id, r);
#else
  return complete_and_cache(w, id, r);
#endif
}

/* The cache's completion: forwarded, then the answer cached and the waiting queries answered. */
static __attribute__((unused)) edu_status complete_and_cache(wrap* w, uint64_t id, const edu_response* r) {
  entry* e;
  uint64_t* waiting = NULL;
  size_t n_waiting = 0, n_tokens = 0, text_len = 0, i;
  int32_t* tokens = NULL;
  char* text = NULL;
  edu_status st = w->host->complete(w->host->ctx, id, r);
  pthread_mutex_lock(&w->mu);
  e = find_leader(w, id);
  if (e) {
    e->tokens = (int32_t*)malloc((r->n_tokens ? r->n_tokens : 1) * sizeof *e->tokens);
    e->text = (char*)malloc(r->text_len ? r->text_len : 1);
    if (e->tokens && e->text) {
      if (r->n_tokens) memcpy(e->tokens, r->tokens, r->n_tokens * sizeof *e->tokens);
      if (r->text_len) memcpy(e->text, r->text, r->text_len);
      e->n_tokens = r->n_tokens;
      e->text_len = r->text_len;
      e->done = 1;
      tokens = e->tokens;  /* copied out: issue() may move the entries meanwhile */
      text = e->text;
      n_tokens = e->n_tokens;
      text_len = e->text_len;
    }
    waiting = e->waiting;
    n_waiting = e->n_waiting;
    e->waiting = NULL;
    e->n_waiting = e->cap_waiting = 0;
  }
  pthread_mutex_unlock(&w->mu);
  /* A done entry's answer is never changed again, so it is read without the lock. */
  for (i = 0; i < n_waiting && tokens; ++i) answer(w, waiting[i], tokens, n_tokens, text, text_len);
  free(waiting);
  return st;
}

static edu_status h_call_tool(void* ctx, uint64_t id, const char* tool, const char* arg, char* out, size_t cap,
                              size_t* len) {
  wrap* w = (wrap*)ctx;
  return w->host->call_tool(w->host->ctx, id, tool, arg, out, cap, len);
}

static edu_status h_run_code(void* ctx, uint64_t id, const char* code, size_t len, edu_exec_result* res) {
  wrap* w = (wrap*)ctx;
  return w->host->run_code(w->host->ctx, id, code, len, res);
}

static void h_report(void* ctx, uint64_t id, const char* metric, double value) {
  wrap* w = (wrap*)ctx;
  w->host->report(w->host->ctx, id, metric, value);
}

static void h_log(void* ctx, int32_t level, const char* message) {
  wrap* w = (wrap*)ctx;
  w->host->log(w->host->ctx, level, message);
}

static void w_destroy(void* sut);

static edu_status w_create(const edu_host* host, const char* workload, const edu_kv* cfg, size_t n_cfg, void** out,
                           char* err, size_t err_cap) {
  wrap* w = (wrap*)calloc(1, sizeof *w);
  edu_kv* rest = (edu_kv*)calloc(n_cfg ? n_cfg : 1, sizeof *rest);
  const char* inner_path = NULL;
  size_t i, n_rest = 0;
  edu_sut_entry_fn entry_fn;
  edu_status st;
  if (!w || !rest) {
    free(w);
    free(rest);
    return EDU_ERR_INTERNAL;
  }
  pthread_mutex_init(&w->mu, NULL);
  for (i = 0; i < n_cfg; ++i) {
    if (strcmp(cfg[i].key, "inner") == 0)
      inner_path = cfg[i].value;
    else
      rest[n_rest++] = cfg[i];
  }
  st = EDU_ERR_INVALID_ARGUMENT;
  if (!inner_path) {
    snprintf(err, err_cap, "option inner: expected the path of the plugin to wrap");
  } else if (!(w->lib = dlopen(inner_path, RTLD_NOW | RTLD_LOCAL))) {
    snprintf(err, err_cap, "option inner: cannot load %s: %s", inner_path, dlerror());
  } else if (!(entry_fn = (edu_sut_entry_fn)dlsym(w->lib, EDU_SUT_ENTRY_SYMBOL)) ||
             !(w->inner = entry_fn(EDU_ABI_VERSION_MAJOR))) {
    snprintf(err, err_cap, "option inner: %s is not an edubench plugin of ABI %d", inner_path, EDU_ABI_VERSION_MAJOR);
  } else {
    w->host = host;
    w->inner_host = *host;
    w->inner_host.ctx = w;
    w->inner_host.stream = h_stream;
    w->inner_host.complete = h_complete;
    w->inner_host.call_tool = h_call_tool;
    w->inner_host.run_code = h_run_code;
    w->inner_host.report = h_report;
    w->inner_host.log = h_log;
    st = w->inner->create(&w->inner_host, workload, rest, n_rest, &w->inner_sut, err, err_cap);
  }
  free(rest);
  if (st != EDU_OK) {
    w->inner_sut = NULL;
    w_destroy(w);
    return st;
  }
  *out = w;
  return EDU_OK;
}

static edu_status w_issue(void* sut, const edu_query* q, size_t n) {
  wrap* w = (wrap*)sut;
#ifdef CHEAT_TIMED
  {
    size_t k;
    pthread_mutex_lock(&w->mu);
    for (k = 0; k < n && !w->timed; ++k) {
      if (q[k].sample->index != w->next_index++) w->timed = 1;
    }
    if (w->timed && !w->spoilt) w->spoilt = calloc(SPOILT_CAP, sizeof *w->spoilt);
    pthread_mutex_unlock(&w->mu);
    return w->inner->issue(w->inner_sut, q, n);
  }
#endif
  edu_query* fresh = (edu_query*)malloc((n ? n : 1) * sizeof *fresh);
  size_t* cached = (size_t*)malloc((n ? n : 1) * sizeof *cached);
  size_t i, n_fresh = 0, n_cached = 0;
  edu_status st = EDU_OK;
  if (!fresh || !cached) {
    free(fresh);
    free(cached);
    return EDU_ERR_INTERNAL;
  }
  pthread_mutex_lock(&w->mu);
  for (i = 0; i < n && st == EDU_OK; ++i) {
    const uint64_t h = prompt_hash(q[i].sample);
    entry* e = find_hash(w, h);
    if (e && e->done) {
      cached[n_cached++] = i;
    } else if (e) {
      if (grow((void**)&e->waiting, &e->cap_waiting, e->n_waiting + 1, sizeof *e->waiting))
        e->waiting[e->n_waiting++] = q[i].id;
      else
        st = EDU_ERR_INTERNAL;
    } else if (grow((void**)&w->entries, &w->cap_entries, w->n_entries + 1, sizeof *w->entries)) {
      entry* ne = &w->entries[w->n_entries++];
      memset(ne, 0, sizeof *ne);
      ne->hash = h;
      ne->leader = q[i].id;
      fresh[n_fresh++] = q[i];
    } else {
      st = EDU_ERR_INTERNAL;
    }
  }
  pthread_mutex_unlock(&w->mu);
  /* Only issue() adds entries and issue() is never concurrent with itself, so `e` stays put. */
  for (i = 0; i < n_cached && st == EDU_OK; ++i) {
    entry* e;
    pthread_mutex_lock(&w->mu);
    e = find_hash(w, prompt_hash(q[cached[i]].sample));
    pthread_mutex_unlock(&w->mu);
    st = answer(w, q[cached[i]].id, e->tokens, e->n_tokens, e->text, e->text_len);
  }
  if (st == EDU_OK && n_fresh > 0) st = w->inner->issue(w->inner_sut, fresh, n_fresh);
  free(fresh);
  free(cached);
  return st;
}

static edu_status w_flush(void* sut) {
  wrap* w = (wrap*)sut;
  return w->inner->flush(w->inner_sut);
}

static void w_destroy(void* sut) {
  wrap* w = (wrap*)sut;
  size_t i;
  if (w->inner_sut) w->inner->destroy(w->inner_sut);
  if (w->lib) dlclose(w->lib);
  for (i = 0; i < w->n_entries; ++i) {
    free(w->entries[i].tokens);
    free(w->entries[i].text);
    free(w->entries[i].waiting);
  }
  free(w->entries);
  free(w->spoilt);
  pthread_mutex_destroy(&w->mu);
  free(w);
}

static const char* const w_workloads[] = {"echo", "kv_cache", "speculative_decode", "react_agent", "codegen_agent",
                                          NULL};
static const edu_sut_api w_api = {sizeof(edu_sut_api), EDU_ABI_VERSION_MAJOR, EDU_ABI_VERSION_MINOR,
                                  "cheat_cache_wrap", "1.0.0", w_workloads, w_create, w_issue, w_flush, w_destroy};

EDU_EXPORT const edu_sut_api* edu_sut_entry(uint32_t host_abi_major) {
  return host_abi_major == EDU_ABI_VERSION_MAJOR ? &w_api : NULL;
}
