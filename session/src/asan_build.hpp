// Whether this is a sanitizer build whose shadow memory reserves terabytes of address space
// (AddressSanitizer, ThreadSanitizer): the worker then runs without RLIMIT_AS, and under ASan
// its memory is bounded by ASan's own RSS limit instead (docs/sanitizers.md). gcc defines
// __SANITIZE_ADDRESS__ / __SANITIZE_THREAD__; clang 14 only answers __has_feature.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define EDUBENCH_ASAN_BUILD 1
#endif
#if defined(__SANITIZE_THREAD__)
#define EDUBENCH_TSAN_BUILD 1
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EDUBENCH_ASAN_BUILD 1
#endif
#if __has_feature(thread_sanitizer)
#define EDUBENCH_TSAN_BUILD 1
#endif
#endif

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
