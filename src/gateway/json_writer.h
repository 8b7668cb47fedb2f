// File: gateway/json_writer.h
//
// JsonWriter: compact JSON output for the gateway's responses, shaped like
// the original service's (Starlette's JSONResponse: no spaces, keys in
// insertion order, non-ASCII written as UTF-8, floats in Python's repr so
// `850.0` keeps its `.0`).
//
//   JsonWriter w;
//   w.BeginObject().Key("status").String("ok").Key("price").Double(850.0).EndObject();
//   std::string body = std::move(w).Take();
//
// Non-finite doubles are written as null (Python's allow_nan=False would fail
// the request instead). Single-threaded.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace aura::gateway {

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Double(double value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // Inserts already serialised JSON as one value.
  JsonWriter& Raw(std::string_view json);

  const std::string& str() const { return out_; }
  std::string Take() && { return std::move(out_); }

 private:
  void BeforeValue();
  std::string out_;
  // Per open container: whether it has a first element yet.
  std::vector<bool> has_element_;
  bool after_key_ = false;
};

}  // namespace aura::gateway
