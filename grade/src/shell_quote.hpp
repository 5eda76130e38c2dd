// One bash word, single-quoted: nothing in it is expanded, whatever a team called its folder or
// an instructor put in a --set (the Slurm job and the Gradescope scripts are bash).
#pragma once

#include <string>

namespace edubench::harness {

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace edubench::harness
