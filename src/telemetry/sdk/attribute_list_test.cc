#include "telemetry/sdk/attribute_list.h"

#include <gtest/gtest.h>

#include <string>

namespace aura::telemetry::sdk {
namespace {

TEST(AttributeList, PutAppendsThenReplacesByKey) {
  AttributeList list;
  EXPECT_TRUE(list.PutString("db.system.name", "sqlite", 8));
  EXPECT_TRUE(list.Put("aura.bid", AttributeValue(int64_t{120}), 8));
  EXPECT_TRUE(list.PutString("db.system.name", "postgresql", 8));
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].first, "db.system.name");
  EXPECT_EQ(std::get<std::string>(list[0].second), "postgresql");
  EXPECT_EQ(std::get<int64_t>(*list.Find("aura.bid")), 120);
  EXPECT_EQ(list.Find("absent"), nullptr);
}

TEST(AttributeList, ANewKeyPastTheLimitChangesNothing) {
  AttributeList list;
  EXPECT_TRUE(list.PutString("a", "1", 1));
  EXPECT_FALSE(list.PutString("b", "2", 1));
  EXPECT_FALSE(list.Put("c", AttributeValue(true), 1));
  EXPECT_TRUE(list.PutString("a", "3", 1));  // replacing is not adding
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(std::get<std::string>(list[0].second), "3");
}

TEST(AttributeList, ClearKeepsStorageAndNoOldValueComesBack) {
  AttributeList list;
  const std::string long_value(100, 'x');
  list.PutString("http.request.method.original", long_value, 8);
  list.Put("aura.count", AttributeValue(int64_t{7}), 8);
  const char* buffer = std::get<std::string>(list[0].second).data();
  list.clear();
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.begin(), list.end());
  EXPECT_EQ(list.Find("aura.count"), nullptr);
  EXPECT_EQ(list.capacity(), 2u);

  list.PutString("url.path", "/v1/negotiate", 8);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].first, "url.path");
  EXPECT_EQ(std::get<std::string>(list[0].second), "/v1/negotiate");
  EXPECT_EQ(std::get<std::string>(list[0].second).data(), buffer);  // the kept buffer, reused
}

TEST(AttributeList, ReleaseLargeStorageFreesLongStringsAndArrays) {
  AttributeList list;
  list.PutString("db.query.text", std::string(AttributeList::kMaxKeptStringBytes + 1, 'q'), 8);
  list.Put("tags", AttributeValue(std::vector<std::string>{"a", "b"}), 8);
  list.clear();
  list.ReleaseLargeStorage();
  EXPECT_LE(std::get<std::string>(list[0].second).capacity(), AttributeList::kMaxKeptStringBytes);
  EXPECT_TRUE(std::holds_alternative<bool>(list[1].second));
}

TEST(AttributeList, PrefetchForWriteIsOnlyAHint) {
  AttributeList empty;
  empty.PrefetchForWrite();  // no storage: nothing to fetch
  EXPECT_EQ(empty.capacity(), 0u);

  AttributeList list;  // more entries than the 1 KiB the hint covers
  for (int i = 0; i < 40; ++i) list.PutString("key." + std::to_string(i), "value", 64);
  list.clear();
  list.PrefetchForWrite();
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.capacity(), 40u);
}

TEST(AttributeList, CopiesAndMovesHoldOnlyLiveEntries) {
  AttributeList list{{"a", std::string("1")}, {"b", int64_t{2}}};
  list.clear();
  list.PutString("c", "3", 8);
  AttributeList copy = list;
  EXPECT_EQ(copy.size(), 1u);
  EXPECT_EQ(copy.capacity(), 1u);
  EXPECT_EQ(copy, list);
  AttributeList moved = std::move(list);
  EXPECT_EQ(moved, copy);
  EXPECT_TRUE(list.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
}

}  // namespace
}  // namespace aura::telemetry::sdk
