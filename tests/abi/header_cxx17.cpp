// sut_api.h and sut.hpp must compile as strict C++17 (-std=c++17 -pedantic -Wall -Wextra
// -Werror): plugin authors may use any standard from C++17 on.
#include <edubench/sut.hpp>
#include <edubench/sut_api.h>

#include <cstddef>
#include <type_traits>

static_assert(std::is_standard_layout_v<edu_sut_api> && std::is_trivially_copyable_v<edu_sut_api>);
static_assert(std::is_standard_layout_v<edu_host> && std::is_trivially_copyable_v<edu_host>);
static_assert(std::is_same_v<edu_status, std::int32_t>);
static_assert(offsetof(edu_sut_api, struct_size) == 0 && offsetof(edu_host, struct_size) == 0 &&
              offsetof(edu_query, struct_size) == 0 && offsetof(edu_sample, struct_size) == 0 &&
              offsetof(edu_response, struct_size) == 0 && offsetof(edu_exec_result, struct_size) == 0);
// The entry symbol has C linkage under C++ (EDU_EXPORT adds extern "C").
static_assert(std::is_same_v<decltype(&edu_sut_entry), edu_sut_entry_fn>);

int edubench_header_cxx17_check() { return static_cast<int>(sizeof(edu_host)) + EDU_OK; }
