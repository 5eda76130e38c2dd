// Starting an edubench-sut-worker: the channel (shared memory + eventfds), the sealed sample
// table, a private scratch directory, and a fork/exec that passes exactly those descriptors.
#pragma once

#include "ipc/protocol.hpp"
#include <edubench/session/process_session.hpp>

#include <sys/types.h>

#include <string>
#include <vector>

namespace edubench::harness {

struct SpawnedWorker {
  pid_t pid = -1;
  int pidfd = -1;  // readable when the worker exits; signals through it never hit a recycled pid
  void* channel = nullptr;
  ipc::Control* control = nullptr;
  int wake_worker_fd = -1, wake_harness_fd = -1;
  std::string scratch;
};

// Throws PluginFailure when the worker cannot be started (naming what failed).
SpawnedWorker spawn_worker(const std::string& plugin_path, const std::string& stderr_path,
                           const std::vector<std::string>& readable, const WorkerLimits& limits,
                           const std::vector<edu_sample>* samples);

// Unmaps and closes everything and removes the scratch directory (after the worker is reaped).
void close_worker(SpawnedWorker& w);

// edubench-sut-worker next to the running binary.
std::string worker_binary();

}  // namespace edubench::harness
