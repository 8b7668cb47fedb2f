// File: storage/inventory_import.h
//
// Inventory files for `aura seed --file`: a JSON array of objects, or CSV with
// a header row, both with the fields id, name, description, base_price,
// floor_price, meta (a JSON object; JSON text in CSV) and active (default
// true). Every row is checked (ValidateItem, plus no duplicate ids) before
// anything is returned, so an import is all-or-nothing: the caller hands the
// result to Store::UpsertItems, which is itself one transaction.
//
//   AURA_ASSIGN_OR_RETURN(std::vector<Item> items, LoadInventoryFile("stays.csv"));
//   AURA_RETURN_IF_ERROR(store.UpsertItems(items));
//
//   std::vector<Item> demo = LoadDemoInventory();   // built into the binary
//
// Errors are INVALID_ARGUMENT and name the place and the problem:
//   "line 7 (id 'villa_x'): floor_price 900 exceeds base_price 800"  (CSV: physical line)
//   "item 3 (id 'villa_x'): base_price must be a number"             (JSON: 1-based position)
// Unknown fields/columns are ignored. Thread-safe (pure functions).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/types.h"

namespace aura::storage {

// Parses a JSON array of item objects.
common::Result<std::vector<Item>> ParseInventoryJson(std::string_view text);

// Parses CSV (RFC 4180: comma separated, LF or CRLF records, fields in double
// quotes may hold commas, newlines and doubled quotes) with a header row.
// Required columns: id, name, base_price, floor_price.
common::Result<std::vector<Item>> ParseInventoryCsv(std::string_view text);

// Reads and parses a file: `.json` or `.csv` by extension, otherwise JSON when
// the first non-blank character is '['. NOT_FOUND if the file cannot be read.
common::Result<std::vector<Item>> LoadInventoryFile(const std::string& path);

// The demo inventory compiled into the library (data/demo_inventory.json).
std::vector<Item> LoadDemoInventory();
// Its JSON text.
std::string_view DemoInventoryJson();

}  // namespace aura::storage
