// Whether this is a sanitizer build whose shadow memory reserves terabytes of address space
// (AddressSanitizer, ThreadSanitizer): the worker then runs without RLIMIT_AS, and under ASan
// its memory is bounded by ASan's own RSS limit instead (docs/sanitizers.md). The macros come
// from -DEDUBENCH_SANITIZE (CMakeLists.txt).
#pragma once

namespace edubench {
#if defined(EDUBENCH_ASAN_BUILD)
constexpr bool kAsanBuild = true;
#else
constexpr bool kAsanBuild = false;
#endif
#if defined(EDUBENCH_TSAN_BUILD)
constexpr bool kTsanBuild = true;
#else
constexpr bool kTsanBuild = false;
#endif
constexpr bool kShadowMemoryBuild = kAsanBuild || kTsanBuild;
}  // namespace edubench
