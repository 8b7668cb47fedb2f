#include "telemetry/sdk/span_data_pool.h"

#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace aura::telemetry::sdk {
namespace {

void RecycleAll(std::vector<std::unique_ptr<SpanData>>& spans) {
  for (auto& s : spans) RecycleSpanData(std::move(s));
  spans.clear();
}

// Fills every field a recycled span must not carry over.
void Fill(SpanData& s, int attributes) {
  s.name = "a span name longer than the short-string buffer";
  s.context.trace_id.bytes[0] = 1;
  s.context.span_id.bytes[0] = 2;
  s.parent_span_id.bytes[0] = 3;
  s.parent_is_remote = true;
  s.kind = SpanKind::kServer;
  s.start_unix_nanos = 10;
  s.end_unix_nanos = 20;
  for (int i = 0; i < attributes; ++i) {
    s.attributes.PutString("key." + std::to_string(i), std::string(600, 'v'), 1000);
  }
  s.dropped_attributes_count = 4;
  s.events.push_back(SpanEvent{.name = "e"});
  s.links.push_back(SpanLink{});
  s.status = StatusCode::kError;
  s.status_description = "broken";
}

void ExpectCleared(const SpanData& s) {
  EXPECT_TRUE(s.name.empty());
  EXPECT_FALSE(s.context.IsValid());
  EXPECT_FALSE(s.HasParent());
  EXPECT_FALSE(s.parent_is_remote);
  EXPECT_EQ(s.kind, SpanKind::kInternal);
  EXPECT_EQ(s.start_unix_nanos, 0);
  EXPECT_EQ(s.end_unix_nanos, 0);
  EXPECT_TRUE(s.attributes.empty());
  EXPECT_EQ(s.dropped_attributes_count, 0u);
  EXPECT_TRUE(s.events.empty());
  EXPECT_TRUE(s.links.empty());
  EXPECT_EQ(s.status, StatusCode::kUnset);
  EXPECT_TRUE(s.status_description.empty());
  EXPECT_EQ(s.resource, nullptr);
  EXPECT_EQ(s.scope, nullptr);
}

TEST(SpanDataPool, ARecycledSpanComesBackClearedOnAnotherThread) {
  std::vector<std::unique_ptr<SpanData>> batch;
  std::set<const SpanData*> recycled;
  for (int i = 0; i < 40; ++i) {
    batch.push_back(AcquireSpanData());
    Fill(*batch.back(), 3);
    recycled.insert(batch.back().get());
  }
  batch.push_back(nullptr);  // recycling nothing is allowed
  RecycleAll(batch);

  // The pool is a stack: the 40 spans above are on top.
  std::thread([&] {
    std::vector<std::unique_ptr<SpanData>> reused;
    for (int i = 0; i < 16; ++i) reused.push_back(AcquireSpanData());
    for (const auto& s : reused) {
      EXPECT_TRUE(recycled.contains(s.get()));
      ExpectCleared(*s);
    }
    RecycleAll(reused);
  }).join();
}

TEST(SpanDataPool, OversizedSpansAreFreedNotKept) {
  std::vector<std::unique_ptr<SpanData>> batch;
  batch.push_back(AcquireSpanData());
  Fill(*batch.back(), 100);  // more attribute slots than a pooled span may keep
  RecycleAll(batch);
  std::thread([&] {
    std::vector<std::unique_ptr<SpanData>> taken;
    for (int i = 0; i < 200; ++i) {
      taken.push_back(AcquireSpanData());
      EXPECT_LE(taken.back()->attributes.capacity(), 64u);
    }
    RecycleAll(taken);
  }).join();
}

TEST(SpanDataPool, ManyThreadsAcquiringWhileOneRecyclesLoseAndLeakNothing) {
  // Run under ASan in the test script: a span freed twice, or owned by both
  // the pool and a batch, shows up there.
  std::atomic<bool> done{false};
  std::vector<std::unique_ptr<SpanData>> handoff;
  std::mutex mu;
  std::vector<std::thread> producers;
  for (int t = 0; t < 4; ++t) {
    producers.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) {
        std::unique_ptr<SpanData> s = AcquireSpanData();
        ExpectCleared(*s);
        Fill(*s, 1 + i % 4);
        std::lock_guard lock(mu);
        handoff.push_back(std::move(s));
      }
    });
  }
  std::thread recycler([&] {
    while (!done.load()) {
      std::vector<std::unique_ptr<SpanData>> batch;
      {
        std::lock_guard lock(mu);
        batch.swap(handoff);
      }
      RecycleAll(batch);
      std::this_thread::yield();
    }
  });
  for (auto& p : producers) p.join();
  done = true;
  recycler.join();
  RecycleAll(handoff);
}

}  // namespace
}  // namespace aura::telemetry::sdk
