/* SUT plugins that cheat, for the compliance tests: each runs the echo workload well enough to
 * produce VALID-looking runs and breaks one rule of `edubench check`. One source, one cheat per
 * build, chosen by -DCHEAT_<NAME>:
 *   CACHE          answers a prompt it has seen before at once, and "computes" (1 ms) only new
 *                  ones: caught by TEST04 (the same-sample audit run is far faster).
 *   CACHE_EXCEPT_0 the same, except that sample 0 (the audit's sample while it was fixed) is
 *                  always computed: caught by TEST04 only since the audit's sample is drawn at
 *                  random per submission (performance_sample_offset).
 *   CACHE_DODGE    the same cache, but a batch of one prompt over and over (what the Offline
 *                  audit was before it mixed in distinct samples) is computed honestly: passed
 *                  TEST04 against that audit, caught since (audit_mix).
 *   WRONG_2PCT     every 50th response has a wrong first token (and byte): caught by accuracy.
 *   SKIP_ACCURACY  recognises accuracy mode (every sample once, in order, in one batch) and
 *                  never answers every 20th query: caught by accuracy_coverage.
 *   STREAM_MISMATCH streams the response's tokens in reverse order: caught by TEST06.
 * Names start with cheat_, so `edubench list` never offers them as reference plugins. */
#include <edubench/sut_api.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CACHE_SLOTS 4096

typedef struct cheat_sut {
  const edu_host* host;
  unsigned long answered;
  uint64_t seen[CACHE_SLOTS]; /* CACHE: FNV-1a hashes of prompts answered before (0: empty) */
} cheat_sut;

static edu_status c_create(const edu_host* host, const char* workload, const edu_kv* cfg, size_t n_cfg,
                           void** out_sut, char* err, size_t err_cap) {
  cheat_sut* s;
  (void)workload, (void)cfg, (void)n_cfg, (void)err, (void)err_cap;
  s = (cheat_sut*)calloc(1, sizeof *s);
  if (!s) return EDU_ERR_INTERNAL;
  s->host = host;
  *out_sut = s;
  return EDU_OK;
}

static __attribute__((unused)) void work_1ms(void) {
  struct timespec t = {0, 1000000};
  nanosleep(&t, NULL);
}

static __attribute__((unused)) int seen_before(cheat_sut* s, const edu_sample* in) {
  uint64_t h = 1469598103934665603ull;
  size_t i, slot;
  for (i = 0; i < in->text_len; ++i) h = (h ^ (unsigned char)in->text[i]) * 1099511628211ull;
  h |= 1; /* never 0, the empty mark */
  for (slot = h % CACHE_SLOTS; s->seen[slot]; slot = (slot + 1) % CACHE_SLOTS)
    if (s->seen[slot] == h) return 1;
  s->seen[slot] = h;
  return 0;
}

static edu_status answer(cheat_sut* s, uint64_t id, const edu_sample* in) {
  int32_t tokens[4096];
  char text[4096];
  size_t n = in->n_tokens < 4096 ? in->n_tokens : 4096, len = in->text_len < 4096 ? in->text_len : 4096, i;
  edu_response r;
  edu_status st;
  memcpy(tokens, in->tokens, n * sizeof *tokens);
  memcpy(text, in->text, len);
#ifdef CHEAT_WRONG_2PCT
  if (s->answered % 50 == 49 && n > 0 && len > 0) {
    tokens[0] = tokens[0] == 'x' ? 'y' : 'x';
    text[0] = (char)tokens[0];
  }
#endif
#ifdef CHEAT_STREAM_MISMATCH
  for (i = n; i > 0; --i) {
    st = s->host->stream(s->host->ctx, id, &tokens[i - 1], 1);
    if (st != EDU_OK) return st;
  }
#else
  (void)i;
  if (n > 0) {
    st = s->host->stream(s->host->ctx, id, tokens, n);
    if (st != EDU_OK) return st;
  }
#endif
  ++s->answered;
  r.struct_size = sizeof r;
  r.tokens = tokens;
  r.n_tokens = n;
  r.text = text;
  r.text_len = len;
  return s->host->complete(s->host->ctx, id, &r);
}

static edu_status c_issue(void* sut, const edu_query* q, size_t n) {
  cheat_sut* s = (cheat_sut*)sut;
  size_t i;
  int accuracy_mode = n > 1, one_prompt = n > 1;
  for (i = 0; i < n && accuracy_mode; ++i) accuracy_mode = q[i].sample->index == i;
  for (i = 1; i < n && one_prompt; ++i) one_prompt = q[i].sample->index == q[0].sample->index;
  for (i = 0; i < n; ++i) {
    edu_status st;
#ifdef CHEAT_SKIP_ACCURACY
    if (accuracy_mode && i % 20 == 19) continue; /* hoping to be scored on what it answered */
#else
    (void)accuracy_mode;
#endif
#ifdef CHEAT_CACHE_DODGE
    if (one_prompt || !seen_before(s, q[i].sample)) work_1ms(); /* honest for what looks like the audit */
#else
    (void)one_prompt;
#endif
#ifdef CHEAT_CACHE
    if (!seen_before(s, q[i].sample)) work_1ms();
#endif
#ifdef CHEAT_CACHE_EXCEPT_0
    if (q[i].sample->index == 0 || !seen_before(s, q[i].sample)) work_1ms(); /* honest where audited */
#endif
    st = answer(s, q[i].id, q[i].sample);
    if (st != EDU_OK) return st;
  }
  return EDU_OK;
}

static edu_status c_flush(void* sut) {
  (void)sut;
  return EDU_OK;
}

static void c_destroy(void* sut) { free(sut); }

static const char* const c_workloads[] = {"echo", NULL};
static const edu_sut_api c_api = {sizeof(edu_sut_api), EDU_ABI_VERSION_MAJOR, EDU_ABI_VERSION_MINOR,
                                  "cheat", "1.0.0", c_workloads, c_create, c_issue, c_flush, c_destroy};

EDU_EXPORT const edu_sut_api* edu_sut_entry(uint32_t host_abi_major) {
  return host_abi_major == EDU_ABI_VERSION_MAJOR ? &c_api : NULL;
}
