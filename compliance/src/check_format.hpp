// Number formatting for the checker's one-line figures.
#pragma once

#include <cstdio>
#include <string>

namespace edubench::compliance::detail {

inline std::string fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

}  // namespace edubench::compliance::detail
