// How late, and at what CPU cost, this machine wakes a thread that waits a short time: the
// numbers behind the issuer's choice between sleeping and spinning (harness/src/loadgen.cpp's
// wait_until) and behind the harness's CPU a query at 25k QPS (docs/performance.md).
// Usage: bench_wake [WAITS_US...]   (default 5 20 40 100 300 1000)
#include <linux/futex.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <poll.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

int64_t now_ns() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1'000'000'000LL + t.tv_nsec;
}

double thread_cpu_s() {
  rusage r;
  getrusage(RUSAGE_THREAD, &r);
  return r.ru_utime.tv_sec + r.ru_utime.tv_usec / 1e6 + r.ru_stime.tv_sec + r.ru_stime.tv_usec / 1e6;
}

timespec span(int64_t ns) { return {static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)}; }

// Times `n` waits of `us` microseconds: lateness percentiles (wall) and CPU a wait (this thread).
template <class Wait>
void measure(const char* name, int us, Wait wait) {
  const int n = us >= 300 ? 300 : 2000;
  std::vector<int64_t> late;
  const double c0 = thread_cpu_s();
  for (int k = 0; k < n; ++k) {
    const int64_t t0 = now_ns();
    wait(t0, us * 1000LL);
    late.push_back(now_ns() - t0 - us * 1000LL);
  }
  const double cpu = thread_cpu_s() - c0;
  std::sort(late.begin(), late.end());
  auto p = [&](double q) { return late[static_cast<size_t>(q * (late.size() - 1))] / 1e3; };
  std::printf("| %s | %d | %.1f | %.1f | %.1f | %.1f |\n", name, us, p(0.5), p(0.9), p(0.99), cpu / n * 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> waits;
  for (int i = 1; i < argc; ++i) waits.push_back(std::atoi(argv[i]));
  if (waits.empty()) waits = {5, 20, 40, 100, 300, 1000};
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);  // as the issuer does
  std::atomic<int> word{0};
  std::printf("| way | wait (us) | late p50 (us) | late p90 | late p99 | CPU a wait (us) |\n| --- | --- | --- | --- | --- | --- |\n");
  for (int us : waits) {
    measure("nanosleep", us, [](int64_t, int64_t ns) { timespec t = span(ns); nanosleep(&t, nullptr); });
    measure("clock_nanosleep (absolute)", us, [](int64_t t0, int64_t ns) {
      timespec t = span(t0 + ns);
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, nullptr);
    });
    measure("futex wait (timeout)", us, [&](int64_t, int64_t ns) {
      timespec t = span(ns);
      syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &t, nullptr, 0);
    });
    measure("ppoll (timeout)", us, [](int64_t, int64_t ns) { timespec t = span(ns); ppoll(nullptr, 0, &t, nullptr); });
    measure("sched_yield loop", us, [](int64_t t0, int64_t ns) { while (now_ns() < t0 + ns) sched_yield(); });
    measure("spin", us, [](int64_t t0, int64_t ns) { while (now_ns() < t0 + ns) {} });
  }
}
