// sut_api.h and sut.hpp must compile as strict C++17 (built with -std=c++17 -pedantic -Werror).
#include <edubench/sut.hpp>
#include <edubench/sut_api.h>

int edubench_header_cxx17_check() { return static_cast<int>(sizeof(edu_host)) + EDU_OK; }
