// The worker's side of the channel: the edu_host the plugin sees (each call becomes a message
// to the harness, tool and code calls wait for the harness's answer), and the loop that runs
// the harness's create / issue / flush / destroy on the worker's main thread.
#pragma once

#include "ipc/protocol.hpp"
#include <edubench/session/plugin.hpp>

#include <edubench/sut_api.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace edubench::worker {

class WorkerHost {
 public:
  WorkerHost(void* channel, int wake_worker_fd, int wake_harness_fd, const void* samples,
             size_t samples_size);
  void say_hello(const harness::Plugin& p, const std::vector<std::string>& containment);
  void say_hello_failed(const std::string& why);
  void wait_for_destroy();
  // Runs commands until destroy; returns the worker's exit status.
  int serve(const harness::Plugin& p);

 private:
  static WorkerHost* self(void* ctx) { return static_cast<WorkerHost*>(ctx); }
  static edu_status h_stream(void* ctx, uint64_t id, const int32_t* t, size_t n);
  static edu_status h_complete(void* ctx, uint64_t id, const edu_response* r);
  static edu_status h_call_tool(void* ctx, uint64_t id, const char* tool, const char* arg, char* out,
                                size_t cap, size_t* out_len);
  static edu_status h_run_code(void* ctx, uint64_t id, const char* code, size_t len, edu_exec_result* r);
  static void h_report(void* ctx, uint64_t id, const char* metric, double v);
  static void h_log(void* ctx, int32_t level, const char* message);

  void send(ipc::Msg type, const ipc::Encoder& e);
  ipc::Message call(ipc::Msg type, ipc::Encoder& e);  // waits for the harness's reply
  ipc::Message next_command();
  void reply(ipc::Msg op, edu_status s, const std::string& message, bool threw);
  void pump();  // the caller holds consumer_mu_
  template <class Ready>
  void await(Ready ready);  // `ready` is evaluated under mu_
  void load_samples(const void* base, size_t size);

  ipc::Control* control_;
  ipc::RingProducer out_;
  ipc::RingConsumer in_;
  std::mutex send_mu_;
  edu_host host_{};
  std::vector<edu_sample> samples_;
  std::vector<edu_query> pending_issue_;  // issue_part frames until their issue
  std::mutex consumer_mu_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<ipc::Message> commands_;
  std::map<uint64_t, ipc::Message> answers_;  // call id -> tool/code reply
  uint64_t next_call_ = 1;
  std::unordered_set<uint64_t> in_flight_;
  std::unordered_map<uint64_t, std::string> feedback_;  // kept until the query completes
};

}  // namespace edubench::worker
