#include "core/search/clients_backend.h"

#include <gtest/gtest.h>

#include <memory>

#include "core/search/search_service.h"
#include "core/search/testing/fake_item_store.h"
#include "fake_llm_server.h"

namespace aura::core::search {
namespace {

TEST(ClientEmbeddingsBackend, QualifiesBareModelNamesAsMistral) {
  EXPECT_EQ(QualifiedEmbeddingModel("mistral-embed"), "mistral/mistral-embed");
  EXPECT_EQ(QualifiedEmbeddingModel("openai/text-embedding-3-small"), "openai/text-embedding-3-small");
}

TEST(ClientEmbeddingsBackend, SearchServiceEmbedsThroughTheEmbeddingsApi) {
  fakes::FakeLlmServer fake;
  ASSERT_TRUE(fake.Start().ok());
  common::Config config;
  config.llm.base_url = fake.base_url();
  config.llm.api_key = "test-key";
  config.core.embedding_model = "mistral-embed";

  testing::FakeItemStore store;
  storage::Item item;
  item.id = "hostel_beta";
  item.name = "Backpacker Hostel Beta";
  item.description = "A budget hostel.";
  item.base_price = 50;
  item.floor_price = 40;
  store.Put(item);
  SearchServiceOptions options = SearchServiceOptionsFromConfig(config);
  options.refresh_interval = std::chrono::milliseconds(0);
  options.progress = [](size_t, size_t) {};
  auto service = SearchService::Create(options, store, common::SystemClock::Instance(),
                                       MakeClientEmbeddingsBackendFactory(config));
  ASSERT_TRUE(service.ok()) << service.status().ToString();
  ASSERT_TRUE((*service)->Start().ok());
  EXPECT_EQ((*service)->Describe().embedding_model, "mistral-embed");
  EXPECT_EQ((*service)->Describe().dimensions, 8);
  auto hits = (*service)->Search("Backpacker Hostel Beta. A budget hostel.", 3, -1.0);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ(hits->front().item_id, "hostel_beta");
  const auto stored = store.FindItem("hostel_beta");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->embedding_model, "mistral-embed");
  EXPECT_EQ(stored->embedding.size(), 8u);
  const nlohmann::json requests = fake.Requests();
  ASSERT_GE(requests.size(), 2u);
  EXPECT_EQ(requests[0]["body"]["model"], "mistral-embed");

  // The API failing: the search fails with UNAVAILABLE (not cached, not a crash).
  ASSERT_TRUE(fake.ScriptEmbeddings({{{"status", 503}, {"times", 10}}}).ok());
  auto down = (*service)->Search("something new entirely", 3, 0.0);
  EXPECT_FALSE(down.ok());
}

}  // namespace
}  // namespace aura::core::search
