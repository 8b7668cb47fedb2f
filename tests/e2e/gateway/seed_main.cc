// gateway_e2e_seed: prepares a store for the gateway e2e tests — migrates the
// database named by argv[1] (e.g. sqlite:///tmp/x/aura.db) and loads the demo
// inventory into it. Exit 0 on success, 1 with a message otherwise.
#include <iostream>

#include "storage/inventory_import.h"
#include "storage/store.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: gateway_e2e_seed <database-url>\n";
    return 1;
  }
  auto store = aura::storage::MakeStore({.url = argv[1]});
  if (!store.ok()) {
    std::cerr << "open: " << store.status().ToString() << "\n";
    return 1;
  }
  auto version = (*store)->Migrate();
  if (!version.ok()) {
    std::cerr << "migrate: " << version.status().ToString() << "\n";
    return 1;
  }
  aura::common::Status s = (*store)->UpsertItems(aura::storage::LoadDemoInventory());
  if (!s.ok()) {
    std::cerr << "seed: " << s.ToString() << "\n";
    return 1;
  }
  return 0;
}
