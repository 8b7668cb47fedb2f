"""Checks the deployment files without a container engine: the compose file
(services, images or builds, ports, dependency order, environment names that
the binaries actually read), the Dockerfile's stages, and the Kubernetes
manifests' probes, resources and autoscaling."""
import glob
import os
import re
import unittest

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEPLOY = os.path.join(ROOT, "deploy")
AURA_SERVICES = {"core", "gateway"}


def accepted_variables():
    """Every variable name the configuration layer reads: the quoted
    upper-case names in src/common/config and the OTEL_* names the telemetry
    layer parses."""
    names = set()
    files = glob.glob(os.path.join(ROOT, "src", "common", "config", "*.cc"))
    files += glob.glob(os.path.join(ROOT, "src", "telemetry", "**", "*.cc"), recursive=True)
    files += glob.glob(os.path.join(ROOT, "src", "telemetry", "**", "*.h"), recursive=True)
    for path in files:
        with open(path, encoding="utf-8") as f:
            names.update(re.findall(r'"([A-Z][A-Z0-9_]*[A-Z0-9])"', f.read()))
    return names


def topological_order(services):
    order, seen, visiting = [], set(), set()

    def visit(name):
        if name in seen:
            return
        if name in visiting:
            raise AssertionError("dependency cycle through " + name)
        visiting.add(name)
        deps = services[name].get("depends_on", {})
        for dep in (deps if isinstance(deps, list) else deps.keys()):
            if dep not in services:
                raise AssertionError("%s depends on unknown service %s" % (name, dep))
            visit(dep)
        visiting.discard(name)
        seen.add(name)
        order.append(name)

    for name in services:
        visit(name)
    return order


class ComposeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(os.path.join(DEPLOY, "docker-compose.yml")) as f:
            cls.compose = yaml.safe_load(f)
        cls.services = cls.compose["services"]

    def test_every_component_is_there(self):
        self.assertEqual(set(self.services),
                         {"jaeger", "prometheus", "grafana", "postgres", "redis", "core", "gateway"})

    def test_each_service_has_an_image_or_a_build(self):
        for name, svc in self.services.items():
            with self.subTest(service=name):
                self.assertTrue("image" in svc or "build" in svc)
                if "build" in svc:
                    build = svc["build"]
                    dockerfile = os.path.normpath(os.path.join(DEPLOY, build["context"], build["dockerfile"]))
                    self.assertTrue(os.path.exists(dockerfile), dockerfile)
                    with open(dockerfile) as f:
                        self.assertRegex(f.read(), r"(?m)^FROM .* AS %s$" % build["target"])

    def test_published_ports(self):
        def published(svc):
            return {p.split(":")[0] for p in self.services[svc].get("ports", [])}
        self.assertEqual(published("gateway"), {"8000"})
        self.assertTrue({"16686", "4317", "4318"} <= published("jaeger"))
        self.assertIn("9090", published("prometheus"))
        self.assertIn("3000", published("grafana"))
        self.assertEqual(self.services["jaeger"]["environment"]["COLLECTOR_OTLP_ENABLED"], "true")

    def test_environment_names_are_read_by_the_binaries(self):
        accepted = accepted_variables()
        self.assertIn("AURA_DATABASE__URL", accepted)
        for name in AURA_SERVICES:
            for var in self.services[name].get("environment", {}):
                with self.subTest(service=name, variable=var):
                    self.assertIn(var, accepted)

    def test_dependency_order(self):
        order = topological_order(self.services)
        pos = {n: i for i, n in enumerate(order)}
        self.assertLess(pos["postgres"], pos["core"])
        self.assertLess(pos["redis"], pos["core"])
        self.assertLess(pos["core"], pos["gateway"])
        self.assertLess(pos["prometheus"], pos["grafana"])

    def test_core_and_gateway_point_at_the_shared_components(self):
        core = self.services["core"]["environment"]
        self.assertTrue(core["AURA_DATABASE__URL"].startswith("postgresql://"))
        self.assertIn("@postgres:", core["AURA_DATABASE__URL"])
        self.assertIn("jaeger:4317", core["AURA_SERVER__OTEL_EXPORTER_OTLP_ENDPOINT"])
        self.assertEqual(self.services["gateway"]["environment"]["CORE_SERVICE_HOST"], "core:50051")


class DockerfileTest(unittest.TestCase):
    def test_stages_run_as_non_root_with_health_checks(self):
        with open(os.path.join(DEPLOY, "docker", "Dockerfile")) as f:
            text = f.read()
        self.assertRegex(text, r"(?m)^FROM debian:12 AS build$")
        self.assertRegex(text, r"(?m)^USER aura$")
        for target in ("core", "gateway"):
            stage = text.split("AS %s\n" % target, 1)[1].split("\nFROM ", 1)[0]
            self.assertIn("HEALTHCHECK", stage)
            self.assertIn("ENTRYPOINT", stage)


class KubernetesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.docs = []
        for path in sorted(glob.glob(os.path.join(DEPLOY, "kubernetes", "*.yaml"))):
            with open(path) as f:
                cls.docs += [d for d in yaml.safe_load_all(f) if d]

    def of_kind(self, kind):
        return {d["metadata"]["name"]: d for d in self.docs if d.get("kind") == kind}

    def test_deployments_have_probes_and_requests(self):
        deployments = self.of_kind("Deployment")
        self.assertEqual(set(deployments), {"aura-core", "aura-gateway"})
        for name, d in deployments.items():
            pod = d["spec"]["template"]["spec"]
            self.assertTrue(pod["securityContext"]["runAsNonRoot"])
            for c in pod["containers"]:
                with self.subTest(deployment=name):
                    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
                        self.assertIn(probe, c)
                    self.assertIn("requests", c["resources"])
        gw = deployments["aura-gateway"]["spec"]["template"]["spec"]["containers"][0]
        self.assertEqual(gw["readinessProbe"]["httpGet"]["path"], "/readyz")
        self.assertEqual(gw["livenessProbe"]["httpGet"]["path"], "/healthz")
        core = deployments["aura-core"]["spec"]["template"]["spec"]["containers"][0]
        self.assertEqual(core["readinessProbe"]["grpc"]["port"], 50051)

    def test_both_services_scale_horizontally(self):
        hpas = self.of_kind("HorizontalPodAutoscaler")
        self.assertEqual({h["spec"]["scaleTargetRef"]["name"] for h in hpas.values()}, {"aura-core", "aura-gateway"})

    def test_config_names_are_read_by_the_binaries(self):
        accepted = accepted_variables()
        for kind in ("ConfigMap", "Secret"):
            for d in self.of_kind(kind).values():
                for var in (d.get("data") or d.get("stringData") or {}):
                    with self.subTest(kind=kind, variable=var):
                        self.assertIn(var, accepted)


if __name__ == "__main__":
    unittest.main(verbosity=2)
