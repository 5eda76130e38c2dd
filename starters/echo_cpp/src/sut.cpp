// An echo SUT in C++ (from edubench's echo starter): edubench::Sut and EDUBENCH_SUT from
// <edubench/sut.hpp> turn every exception into a status at the ABI boundary. The response is
// the prompt, its tokens streamed first. Synchronous: every query completes inside issue().
#include <edubench/sut.hpp>

#ifndef SUT_NAME
#define SUT_NAME "echo_starter"  // CMakeLists.txt sets it to the project's name
#endif

namespace {

class EchoSut : public edubench::Sut {
 public:
  EchoSut(const edubench::Host& host, std::string_view workload, const edubench::Config& cfg) : host_(host) {
    if (workload != "echo") throw edubench::Unsupported(SUT_NAME " serves only the echo workload");
    stream_ = cfg.get_bool("stream", true);  // --sut-opt stream=off
    cfg.reject_unknown();                    // a typo in an option is an error, not a no-op
  }

  // TODO(lab): stream in several calls, or hand the queries to a worker thread and return.
  void issue(const edu_query* q, size_t n) override {
    for (size_t i = 0; i < n; ++i) {
      const edu_sample* s = q[i].sample;
      if (stream_ && s->n_tokens > 0) host_.stream(q[i].id, s->tokens, s->n_tokens);
      if (host_.complete(q[i].id, s->tokens, s->n_tokens, {s->text, s->text_len}) != EDU_OK)
        throw std::runtime_error("complete refused query " + std::to_string(q[i].id));
    }
  }

 private:
  edubench::Host host_;
  bool stream_ = true;
};

}  // namespace

EDUBENCH_SUT(EchoSut, SUT_NAME, "0.1.0", "echo")
