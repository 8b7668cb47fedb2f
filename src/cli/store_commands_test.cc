// `aura seed` and `aura migrate` against a SQLite store in a temporary data dir.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "storage/inventory_import.h"

namespace aura::cli {
namespace {

class SeedCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "aura-cli-seed-XXXXXX").string();
    dir_ = ::mkdtemp(pattern.data());
    ctx_ = MakeCommandContext({}, common::Environment::FromMap({{"AURA_DATA_DIR", dir_ + "/data"}}));
    ctx_.out = &out_;
    ctx_.err = &err_;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  size_t ItemCount() {
    auto store = OpenConfiguredStore(ctx_.config);
    EXPECT_TRUE(store.ok());
    EXPECT_TRUE((*store)->Migrate().ok());
    auto items = (*store)->ListItems(false);
    EXPECT_TRUE(items.ok());
    return items->size();
  }

  std::string dir_;
  CommandContext ctx_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(SeedCommand, DemoInventoryInsertsThenUpdates) {
  size_t demo = storage::LoadDemoInventory().size();
  ASSERT_GT(demo, 0u);
  EXPECT_EQ(RunSeed(ctx_, {}), 0) << err_.str();
  EXPECT_NE(out_.str().find(std::to_string(demo) + " inserted, 0 updated"), std::string::npos) << out_.str();
  out_.str("");
  EXPECT_EQ(RunSeed(ctx_, {}), 0) << err_.str();
  EXPECT_NE(out_.str().find("0 inserted, " + std::to_string(demo) + " updated"), std::string::npos)
      << out_.str();
  EXPECT_EQ(ItemCount(), demo);
}

TEST_F(SeedCommand, PlainProgressLinesWhenNotATerminal) {
  ctx_.interactive = false;
  EXPECT_EQ(RunSeed(ctx_, {}), 0) << err_.str();
  EXPECT_EQ(out_.str().find('\r'), std::string::npos);
  EXPECT_NE(out_.str().find("(100%)\n"), std::string::npos) << out_.str();
}

TEST_F(SeedCommand, CsvFileWithABadLineImportsNothingAndNamesTheLine) {
  std::string path = Write("items.csv",
                           "id,name,description,base_price,floor_price\n"
                           "villa_a,Villa A,Sea view,500,400\n"
                           "villa_b,Villa B,Garden,300,350\n");
  EXPECT_EQ(RunSeed(ctx_, {.file = path}), 1);
  EXPECT_NE(err_.str().find("line 3"), std::string::npos) << err_.str();
  EXPECT_NE(err_.str().find("nothing was imported"), std::string::npos) << err_.str();
  EXPECT_EQ(ItemCount(), 0u);
}

TEST_F(SeedCommand, JsonFileWithABadItemImportsNothing) {
  std::string path = Write("items.json",
                           R"([{"id":"a","name":"A","description":"","base_price":100,"floor_price":90},
                               {"id":"b","name":"B","description":"","base_price":"cheap","floor_price":90}])");
  EXPECT_EQ(RunSeed(ctx_, {.file = path}), 1);
  EXPECT_NE(err_.str().find("item 2"), std::string::npos) << err_.str();
  EXPECT_EQ(ItemCount(), 0u);
}

TEST_F(SeedCommand, GoodCsvFileIsImported) {
  std::string path = Write("items.csv",
                           "id,name,description,base_price,floor_price,meta\n"
                           "villa_a,Villa A,\"Sea view, pool\",500,400,\"{\"\"beds\"\": 3}\"\n");
  ctx_.json = true;
  EXPECT_EQ(RunSeed(ctx_, {.file = path}), 0) << err_.str();
  auto j = nlohmann::json::parse(out_.str());
  EXPECT_EQ(j["inserted"], 1);
  EXPECT_EQ(j["updated"], 0);
  EXPECT_EQ(j["backend"], "sqlite");
  EXPECT_EQ(ItemCount(), 1u);
}

TEST_F(SeedCommand, MigratePrintsTheSchemaVersion) {
  ctx_.json = true;
  EXPECT_EQ(RunMigrate(ctx_), 0) << err_.str();
  auto j = nlohmann::json::parse(out_.str());
  EXPECT_GE(j["schema_version"].get<int>(), 1);
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/data/aura.db"));
}

TEST(RedactUrl, HidesPasswords) {
  EXPECT_EQ(RedactUrl("postgresql://aura:secret@db:5432/aura"), "postgresql://aura:***@db:5432/aura");
  EXPECT_EQ(RedactUrl("sqlite:///tmp/a.db"), "sqlite:///tmp/a.db");
}

}  // namespace
}  // namespace aura::cli
