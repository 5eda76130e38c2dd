// The small random-weight geometry the model unit tests share: big enough for two heads and a
// cache, small enough that a test runs in milliseconds.
#pragma once

#include <edubench/model/gpt.hpp>

inline edubench::model::GptConfig tiny() {
  edubench::model::GptConfig c;
  c.n_layer = 2;
  c.n_head = 2;
  c.n_embd = 32;
  c.block_size = 64;
  return c;
}
