#include "gateway/routes/request_schema.h"

#include <cmath>

namespace aura::gateway {
namespace {

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

class Checker {
 public:
  explicit Checker(std::vector<FieldError>& errors) : errors_(errors) {}

  void Add(std::string field, std::string msg, std::string type) {
    errors_.push_back({{"body", std::move(field)}, std::move(msg), std::move(type)});
  }

  // A required (or defaulted, when `required` is false) string field.
  void String(const JsonValue& body, const std::string& field, bool required, size_t max_chars,
              std::string& out) {
    const JsonValue* v = body.Find(field);
    if (v == nullptr) {
      if (required) Add(field, "Field required", "missing");
      return;
    }
    if (!v->IsString()) {
      Add(field, "Input should be a valid string", "string_type");
      return;
    }
    if (v->HasLoneSurrogate()) {
      Add(field, "Input should be a valid string: invalid unicode", "string_unicode");
      return;
    }
    if (CodePoints(v->AsString()) > max_chars) {
      Add(field, "String should have at most " + std::to_string(max_chars) + " characters",
          "string_too_long");
      return;
    }
    out = v->AsString();
  }

  // A finite number; returns false (with an error) otherwise.
  bool Number(const JsonValue& body, const std::string& field, bool required, double& out) {
    const JsonValue* v = body.Find(field);
    if (v == nullptr) {
      if (required) Add(field, "Field required", "missing");
      return false;
    }
    if (!v->IsNumber()) {
      Add(field, "Input should be a valid number", "float_type");
      return false;
    }
    double d = v->AsDouble();
    if (!std::isfinite(d)) {
      Add(field, "Input should be a finite number", "finite_number");
      return false;
    }
    out = d;
    return true;
  }

 private:
  std::vector<FieldError>& errors_;
};

bool CheckObject(const JsonValue* body, std::vector<FieldError>& errors) {
  if (body == nullptr) {
    errors.push_back({{"body"}, "Field required", "missing"});
    return false;
  }
  if (!body->IsObject()) {
    errors.push_back({{"body"},
                      "Input should be a valid dictionary or object to extract fields from",
                      "model_attributes_type"});
    return false;
  }
  return true;
}

}  // namespace

Validated<NegotiateBody> ValidateNegotiateBody(const JsonValue* body) {
  Validated<NegotiateBody> r;
  if (!CheckObject(body, r.errors)) return r;
  Checker c(r.errors);
  c.String(*body, "item_id", true, kMaxIdChars, r.value.item_id);
  double bid = 0;
  if (c.Number(*body, "bid_amount", true, bid)) {
    if (bid <= 0) {
      c.Add("bid_amount", "Input should be greater than 0", "greater_than");
    } else {
      r.value.bid_amount = bid;
    }
  }
  c.String(*body, "currency", false, kMaxCurrencyChars, r.value.currency);
  c.String(*body, "agent_did", true, kMaxIdChars, r.value.agent_did);
  return r;
}

Validated<SearchBody> ValidateSearchBody(const JsonValue* body) {
  Validated<SearchBody> r;
  if (!CheckObject(body, r.errors)) return r;
  Checker c(r.errors);
  c.String(*body, "query", true, kMaxQueryChars, r.value.query);
  if (const JsonValue* v = body->Find("limit")) {
    if (!v->IsNumber()) {
      c.Add("limit", "Input should be a valid integer", "int_type");
    } else {
      double d = v->AsDouble();
      if (!std::isfinite(d)) {
        c.Add("limit", "Input should be a finite number", "finite_number");
      } else if (d != std::floor(d)) {
        c.Add("limit", "Input should be a valid integer, got a number with a fractional part",
              "int_from_float");
      } else if (d < kMinSearchLimit) {
        c.Add("limit", "Input should be greater than or equal to 1", "greater_than_equal");
      } else if (d > kMaxSearchLimit) {
        c.Add("limit", "Input should be less than or equal to 50", "less_than_equal");
      } else {
        r.value.limit = static_cast<int>(d);
      }
    }
  }
  double sim = 0;
  if (c.Number(*body, "min_similarity", false, sim)) r.value.min_similarity = sim;
  return r;
}

bool IsUuid(std::string_view id) {
  std::string s(id);
  for (std::string_view prefix : {"urn:", "uuid:"}) {
    size_t p;
    while ((p = s.find(prefix)) != std::string::npos) s.erase(p, prefix.size());
  }
  while (!s.empty() && (s.front() == '{' || s.front() == '}')) s.erase(0, 1);
  while (!s.empty() && (s.back() == '{' || s.back() == '}')) s.pop_back();
  std::string hex;
  for (char ch : s) {
    if (ch != '-') hex.push_back(ch);
  }
  if (hex.size() != 32) return false;
  for (char ch : hex) {
    bool ok = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
    if (!ok) return false;
  }
  return true;
}

}  // namespace aura::gateway
