// `aura migrate` and `aura seed`.
#include <filesystem>
#include <iostream>
#include <set>

#include "cli/commands.h"
#include "storage/inventory_import.h"

namespace aura::cli {

std::string RedactUrl(const std::string& url) {
  // scheme://user:password@host → scheme://user:***@host
  size_t scheme = url.find("://");
  size_t at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) return url;
  size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

common::Result<std::unique_ptr<storage::Store>> OpenConfiguredStore(const common::Config& config) {
  std::string url = config.database.url;
  if (url.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(config.data_dir, ec);
    if (ec) {
      return common::InternalError("cannot create the data directory " + config.data_dir + ": " +
                                   ec.message());
    }
    url = common::DefaultSqliteUrl(config);
  }
  return storage::MakeStore({.url = url, .pool_size = std::min(config.database.pool_size, 4)});
}

common::Result<SeedReport> SeedItems(storage::Store& store, const std::vector<storage::Item>& items,
                                     ProgressBar* bar) {
  SeedReport report;
  AURA_ASSIGN_OR_RETURN(report.schema_version, store.Migrate());
  AURA_ASSIGN_OR_RETURN(std::vector<storage::Item> existing, store.ListItems(/*active_only=*/false));
  std::set<std::string> known;
  for (const auto& item : existing) known.insert(item.id);
  for (const auto& item : items) {
    if (known.count(item.id) != 0) {
      ++report.updated;
    } else {
      ++report.inserted;
    }
    if (bar != nullptr) bar->Advance();
  }
  // One transaction: all items or none.
  AURA_RETURN_IF_ERROR(store.UpsertItems(items));
  return report;
}

int RunMigrate(const CommandContext& ctx) {
  auto store = OpenConfiguredStore(ctx.config);
  if (!store.ok()) {
    *ctx.err << ctx.err_style.Red("error: ") << store.status().message() << "\n";
    return 1;
  }
  auto version = (*store)->Migrate();
  if (!version.ok()) {
    *ctx.err << ctx.err_style.Red("error: ") << "migration failed: " << version.status().message()
             << "\n";
    return 1;
  }
  if (ctx.json) {
    *ctx.out << nlohmann::json{{"backend", (*store)->Backend()}, {"schema_version", *version}}.dump()
             << "\n";
  } else {
    *ctx.out << ctx.style.Green("✓") << " " << (*store)->Backend() << " store at schema version "
             << ctx.style.Bold(std::to_string(*version)) << "\n";
  }
  return 0;
}

int RunSeed(const CommandContext& ctx, const SeedOptions& options) {
  common::Result<std::vector<storage::Item>> items =
      options.file.empty() ? common::Result<std::vector<storage::Item>>(storage::LoadDemoInventory())
                           : storage::LoadInventoryFile(options.file);
  std::string source = options.file.empty() ? "the demo inventory" : options.file;
  if (!items.ok()) {
    *ctx.err << ctx.err_style.Red("error: ") << source << ": " << items.status().message()
             << "\nnothing was imported\n";
    return 1;
  }
  auto store = OpenConfiguredStore(ctx.config);
  if (!store.ok()) {
    *ctx.err << ctx.err_style.Red("error: ") << store.status().message() << "\n";
    return 1;
  }
  std::unique_ptr<ProgressBar> bar;
  if (!ctx.json) {
    bar = std::make_unique<ProgressBar>(*ctx.out, "seeding " + std::to_string(items->size()) + " items",
                                        items->size(), ctx.interactive);
  }
  auto report = SeedItems(**store, *items, bar.get());
  if (!report.ok()) {
    if (bar) bar->Finish();
    *ctx.err << ctx.err_style.Red("error: ") << source << ": " << report.status().message()
             << "\nnothing was imported\n";
    return 1;
  }
  if (bar) bar->Finish();
  if (ctx.json) {
    *ctx.out << nlohmann::json{{"source", options.file.empty() ? "demo" : options.file},
                               {"backend", (*store)->Backend()},
                               {"schema_version", report->schema_version},
                               {"inserted", report->inserted},
                               {"updated", report->updated}}
                    .dump()
             << "\n";
  } else {
    *ctx.out << ctx.style.Green("✓") << " " << source << " into the " << (*store)->Backend()
             << " store: " << ctx.style.Bold(std::to_string(report->inserted)) << " inserted, "
             << ctx.style.Bold(std::to_string(report->updated)) << " updated\n";
  }
  return 0;
}

}  // namespace aura::cli
