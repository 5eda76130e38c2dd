#include "protocol.hpp"

namespace edubench::ipc {

Encoder& Encoder::raw(const void* p, size_t n) {
  if (n) {
    const size_t at = b_.size();
    b_.resize(at + n);
    std::memcpy(b_.data() + at, p, n);
  }
  return *this;
}

const char* msg_name(uint32_t type) {
  switch (static_cast<Msg>(type)) {
    case Msg::create: return "create";
    case Msg::issue: return "issue";
    case Msg::flush: return "flush";
    case Msg::destroy: return "destroy";
    case Msg::tool_reply: return "tool_reply";
    case Msg::code_reply: return "code_reply";
    case Msg::issue_part: return "issue_part";
    case Msg::hello: return "hello";
    case Msg::reply: return "reply";
    case Msg::stream: return "stream";
    case Msg::complete: return "complete";
    case Msg::report: return "report";
    case Msg::log: return "log";
    case Msg::tool_call: return "tool_call";
    case Msg::code_call: return "code_call";
  }
  return "unknown";
}

}  // namespace edubench::ipc
