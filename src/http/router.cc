#include "http/router.h"

#include <algorithm>

namespace aura::http {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    parts.push_back(path.substr(i, j - i));
    i = j;
  }
  return parts;
}

namespace {
bool IsCapture(std::string_view s) { return s.size() >= 2 && s.front() == '{' && s.back() == '}'; }
}  // namespace

void Router::Add(std::string method, std::string route_template, HttpHandler handler) {
  Route r;
  r.method = std::move(method);
  for (auto part : SplitPath(route_template)) r.segments.emplace_back(part);
  r.route_template = std::move(route_template);
  r.handler = std::move(handler);
  routes_.push_back(std::move(r));
}

int Router::Score(const Route& route, const std::vector<std::string_view>& parts) {
  if (route.segments.size() != parts.size()) return -1;
  int score = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& seg = route.segments[i];
    if (IsCapture(seg)) {
      if (parts[i].empty()) return -1;
      continue;
    }
    if (seg != parts[i]) return -1;
    score += 1;
  }
  return score;
}

const Router::Route* Router::BestMatch(std::string_view path, std::string_view method) const {
  // A path must be absolute; trailing slashes are not folded, as in the
  // original service ("/healthz/" is a different, unknown path).
  if (path.empty() || path.front() != '/') return nullptr;
  if (path.size() > 1 && path.back() == '/') return nullptr;
  auto parts = SplitPath(path);
  const Route* best = nullptr;
  int best_score = -1;
  for (const auto& r : routes_) {
    if (!method.empty() && r.method != method) continue;
    int s = Score(r, parts);
    if (s > best_score) {
      best_score = s;
      best = &r;
    }
  }
  return best;
}

std::string_view Router::MatchTemplate(std::string_view path) const {
  const Route* r = BestMatch(path, "");
  return r ? std::string_view(r->route_template) : std::string_view();
}

std::string Router::AllowedMethods(std::string_view path) const {
  std::string_view tmpl = MatchTemplate(path);
  if (tmpl.empty()) return {};
  std::vector<std::string> methods;
  for (const auto& r : routes_) {
    if (r.route_template == tmpl &&
        std::find(methods.begin(), methods.end(), r.method) == methods.end()) {
      methods.push_back(r.method);
    }
  }
  std::string out;
  for (const auto& m : methods) {
    if (!out.empty()) out += ", ";
    out += m;
  }
  return out;
}

void Router::Dispatch(HttpRequest& request, HttpResponder responder) const {
  const Route* r = BestMatch(request.path, request.method);
  if (r == nullptr) {
    std::string_view tmpl = MatchTemplate(request.path);
    if (tmpl.empty()) {
      std::move(responder).Send(HttpResponse::Error(404, "Not Found"));
      return;
    }
    request.route = std::string(tmpl);
    HttpResponse res = HttpResponse::Error(405, "Method Not Allowed");
    res.SetHeader("Allow", AllowedMethods(request.path));
    std::move(responder).Send(std::move(res));
    return;
  }
  // A literal route may be shadowed by a better-scoring one under another
  // method; only the method-filtered match counts here, so a capture route
  // answers for paths whose literal twin lacks this method.
  request.route = r->route_template;
  request.path_params.clear();
  auto parts = SplitPath(request.path);
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& seg = r->segments[i];
    if (IsCapture(seg)) {
      request.path_params.emplace(seg.substr(1, seg.size() - 2), std::string(parts[i]));
    }
  }
  r->handler(request, std::move(responder));
}

HttpHandler Router::AsHandler() const {
  return [this](HttpRequest& request, HttpResponder responder) {
    Dispatch(request, std::move(responder));
  };
}

}  // namespace aura::http
