"""One trace per request across aura-gateway and aura-core, as a collector sees it.

Starts otlp-test-receiver, then aura-core and aura-gateway (the e2e harness in
tests/e2e/gateway) with OTEL_EXPORTER_OTLP_ENDPOINT pointed at it — once over
OTLP/gRPC, once over OTLP/HTTP — sends signed requests (one carrying a
traceparent) and checks the spans the receiver got: one trace per request
covering both services, SERVER → CLIENT → SERVER parent links, names, kinds,
resource service names, and the incoming trace id continued.

ServerErrorTest runs aura-core on a private PostgreSQL database (created in
AURA_TEST_POSTGRES_URL's server), then makes its negotiation writes fail for
real — a trigger that raises on INSERT into negotiations — and checks that the
failure shows as Error on every hop of the trace, while a 401 (a client error)
leaves the gateway's server span Unset.

Run by ctest (label integration) with AURA_GATEWAY_BIN, AURA_CORE_BIN,
AURA_SEED_BIN and AURA_OTLP_RECEIVER_BIN set (ServerErrorTest also needs
AURA_TEST_POSTGRES_URL and fails without it).
"""

import json
import os
import subprocess
import sys
import time
import unittest
import urllib.parse
import urllib.request
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "e2e",
                                "gateway"))
import gateway_e2e_test as e2e  # noqa: E402

RECEIVER_BIN = os.environ.get("AURA_OTLP_RECEIVER_BIN", "")

SERVER, CLIENT = 2, 3
STATUS_ERROR = 2
NEGOTIATE_RPC = "aura.negotiation.v1.NegotiationService/Negotiate"


class TracedHive(e2e.Hive):
    """The e2e hive with both services exporting to the fake receiver."""

    def __init__(self, otel_env, db_url=None):
        self.otel_env = otel_env
        super().__init__(gateway_env=dict(otel_env), db_url=db_url)

    def start_core(self):
        self.core = self._spawn(e2e.CORE_BIN, {
            "AURA_DATABASE__URL": self.db_url,
            "AURA_SERVER__PORT": str(self.core_port),
            "AURA_SERVER__METRICS_PORT": str(e2e.free_port()),
            "AURA_DATA_DIR": self.dir,
            "AURA_LLM__MODEL": "rule",
            "AURA_LOG_LEVEL": "warning",
            **self.otel_env,
        }, "core.log")


class Receiver:
    def __init__(self):
        if not RECEIVER_BIN or not os.path.exists(RECEIVER_BIN):
            raise RuntimeError(f"AURA_OTLP_RECEIVER_BIN must name otlp-test-receiver (got {RECEIVER_BIN!r})")
        self.proc = subprocess.Popen([RECEIVER_BIN], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        ports = json.loads(self.proc.stdout.readline())
        self.grpc_port = ports["grpc_port"]
        self.http_port = ports["http_port"]

    def spans(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/dump", timeout=5) as r:
            return json.loads(r.read())["spans"]

    def trace(self, trace_id, timeout=20):
        """The spans of one trace once both services' batches have arrived."""
        deadline = time.time() + timeout
        spans = []
        while time.time() < deadline:
            spans = [s for s in self.spans() if s["trace_id"] == trace_id]
            seen = {(s["name"], s["kind"]) for s in spans}
            if {("POST /v1/negotiate", SERVER), (NEGOTIATE_RPC, CLIENT), (NEGOTIATE_RPC, SERVER),
                    ("pricing.decide", 1)} <= seen:
                return spans
            time.sleep(0.05)
        raise AssertionError(f"trace {trace_id} incomplete: {spans}")

    def close(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class CrossServiceBase:
    PROTOCOL = None
    TRACE_ID = "5b8efff798038103d269b633813fc60c"
    PARENT = "eee19b7ec3c1b174"

    @classmethod
    def setUpClass(cls):
        cls.rx = Receiver()
        if cls.PROTOCOL == "grpc":
            env = {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{cls.rx.grpc_port}",
                   "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}
        else:
            env = {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{cls.rx.http_port}",
                   "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"}
        env["OTEL_BSP_SCHEDULE_DELAY"] = "20"
        try:
            cls.hive = TracedHive(env)
            cls.hive.wait_ready()
        except Exception:
            cls.rx.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.hive.close()
        cls.rx.close()

    def negotiate(self, bid, traceparent=None):
        agent = e2e.Agent()
        body = {"item_id": "hotel_alpha", "bid_amount": bid, "currency": "USD",
                "agent_did": agent.did}
        headers = agent.headers("POST", "/v1/negotiate", body, None)
        if traceparent:
            headers["traceparent"] = traceparent
        status, resp_headers, data = e2e.request(self.hive, "POST", "/v1/negotiate",
                                                 body=json.dumps(body).encode(), headers=headers)
        return status, data

    def check_chain(self, spans):
        by_name = {}
        for s in spans:
            by_name.setdefault(s["name"], s)
        gw = by_name.get("POST /v1/negotiate")
        self.assertIsNotNone(gw, [s["name"] for s in spans])
        self.assertEqual(gw["kind"], SERVER)
        self.assertEqual(gw["service"], "aura-gateway")
        client = [s for s in spans if s["name"] == NEGOTIATE_RPC and s["kind"] == CLIENT]
        server = [s for s in spans if s["name"] == NEGOTIATE_RPC and s["kind"] == SERVER]
        self.assertEqual(len(client), 1, spans)
        self.assertEqual(len(server), 1, spans)
        client, server = client[0], server[0]
        self.assertEqual(client["service"], "aura-gateway")
        self.assertEqual(server["service"], "aura-core")
        self.assertEqual(server["parent_span_id"], client["span_id"])
        self.assertEqual(server["attributes"]["rpc.system"], "grpc")
        self.assertEqual(server["attributes"]["rpc.method"], "Negotiate")
        self.assertEqual(int(server["attributes"]["rpc.grpc.status_code"]), 0)
        # The client span hangs under the gateway's server span (maybe via internal spans).
        ids = {s["span_id"]: s for s in spans}
        node, hops = client, 0
        while node["parent_span_id"] in ids and node is not gw and hops < 10:
            node, hops = ids[node["parent_span_id"]], hops + 1
        self.assertIs(node, gw)
        decide = by_name.get("pricing.decide")
        self.assertIsNotNone(decide)
        self.assertEqual(decide["service"], "aura-core")
        self.assertEqual(decide["parent_span_id"], server["span_id"])
        sql = [s for s in spans if s["service"] == "aura-core" and s["kind"] == CLIENT]
        self.assertTrue(sql, spans)
        for s in sql:
            self.assertEqual(s["parent_span_id"], server["span_id"], s)
        for s in spans:
            self.assertNotEqual(s["status"]["code"], STATUS_ERROR, s)
        return gw

    def test_incoming_trace_is_continued_across_both_services(self):
        status, data = self.negotiate(850.0, f"00-{self.TRACE_ID}-{self.PARENT}-01")
        self.assertEqual(status, 200, data)
        spans = self.rx.trace(self.TRACE_ID)
        gw = self.check_chain(spans)
        self.assertEqual(gw["parent_span_id"], self.PARENT)

    def test_untraced_request_gets_one_new_trace_for_both_services(self):
        before = {s["span_id"] for s in self.rx.spans()}
        status, data = self.negotiate(900.0)
        self.assertEqual(status, 200, data)
        deadline = time.time() + 20
        while time.time() < deadline:
            fresh = [s for s in self.rx.spans() if s["span_id"] not in before]
            roots = [s for s in fresh if s["name"] == "POST /v1/negotiate"]
            if roots:
                gw = self.check_chain(self.rx.trace(roots[0]["trace_id"]))
                self.assertEqual(gw["parent_span_id"], "")
                return
            time.sleep(0.05)
        self.fail("no complete trace for the untraced request")


class OtlpGrpcTest(CrossServiceBase, unittest.TestCase):
    PROTOCOL = "grpc"


class OtlpHttpTest(CrossServiceBase, unittest.TestCase):
    PROTOCOL = "http"
    TRACE_ID = "6c9f0008a9149214e37ac744924fd71d"


class PrivateDatabase:
    """A database of the test's own on the PostgreSQL server of AURA_TEST_POSTGRES_URL."""

    def __init__(self):
        base = os.environ.get("AURA_TEST_POSTGRES_URL", "")
        if not base:
            raise RuntimeError("AURA_TEST_POSTGRES_URL is not set: this test needs the real "
                               "PostgreSQL (scripts/test.sh starts one)")
        self.admin_url = base
        self.name = "aura_trace_err_" + uuid.uuid4().hex[:12]
        parts = urllib.parse.urlsplit(base)
        self.url = urllib.parse.urlunsplit(parts._replace(path="/" + self.name))
        self.psql(self.admin_url, f"CREATE DATABASE {self.name}")

    @staticmethod
    def psql(url, sql):
        out = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-X", "-c", sql],
                             capture_output=True, timeout=60)
        if out.returncode != 0:
            raise RuntimeError(f"psql failed ({sql!r}): {out.stderr.decode(errors='replace')}")

    def run(self, sql):
        self.psql(self.url, sql)

    def drop(self):
        self.psql(self.admin_url, f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


class ServerErrorTest(unittest.TestCase):
    """A real failure in aura-core is an Error on every hop; a 401 is not."""

    TRACE_ID = "7d0a1119ba25a325f48bd855a35fe82e"
    PARENT = "fff20c8fd4d2c285"

    @classmethod
    def setUpClass(cls):
        cls.db = PrivateDatabase()
        cls.rx = None
        cls.hive = None
        try:
            cls.rx = Receiver()
            env = {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{cls.rx.grpc_port}",
                   "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
                   "OTEL_BSP_SCHEDULE_DELAY": "20"}
            cls.hive = TracedHive(env, db_url=cls.db.url)
            cls.hive.wait_ready()
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.hive:
            cls.hive.close()
        if cls.rx:
            cls.rx.close()
        cls.db.drop()

    def wait_for(self, trace_id, wanted, timeout=20):
        """The spans of one trace once every (name, kind) in `wanted` is there."""
        deadline = time.time() + timeout
        spans = []
        while time.time() < deadline:
            spans = [s for s in self.rx.spans() if s["trace_id"] == trace_id]
            if set(wanted) <= {(s["name"], s["kind"]) for s in spans}:
                return spans
            time.sleep(0.05)
        raise AssertionError(f"trace {trace_id} incomplete: {spans}")

    def one(self, spans, name, kind):
        found = [s for s in spans if s["name"] == name and s["kind"] == kind]
        self.assertEqual(len(found), 1, spans)
        return found[0]

    def test_failed_negotiation_write_is_an_error_on_every_hop(self):
        # The core's negotiation writes fail from now on: a trigger refuses
        # every INSERT into negotiations (a superuser cannot be REVOKEd from).
        self.db.run("""
            CREATE FUNCTION aura_test_refuse_negotiations() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'negotiations are read-only in this test'; END $$;
            CREATE TRIGGER aura_test_refuse BEFORE INSERT ON negotiations
                FOR EACH ROW EXECUTE FUNCTION aura_test_refuse_negotiations();""")
        agent = e2e.Agent()
        body = {"item_id": "hotel_alpha", "bid_amount": 850.0, "currency": "USD",
                "agent_did": agent.did}
        headers = agent.headers("POST", "/v1/negotiate", body, None)
        headers["traceparent"] = f"00-{self.TRACE_ID}-{self.PARENT}-01"
        status, _, data = e2e.request(self.hive, "POST", "/v1/negotiate",
                                      body=json.dumps(body).encode(), headers=headers)
        self.assertGreaterEqual(status, 500, data)
        self.assertLess(status, 600, data)

        spans = self.wait_for(self.TRACE_ID, [("POST /v1/negotiate", SERVER),
                                              (NEGOTIATE_RPC, CLIENT), (NEGOTIATE_RPC, SERVER)])
        gw = self.one(spans, "POST /v1/negotiate", SERVER)
        client = self.one(spans, NEGOTIATE_RPC, CLIENT)
        server = self.one(spans, NEGOTIATE_RPC, SERVER)
        self.assertEqual((gw["service"], client["service"], server["service"]),
                         ("aura-gateway", "aura-gateway", "aura-core"))
        self.assertEqual(gw["parent_span_id"], self.PARENT)
        self.assertEqual(server["parent_span_id"], client["span_id"])

        # The core's gRPC server span: ERROR, with the gRPC status code (a
        # server-side code: UNAVAILABLE or INTERNAL) and error.type.
        code = int(server["attributes"]["rpc.grpc.status_code"])
        self.assertIn(code, (13, 14), server)  # INTERNAL, UNAVAILABLE
        self.assertEqual(server["status"]["code"], STATUS_ERROR, server)
        self.assertIn(server["attributes"].get("error.type"), ("INTERNAL", "UNAVAILABLE"), server)

        # The gateway's gRPC client span: ERROR with the same code.
        self.assertEqual(client["status"]["code"], STATUS_ERROR, client)
        self.assertEqual(int(client["attributes"]["rpc.grpc.status_code"]), code, client)
        self.assertEqual(client["attributes"].get("error.type"), server["attributes"]["error.type"])

        # The gateway's HTTP server span: ERROR for the 5xx it answered, the
        # status code as error.type (OTEL_CONFORMANCE §7), no description needed.
        self.assertEqual(gw["status"]["code"], STATUS_ERROR, gw)
        self.assertEqual(int(gw["attributes"]["http.response.status_code"]), status, gw)
        self.assertEqual(gw["attributes"].get("error.type"), str(status), gw)

        # Where it started: the INSERT itself, an ERROR SQL span under the core's server span.
        inserts = [s for s in spans if s["service"] == "aura-core" and s["kind"] == CLIENT
                   and s["attributes"].get("db.operation.name") == "INSERT"
                   and s["attributes"].get("db.collection.name") == "negotiations"]
        self.assertEqual(len(inserts), 1, spans)
        self.assertEqual(inserts[0]["status"]["code"], STATUS_ERROR, inserts[0])
        self.assertIn("error.type", inserts[0]["attributes"])
        self.assertEqual(inserts[0]["parent_span_id"], server["span_id"])

    def test_bad_signature_401_leaves_the_server_span_unset(self):
        trace_id = uuid.uuid4().hex
        agent, other = e2e.Agent(), e2e.Agent()
        body = {"item_id": "hotel_alpha", "bid_amount": 850.0, "currency": "USD",
                "agent_did": agent.did}
        headers = agent.headers("POST", "/v1/negotiate", body, None)
        headers["X-Signature"] = other.headers("POST", "/v1/negotiate", body, None)["X-Signature"]
        headers["traceparent"] = f"00-{trace_id}-{self.PARENT}-01"
        status, _, data = e2e.request(self.hive, "POST", "/v1/negotiate",
                                      body=json.dumps(body).encode(), headers=headers)
        self.assertEqual(status, 401, data)
        spans = self.wait_for(trace_id, [("POST /v1/negotiate", SERVER)])
        gw = self.one(spans, "POST /v1/negotiate", SERVER)
        self.assertEqual(int(gw["attributes"]["http.response.status_code"]), 401, gw)
        self.assertNotEqual(gw["status"]["code"], STATUS_ERROR, gw)
        self.assertNotIn("error.type", gw["attributes"], gw)
        # Rejected before the core: no gRPC call in this trace.
        self.assertFalse([s for s in spans if s["name"] == NEGOTIATE_RPC], spans)


if __name__ == "__main__":
    unittest.main()
