// Throws from issue() through the sut.hpp helper, which turns it into EDU_ERR_INTERNAL.
#include <edubench/sut.hpp>

#include <stdexcept>

namespace {
class Thrower : public edubench::Sut {
 public:
  Thrower(const edubench::Host&, std::string_view, const edubench::Config&) {}
  void issue(const edu_query*, size_t) override { throw std::runtime_error("tensor shape mismatch"); }
};
}  // namespace

EDUBENCH_SUT(Thrower, "fault-throws-guarded", "0.0.1", "echo")
