#include "storage/inventory_import.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "storage/store.h"

namespace aura::storage {
namespace {

using common::StatusCode;

void ExpectError(const common::Result<std::vector<Item>>& result, const std::string& place,
                 const std::string& problem) {
  ASSERT_FALSE(result.ok()) << "expected an error at " << place;
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find(place), std::string::npos) << result.status().message();
  EXPECT_NE(result.status().message().find(problem), std::string::npos)
      << result.status().message();
}

TEST(ParseInventoryJson, ReadsEveryField) {
  auto items = ParseInventoryJson(R"([
    {"id": "a", "name": "A", "description": "First", "base_price": 100, "floor_price": 80.5,
     "meta": {"stars": 4, "location": "Bali"}},
    {"id": "b", "name": "B", "base_price": 10, "floor_price": 10, "active": false, "extra": 1}
  ])");
  ASSERT_TRUE(items.ok()) << items.status().ToString();
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ((*items)[0].id, "a");
  EXPECT_EQ((*items)[0].description, "First");
  EXPECT_EQ((*items)[0].floor_price, 80.5);
  EXPECT_TRUE((*items)[0].active);
  EXPECT_EQ((*items)[0].meta_json, R"({"location":"Bali","stars":4})");
  EXPECT_FALSE((*items)[1].active);
  EXPECT_EQ((*items)[1].meta_json, "{}");
  EXPECT_EQ((*items)[1].description, "");
}

TEST(ParseInventoryJson, NamesTheBadItem) {
  ExpectError(ParseInventoryJson(R"([{"id":"a","name":"A","base_price":1,"floor_price":1},
      {"id":"b","name":"B","base_price":100,"floor_price":120}])"),
              "item 2 (id 'b')", "exceeds base_price");
  ExpectError(ParseInventoryJson(R"([{"id":"a","name":"A","base_price":"1","floor_price":1}])"),
              "item 1 (id 'a')", "base_price must be a number");
  ExpectError(ParseInventoryJson(R"([{"id":"a","name":"A","floor_price":1}])"), "item 1",
              "missing field 'base_price'");
  ExpectError(ParseInventoryJson(R"([{"id":"a","name":"A","base_price":1,"floor_price":1,
      "meta":[1]}])"),
              "item 1", "meta must be a JSON object");
  ExpectError(ParseInventoryJson(R"([{"id":"","name":"A","base_price":1,"floor_price":1}])"),
              "item 1", "id must not be empty");
  ExpectError(ParseInventoryJson(R"([{"id":"a","name":"","base_price":1,"floor_price":1}])"),
              "item 1", "name must not be empty");
  ExpectError(ParseInventoryJson(R"([{"id":"a","name":"A","base_price":-5,"floor_price":1}])"),
              "item 1", "base_price must be a finite number > 0");
  ExpectError(ParseInventoryJson(R"([{"id":"a","name":"A","base_price":1,"floor_price":1},
      {"id":"a","name":"A2","base_price":1,"floor_price":1}])"),
              "item 2 (id 'a')", "duplicate id, already used by item 1");
  ExpectError(ParseInventoryJson("[" + std::string("{\"id\":\"") + std::string(257, 'x') +
                                 "\",\"name\":\"A\",\"base_price\":1,\"floor_price\":1}]"),
              "item 1", "longer than 256");
  ExpectError(ParseInventoryJson(R"([1])"), "item 1", "must be a JSON object");
}

TEST(ParseInventoryJson, RejectsWhatIsNotAnArray) {
  EXPECT_EQ(ParseInventoryJson(R"({"id":"a"})").status().code(), StatusCode::kInvalidArgument);
  auto broken = ParseInventoryJson("[\n{\"id\": \"a\",,}]");
  EXPECT_EQ(broken.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(broken.status().message().find("line 2"), std::string::npos)
      << broken.status().message();
}

TEST(ParseInventoryCsv, HandlesQuotingAndDefaults) {
  const std::string csv =
      "id,name,description,base_price,floor_price,meta,active\r\n"
      "a,\"Hotel, with comma\",\"She said \"\"wow\"\"\",100,80,\"{\"\"stars\"\": 4}\",\r\n"
      "b,Cabin,\"Two lines\nof description\",50.5,40,,false\n"
      "\n"
      "c,Plain,,10,10,{},TRUE";
  auto items = ParseInventoryCsv(csv);
  ASSERT_TRUE(items.ok()) << items.status().ToString();
  ASSERT_EQ(items->size(), 3u);
  EXPECT_EQ((*items)[0].name, "Hotel, with comma");
  EXPECT_EQ((*items)[0].description, "She said \"wow\"");
  EXPECT_EQ((*items)[0].meta_json, R"({"stars":4})");
  EXPECT_TRUE((*items)[0].active) << "an empty active means true";
  EXPECT_EQ((*items)[1].description, "Two lines\nof description");
  EXPECT_EQ((*items)[1].base_price, 50.5);
  EXPECT_FALSE((*items)[1].active);
  EXPECT_EQ((*items)[1].meta_json, "{}");
  EXPECT_EQ((*items)[2].id, "c");
  EXPECT_TRUE((*items)[2].active);
}

TEST(ParseInventoryCsv, WorksWithOnlyTheRequiredColumnsInAnyOrder) {
  auto items = ParseInventoryCsv("floor_price,base_price,name,id\n8,10,Ten,ten\n");
  ASSERT_TRUE(items.ok()) << items.status().ToString();
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ((*items)[0].id, "ten");
  EXPECT_EQ((*items)[0].base_price, 10);
  EXPECT_EQ((*items)[0].floor_price, 8);
}

TEST(ParseInventoryCsv, NamesTheLineOfABadRow) {
  const std::string header = "id,name,description,base_price,floor_price\n";
  // The quoted newline makes the bad row start on physical line 4.
  ExpectError(ParseInventoryCsv(header + "a,A,\"multi\nline\",10,5\nb,B,x,10,20\n"),
              "line 4 (id 'b')", "floor_price 20 exceeds base_price 10");
  ExpectError(ParseInventoryCsv(header + "a,A,x,ten,5\n"), "line 2 (id 'a')",
              "base_price must be a number, got 'ten'");
  ExpectError(ParseInventoryCsv(header + "a,A,x,10\n"), "line 2", "has 4 fields, the header has 5");
  ExpectError(ParseInventoryCsv(header + "a,A,x,10,5\na,B,y,10,5\n"), "line 3 (id 'a')",
              "duplicate id, already used by line 2");
  ExpectError(ParseInventoryCsv(header + "a,A,\"never closed,10,5\n"), "line 2",
              "quoted field is never closed");
  ExpectError(ParseInventoryCsv(header + "a,A,\"x\"y,10,5\n"), "line 2",
              "unexpected text after a closing quote");
  ExpectError(
      ParseInventoryCsv("id,name,description,base_price,floor_price,meta\na,A,x,10,5,[1]\n"),
      "line 2 (id 'a')", "meta: must be a JSON object");
  ExpectError(ParseInventoryCsv("id,name,description,base_price,floor_price,active\n"
                                "a,A,x,10,5,maybe\n"),
              "line 2 (id 'a')", "active must be true or false");
  ExpectError(ParseInventoryCsv("id,name,base_price\na,A,10\n"), "line 1",
              "header lacks the column 'floor_price'");
  EXPECT_EQ(ParseInventoryCsv("").status().code(), StatusCode::kInvalidArgument);
}

TEST(LoadInventoryFile, PicksTheFormatAndImportsAllOrNothing) {
  std::string dir = (std::filesystem::temp_directory_path() / "aura-import-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  {
    std::ofstream(dir + "/good.csv") << "id,name,base_price,floor_price\nx,X,10,5\n";
    std::ofstream(dir + "/good.data") << "  [{\"id\":\"y\",\"name\":\"Y\",\"base_price\":3,"
                                         "\"floor_price\":2}]";
    std::ofstream(dir + "/bad.json") << "[{\"id\":\"z\",\"name\":\"Z\",\"base_price\":3,"
                                        "\"floor_price\":2},{\"id\":\"w\"}]";
  }
  auto csv = LoadInventoryFile(dir + "/good.csv");
  ASSERT_TRUE(csv.ok()) << csv.status().ToString();
  EXPECT_EQ((*csv)[0].id, "x");
  auto sniffed = LoadInventoryFile(dir + "/good.data");
  ASSERT_TRUE(sniffed.ok()) << sniffed.status().ToString();
  EXPECT_EQ((*sniffed)[0].id, "y");
  auto bad = LoadInventoryFile(dir + "/bad.json");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("bad.json: item 2 (id 'w')"), std::string::npos)
      << bad.status().message();
  EXPECT_EQ(LoadInventoryFile(dir + "/missing.json").status().code(), StatusCode::kNotFound);
  std::filesystem::remove_all(dir);
}

TEST(LoadDemoInventory, HasTheClassicItemsAndManyMore) {
  std::vector<Item> items = LoadDemoInventory();
  EXPECT_GE(items.size(), 42u);
  std::set<std::string> ids;
  std::set<std::string> descriptions;
  for (const Item& item : items) {
    ids.insert(item.id);
    descriptions.insert(item.description);
    EXPECT_LT(item.floor_price, item.base_price) << item.id;
    EXPECT_GE(item.description.size(), 60u) << item.id << " needs a real description";
    EXPECT_NE(item.meta_json.find("\"location\""), std::string::npos) << item.id;
  }
  EXPECT_EQ(ids.size(), items.size());
  EXPECT_EQ(descriptions.size(), items.size());
  const Item& alpha = items[0];
  EXPECT_EQ(alpha.id, "hotel_alpha");
  EXPECT_EQ(alpha.name, "Grand Hotel Alpha (Luxury)");
  EXPECT_EQ(alpha.base_price, 1000);
  EXPECT_EQ(alpha.floor_price, 800);
  EXPECT_NE(alpha.meta_json.find(R"("location":"Dubai")"), std::string::npos);
  EXPECT_NE(alpha.meta_json.find(R"("stars":5)"), std::string::npos);
  const Item& beta = items[1];
  EXPECT_EQ(beta.id, "hostel_beta");
  EXPECT_EQ(beta.name, "Backpacker Hostel Beta");
  EXPECT_EQ(beta.base_price, 50);
  EXPECT_EQ(beta.floor_price, 40);
  EXPECT_NE(beta.meta_json.find(R"("location":"Bali")"), std::string::npos);
  EXPECT_NE(beta.meta_json.find(R"("stars":2)"), std::string::npos);
}

TEST(LoadDemoInventory, ImportsIntoAStore) {
  auto store = MakeStore({.url = "memory://"});
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->UpsertItems(LoadDemoInventory()).ok());
  auto active = (*store)->ListItems(true);
  ASSERT_TRUE(active.ok());
  EXPECT_EQ(active->size(), LoadDemoInventory().size());
}

}  // namespace
}  // namespace aura::storage
