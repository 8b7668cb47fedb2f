"""End-to-end tests of aura-gateway in front of a real aura-core.

Each test class starts its own aura-core (SQLite in a temp dir, seeded with the
demo inventory) and aura-gateway on free loopback ports, then talks to the
gateway with raw HTTP/1.1 the way existing Python agents do: bodies signed with
Ed25519 (PyNaCl) over METHOD + PATH + TIMESTAMP + sha256(json.dumps(body,
sort_keys=True, separators=(",", ":"))).

Run by ctest (label e2e) with AURA_GATEWAY_BIN, AURA_CORE_BIN, AURA_SEED_BIN
and AURA_CLI_BIN (`aura`, whose load generator ForgottenReplayTest uses) set;
by hand:
  AURA_GATEWAY_BIN=... AURA_CORE_BIN=... AURA_SEED_BIN=... AURA_CLI_BIN=... \
      /usr/bin/python3 gateway_e2e_test.py -v ContractTest
"""

import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import uuid

import nacl.signing

GATEWAY_BIN = os.environ.get("AURA_GATEWAY_BIN", "")
CORE_BIN = os.environ.get("AURA_CORE_BIN", "")
CLI_BIN = os.environ.get("AURA_CLI_BIN", "")
SEED_BIN = os.environ.get("AURA_SEED_BIN", "")

RATE_LIMIT = 20
READ_TIMEOUT_MS = 1000
CORE_TIMEOUT_MS = 3000
ALLOWED_ORIGIN = "https://console.aura.test"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AURA_", "OTEL_")) and k not in (
               "DATABASE_URL", "REDIS_URL", "HTTP_PORT", "GRPC_PORT", "CORE_SERVICE_HOST",
               "CORS_ORIGINS", "LLM_MODEL", "PROMETHEUS_URL", "MISTRAL_API_KEY")}
    env.update(extra)
    return env


class Agent:
    """A signing client, as the existing Python agents sign."""

    def __init__(self):
        self.key = nacl.signing.SigningKey.generate()
        self.did = "did:key:" + self.key.verify_key.encode().hex()

    def headers(self, method, path, body_obj, timestamp=None):
        canonical = "" if body_obj is None else json.dumps(
            body_obj, sort_keys=True, separators=(",", ":"))
        ts = str(int(time.time()) if timestamp is None else timestamp)
        digest = hashlib.sha256(canonical.encode()).hexdigest()
        message = f"{method}{path}{ts}{digest}".encode()
        signature = self.key.sign(message).signature.hex()
        return {"X-Agent-ID": self.did, "X-Timestamp": ts, "X-Signature": signature,
                "Content-Type": "application/json"}


class Hive:
    """aura-core and aura-gateway running in a temp dir."""

    def __init__(self, gateway_env=None, db_url=None):
        """db_url: an empty database for aura-core (migrated and seeded here);
        default: SQLite in the temp dir."""
        self.gateway_env = gateway_env or {}
        for name, path in (("AURA_GATEWAY_BIN", GATEWAY_BIN), ("AURA_CORE_BIN", CORE_BIN),
                           ("AURA_SEED_BIN", SEED_BIN)):
            if not path or not os.path.exists(path):
                raise RuntimeError(f"{name} must name the built binary (got {path!r})")
        self.dir = tempfile.mkdtemp(prefix="aura-gw-e2e-")
        self.db_url = db_url or "sqlite://" + os.path.join(self.dir, "aura.db")
        subprocess.run([SEED_BIN, self.db_url], check=True, cwd=self.dir)
        self.core_port = free_port()
        self.http_port = free_port()
        self.core = None
        self.gateway = None
        self.start_core()
        self.start_gateway()

    def _spawn(self, binary, env, log_name):
        with open(os.path.join(self.dir, log_name), "ab") as log:
            return subprocess.Popen([binary], cwd=self.dir, env=clean_env(env), stdout=log,
                                    stderr=subprocess.STDOUT)

    def start_core(self):
        self.core = self._spawn(CORE_BIN, {
            "AURA_DATABASE__URL": self.db_url,
            "AURA_SERVER__PORT": str(self.core_port),
            "AURA_SERVER__METRICS_PORT": str(free_port()),
            "AURA_DATA_DIR": self.dir,
            "AURA_LLM__MODEL": "rule",
            "AURA_LOG_LEVEL": "warning",
        }, "core.log")

    def stop_core(self):
        if self.core and self.core.poll() is None:
            self.core.send_signal(signal.SIGTERM)
            try:
                self.core.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.core.kill()
                self.core.wait()

    def start_gateway(self):
        self.gateway = self._spawn(GATEWAY_BIN, {
            "HTTP_PORT": str(self.http_port),
            "AURA_GATEWAY__BIND_ADDRESS": "127.0.0.1",
            "AURA_GATEWAY__CORE_ADDRESS": f"127.0.0.1:{self.core_port}",
            "AURA_GATEWAY__CORE_TIMEOUT_MS": str(CORE_TIMEOUT_MS),
            "AURA_GATEWAY__READ_TIMEOUT_MS": str(READ_TIMEOUT_MS),
            "AURA_GATEWAY__RATE_LIMIT_PER_MINUTE": str(RATE_LIMIT),
            "AURA_GATEWAY__CORS_ORIGINS": ALLOWED_ORIGIN,
            "AURA_DATA_DIR": self.dir,
            **self.gateway_env,
        }, "gateway.log")
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.gateway.poll() is not None:
                raise RuntimeError("aura-gateway exited:\n" + self.logs())
            try:
                if request(self, "GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("aura-gateway did not answer /healthz:\n" + self.logs())

    def wait_ready(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.core.poll() is not None:
                raise RuntimeError("aura-core exited:\n" + self.logs())
            try:
                if request(self, "GET", "/readyz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("core never became ready:\n" + self.logs())

    def logs(self):
        out = []
        for name in ("core.log", "gateway.log"):
            path = os.path.join(self.dir, name)
            if os.path.exists(path):
                with open(path, "rb") as f:
                    out.append(f"--- {name} (tail) ---\n" + f.read()[-4000:].decode("utf-8", "replace"))
        return "\n".join(out)

    def close(self):
        for proc in (self.gateway, self.core):
            if proc and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in (self.gateway, self.core):
            if proc:
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def request(hive, method, path, body=None, headers=None, timeout=10):
    """Sends one request on a fresh connection; returns (status, headers, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", hive.http_port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        res = conn.getresponse()
        data = res.read()
        return res.status, {k.lower(): v for k, v in res.getheaders()}, data
    finally:
        conn.close()


def replayable_negotiation(hive, bid):
    """A new agent's bid on hotel_alpha, signed once; send() posts the very same bytes and headers."""
    agent = Agent()
    body = {"item_id": "hotel_alpha", "bid_amount": bid, "agent_did": agent.did}
    headers = agent.headers("POST", "/v1/negotiate", body)
    raw = json.dumps(body).encode()
    return agent, body, lambda: request(hive, "POST", "/v1/negotiate", body=raw, headers=headers)


def signed(hive, agent, method, path, body_obj, raw=None, timestamp=None, extra=None):
    headers = agent.headers(method, path, body_obj, timestamp)
    if extra:
        headers.update(extra)
    data = raw if raw is not None else (b"" if body_obj is None else json.dumps(body_obj).encode())
    return request(hive, method, path, body=data, headers=headers)


def raw_exchange(hive, data, timeout=10):
    """Writes raw bytes and reads until the server closes or a full response arrives."""
    with socket.create_connection(("127.0.0.1", hive.http_port), timeout=timeout) as s:
        s.sendall(data)
        return read_response(s)


def read_response(s):
    buf = b""
    while True:
        head_end = buf.find(b"\r\n\r\n")
        if head_end >= 0:
            m = re.search(rb"(?i)content-length:\s*(\d+)", buf[:head_end])
            length = int(m.group(1)) if m else 0
            if len(buf) >= head_end + 4 + length:
                return buf[:head_end + 4 + length]
        chunk = s.recv(65536)
        if not chunk:
            return buf
        buf += chunk


class GatewayTestCase(unittest.TestCase):
    hive = None
    gateway_env = None

    @classmethod
    def setUpClass(cls):
        cls.hive = Hive(cls.gateway_env)
        try:
            cls.hive.wait_ready()
        except Exception:
            cls.hive.close()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.hive:
            cls.hive.close()

    def tearDown(self):
        # Whatever a test threw at it, the gateway is still alive.
        status, _, _ = request(self.hive, "GET", "/healthz")
        self.assertEqual(status, 200, self.hive.logs())

    def json_of(self, data):
        return json.loads(data.decode("utf-8"))

    def assert_detail(self, status, data, expected_status, detail=None):
        self.assertEqual(status, expected_status, data)
        body = self.json_of(data)
        self.assertIn("detail", body)
        if detail is not None:
            self.assertEqual(body["detail"], detail)
        return body


class ContractTest(GatewayTestCase):
    def negotiate(self, agent, item_id, bid, **extra):
        body = {"item_id": item_id, "bid_amount": bid, "currency": "USD", "agent_did": agent.did}
        body.update(extra)
        return signed(self.hive, agent, "POST", "/v1/negotiate", body)

    def test_four_classic_scenarios(self):
        agent = Agent()
        now = int(time.time())

        status, headers, data = self.negotiate(agent, "hotel_alpha", 1.0)
        self.assertEqual(status, 200, data)
        body = self.json_of(data)
        self.assertEqual(body["status"], "countered")
        self.assertEqual(body["data"]["proposed_price"], 800.0)
        self.assertEqual(body["data"]["reason_code"], "BELOW_FLOOR")
        self.assertIn("800", body["data"]["message"])
        self.assertTrue(body["session_token"].startswith("sess_"))
        self.assertTrue(now + 590 <= body["valid_until"] <= now + 610, body)
        self.assertEqual(headers["content-type"], "application/json")

        status, _, data = self.negotiate(agent, "hotel_alpha", 850.0)
        body = self.json_of(data)
        self.assertEqual((status, body["status"]), (200, "accepted"), data)
        self.assertEqual(body["data"]["final_price"], 850.0)
        self.assertTrue(body["data"]["reservation_code"])
        self.assertIn(b'"final_price":850.0', data)

        status, _, data = self.negotiate(agent, "hotel_alpha", 1200.0)
        body = self.json_of(data)
        self.assertEqual((status, body["status"]), (200, "ui_required"), data)
        self.assertEqual(body["action_required"]["template"], "high_value_confirm")
        self.assertIn("exceeds security threshold", body["action_required"]["context"]["reason"])

        status, _, data = self.negotiate(agent, "no_such_item", 100.0)
        body = self.json_of(data)
        self.assertEqual((status, body["status"]), (200, "rejected"), data)
        self.assertEqual(body["data"]["reason_code"], "ITEM_NOT_FOUND")

    def test_unknown_fields_are_ignored_and_the_body_did_is_not_trusted(self):
        agent = Agent()
        status, _, data = self.negotiate(agent, "hotel_alpha", 900.0, surprise={"x": [1, 2]},
                                         agent_did="did:key:" + "ab" * 32)
        self.assertEqual(status, 200, data)
        self.assertEqual(self.json_of(data)["status"], "accepted")

    def test_signed_responses_carry_rate_limit_headers(self):
        agent = Agent()
        status, headers, data = self.negotiate(agent, "hotel_alpha", 900.0)
        self.assertEqual(status, 200, data)
        self.assertEqual(headers["x-ratelimit-limit"], str(RATE_LIMIT))
        self.assertEqual(headers["x-ratelimit-remaining"], str(RATE_LIMIT - 1))
        self.assertGreater(int(headers["x-ratelimit-reset"]), time.time() - 1)

    def test_search_returns_rounded_scores(self):
        agent = Agent()
        status, headers, data = signed(self.hive, agent, "POST", "/v1/search",
                                       {"query": "luxury hotel with spa"})
        if status == 501:
            # The core answers UNIMPLEMENTED while its search index is not wired in.
            self.skipTest("core search not enabled: " + data.decode())
        self.assertEqual(status, 200, data)
        results = self.json_of(data)["results"]
        self.assertLessEqual(len(results), 3)
        self.assertGreater(len(results), 0)
        for r in results:
            self.assertEqual(set(r), {"id", "name", "price", "score", "details"})
            self.assertEqual(round(r["score"], 4), r["score"])
        self.assertIn("x-ratelimit-remaining", headers)
        status, _, data = signed(self.hive, agent, "POST", "/v1/search",
                                 {"query": "hotel", "limit": 1, "min_similarity": 0})
        self.assertEqual(status, 200, data)
        self.assertLessEqual(len(self.json_of(data)["results"]), 1)

    def test_system_status(self):
        status, _, data = request(self.hive, "GET", "/v1/system/status")
        self.assertEqual(status, 200, data)
        body = self.json_of(data)
        self.assertEqual(set(body), {"status", "cpu_usage_percent", "memory_usage_mb",
                                     "timestamp", "cached"})

    def test_deal_status(self):
        agent = Agent()
        status, _, data = signed(self.hive, agent, "POST", "/v1/deals/not-a-uuid/status", None)
        self.assert_detail(status, data, 400)
        path = f"/v1/deals/{uuid.uuid4()}/status"
        status, headers, data = signed(self.hive, agent, "POST", path, None)
        self.assert_detail(status, data, 501, "Crypto payments not enabled")
        self.assertIn("x-ratelimit-limit", headers)

    def test_health_routes(self):
        status, _, data = request(self.hive, "GET", "/healthz")
        self.assertEqual((status, self.json_of(data)), (200, {"status": "ok"}))
        status, _, data = request(self.hive, "GET", "/readyz")
        body = self.json_of(data)
        self.assertEqual((status, body["status"]), (200, "ready"), data)
        self.assertEqual(body["dependencies"]["core"], "ok")
        status, _, data = request(self.hive, "GET", "/health")
        body = self.json_of(data)
        self.assertEqual((status, body["status"]), (200, "healthy"), data)
        self.assertEqual(body["dependencies"]["core"]["status"], "ok")
        self.assertIn("latency_ms", body["dependencies"]["core"])
        self.assertEqual(body["dependencies"]["rate_limiter"]["backend"], "memory")
        self.assertEqual(body["dependencies"]["replay_guard"]["backend"], "memory")
        status, headers, data = request(self.hive, "GET", "/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/plain"))
        self.assertIn(b"aura_http_server_requests_total", data)

    def test_every_401_reason(self):
        agent = Agent()
        path = "/v1/search"
        body = {"query": "hotel"}
        good = agent.headers("POST", path, body)
        raw = json.dumps(body).encode()

        def attempt(headers):
            return request(self.hive, "POST", path, body=raw, headers=headers)

        cases = []
        for missing, reason in (("X-Agent-ID", "Missing X-Agent-ID header"),
                                ("X-Timestamp", "Missing X-Timestamp header"),
                                ("X-Signature", "Missing X-Signature header")):
            h = dict(good)
            del h[missing]
            cases.append((h, reason))
        cases.append(({**good, "X-Agent-ID": "did:key:xyz"}, "Invalid agent DID format"))
        cases.append(({**good, "X-Timestamp": "soon"}, "Invalid timestamp"))
        old = agent.headers("POST", path, body, timestamp=int(time.time()) - 3600)
        cases.append((old, "Request timestamp outside the allowed window"))
        cases.append(({**good, "X-Signature": "zz"}, "Invalid signature encoding"))
        other = agent.headers("POST", path, {"query": "other"})
        cases.append(({**good, "X-Signature": other["X-Signature"]}, "Invalid signature"))
        wrong_path = agent.headers("POST", "/v1/negotiate", body)
        cases.append(({**good, "X-Signature": wrong_path["X-Signature"]}, "Invalid signature"))
        for headers, reason in cases:
            status, _, data = attempt(headers)
            self.assert_detail(status, data, 401, reason)

    def test_malformed_json_is_400(self):
        agent = Agent()
        status, _, data = request(self.hive, "POST", "/v1/negotiate", body=b'{"item_id": ',
                                  headers=agent.headers("POST", "/v1/negotiate", None))
        self.assert_detail(status, data, 400)

    def test_schema_errors_are_422_with_locations(self):
        agent = Agent()
        base = {"item_id": "hotel_alpha", "bid_amount": 850.0, "agent_did": agent.did}
        cases = [
            ({k: v for k, v in base.items() if k != "bid_amount"}, "bid_amount", "missing"),
            ({k: v for k, v in base.items() if k != "item_id"}, "item_id", "missing"),
            ({**base, "bid_amount": "850"}, "bid_amount", "float_type"),
            ({**base, "item_id": 7}, "item_id", "string_type"),
            ({**base, "bid_amount": 0}, "bid_amount", "greater_than"),
            ({**base, "bid_amount": -10.5}, "bid_amount", "greater_than"),
            ({**base, "bid_amount": float("nan")}, "bid_amount", "finite_number"),
            ({**base, "bid_amount": float("inf")}, "bid_amount", "finite_number"),
            ({**base, "bid_amount": float("-inf")}, "bid_amount", "finite_number"),
        ]
        for body, field, kind in cases:
            status, headers, data = signed(self.hive, agent, "POST", "/v1/negotiate", body)
            self.assertEqual(status, 422, (body, data))
            detail = self.json_of(data)["detail"]
            self.assertEqual(detail[0]["loc"], ["body", field], data)
            self.assertEqual(detail[0]["type"], kind, data)
            self.assertTrue(detail[0]["msg"])
        search_cases = [
            ({"query": "q", "limit": 0}, "limit"),
            ({"query": "q", "limit": 10000}, "limit"),
            ({"query": "q", "limit": "3"}, "limit"),
            ({"query": "x" * 2000}, "query"),
            ({"limit": 3}, "query"),
        ]
        agent2 = Agent()
        for body, field in search_cases:
            status, _, data = signed(self.hive, agent2, "POST", "/v1/search", body)
            self.assertEqual(status, 422, (body, data))
            self.assertEqual(self.json_of(data)["detail"][0]["loc"], ["body", field])

    def test_rate_limit_answers_429_with_retry_after(self):
        # Limits use fixed one-minute windows: should the burst straddle a window
        # boundary (the reset header changes), run it again in the new window.
        for _ in range(2):
            agent = Agent()
            statuses, resets = [], set()
            for i in range(RATE_LIMIT + 2):
                status, headers, data = signed(self.hive, agent, "POST", "/v1/negotiate",
                                               {"item_id": "hotel_alpha", "bid_amount": 900.0 + i,
                                                "agent_did": agent.did})
                statuses.append(status)
                resets.add(headers.get("x-ratelimit-reset"))
            if len(resets) == 1:
                break
        self.assertEqual(statuses[:RATE_LIMIT], [200] * RATE_LIMIT)
        self.assertEqual(statuses[RATE_LIMIT:], [429, 429])
        self.assert_detail(status, data, 429)
        self.assertGreaterEqual(int(headers["retry-after"]), 1)
        self.assertEqual(headers["x-ratelimit-remaining"], "0")
        self.assertEqual(headers["x-ratelimit-limit"], str(RATE_LIMIT))
        # Another agent is not affected.
        other = Agent()
        status, _, _ = signed(self.hive, other, "POST", "/v1/negotiate",
                              {"item_id": "hotel_alpha", "bid_amount": 900.0,
                               "agent_did": other.did})
        self.assertEqual(status, 200)

    def test_replay_returns_the_first_answer(self):
        agent, body, send = replayable_negotiation(self.hive, 875.0)
        first = send()
        second = send()
        self.assertEqual(first[0], 200, first[2])
        self.assertEqual(second[0], 200)
        self.assertEqual(first[2], second[2])
        # The same body signed again (new timestamp) is a new negotiation.
        time.sleep(1.1)
        third = signed(self.hive, agent, "POST", "/v1/negotiate", body)
        self.assertEqual(third[0], 200)
        self.assertNotEqual(self.json_of(third[2])["session_token"],
                            self.json_of(first[2])["session_token"])

    def test_cors(self):
        status, headers, _ = request(self.hive, "OPTIONS", "/v1/negotiate", headers={
            "Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-agent-id, x-signature"})
        self.assertEqual(status, 200)
        self.assertEqual(headers["access-control-allow-origin"], ALLOWED_ORIGIN)
        self.assertEqual(headers["access-control-allow-credentials"], "true")
        self.assertIn("POST", headers["access-control-allow-methods"])
        self.assertEqual(headers["access-control-allow-headers"], "x-agent-id, x-signature")
        status, headers, _ = request(self.hive, "OPTIONS", "/v1/negotiate", headers={
            "Origin": "https://evil.test", "Access-Control-Request-Method": "POST"})
        self.assertEqual(status, 400)
        self.assertNotIn("access-control-allow-origin", headers)
        status, headers, _ = request(self.hive, "GET", "/healthz",
                                     headers={"Origin": ALLOWED_ORIGIN})
        self.assertEqual(headers["access-control-allow-origin"], ALLOWED_ORIGIN)
        status, headers, _ = request(self.hive, "GET", "/healthz",
                                     headers={"Origin": "https://evil.test"})
        self.assertNotIn("access-control-allow-origin", headers)

    def test_request_id_is_echoed_or_generated(self):
        _, headers, _ = request(self.hive, "GET", "/healthz", headers={"X-Request-ID": "abc-123"})
        self.assertEqual(headers["x-request-id"], "abc-123")
        _, headers, _ = request(self.hive, "GET", "/healthz")
        self.assertRegex(headers["x-request-id"], r"^[0-9a-f-]{36}$")
        _, headers, _ = request(self.hive, "GET", "/healthz",
                                headers={"X-Request-ID": "bad id <script>"})
        self.assertRegex(headers["x-request-id"], r"^[0-9a-f-]{36}$")
        _, headers, _ = request(self.hive, "GET", "/healthz", headers={"X-Request-ID": "a" * 129})
        self.assertNotEqual(headers["x-request-id"], "a" * 129)
        status, headers, _ = request(self.hive, "GET", "/nope", headers={"X-Request-ID": "r-404"})
        self.assertEqual((status, headers["x-request-id"]), (404, "r-404"))

    def test_unknown_route_and_wrong_method(self):
        status, _, data = request(self.hive, "GET", "/v1/unknown")
        self.assert_detail(status, data, 404, "Not Found")
        status, headers, data = request(self.hive, "GET", "/v1/negotiate")
        self.assert_detail(status, data, 405, "Method Not Allowed")
        self.assertEqual(headers["allow"], "POST")
        status, headers, data = request(self.hive, "DELETE", "/healthz")
        self.assertEqual(status, 405)
        self.assertEqual(headers["allow"], "GET")


class BadInputTest(GatewayTestCase):
    def test_headers_over_8_kib_get_431(self):
        status, _, data = request(self.hive, "GET", "/healthz", headers={"X-Big": "a" * 9000})
        self.assert_detail(status, data, 431)

    def test_body_over_the_limit_gets_413(self):
        agent = Agent()
        body = {"query": "q" * (70 * 1024)}
        status, _, data = signed(self.hive, agent, "POST", "/v1/search", body)
        self.assert_detail(status, data, 413)

    def test_a_100_kib_query_gets_413(self):
        agent = Agent()
        body = {"query": "hotel " * (100 * 1024 // 6)}
        status, _, data = signed(self.hive, agent, "POST", "/v1/search", body)
        self.assert_detail(status, data, 413)

    def test_invalid_utf8_is_400(self):
        agent = Agent()
        raw = b'{"query": "caf\xc3\x28"}'
        status, _, data = request(self.hive, "POST", "/v1/search", body=raw,
                                  headers=agent.headers("POST", "/v1/search", {"query": "x"}))
        self.assert_detail(status, data, 400)

    def test_deep_nesting_is_400(self):
        agent = Agent()
        raw = b'{"query": ' + b"[" * 10000 + b"]" * 10000 + b"}"
        status, _, data = request(self.hive, "POST", "/v1/search", body=raw,
                                  headers=agent.headers("POST", "/v1/search", None))
        self.assert_detail(status, data, 400)

    def test_10000_digit_numbers(self):
        agent = Agent()
        raw = b'{"item_id": "hotel_alpha", "bid_amount": 1' + b"0" * 9999 + b', "agent_did": "x"}'
        status, _, data = request(self.hive, "POST", "/v1/negotiate", body=raw,
                                  headers=agent.headers("POST", "/v1/negotiate", None))
        self.assert_detail(status, data, 400)
        # A 10 000-digit float parses (to infinity) and is refused by the schema.
        body_text = '{"item_id": "hotel_alpha", "bid_amount": 1' + "0" * 9999 + '.0, "agent_did": "x"}'
        body_obj = json.loads(body_text)
        status, _, data = signed(self.hive, agent, "POST", "/v1/negotiate", body_obj,
                                 raw=body_text.encode())
        self.assertEqual(status, 422, data)
        self.assertEqual(self.json_of(data)["detail"][0]["type"], "finite_number")

    def test_wrong_types_and_shapes(self):
        agent = Agent()
        for body in ([1, 2, 3], "text", 42, None):
            status, _, data = signed(self.hive, agent, "POST", "/v1/negotiate", body)
            self.assertEqual(status, 422, (body, data))

    def test_half_sent_request_is_closed_after_the_read_timeout(self):
        with socket.create_connection(("127.0.0.1", self.hive.http_port), timeout=10) as s:
            s.sendall(b"POST /v1/search HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"qu")
            start = time.time()
            s.settimeout(READ_TIMEOUT_MS / 1000 * 5)
            try:
                data = s.recv(1024)
            except ConnectionResetError:
                data = b""
            elapsed = time.time() - start
        self.assertEqual(data, b"")
        self.assertLess(elapsed, READ_TIMEOUT_MS / 1000 * 4)
        self.assertGreater(elapsed, READ_TIMEOUT_MS / 1000 * 0.5)

    def test_2000_idle_connections_do_not_stop_requests(self):
        idle = []
        try:
            for _ in range(2000):
                idle.append(socket.create_connection(("127.0.0.1", self.hive.http_port), timeout=10))
            agent = Agent()
            for i in range(5):
                status, _, data = signed(self.hive, agent, "POST", "/v1/negotiate",
                                         {"item_id": "hotel_alpha", "bid_amount": 850.0 + i,
                                          "agent_did": agent.did})
                self.assertEqual(status, 200, data)
            # The idle ones still work afterwards.
            idle[0].sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertIn(b"200 OK", read_response(idle[0]))
        finally:
            for s in idle:
                s.close()

    def test_garbage_request_line_is_400(self):
        data = raw_exchange(self.hive, b"\x00\x01garbage\r\n\r\n")
        self.assertTrue(data.startswith(b"HTTP/1.1 400"), data)


class CoreOutageTest(GatewayTestCase):
    def test_core_down_gives_503_and_recovers_by_itself(self):
        agent = Agent()
        body = {"item_id": "hotel_alpha", "bid_amount": 850.0, "agent_did": agent.did}
        self.assertEqual(signed(self.hive, agent, "POST", "/v1/negotiate", body)[0], 200)

        self.hive.stop_core()
        start = time.time()
        # A different body: the same one signed in the same second would be a replay.
        body = {**body, "bid_amount": 851.0}
        status, _, data = signed(self.hive, agent, "POST", "/v1/negotiate", body)
        self.assert_detail(status, data, 503)
        self.assertLess(time.time() - start, CORE_TIMEOUT_MS / 1000 + 1)
        status, _, data = request(self.hive, "GET", "/readyz")
        self.assertEqual(status, 503, data)
        self.assertEqual(self.json_of(data)["status"], "not_ready")
        status, _, data = request(self.hive, "GET", "/health")
        self.assertEqual((status, self.json_of(data)["status"]), (200, "degraded"))
        status, _, data = request(self.hive, "GET", "/v1/system/status")
        self.assertEqual(status, 503, data)

        self.hive.start_core()
        self.hive.wait_ready(timeout=30)
        body = {**body, "bid_amount": 852.0}
        status, _, data = signed(self.hive, agent, "POST", "/v1/negotiate", body)
        self.assertEqual(status, 200, data)
        self.assertEqual(self.json_of(data)["status"], "accepted")


class ForgottenReplayTest(GatewayTestCase):
    """The gateway's in-process replay store is small; the core still answers a replay it forgot."""

    gateway_env = {"AURA_GATEWAY__RATE_LIMIT_PER_MINUTE": "10000000"}

    def test_replay_forgotten_by_the_gateway_gets_the_first_answer_from_the_core(self):
        _, _, send = replayable_negotiation(self.hive, 880.0)
        first = send()
        self.assertEqual(first[0], 200, first[2])
        # Far more answers than the in-process store keeps (4 MiB, about 7 500).
        run = subprocess.run([CLI_BIN, "bench", "--gateway", f"http://127.0.0.1:{self.hive.http_port}",
                              "--requests", "12000", "--agents", "64"],
                             capture_output=True, text=True, timeout=240)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        second = send()
        self.assertEqual(second[0], 200, second[2])
        self.assertEqual(second[2], first[2])


class ObservabilityTest(GatewayTestCase):
    """Spans at /debug/traces, /metrics after traffic, and the /hive page."""
    gateway_env = {"OTEL_BSP_SCHEDULE_DELAY": "20"}

    TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
    PARENT = "b7ad6b7169203331"

    def spans_of(self, trace_id, want, root="POST /v1/negotiate"):
        """The flat span list of one trace once `want` spans, the root among them, are
        there: export is batched, and the server span ends only after the response."""
        deadline = time.time() + 20
        spans = []
        while time.time() < deadline:
            status, _, data = request(self.hive, "GET", "/debug/traces?trace_id=" + trace_id)
            self.assertEqual(status, 200, data)
            spans = [sp for t in self.json_of(data)["traces"] for sp in t["spans"]]
            if len(spans) >= want and (root is None or any(sp["name"] == root for sp in spans)):
                return spans
            time.sleep(0.05)
        self.fail(f"trace {trace_id} has {len(spans)} spans, wanted {want}: {spans}")

    def test_negotiate_is_traced_with_remote_parent_client_child_and_no_signature(self):
        agent = Agent()
        body = {"item_id": "hotel_alpha", "bid_amount": 850.0, "currency": "USD",
                "agent_did": agent.did}
        traceparent = f"00-{self.TRACE_ID}-{self.PARENT}-01"
        headers = agent.headers("POST", "/v1/negotiate", body, None)
        headers["traceparent"] = traceparent
        status, _, data = request(self.hive, "POST", "/v1/negotiate",
                                  body=json.dumps(body).encode(), headers=headers)
        self.assertEqual(status, 200, data)
        spans = self.spans_of(self.TRACE_ID, 3)
        by_name = {sp["name"]: sp for sp in spans}
        server = by_name["POST /v1/negotiate"]
        self.assertEqual(server["kind"], "server")
        self.assertEqual(server["parent_span_id"], self.PARENT)
        a = server["attributes"]
        self.assertEqual(a["http.request.method"], "POST")
        self.assertEqual(a["http.route"], "/v1/negotiate")
        self.assertEqual(a["url.path"], "/v1/negotiate")
        self.assertEqual(a["http.response.status_code"], 200)
        self.assertEqual(a["aura.outcome"], "accepted")
        self.assertEqual(a["aura.item_id"], "hotel_alpha")
        self.assertEqual(a["aura.bid_amount"], 850.0)
        self.assertEqual(a["aura.agent_did"], agent.did)
        client = by_name["aura.negotiation.v1.NegotiationService/Negotiate"]
        self.assertEqual(client["kind"], "client")
        self.assertEqual(client["parent_span_id"], server["span_id"])
        self.assertEqual(client["attributes"]["rpc.system"], "grpc")
        self.assertEqual(client["attributes"]["rpc.method"], "Negotiate")
        self.assertEqual(client["attributes"]["rpc.grpc.status_code"], 0)
        auth = by_name["auth.verify_signature"]
        self.assertEqual(auth["parent_span_id"], server["span_id"])
        self.assertEqual(auth["attributes"]["outcome"], "ok")
        signature = headers["X-Signature"] if "X-Signature" in headers else headers["x-signature"]
        self.assertNotIn(signature.lower(), json.dumps(spans).lower())
        # The one access-log line carries the trace.
        with open(os.path.join(self.hive.dir, "gateway.log"), "rb") as f:
            lines = [l for l in f.read().decode("utf-8", "replace").splitlines()
                     if '"http.request"' in l and self.TRACE_ID in l]
        self.assertTrue(lines, self.hive.logs())
        self.assertIn(server["span_id"], lines[0])

    def test_metrics_after_traffic(self):
        agent = Agent()
        signed(self.hive, agent, "POST", "/v1/negotiate",
               {"item_id": "hotel_alpha", "bid_amount": 1.0, "currency": "USD",
                "agent_did": agent.did})
        request(self.hive, "POST", "/v1/negotiate", body=b"{}", headers={})
        request(self.hive, "GET", "/no/such/route")
        status, headers, data = request(self.hive, "GET", "/metrics")
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "text/plain; version=0.0.4; charset=utf-8")
        text = data.decode()
        self.assertIn('aura_http_server_requests_total{method="POST",route="/v1/negotiate",'
                      'status_class="2xx"}', text)
        self.assertIn('route="unmatched",status_class="4xx"} 1', text)
        self.assertIn('aura_grpc_client_handled_total{code="OK",method="Negotiate"}', text)
        self.assertIn('aura_gateway_negotiation_responses_total{outcome="countered"} 1', text,
                      text[:200])
        self.assertIn('aura_auth_signature_failures_total{reason="missing_header"} 1', text)
        self.assertIn("aura_telemetry_spans_started_total", text)
        self.assertIn("aura_telemetry_exporter_up 1", text)
        promtool = shutil.which("promtool")
        self.assertTrue(promtool, "promtool (Debian package prometheus) is needed")
        out = subprocess.run([promtool, "check", "metrics"], input=data, capture_output=True)
        for line in (out.stdout + out.stderr).decode().splitlines():
            if line.strip():
                self.assertTrue("memory_usage_mb" in line or "negotiation_count" in line, line)

    def test_empty_service_name_exits_2_with_one_line(self):
        out = subprocess.run([GATEWAY_BIN], env=clean_env({
            "AURA_SERVER__OTEL_SERVICE_NAME": "", "HTTP_PORT": str(free_port())}),
            capture_output=True, timeout=20)
        self.assertEqual(out.returncode, 2, out)
        lines = out.stderr.decode().strip().splitlines()
        self.assertEqual(len(lines), 1, lines)
        self.assertIn("service_name must be provided", lines[0])

    def test_sigterm_flushes_and_exits_0(self):
        port = free_port()
        proc = subprocess.Popen([GATEWAY_BIN], env=clean_env({
            "HTTP_PORT": str(port), "AURA_GATEWAY__BIND_ADDRESS": "127.0.0.1",
            "AURA_GATEWAY__CORE_ADDRESS": f"127.0.0.1:{free_port()}"}),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            deadline = time.time() + 20
            while time.time() < deadline:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                try:
                    conn.request("GET", "/healthz")
                    if conn.getresponse().status == 200:
                        break
                except OSError:
                    time.sleep(0.05)
                finally:
                    conn.close()
            proc.send_signal(signal.SIGTERM)
            out, _ = proc.communicate(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.assertEqual(proc.returncode, 0, out)
        self.assertIn(b'"gateway.stopped"', out)
        self.assertNotIn(b"telemetry.flush_incomplete", out)

    def test_hive_page_and_trace_filters(self):
        status, headers, data = request(self.hive, "GET", "/hive")
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "text/html; charset=utf-8")
        self.assertIn(b"/debug/traces", data)
        request(self.hive, "GET", "/v1/system/status")
        status, _, data = request(self.hive, "GET", "/debug/traces?service=aura-gateway&limit=5")
        self.assertEqual(status, 200)
        self.assertLessEqual(len(self.json_of(data)["traces"]), 5)
        status, _, data = request(self.hive, "GET", "/debug/traces?service=nobody")
        self.assertEqual(self.json_of(data), {"traces": []})
        status, _, data = request(self.hive, "GET", "/debug/traces?error=true")
        self.assertEqual(status, 200)
        for t in self.json_of(data)["traces"]:
            self.assertTrue(t["error"], t)
        status, _, _ = request(self.hive, "GET", "/debug/traces?trace_id=nothex")
        self.assertEqual(status, 400)
        status, _, data = request(self.hive, "GET", "/health")
        telemetry = self.json_of(data)["telemetry"]
        self.assertEqual(telemetry["status"], "ok")
        self.assertIn("spans_exported", telemetry)


class RedisBackedTest(GatewayTestCase):
    """Rate limits and replay answers kept in the real Redis (AURA_TEST_REDIS_URL)."""

    @classmethod
    def setUpClass(cls):
        url = os.environ.get("AURA_TEST_REDIS_URL")
        if not url:
            raise RuntimeError("AURA_TEST_REDIS_URL is not set: this test needs the real Redis "
                               "(scripts/test.sh starts one)")
        cls.gateway_env = {"AURA_DATABASE__REDIS_URL": url, "OTEL_BSP_SCHEDULE_DELAY": "20"}
        super().setUpClass()

    def test_redis_round_trips_are_client_spans_of_the_request(self):
        agent = Agent()
        trace_id = uuid.uuid4().hex
        body = {"item_id": "hotel_alpha", "bid_amount": 870.0, "agent_did": agent.did}
        status, _, data = signed(self.hive, agent, "POST", "/v1/negotiate", body,
                                 extra={"traceparent": f"00-{trace_id}-{'1' * 16}-01"})
        self.assertEqual(status, 200, data)
        spans = ObservabilityTest.spans_of(self, trace_id, 5)
        server = [sp for sp in spans if sp["name"] == "POST /v1/negotiate"][0]
        redis = [sp for sp in spans if sp["attributes"].get("db.system") == "redis"]
        self.assertTrue(redis, spans)
        url = urllib.parse.urlsplit(os.environ["AURA_TEST_REDIS_URL"])
        for sp in redis:
            self.assertEqual(sp["kind"], "client")
            self.assertEqual(sp["parent_span_id"], server["span_id"])
            attrs = sp["attributes"]
            self.assertEqual(attrs.get("db.system.name"), "redis", sp)
            self.assertEqual(attrs.get("db.operation.name"), sp["name"], sp)
            self.assertEqual(attrs.get("server.address"), url.hostname, sp)
            self.assertEqual(int(attrs.get("server.port")), url.port, sp)
            self.assertEqual(attrs.get("db.namespace"), (url.path.strip("/") or "0"), sp)
            # The command with every key and value masked: `GET ?`, `SET ? ? EX ? NX`,
            # `MULTI; INCR ?; EXPIRE ? ?; EXEC`.
            text = attrs.get("db.query.text", "")
            for command in text.split("; "):
                words = command.split(" ")
                self.assertRegex(words[0], r"^[A-Z]+$", sp)
                for word in words[1:]:
                    self.assertIn(word, ("?", "EX", "PX", "NX", "XX"), sp)
            if sp["name"] != "PIPELINE":
                self.assertTrue(text.startswith(sp["name"]), sp)
            self.assertNotIn(agent.did, json.dumps(sp))
        texts = {sp["attributes"]["db.query.text"] for sp in redis}
        self.assertIn("GET ?", texts)  # the replay guard's lookup
        self.assertIn("SET ? ? EX ? NX", texts)  # its answer, stored with a TTL
        self.assertIn("MULTI; INCR ?; EXPIRE ? ?; EXEC", texts)  # the rate limiter's window

    def test_health_reports_redis_backends(self):
        status, _, data = request(self.hive, "GET", "/health")
        body = self.json_of(data)
        self.assertEqual((status, body["status"]), (200, "healthy"), data)
        self.assertEqual(body["dependencies"]["rate_limiter"]["backend"], "redis")
        self.assertEqual(body["dependencies"]["replay_guard"]["backend"], "redis")

    def test_replay_and_rate_limit_through_redis(self):
        agent = Agent()
        body = {"item_id": "hotel_alpha", "bid_amount": 860.0, "agent_did": agent.did}
        headers = agent.headers("POST", "/v1/negotiate", body)
        raw = json.dumps(body).encode()
        first = request(self.hive, "POST", "/v1/negotiate", body=raw, headers=headers)
        second = request(self.hive, "POST", "/v1/negotiate", body=raw, headers=headers)
        self.assertEqual(first[0], 200, first[2])
        self.assertEqual(first[2], second[2])
        resets = {first[1]["x-ratelimit-reset"], second[1]["x-ratelimit-reset"]}
        statuses = [first[0], second[0]]
        for i in range(RATE_LIMIT):
            status, headers, _ = signed(self.hive, agent, "POST", "/v1/negotiate",
                                        {**body, "bid_amount": 861.0 + i})
            statuses.append(status)
            resets.add(headers["x-ratelimit-reset"])
        if len(resets) > 1:
            self.skipTest("the burst straddled a rate-limit window; nothing to conclude")
        # The replay counted too: 20 answers, then the limit.
        self.assertEqual(statuses.count(200), RATE_LIMIT)
        self.assertEqual(statuses[-1], 429)


if __name__ == "__main__":
    unittest.main()
