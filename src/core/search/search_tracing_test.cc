// The spans search emits, recorded by the SDK's in-memory exporter.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <variant>

#include "core/search/hashing_embedder.h"
#include "core/search/search_service.h"
#include "core/search/testing/fake_item_store.h"
#include "telemetry/api/provider.h"
#include "telemetry/exporters/memory/in_memory_span_exporter.h"
#include "telemetry/exporters/memory/span_capture.h"
#include "telemetry/sdk/simple_span_processor.h"
#include "telemetry/sdk/tracer_provider.h"

namespace aura::core::search {
namespace {

std::string StringAttribute(const telemetry::sdk::SpanData& span, const std::string& key) {
  for (const auto& [k, v] : span.attributes) {
    if (k == key && std::holds_alternative<std::string>(v)) return std::get<std::string>(v);
  }
  return "";
}

TEST(SearchTracing, SearchEmitsQueryEmbedAndIndexSpans) {
  telemetry::exporters::SpanCapture capture;
  auto& spans = capture.spans;
  auto& provider = capture.provider;

  testing::FakeItemStore store;
  storage::Item item;
  item.id = "hostel_beta";
  item.name = "Backpacker Hostel";
  item.description = "A budget hostel.";
  item.base_price = 50;
  item.floor_price = 40;
  store.Put(item);
  common::FakeClock clock;
  SearchService service({.refresh_interval = std::chrono::milliseconds(0), .progress = [](size_t, size_t) {}},
                        store, std::make_unique<HashingEmbedder>(),
                        std::make_unique<MemoryResultCache>(MemoryResultCacheOptions{}, clock), clock);
  ASSERT_TRUE(service.Start().ok());
  ASSERT_TRUE(service.Search("budget hostel", 3, 0.0).ok());
  ASSERT_TRUE(service.Search("budget hostel", 3, 0.0).ok());
  EXPECT_FALSE(service.Search("", 3, 0.0).ok());
  provider->ForceFlush();

  int queries = 0;
  int embeds = 0;
  int index_searches = 0;
  int refreshes = 0;
  std::vector<std::string> cache_outcomes;
  for (const auto& span : spans->GetSpans()) {
    if (span.name == "search.query") {
      ++queries;
      cache_outcomes.push_back(StringAttribute(span, "aura.search.cache"));
    }
    embeds += span.name == "search.embed";
    index_searches += span.name == "search.index";
    refreshes += span.name == "search.refresh";
  }
  EXPECT_EQ(queries, 3);
  EXPECT_EQ(embeds, 1);
  EXPECT_EQ(index_searches, 1);
  EXPECT_EQ(refreshes, 1);
  EXPECT_EQ(cache_outcomes, (std::vector<std::string>{"miss", "exact", ""}));
  telemetry::SetTracerProvider(nullptr);
}

}  // namespace
}  // namespace aura::core::search
