// The completion path: duplicates and unknown ids are run errors, concurrency loses nothing.
#include "query_table.hpp"

#include <doctest/doctest.h>

#include <thread>
#include <vector>

using edubench::harness::QueryTable;

static edu_response text_response(const char* t, size_t n) {
  edu_response r{};
  r.struct_size = sizeof r;
  r.text = t;
  r.text_len = n;
  return r;
}

TEST_CASE("a completed query records its time and a logged one its response") {
  QueryTable t;
  uint64_t i = t.add(7, true);
  t.mark_issued(i, 1, 100);
  edu_response r = text_response("hi", 2);
  CHECK(t.complete(QueryTable::id_of(i), &r) == EDU_OK);
  edubench::runlog::RunLog log;
  t.snapshot(log);
  REQUIRE(log.queries.size() == 1);
  CHECK(log.queries[0].sample_index == 7);
  CHECK(log.queries[0].completed_ns > 0);
  CHECK(log.queries[0].text == "hi");
  CHECK(log.errors.empty());
}

TEST_CASE("completing twice is a duplicate_completion run error, not a crash") {
  QueryTable t;
  uint64_t i = t.add(0, false);
  t.mark_issued(i, 1, 1);
  edu_response r = text_response("", 0);
  CHECK(t.complete(QueryTable::id_of(i), &r) == EDU_OK);
  CHECK(t.complete(QueryTable::id_of(i), &r) == EDU_ERR_NOT_FOUND);
  edubench::runlog::RunLog log;
  t.snapshot(log);
  REQUIRE(log.errors.size() == 1);
  CHECK(log.errors[0].kind == "duplicate_completion");
  CHECK(t.completed() == 1);
}

TEST_CASE("an unknown id and a not-yet-issued id are rejected") {
  QueryTable t;
  t.add(0, false);  // planned, not issued
  edu_response r = text_response("", 0);
  CHECK(t.complete(12345, &r) == EDU_ERR_NOT_FOUND);
  CHECK(t.complete(1, &r) == EDU_ERR_NOT_FOUND);
  CHECK(t.complete(0, &r) == EDU_ERR_NOT_FOUND);
  CHECK(t.error_count() == 3);
}

TEST_CASE("a NULL response or a short struct_size is a bad_response error") {
  QueryTable t;
  for (int k = 0; k < 2; ++k) t.mark_issued(t.add(0, false), 1, 1);
  CHECK(t.complete(1, nullptr) == EDU_ERR_INVALID_ARGUMENT);
  edu_response r = text_response("", 0);
  r.struct_size = 4;
  CHECK(t.complete(2, &r) == EDU_ERR_INVALID_ARGUMENT);
  edubench::runlog::RunLog log;
  t.snapshot(log);
  CHECK(log.errors.size() == 2);
  CHECK(log.errors[1].kind == "bad_response");
}

TEST_CASE("streams are timestamped in order and streamed tokens kept for logged queries") {
  QueryTable t;
  t.mark_issued(t.add(0, true), 1, 1);
  int32_t a[2] = {1, 2}, b[1] = {3};
  CHECK(t.stream(1, a, 2) == EDU_OK);
  CHECK(t.stream(1, b, 1) == EDU_OK);
  int32_t all[3] = {1, 2, 3};
  edu_response r{};
  r.struct_size = sizeof r;
  r.tokens = all;
  r.n_tokens = 3;
  CHECK(t.complete(1, &r) == EDU_OK);
  CHECK(t.stream(1, b, 1) == EDU_ERR_NOT_FOUND);  // after completion
  edubench::runlog::RunLog log;
  t.snapshot(log);
  REQUIRE(log.queries[0].streams.size() == 2);
  CHECK(log.queries[0].streams[0].n_tokens == 2);
  CHECK(log.queries[0].streams[0].t_ns <= log.queries[0].streams[1].t_ns);
  CHECK(log.queries[0].streamed_tokens == std::vector<int32_t>{1, 2, 3});
  CHECK(log.queries[0].tokens == std::vector<int32_t>{1, 2, 3});
  CHECK(log.errors.size() == 1);
}

TEST_CASE("completions from many threads at once: each counted once, extra attempts rejected") {
  QueryTable t;
  const uint64_t n = 200000;  // crosses several storage chunks
  for (uint64_t i = 0; i < n; ++i) t.mark_issued(t.add(i % 10, false), 1, 1);
  std::vector<std::thread> threads;
  std::atomic<uint64_t> ok{0};
  for (int k = 0; k < 4; ++k)
    threads.emplace_back([&] {  // every thread tries every query; exactly one wins each
      edu_response r = text_response("", 0);
      for (uint64_t id = 1; id <= n; ++id)
        if (t.complete(id, &r) == EDU_OK) ok.fetch_add(1);
    });
  for (auto& th : threads) th.join();
  CHECK(ok.load() == n);
  CHECK(t.completed() == n);
  CHECK(t.error_count() == 3 * n);  // kept up to a cap, the rest counted
}

TEST_CASE("a snapshot excludes planned queries that were never issued") {
  QueryTable t;
  t.mark_issued(t.add(0, false), 1, 1);
  t.add(1, false);
  edubench::runlog::RunLog log;
  t.snapshot(log);
  CHECK(log.queries.size() == 1);
  CHECK(log.queries[0].completed_ns == -1);
}
