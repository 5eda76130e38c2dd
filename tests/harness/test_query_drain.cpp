// The query table's drain: finished queries leave in id order (after their issue() call
// returned), their memory is freed, and a late call for a drained query is a run error.
#include "query_table.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

using edubench::harness::QueryTable;
using edubench::runlog::QueryLog;

namespace {

edu_response empty_response() {
  edu_response r{};
  r.struct_size = sizeof r;
  return r;
}

struct Collected {
  std::vector<QueryLog> queries;
  QueryTable::Sink sink() {
    return [this](QueryLog& q, bool) { queries.push_back(q); };
  }
};

}  // namespace

TEST_CASE("drain takes completed queries in id order, not past one in flight or not yet returned") {
  QueryTable t;
  for (int k = 0; k < 4; ++k) t.mark_issued(t.add(k, false), 1, 10);
  edu_response r = empty_response();
  CHECK(t.complete(1, &r) == EDU_OK);
  CHECK(t.complete(3, &r) == EDU_OK);
  Collected c;
  CHECK(t.drain(c.sink()) == 0);  // issue() has not returned: its return time is not known yet
  t.mark_returned(0, 4, 20);
  CHECK(t.drain(c.sink()) == 1);  // query 2 is in flight: 3 waits behind it
  REQUIRE(c.queries.size() == 1);
  CHECK(c.queries[0].id == 1);
  CHECK(c.queries[0].issue_returned_ns == 20);
  CHECK(t.complete(2, &r) == EDU_OK);
  CHECK(t.drain(c.sink()) == 2);
  CHECK(t.drained() == 3);
  // The end of the run: query 4 is still in flight, and goes into the record as never completed.
  CHECK(t.drain_rest(c.sink()) == 1);
  REQUIRE(c.queries.size() == 4);
  for (size_t k = 0; k < 4; ++k) CHECK(c.queries[k].id == k + 1);
  CHECK(c.queries[3].completed_ns == -1);
  CHECK(c.queries[2].completed_ns > 0);
}

TEST_CASE("a completion or stream for a drained query is a run error, also once its chunk is freed") {
  QueryTable t;
  const uint64_t n = (uint64_t{1} << 16) + 10;  // more than one chunk: the first is freed
  edu_response r = empty_response();
  for (uint64_t k = 0; k < n; ++k) {
    t.mark_issued(t.add(0, false), 1, 1);
    REQUIRE(t.complete(QueryTable::id_of(k), &r) == EDU_OK);
  }
  t.mark_returned(0, n, 2);
  Collected c;
  CHECK(t.drain(c.sink()) == n);
  CHECK(t.complete(1, &r) == EDU_ERR_NOT_FOUND);  // in the freed chunk
  CHECK(t.complete(n, &r) == EDU_ERR_NOT_FOUND);  // in the live one
  int32_t tok = 5;
  CHECK(t.stream(2, &tok, 1) == EDU_ERR_NOT_FOUND);
  CHECK(t.is_done(0));
  CHECK_FALSE(t.is_in_flight(0));
  edubench::runlog::RunLog log;
  t.side_logs(log);
  REQUIRE(log.errors.size() == 3);
  CHECK(log.errors[0].kind == "duplicate_completion");
  CHECK(log.errors[1].kind == "duplicate_completion");
  CHECK(log.errors[2].kind == "stream_not_in_flight");
}

TEST_CASE("draining while other threads complete and repeat completions loses and double-counts nothing") {
  // The case the reclamation guard exists for: late duplicate completions racing the drainer
  // that frees their chunks (run it under -DEDUBENCH_SANITIZE=thread or address to see a race).
  QueryTable t;
  const uint64_t n = 4 * (uint64_t{1} << 16);
  for (uint64_t k = 0; k < n; ++k) t.add(0, false);
  std::atomic<uint64_t> issued{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> completers;
  std::atomic<uint64_t> ok{0}, rejected{0};
  for (int w = 0; w < 3; ++w)
    completers.emplace_back([&, w] {
      edu_response r = empty_response();
      for (uint64_t k = static_cast<uint64_t>(w);; k += 3) {
        while (k >= issued.load(std::memory_order_acquire) && !done.load()) std::this_thread::yield();
        if (k >= issued.load(std::memory_order_acquire)) return;
        (t.complete(QueryTable::id_of(k), &r) == EDU_OK ? ok : rejected).fetch_add(1);
        // A duplicate of an earlier query, maybe drained and freed by now.
        if (k >= 1000) (t.complete(QueryTable::id_of(k - 1000), &r) == EDU_OK ? ok : rejected).fetch_add(1);
      }
    });
  uint64_t drained = 0;
  bool in_order = true;
  std::thread drainer([&] {
    auto sink = [&](QueryLog& q, bool) { in_order = in_order && q.id == ++drained; };
    while (!done.load()) t.drain(sink);
    t.drain(sink);
  });
  for (uint64_t k = 0; k < n; k += 1024) {
    for (uint64_t j = k; j < k + 1024; ++j) t.mark_issued(j, 1, 1);
    t.mark_returned(k, 1024, 2);
    issued.store(k + 1024, std::memory_order_release);
  }
  while (t.completed() < n) std::this_thread::yield();
  done.store(true);
  for (auto& th : completers) th.join();
  drainer.join();
  CHECK(ok.load() == n);
  CHECK(drained == n);
  CHECK(in_order);
  CHECK(t.error_count() == rejected.load());
}

TEST_CASE("a call's issue and return times and each query's scheduled time come back exactly") {
  QueryTable t;
  for (int k = 0; k < 5; ++k) t.add(k, false);
  // Server: three due queries in one call, the last 10 s late (beyond what the slot holds itself).
  const int64_t sched[3] = {900, 990, 1000 - 10'000'000'000};
  t.mark_issued(0, 3, 1000, [&](uint64_t i) { return sched[i]; });
  t.mark_issued(3, 2, 2000);
  edu_response r{};
  r.struct_size = sizeof r;
  r.text = "abc";
  r.text_len = 3;  // an unlogged query keeps its text's length, not its text
  for (uint64_t id = 1; id <= 5; ++id) CHECK(t.complete(id, &r) == EDU_OK);
  t.mark_returned(3, 2, 2500);
  Collected c;
  CHECK(t.drain(c.sink()) == 0);  // the first call has not returned
  t.mark_returned(0, 3, 1500);
  CHECK(t.drain(c.sink()) == 5);
  REQUIRE(c.queries.size() == 5);
  const int64_t issued[5] = {1000, 1000, 1000, 2000, 2000}, returned[5] = {1500, 1500, 1500, 2500, 2500};
  const int64_t scheduled[5] = {sched[0], sched[1], sched[2], 2000, 2000};
  for (size_t k = 0; k < 5; ++k) {
    CHECK(c.queries[k].sample_index == k);
    CHECK(c.queries[k].issued_ns == issued[k]);
    CHECK(c.queries[k].issue_returned_ns == returned[k]);
    CHECK(c.queries[k].scheduled_ns == scheduled[k]);
    CHECK(c.queries[k].n_text_bytes == 3);
    CHECK(c.queries[k].text.empty());
  }
}
