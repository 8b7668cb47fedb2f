#!/usr/bin/python3
"""A local stand-in for an OpenAI-compatible API (chat completions and
embeddings), scriptable per test.

Start it with a port (0 = pick a free one); it prints "PORT <n>" on stdout
once it listens on 127.0.0.1. Tests then queue scripted steps per route:

  POST /__fake/script   {"chat": [step, ...], "embeddings": [step, ...]}
  POST /__fake/reset    forget steps and recorded requests
  GET  /__fake/requests {"requests": [{"path", "headers", "body", "client_port"}, ...]}

Each request to .../chat/completions or .../embeddings takes the next step of
its route; with no step left it answers sensibly (a reasonable decision, or
deterministic vectors). Step fields, all optional:
  status         HTTP status (200)
  headers        extra response headers, e.g. {"Retry-After": "1"}
  delay_ms       wait before answering (a response slower than the timeout)
  reset          true: close the connection with a TCP reset, no answer
  raw            the response body, verbatim
  content        chat: the assistant message content (wrapped in a completion)
  decision       chat: an object sent as the JSON content
  finish_reason  chat: ("stop")
  times          repeat this step n times
  dim            embeddings: vector size (8)
  reverse        embeddings: list the vectors in reverse index order
"""

import hashlib
import json
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STEPS = {"chat": [], "embeddings": []}
REQUESTS = []


def next_step(route):
    with LOCK:
        queue = STEPS[route]
        if not queue:
            return {}
        step = queue[0]
        left = step.get("times", 1) - 1
        if left <= 0:
            queue.pop(0)
        else:
            step["times"] = left
        return dict(step)


def sensible_decision(body):
    """Accept a bid at or above the floor, otherwise counter between the floor
    and the base price, as a careful seller would."""
    try:
        messages = body.get("messages", [])
        data = json.loads(messages[-1]["content"])
        bid = float(data["bid"]["amount"])
        floor = float(data["floor_price"])
        base = float(data["base_price"])
    except (KeyError, IndexError, TypeError, ValueError):
        return {"action": "reject", "price": None, "message": "We cannot price this request.",
                "reasoning": "the request data was unreadable"}
    if bid >= floor:
        return {"action": "accept", "price": bid, "message": "Deal, enjoy your stay.",
                "reasoning": "bid is at or above the minimum"}
    return {"action": "counter", "price": round((floor + base) / 2, 2),
            "message": "We can offer a better rate closer to our list price.",
            "reasoning": "bid is below the minimum, meet halfway"}


def vector_for(text, dim):
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return [round((digest[i % len(digest)] - 128) / 128.0, 6) for i in range(dim)]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # keep test output quiet
        pass

    def send_json(self, status, payload, headers=None):
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, str(value))
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        if self.path == "/__fake/requests":
            with LOCK:
                self.send_json(200, {"requests": list(REQUESTS)})
        elif self.path == "/__fake/health":
            self.send_json(200, {"status": "ok"})
        else:
            self.send_json(404, {"error": "not found"})

    def do_POST(self):
        raw = self.read_body()
        if self.path == "/__fake/script":
            script = json.loads(raw or b"{}")
            with LOCK:
                for route in ("chat", "embeddings"):
                    STEPS[route].extend(script.get(route, []))
            self.send_json(200, {"ok": True})
            return
        if self.path == "/__fake/reset":
            with LOCK:
                STEPS["chat"].clear()
                STEPS["embeddings"].clear()
                REQUESTS.clear()
            self.send_json(200, {"ok": True})
            return
        if self.path.endswith("/chat/completions"):
            route = "chat"
        elif self.path.endswith("/embeddings"):
            route = "embeddings"
        else:
            self.send_json(404, {"error": "not found"})
            return
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self.send_json(400, {"error": "request body is not JSON"})
            return
        with LOCK:
            REQUESTS.append({"path": self.path, "headers": dict(self.headers.items()),
                             "body": body, "client_port": self.client_address[1]})
        step = next_step(route)
        if step.get("delay_ms"):
            time.sleep(step["delay_ms"] / 1000.0)
        if step.get("reset"):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        status = step.get("status", 200)
        headers = step.get("headers", {})
        try:
            if "raw" in step:
                self.send_json(status, step["raw"].encode("utf-8"), headers)
            elif status != 200:
                self.send_json(status, {"error": {"message": "scripted failure"}}, headers)
            elif route == "chat":
                self.send_json(status, self.chat_payload(body, step), headers)
            else:
                self.send_json(status, self.embeddings_payload(body, step), headers)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (timeout)

    def chat_payload(self, body, step):
        if "content" in step:
            content = step["content"]
        elif "decision" in step:
            content = json.dumps(step["decision"])
        else:
            content = json.dumps(sensible_decision(body))
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", ""),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "finish_reason": step.get("finish_reason", "stop")}],
            "usage": {"prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150},
        }

    def embeddings_payload(self, body, step):
        inputs = body.get("input", [])
        if isinstance(inputs, str):
            inputs = [inputs]
        dim = step.get("dim", 8)
        data = [{"object": "embedding", "index": i, "embedding": vector_for(text, dim)}
                for i, text in enumerate(inputs)]
        if step.get("reverse"):
            data.reverse()
        return {"object": "list", "model": body.get("model", ""), "data": data,
                "usage": {"prompt_tokens": len(inputs) * 4, "total_tokens": len(inputs) * 4}}

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # resets and client timeouts are expected here


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = Server(("127.0.0.1", port), Handler)
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
