// What the runlog tests share: whether a run's invalid reasons mention something.
#pragma once

#include <edubench/runlog/metrics.hpp>

#include <string>

inline bool has_reason(const edubench::runlog::Metrics& m, const std::string& part) {
  for (const auto& r : m.invalid_reasons)
    if (r.find(part) != std::string::npos) return true;
  return false;
}
