// Whether this is an AddressSanitizer build: its shadow memory reserves terabytes of address
// space, so the worker's memory is bounded by ASan's own RSS limit instead of RLIMIT_AS
// (docs/sanitizers.md). gcc defines __SANITIZE_ADDRESS__; clang 14 only answers __has_feature.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define EDUBENCH_ASAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EDUBENCH_ASAN_BUILD 1
#endif
#endif

namespace edubench {
#if defined(EDUBENCH_ASAN_BUILD)
constexpr bool kAsanBuild = true;
#else
constexpr bool kAsanBuild = false;
#endif
}  // namespace edubench
