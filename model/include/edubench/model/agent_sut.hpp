// What the reference agent SUTs share: the model options (model, weights, threads, workers),
// the task queue, and `workers` threads that each serve queries on their own KV cache over
// the shared weights. A subclass reads and checks its own options, then calls start(); its
// destructor calls stop() first, because the workers run its serve().
#pragma once

#include <edubench/model/agent_tasks.hpp>
#include <edubench/model/gpt.hpp>
#include <edubench/sut.hpp>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace edubench::model {

class AgentSut : public edubench::Sut {
 public:
  ~AgentSut() override { stop(); }  // a no-op after the subclass's stop(); never a joinable thread
  void issue(const edu_query* q, size_t n) override { tasks_.push(q, n); }

 protected:
  AgentSut(const edubench::Host& host, const edubench::Config& cfg, std::string name)
      : host_(host), name_(std::move(name)) {
    model_ = cfg.get("model", "");
    weights_ = cfg.get("weights", (std::filesystem::path(model_).parent_path() / "model.safetensors").string());
    threads_ = static_cast<int>(cfg.get_int("threads", 1));
    workers_n_ = static_cast<int>(cfg.get_int("workers", 1));
    if (model_.empty()) throw std::invalid_argument("option model: expected the model's config.json");
    if (threads_ < 1 || threads_ > 64) throw std::invalid_argument("option threads: expected 1..64");
    if (workers_n_ < 1 || workers_n_ > 64) throw std::invalid_argument("option workers: expected 1..64");
  }

  // Loads the model and starts the workers; call once the options are all read and checked.
  void start() {
    set_threads(threads_);
    gpt_ = load_gpt(model_, weights_);
    gpt_->eval();
    for (int i = 0; i < workers_n_; ++i) workers_.emplace_back([this] { run(); });
  }

  void stop() {
    tasks_.stop();
    for (auto& w : workers_) w.join();
    workers_.clear();
  }

  // One query's agent loop on this worker's cache; completes the query.
  virtual void serve(const AgentTask& t, KvCache& cache) = 0;

  edubench::Host host_;
  Gpt gpt_{nullptr};

 private:
  void run() {
    c10::InferenceMode guard;
    KvCache cache(gpt_->config(), 1, gpt_->config().block_size);
    AgentTask t;
    while (tasks_.pop(t)) {
      try {
        serve(t, cache);
      } catch (const std::exception& e) {
        // The query stays incomplete, so the harness's watchdog names it; the others go on.
        host_.log(EDU_LOG_ERROR, name_ + " worker: query " + std::to_string(t.id) + ": " + e.what());
      }
    }
  }

  std::string name_, model_, weights_;
  int threads_ = 1, workers_n_ = 1;
  AgentTaskQueue tasks_;
  std::vector<std::thread> workers_;
};

}  // namespace edubench::model
