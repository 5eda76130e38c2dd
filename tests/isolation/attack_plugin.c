/* Hostile SUT plugins for the isolation tests: one source, one attack per build, chosen by
 * -DATTACK_<NAME>. Each serves the echo workload honestly until its third query, then attacks
 * from inside issue(). Under --isolation process every attack must be contained and named. */
#define _GNU_SOURCE
#include <edubench/sut_api.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct attack_sut {
  const edu_host* host;
  unsigned long issued;
} attack_sut;

static edu_status a_create(const edu_host* host, const char* workload, const edu_kv* cfg, size_t n_cfg,
                           void** out_sut, char* err, size_t err_cap) {
  attack_sut* s = (attack_sut*)calloc(1, sizeof *s);
  (void)workload, (void)cfg, (void)n_cfg, (void)err, (void)err_cap;
  if (!s) return EDU_ERR_INTERNAL;
  s->host = host;
  *out_sut = s;
  return EDU_OK;
}

static void echo_one(const edu_host* h, uint64_t id, const edu_sample* in, const char* text, size_t len) {
  edu_response r;
  r.struct_size = sizeof r;
  r.tokens = in->tokens;
  r.n_tokens = in->n_tokens;
  r.text = text ? text : in->text;
  r.text_len = text ? len : in->text_len;
  h->complete(h->ctx, id, &r);
}

/* The attack; returns normally only when it was refused and the plugin carries on. */
static void attack(attack_sut* s) {
  (void)s;
#if defined(ATTACK_SEGFAULT)
  volatile int* volatile p = NULL;
  *p = 1;
#elif defined(ATTACK_ABORT)
  abort();
#elif defined(ATTACK_LOOP_IN_ISSUE)
  for (volatile unsigned long i = 0;; ++i) {
  }
#elif defined(ATTACK_MEMORY)
  /* Touch every page, so the memory is really taken, until the allocator gives up; then use
   * the NULL it returned, as careless code does. */
  /* Each block escapes through a volatile: clang may otherwise drop a malloc whose memory is
   * never read, leaving an empty endless loop. */
  static char* volatile last_block;
  (void)last_block;
  for (;;) {
    char* p = (char*)malloc(64u << 20);
    if (!p) {
      fprintf(stderr, "attack_memory: malloc returned NULL\n");
      p[0] = 1;
    }
    memset(p, 1, 64u << 20);
    last_block = p;
  }
#elif defined(ATTACK_FORK_BOMB)
  for (;;) fork();
#elif defined(ATTACK_SOCKET)
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons(22);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  connect(fd, (struct sockaddr*)&a, sizeof a);
#elif defined(ATTACK_WRITE_OUTSIDE)
  int fd = open(ATTACK_TARGET, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) fprintf(stderr, "attack_write_outside: open %s: %s\n", ATTACK_TARGET, strerror(errno));
  else fprintf(stderr, "attack_write_outside: WROTE %s\n", ATTACK_TARGET), close(fd);
#elif defined(ATTACK_READ_SECRET)
  char buf[64] = {0};
  int fd = open(ATTACK_TARGET, O_RDONLY);
  if (fd < 0) fprintf(stderr, "attack_read_secret: open %s: %s\n", ATTACK_TARGET, strerror(errno));
  else if (read(fd, buf, sizeof buf - 1) > 0) fprintf(stderr, "attack_read_secret: READ %s\n", buf), close(fd);
#elif defined(ATTACK_RING_GARBAGE)
  /* Find the channel the worker shares with the harness and overwrite the header of the ring
   * the harness reads (bytes 256..447 of its first page: ipc::Control) with 0xff. */
  FILE* maps = fopen("/proc/self/maps", "r");
  char line[512];
  while (maps && fgets(line, sizeof line, maps)) {
    unsigned long lo, hi;
    if (strstr(line, "edubench-channel") && sscanf(line, "%lx-%lx", &lo, &hi) == 2) {
      memset((char*)lo + 256, 0xff, 192);
      fprintf(stderr, "attack_ring_garbage: scribbled over the channel at %lx\n", lo);
      for (;;) pause(); /* and sends nothing more: the harness must notice on its own */
    }
  }
  if (maps) fclose(maps);
#elif defined(ATTACK_EXIT_MID_RUN)
  exit(3);
#elif defined(ATTACK_KILL_HARNESS)
  if (kill(getppid(), SIGKILL) != 0) fprintf(stderr, "attack_kill_harness: kill: %s\n", strerror(errno));
#endif
}

static edu_status a_issue(void* sut, const edu_query* q, size_t n) {
  attack_sut* s = (attack_sut*)sut;
  size_t i;
  for (i = 0; i < n; ++i, ++s->issued) {
    if (s->issued == 2) attack(s);
    echo_one(s->host, q[i].id, q[i].sample, NULL, 0);
  }
  return EDU_OK;
}

static edu_status a_flush(void* sut) {
  (void)sut;
  return EDU_OK;
}

static void a_destroy(void* sut) { free(sut); }

static const char* const kWorkloads[] = {"echo", NULL};
static const edu_sut_api kApi = {sizeof(edu_sut_api), EDU_ABI_VERSION_MAJOR, EDU_ABI_VERSION_MINOR, "attack",
                                 "1.0.0", kWorkloads, a_create, a_issue, a_flush, a_destroy};

EDU_EXPORT const edu_sut_api* edu_sut_entry(uint32_t host_abi_major) {
  return host_abi_major == EDU_ABI_VERSION_MAJOR ? &kApi : NULL;
}
