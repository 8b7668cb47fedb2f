"""One trace per request across aura-gateway and aura-core, as a collector sees it.

Starts otlp-test-receiver, then aura-core and aura-gateway (the e2e harness in
tests/e2e/gateway) with OTEL_EXPORTER_OTLP_ENDPOINT pointed at it — once over
OTLP/gRPC, once over OTLP/HTTP — sends signed requests (one carrying a
traceparent) and checks the spans the receiver got: one trace per request
covering both services, SERVER → CLIENT → SERVER parent links, names, kinds,
resource service names, and the incoming trace id continued.

Run by ctest (label integration) with AURA_GATEWAY_BIN, AURA_CORE_BIN,
AURA_SEED_BIN and AURA_OTLP_RECEIVER_BIN set.
"""

import json
import os
import subprocess
import sys
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "e2e",
                                "gateway"))
import gateway_e2e_test as e2e  # noqa: E402

RECEIVER_BIN = os.environ.get("AURA_OTLP_RECEIVER_BIN", "")

SERVER, CLIENT = 2, 3
STATUS_ERROR = 2
NEGOTIATE_RPC = "aura.negotiation.v1.NegotiationService/Negotiate"


class TracedHive(e2e.Hive):
    """The e2e hive with both services exporting to the fake receiver."""

    def __init__(self, otel_env):
        self.otel_env = otel_env
        super().__init__(gateway_env=dict(otel_env))

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


if __name__ == "__main__":
    unittest.main()
