"""Checks the operators' Prometheus and Grafana files: promtool accepts the
scrape config and the rules, and every PromQL expression in the rules and the
dashboard evaluates without error against a real Prometheus on loopback."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEPLOY = os.path.join(ROOT, "deploy")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def expressions():
    """Every PromQL expression the operators' files contain, with where it is."""
    out = []
    with open(os.path.join(DEPLOY, "prometheus", "aura.rules.yml")) as f:
        rules = yaml.safe_load(f)
    for group in rules["groups"]:
        for rule in group["rules"]:
            out.append((rule.get("record") or rule.get("alert"), rule["expr"]))
    with open(os.path.join(DEPLOY, "grafana", "dashboards", "aura-hive.json")) as f:
        dashboard = json.load(f)
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            out.append((panel["title"], target["expr"]))
    return out


class PromtoolTest(unittest.TestCase):
    def test_config_is_valid(self):
        r = subprocess.run(["promtool", "check", "config", os.path.join(DEPLOY, "prometheus", "prometheus.yml")],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_rules_are_valid(self):
        r = subprocess.run(["promtool", "check", "rules", os.path.join(DEPLOY, "prometheus", "aura.rules.yml")],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_dashboard_is_provisioned_from_the_mounted_folder(self):
        with open(os.path.join(DEPLOY, "grafana", "provisioning", "dashboards", "aura.yml")) as f:
            provider = yaml.safe_load(f)["providers"][0]
        self.assertEqual(provider["type"], "file")
        with open(os.path.join(DEPLOY, "grafana", "dashboards", "aura-hive.json")) as f:
            dashboard = json.load(f)
        self.assertEqual(dashboard["uid"], "aura-hive")
        self.assertGreaterEqual(len(dashboard["panels"]), 4)


class ExpressionsEvaluateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="aura-prom-")
        cls.port = free_port()
        config = os.path.join(cls.dir, "prometheus.yml")
        shutil.copy(os.path.join(DEPLOY, "prometheus", "aura.rules.yml"), cls.dir)
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                    "rule_files: [aura.rules.yml]\nscrape_configs: []\n")
        cls.proc = subprocess.Popen(
            ["prometheus", "--config.file=" + config, "--storage.tsdb.path=" + os.path.join(cls.dir, "data"),
             "--web.listen-address=127.0.0.1:%d" % cls.port],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(cls.dir, "log"), "w"))
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/-/ready" % cls.port, timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("prometheus did not become ready")

    @classmethod
    def tearDownClass(cls):
        cls.proc.terminate()
        cls.proc.wait(10)
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_every_expression_evaluates(self):
        exprs = expressions()
        self.assertGreater(len(exprs), 10)
        for where, expr in exprs:
            with self.subTest(where=where):
                url = "http://127.0.0.1:%d/api/v1/query?%s" % (self.port, urllib.parse.urlencode({"query": expr}))
                with urllib.request.urlopen(url, timeout=10) as r:
                    body = json.load(r)
                self.assertEqual(body["status"], "success", (where, expr, body))

    def test_rules_load_without_evaluation_errors(self):
        time.sleep(2.5)  # two evaluation rounds
        with urllib.request.urlopen("http://127.0.0.1:%d/api/v1/rules" % self.port, timeout=10) as r:
            body = json.load(r)
        groups = body["data"]["groups"]
        self.assertEqual({g["name"] for g in groups}, {"aura-recording", "aura-alerts"})
        for g in groups:
            for rule in g["rules"]:
                self.assertNotEqual(rule.get("health"), "err", rule)


if __name__ == "__main__":
    unittest.main(verbosity=2)
