// Throws a C++ exception straight across the C ABI from issue(): no sut.hpp guard. The harness
// must catch it at its side of the boundary and end the run as a plugin failure.
#include <edubench/sut_api.h>

#include <stdexcept>

namespace {
edu_status create(const edu_host* host, const char*, const edu_kv*, size_t, void** out, char*, size_t) {
  *out = const_cast<edu_host*>(host);
  return EDU_OK;
}
edu_status issue(void*, const edu_query*, size_t) { throw std::runtime_error("model weights not loaded"); }
edu_status flush(void*) { return EDU_OK; }
void destroy(void*) {}
const char* const kWorkloads[] = {"echo", nullptr};
const edu_sut_api kApi = {sizeof(edu_sut_api), EDU_ABI_VERSION_MAJOR, EDU_ABI_VERSION_MINOR, "fault-throws",
                          "0.0.1", kWorkloads, create, issue, flush, destroy};
}  // namespace

EDU_EXPORT const edu_sut_api* edu_sut_entry(uint32_t) { return &kApi; }
