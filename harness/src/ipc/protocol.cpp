#include "protocol.hpp"

namespace edubench::ipc {

const char* msg_name(uint32_t type) {
  switch (static_cast<Msg>(type)) {
    case Msg::create: return "create";
    case Msg::issue: return "issue";
    case Msg::flush: return "flush";
    case Msg::destroy: return "destroy";
    case Msg::tool_reply: return "tool_reply";
    case Msg::code_reply: return "code_reply";
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
