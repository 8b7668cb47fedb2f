#include "storage/inventory_import.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "storage/validation.h"

namespace aura::storage {
namespace internal {
// Generated from data/demo_inventory.json by the embed step.
std::string_view DemoInventoryJsonData();
}  // namespace internal

namespace {

using common::InvalidArgumentError;
using common::Result;
using common::Status;

// "line 7 (id 'x')" / "item 3"
std::string Where(const std::string& place, const std::string& id) {
  if (id.empty()) return place;
  return place + " (id '" + id + "')";
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<double> ParseNumber(std::string_view text) {
  text = Trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

std::optional<bool> ParseBool(std::string_view text) {
  const std::string v = Lower(Trim(text));
  if (v.empty() || v == "true" || v == "1" || v == "yes" || v == "y") return true;
  if (v == "false" || v == "0" || v == "no" || v == "n") return false;
  return std::nullopt;
}

// Validates every item and rejects duplicate ids. places[i] names item i.
Status ValidateAll(const std::vector<Item>& items, const std::vector<std::string>& places) {
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < items.size(); ++i) {
    Status s = ValidateItem(items[i]);
    if (!s.ok()) return InvalidArgumentError(Where(places[i], items[i].id) + ": " + s.message());
    auto [it, inserted] = seen.emplace(items[i].id, i);
    if (!inserted) {
      return InvalidArgumentError(Where(places[i], items[i].id) +
                                  ": duplicate id, already used by " + places[it->second]);
    }
  }
  return common::OkStatus();
}

// --- JSON ---

Result<Item> ItemFromJson(const nlohmann::json& obj) {
  if (!obj.is_object()) return InvalidArgumentError("must be a JSON object");
  Item item;
  auto text = [&](const char* key, std::string& out, bool required) -> Status {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
      return required ? InvalidArgumentError(std::string("missing field '") + key + "'") : Status();
    }
    if (!it->is_string()) return InvalidArgumentError(std::string(key) + " must be a string");
    out = it->get<std::string>();
    return Status();
  };
  auto number = [&](const char* key, double& out) -> Status {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
      return InvalidArgumentError(std::string("missing field '") + key + "'");
    }
    if (!it->is_number()) return InvalidArgumentError(std::string(key) + " must be a number");
    out = it->get<double>();
    return Status();
  };
  AURA_RETURN_IF_ERROR(text("id", item.id, true));
  AURA_RETURN_IF_ERROR(text("name", item.name, true));
  AURA_RETURN_IF_ERROR(text("description", item.description, false));
  AURA_RETURN_IF_ERROR(number("base_price", item.base_price));
  AURA_RETURN_IF_ERROR(number("floor_price", item.floor_price));
  if (auto it = obj.find("active"); it != obj.end() && !it->is_null()) {
    if (!it->is_boolean()) return InvalidArgumentError("active must be true or false");
    item.active = it->get<bool>();
  }
  if (auto it = obj.find("meta"); it != obj.end() && !it->is_null()) {
    if (!it->is_object()) return InvalidArgumentError("meta must be a JSON object");
    item.meta_json = it->dump();
  }
  return item;
}

// --- CSV ---

struct CsvRecord {
  size_t line = 0;  // physical line where the record starts
  std::vector<std::string> fields;
};

Result<std::vector<CsvRecord>> SplitCsv(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 byte order mark
  std::vector<CsvRecord> records;
  size_t line = 1;
  size_t i = 0;
  while (i < text.size()) {
    CsvRecord record;
    record.line = line;
    std::string field;
    bool record_done = false;
    while (!record_done) {
      field.clear();
      if (i < text.size() && text[i] == '"') {
        // Quoted field: runs to the next lone quote.
        const size_t quote_line = line;
        ++i;
        while (true) {
          if (i >= text.size()) {
            return InvalidArgumentError("line " + std::to_string(quote_line) +
                                        ": quoted field is never closed");
          }
          char c = text[i++];
          if (c == '"') {
            if (i < text.size() && text[i] == '"') {
              field += '"';
              ++i;
              continue;
            }
            break;
          }
          if (c == '\n') ++line;
          field += c;
        }
        if (i < text.size() && text[i] == '\r') ++i;
        if (i < text.size() && text[i] != ',' && text[i] != '\n') {
          return InvalidArgumentError("line " + std::to_string(line) +
                                      ": unexpected text after a closing quote");
        }
      } else {
        while (i < text.size() && text[i] != ',' && text[i] != '\n') field += text[i++];
        if (!field.empty() && field.back() == '\r') field.pop_back();
      }
      record.fields.push_back(field);
      if (i >= text.size()) {
        record_done = true;
      } else if (text[i] == ',') {
        ++i;
      } else {  // '\n'
        ++i;
        ++line;
        record_done = true;
      }
    }
    // A blank line is no record.
    if (record.fields.size() == 1 && Trim(record.fields[0]).empty()) continue;
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace

Result<std::vector<Item>> ParseInventoryJson(std::string_view text) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    // Parse again with exceptions for the message that names line and column.
    try {
      nlohmann::json again = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
      return InvalidArgumentError(std::string("inventory is not valid JSON: ") + e.what());
    }
    return InvalidArgumentError("inventory is not valid JSON");
  }
  if (!doc.is_array()) return InvalidArgumentError("inventory JSON must be an array of items");
  std::vector<Item> items;
  std::vector<std::string> places;
  items.reserve(doc.size());
  for (size_t i = 0; i < doc.size(); ++i) {
    const std::string place = "item " + std::to_string(i + 1);
    Result<Item> item = ItemFromJson(doc[i]);
    if (!item.ok()) {
      std::string id;
      if (doc[i].is_object() && doc[i].contains("id") && doc[i]["id"].is_string()) {
        id = doc[i]["id"].get<std::string>();
      }
      return InvalidArgumentError(Where(place, id) + ": " + item.status().message());
    }
    items.push_back(std::move(item).value());
    places.push_back(place);
  }
  AURA_RETURN_IF_ERROR(ValidateAll(items, places));
  return items;
}

Result<std::vector<Item>> ParseInventoryCsv(std::string_view text) {
  AURA_ASSIGN_OR_RETURN(std::vector<CsvRecord> records, SplitCsv(text));
  if (records.empty()) return InvalidArgumentError("CSV inventory has no header row");
  const CsvRecord& header = records.front();
  std::map<std::string, size_t> column;
  for (size_t c = 0; c < header.fields.size(); ++c) {
    const std::string name = Lower(Trim(header.fields[c]));
    if (name.empty()) continue;
    if (!column.emplace(name, c).second) {
      return InvalidArgumentError("line " + std::to_string(header.line) + ": column '" + name +
                                  "' appears twice in the header");
    }
  }
  for (const char* required : {"id", "name", "base_price", "floor_price"}) {
    if (!column.contains(required)) {
      return InvalidArgumentError("line " + std::to_string(header.line) +
                                  ": header lacks the column '" + required + "'");
    }
  }
  std::vector<Item> items;
  std::vector<std::string> places;
  for (size_t r = 1; r < records.size(); ++r) {
    const CsvRecord& rec = records[r];
    const std::string place = "line " + std::to_string(rec.line);
    if (rec.fields.size() != header.fields.size()) {
      return InvalidArgumentError(place + ": has " + std::to_string(rec.fields.size()) +
                                  " fields, the header has " +
                                  std::to_string(header.fields.size()));
    }
    auto get = [&](const char* name) -> std::string {
      auto it = column.find(name);
      return it == column.end() ? std::string() : rec.fields[it->second];
    };
    Item item;
    item.id = std::string(Trim(get("id")));
    item.name = get("name");
    item.description = get("description");
    auto fail = [&](const std::string& problem) {
      return InvalidArgumentError(Where(place, item.id) + ": " + problem);
    };
    for (auto [name, out] : {std::pair<const char*, double*>{"base_price", &item.base_price},
                             std::pair<const char*, double*>{"floor_price", &item.floor_price}}) {
      std::optional<double> v = ParseNumber(get(name));
      if (!v) return fail(std::string(name) + " must be a number, got '" + get(name) + "'");
      *out = *v;
    }
    std::optional<bool> active = ParseBool(get("active"));
    if (!active) return fail("active must be true or false, got '" + get("active") + "'");
    item.active = *active;
    const std::string meta(Trim(get("meta")));
    if (!meta.empty()) {
      Result<std::string> normal = NormalizeJsonObject(meta);
      if (!normal.ok()) return fail("meta: " + normal.status().message());
      item.meta_json = std::move(normal).value();
    }
    items.push_back(std::move(item));
    places.push_back(place);
  }
  AURA_RETURN_IF_ERROR(ValidateAll(items, places));
  return items;
}

Result<std::vector<Item>> LoadInventoryFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return common::NotFoundError("cannot read inventory file '" + path + "'");
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  const std::string lower = Lower(path);
  Result<std::vector<Item>> items = common::InternalError("unreachable");
  if (lower.ends_with(".json")) {
    items = ParseInventoryJson(text);
  } else if (lower.ends_with(".csv")) {
    items = ParseInventoryCsv(text);
  } else {
    std::string_view t = Trim(text);
    items = (!t.empty() && t.front() == '[') ? ParseInventoryJson(text) : ParseInventoryCsv(text);
  }
  if (!items.ok()) {
    return common::Status(items.status().code(), path + ": " + items.status().message());
  }
  return items;
}

std::string_view DemoInventoryJson() { return internal::DemoInventoryJsonData(); }

std::vector<Item> LoadDemoInventory() {
  Result<std::vector<Item>> items = ParseInventoryJson(DemoInventoryJson());
  // The file is checked by a unit test; a broken build must not start.
  AURA_CHECK(items.ok());
  return std::move(items).value();
}

}  // namespace aura::storage
