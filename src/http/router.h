// File: http/router.h
//
// Router: dispatches requests by method and route template. A template is a
// path whose segments are literals or `{name}` captures of one non-empty
// segment: "/v1/deals/{deal_id}/status". The matched template is written to
// HttpRequest::route (for logs, metrics and span names) and the captures to
// HttpRequest::path_params.
//
//   Router router;
//   router.Add("GET", "/healthz", [](HttpRequest&, HttpResponder r) { ... });
//   router.Add("POST", "/v1/deals/{deal_id}/status", DealStatus);
//   HttpServer server(options, router.AsHandler());
//
// No route for the path: 404 {"detail": "Not Found"}. A path known under other
// methods: 405 {"detail": "Method Not Allowed"} with an Allow header listing
// them. Literal segments win over captures when both match.
//
// Thread-safety: Add() before serving; Dispatch() is then thread-safe (the
// table is read-only). The router must outlive the server using it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/http_server.h"

namespace aura::http {

class Router {
 public:
  Router() = default;
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Registers `handler` for `method` (upper case) on `route_template`.
  void Add(std::string method, std::string route_template, HttpHandler handler);

  // Routes one request (the HttpHandler of a server).
  void Dispatch(HttpRequest& request, HttpResponder responder) const;
  // A handler bound to this router.
  HttpHandler AsHandler() const;

  // The template matching `path` (whatever the method), or "" — for callers
  // that need the route before dispatching (CORS preflight, logging).
  std::string_view MatchTemplate(std::string_view path) const;
  // The methods registered on the template matching `path`, comma separated
  // ("GET, POST"), or "" when no template matches.
  std::string AllowedMethods(std::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::string route_template;
    std::vector<std::string> segments;
    HttpHandler handler;
  };
  // Literal-first score of a match, or -1 when `route` does not match.
  static int Score(const Route& route, const std::vector<std::string_view>& parts);
  const Route* BestMatch(std::string_view path, std::string_view method) const;

  std::vector<Route> routes_;
};

// Splits "/a/b/c" into {"a","b","c"} ("/" gives {}).
std::vector<std::string_view> SplitPath(std::string_view path);

}  // namespace aura::http
