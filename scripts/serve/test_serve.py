#!/usr/bin/env python3
"""rdpdoctor serve against the testbed and a real Prometheus (Debian's package).

    scripts/serve/test_serve.py PATH/TO/rdpdoctor

Needs the testbed running (scripts/testbed/start.sh; ports from ports.env) and
`prometheus` and `promtool` on PATH (scripts/testbed/install.sh installs them).
Everything listens on loopback. A component that cannot start fails the test.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = None
SECRET = "s3cr3t-Pa55word-never-shown"


def ports():
    result = {}
    with open(os.path.join(ROOT, "scripts/testbed/ports.env")) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                name, value = line.split("=", 1)
                result[name] = int(value)
    return result


PORTS = ports()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bindable(host, port):
    with socket.socket() as s:
        try:
            s.bind((host, port))
            return True
        except OSError:
            return False


def free_port_in(hosts, ports):
    """A port of `ports` free on every one of `hosts` (the machine is shared: others listen too)."""
    for port in ports:
        if all(bindable(host, port) for host in hosts):
            return port
    raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1} on {hosts}")


# The allow-lists below admit 33890-33940; the testbed uses up to 33934.
ALLOWED_SPARE = range(33935, 33941)


class RecordingListener:
    """A TCP listener that counts the connections it accepts (and answers nothing)."""

    def __init__(self, host, port):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.accepted = 0
        self.held = []
        self.running = True
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
                self.accepted += 1
                self.held.append(conn)
            except OSError:
                continue

    def close(self):
        self.running = False
        self.thread.join()
        for conn in self.held:
            conn.close()
        self.sock.close()


class Serve:
    """One `rdpdoctor serve` process on a free loopback port."""

    def __init__(self, config_text, env=None):
        self.dir = tempfile.mkdtemp(prefix="rdpdoctor-serve-")
        self.config = os.path.join(self.dir, "config.yml")
        with open(self.config, "w") as f:
            f.write(config_text)
        self.log_path = os.path.join(self.dir, "serve.log")
        self.log = open(self.log_path, "w+")
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.proc = subprocess.Popen([BINARY, "serve", "--config", self.config, "--listen", "127.0.0.1:0"],
                                     stdout=self.log, stderr=self.log, env=full_env)
        deadline = time.time() + 20
        self.port = None
        while time.time() < deadline and self.port is None:
            if self.proc.poll() is not None:
                raise RuntimeError(f"serve exited with {self.proc.returncode}: {self.text()}")
            match = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", self.text())
            if match:
                self.port = int(match.group(1))
            else:
                time.sleep(0.05)
        if self.port is None:
            self.stop()
            raise RuntimeError("serve did not start listening within 20 s: " + self.text())
        self.base = f"http://127.0.0.1:{self.port}"

    def text(self):
        with open(self.log_path) as f:
            return f.read()

    def get(self, path, headers=None, method="GET"):
        request = urllib.request.Request(self.base + path, headers=headers or {}, method=method)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def probe(self, target, module, **extra):
        query = urllib.parse.urlencode(dict(target=target, module=module, **extra))
        return self.get("/probe?" + query)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def metric(text, name, labels=None):
    """The value of one sample in an exposition text (labels: a subset that must match)."""
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        match = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(3) or ""))
        if all(found.get(k) == v for k, v in (labels or {}).items()):
            return float(match.group(4))
    return None


CONFIG_A = """
concurrency: 8
allow:
  networks: [127.0.0.1/32]
  hosts: [localhost]
  ports: [33890-33940]
modules:
  rdp_full:
    timeout: 10s
  rdp_quick:
    quick: true
    timeout: 5s
  rdp_policy:
    timeout: 10s
    expect:
      nla_required: true
      min_tls: "1.2"
  rdp_account:
    quick: true
    timeout: 5s
    credentials:
      user: 'LAB\\monitor'
      password_env: RDPDOCTOR_TEST_SECRET
"""

# Names may be looked up, but only 127.0.0.2 may be connected to; one probe at a time.
CONFIG_B = """
concurrency: 1
allow:
  networks: [127.0.0.2/32]
  hosts: [localhost]
  ports: [33890-33940]
modules:
  rdp_quick:
    quick: true
    timeout: 4s
"""


class ServeTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.a = Serve(CONFIG_A, env={"RDPDOCTOR_TEST_SECRET": SECRET})
        cls.b = Serve(CONFIG_B)

    @classmethod
    def tearDownClass(cls):
        cls.a.stop()
        cls.b.stop()
        for serve in (cls.a, cls.b):
            assert SECRET not in serve.text(), "the password appeared in serve's log"

    def test_probe_shadow_nla(self):
        status, body = self.a.probe(f"127.0.0.1:{PORTS['SHADOW_NLA']}", "rdp_full")
        self.assertEqual(status, 200, body)
        print("\n--- /probe?target=127.0.0.1:%d&module=rdp_full ---\n%s" % (PORTS["SHADOW_NLA"], body), file=sys.stderr)
        self.assertEqual(metric(body, "probe_success"), 1)
        self.assertEqual(metric(body, "rdp_nla_required"), 1)
        self.assertEqual(metric(body, "rdp_selected_protocol_info", {"protocol": "hybrid"}), 1)
        self.assertIsNotNone(metric(body, "probe_ssl_earliest_cert_expiry"))
        self.assertIsNotNone(metric(body, "rdp_step_duration_seconds", {"phase": "tls"}))
        self.assertEqual(metric(body, "rdp_standard_security_accepted"), 0)

    def test_probe_xrdp_without_nla(self):
        status, body = self.a.probe(f"127.0.0.1:{PORTS['XRDP_NEGOTIATE']}", "rdp_full")
        self.assertEqual(status, 200, body)
        self.assertEqual(metric(body, "rdp_nla_required"), 0)
        # The policy module expects NLA: the same host fails it.
        status, body = self.a.probe(f"127.0.0.1:{PORTS['XRDP_NEGOTIATE']}", "rdp_policy")
        self.assertEqual(metric(body, "probe_success"), 0)
        self.assertEqual(metric(body, "rdp_expectation_met", {"expectation": "nla_required"}), 0)

    def test_closed_port_fails_with_step_and_code(self):
        status, body = self.a.probe(f"127.0.0.1:{PORTS['CLOSED_PORT']}", "rdp_quick")
        self.assertEqual(status, 200, body)
        self.assertEqual(metric(body, "probe_success"), 0)
        self.assertEqual(metric(body, "rdp_failure_info", {"step": "tcp"}), 1)

    def test_debug_shows_the_report(self):
        status, body = self.a.probe(f"127.0.0.1:{PORTS['SHADOW_NLA']}", "rdp_quick", debug="true")
        self.assertEqual(status, 200)
        self.assertIn("Metrics that would have been returned", body)
        self.assertIn("probe_success", body)

    def test_secret_never_in_output(self):
        status, body = self.a.probe(f"127.0.0.1:{PORTS['SHADOW_NLA']}", "rdp_account", debug="true")
        self.assertEqual(status, 200, body)
        self.assertIn("rdp_credential_outcome_info", body)
        self.assertNotIn(SECRET, body)
        for path in ("/metrics", "/"):
            self.assertNotIn(SECRET, self.a.get(path)[1])

    def test_refused_targets_are_never_contacted(self):
        port = free_port_in(["127.0.0.1", "127.0.0.2"], ALLOWED_SPARE)
        outside = free_port_in(["127.0.0.1"], range(33941, 34000))
        outside_network = RecordingListener("127.0.0.2", port)
        outside_ports = RecordingListener("127.0.0.1", outside)
        after_dns = RecordingListener("127.0.0.1", port)
        try:
            status, body = self.a.probe(f"127.0.0.2:{port}", "rdp_quick")
            self.assertEqual(status, 403, body)
            status, body = self.a.probe(f"127.0.0.1:{outside}", "rdp_quick")
            self.assertEqual(status, 403, body)
            status, body = self.a.probe(f"example.invalid:{port}", "rdp_quick")
            self.assertEqual(status, 403, body)
            # localhost passes by name, then resolves to 127.0.0.1, outside B's networks.
            status, body = self.b.probe(f"localhost:{port}", "rdp_quick")
            self.assertEqual(status, 403, body)
            self.assertIn("after name resolution", self.b.text())
            time.sleep(0.5)
            self.assertEqual((outside_network.accepted, outside_ports.accepted, after_dns.accepted), (0, 0, 0))
        finally:
            for listener in (outside_network, outside_ports, after_dns):
                listener.close()
        metrics = self.a.get("/metrics")[1]
        self.assertGreaterEqual(metric(metrics, "rdpdoctor_serve_requests_refused_total", {"reason": "allow_list"}), 3)

    def test_concurrency_limit_answers_503(self):
        port = free_port_in(["127.0.0.2"], ALLOWED_SPARE)
        silent = RecordingListener("127.0.0.2", port)
        try:
            results = []
            first = threading.Thread(target=lambda: results.append(self.b.probe(f"127.0.0.2:{port}", "rdp_quick")))
            first.start()
            deadline = time.time() + 5
            while silent.accepted == 0 and time.time() < deadline:
                time.sleep(0.02)
            status, body = self.b.probe(f"127.0.0.2:{port}", "rdp_quick")
            self.assertEqual(status, 503, body)
            first.join()
            self.assertEqual(results[0][0], 200)
        finally:
            silent.close()

    def test_bad_requests_are_400(self):
        for query in ("", "?target=127.0.0.1:33910", "?target=127.0.0.1:33910&module=nope",
                      "?target=127.0.0.1:99999&module=rdp_quick", "?target=%5B%3A%3A1&module=rdp_quick"):
            status, _ = self.a.get("/probe" + query)
            self.assertEqual(status, 400, query)
        self.assertEqual(self.a.get("/nothing")[0], 404)
        self.assertEqual(self.a.get("/-/reload")[0], 405)

    def test_health_index_and_own_metrics(self):
        self.assertEqual(self.a.get("/-/healthy"), (200, "Healthy\n"))
        self.a.probe(f"127.0.0.1:{PORTS['SHADOW_NLA']}", "rdp_quick")
        status, page = self.a.get("/")
        self.assertEqual(status, 200)
        for name in ("rdp_full", "rdp_quick", "rdp_policy", "rdp_account", f"127.0.0.1:{PORTS['SHADOW_NLA']}"):
            self.assertIn(name, page)
        metrics = self.a.get("/metrics")[1]
        self.assertGreaterEqual(metric(metrics, "rdpdoctor_serve_probes_total", {"module": "rdp_quick"}), 1)
        self.assertIsNotNone(metric(metrics, "rdpdoctor_serve_probe_duration_seconds_count", {"module": "rdp_quick"}))
        self.assertEqual(metric(metrics, "rdpdoctor_serve_probes_in_flight"), 0)

    def test_reload_by_request_and_sighup(self):
        serve = Serve(CONFIG_B)
        try:
            with open(serve.config, "w") as f:
                f.write(CONFIG_B.replace("rdp_quick:", "rdp_other:"))
            self.assertEqual(serve.get("/-/reload", method="POST")[0], 200)
            self.assertIn("rdp_other", serve.get("/")[1])
            with open(serve.config, "w") as f:
                f.write("modules: [broken")
            self.assertEqual(serve.get("/-/reload", method="POST")[0], 500)
            self.assertIn("rdp_other", serve.get("/")[1])  # the old configuration stays
            with open(serve.config, "w") as f:
                f.write(CONFIG_B.replace("rdp_quick:", "rdp_third:"))
            serve.proc.send_signal(signal.SIGHUP)
            deadline = time.time() + 10
            while "rdp_third" not in serve.get("/")[1] and time.time() < deadline:
                time.sleep(0.1)
            self.assertIn("rdp_third", serve.get("/")[1])
        finally:
            serve.stop()

    def test_bad_config_is_a_clear_error(self):
        with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
            f.write("allow: {networks: [127.0.0.1], ports: [3389]}\nmodules: {a: {timout: 5}}\n")
        result = subprocess.run([BINARY, "serve", "--config", f.name, "--listen", "127.0.0.1:0"],
                                capture_output=True, text=True, timeout=30)
        self.assertEqual(result.returncode, 3)
        self.assertIn("modules.a.timout is not a known setting", result.stderr)


class PrometheusTests(unittest.TestCase):
    """A real Prometheus scrapes two serve instances, sharded with hashmod."""

    TARGETS = ["SHADOW_NLA", "XRDP_NEGOTIATE", "CLOSED_PORT", "SHADOW_TLS", "XRDP_TLS"]

    def test_prometheus_scrapes_rdp_series(self):
        shards = [Serve(CONFIG_A), Serve(CONFIG_A)]
        workdir = tempfile.mkdtemp(prefix="rdpdoctor-prometheus-")
        prometheus = None
        try:
            targets = [f"127.0.0.1:{PORTS[name]}" for name in self.TARGETS]
            jobs = []
            for index, shard in enumerate(shards):
                jobs.append({
                    "job_name": f"rdp_shard{index}", "metrics_path": "/probe", "params": {"module": ["rdp_full"]},
                    "scrape_interval": "5s", "scrape_timeout": "5s",
                    "static_configs": [{"targets": targets}],
                    # The shipped relabelling (deploy/prometheus/prometheus.yml), with the hashmod shard.
                    "relabel_configs": [
                        {"source_labels": ["__address__"], "target_label": "__param_target"},
                        {"source_labels": ["__param_target"], "target_label": "instance"},
                        {"source_labels": ["__param_target"], "modulus": 2, "target_label": "__tmp_shard", "action": "hashmod"},
                        {"source_labels": ["__tmp_shard"], "regex": str(index), "action": "keep"},
                        {"target_label": "__address__", "replacement": f"127.0.0.1:{shard.port}"},
                    ],
                })
            config = {"global": {"scrape_interval": "5s", "evaluation_interval": "5s"}, "scrape_configs": jobs}
            config_path = os.path.join(workdir, "prometheus.yml")
            with open(config_path, "w") as f:
                json.dump(config, f)  # JSON is YAML
            port = free_port()
            log = open(os.path.join(workdir, "prometheus.log"), "w+")
            prometheus = subprocess.Popen(
                ["prometheus", f"--config.file={config_path}", f"--storage.tsdb.path={workdir}/data",
                 f"--web.listen-address=127.0.0.1:{port}"], stdout=log, stderr=log)
            api = f"http://127.0.0.1:{port}/api/v1/query?query="

            def query(expr):
                with urllib.request.urlopen(api + urllib.parse.quote(expr), timeout=10) as response:
                    return json.load(response)["data"]["result"]

            deadline = time.time() + 90
            results = []
            while time.time() < deadline:
                if prometheus.poll() is not None:
                    log.seek(0)
                    self.fail("prometheus exited: " + log.read()[-2000:])
                try:
                    results = query('probe_success{job=~"rdp_shard.*"}')
                except (urllib.error.URLError, ConnectionError):
                    results = []
                if len(results) == len(targets):
                    break
                time.sleep(1)
            self.assertEqual(len(results), len(targets), f"scraped: {results}")
            success = {r["metric"]["instance"]: float(r["value"][1]) for r in results}
            # Every target once, in exactly one shard.
            self.assertEqual(sorted(success), sorted(targets))
            self.assertEqual(success[f"127.0.0.1:{PORTS['SHADOW_NLA']}"], 1)
            self.assertEqual(success[f"127.0.0.1:{PORTS['CLOSED_PORT']}"], 0)
            nla = {r["metric"]["instance"]: float(r["value"][1]) for r in query("rdp_nla_required")}
            self.assertEqual(nla.get(f"127.0.0.1:{PORTS['SHADOW_NLA']}"), 1, nla)
            self.assertEqual(nla.get(f"127.0.0.1:{PORTS['XRDP_NEGOTIATE']}"), 0, nla)
            failure = query('rdp_failure_info{step="tcp"}')
            self.assertEqual([r["metric"]["instance"] for r in failure], [f"127.0.0.1:{PORTS['CLOSED_PORT']}"])
            # Each serve instance probed only its shard's targets.
            probed = [set(re.findall(r"probe target=(\S+) ", shard.text())) for shard in shards]
            self.assertFalse(probed[0] & probed[1], probed)
            self.assertEqual(probed[0] | probed[1], set(targets))
        finally:
            if prometheus is not None:
                prometheus.terminate()
                prometheus.wait(20)
                log.close()
            for shard in shards:
                shard.stop()


class AlertRuleTests(unittest.TestCase):
    def test_promtool_checks_and_tests_the_rules(self):
        deploy = os.path.join(ROOT, "deploy/prometheus")
        for args in (["check", "rules", "rdpdoctor-alerts.yml"], ["test", "rules", "rdpdoctor-alerts.test.yml"],
                     ["check", "config", "prometheus.yml"]):
            result = subprocess.run(["promtool"] + args, cwd=deploy, capture_output=True, text=True, timeout=60)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_dashboard_is_json(self):
        with open(os.path.join(ROOT, "deploy/grafana/rdpdoctor-dashboard.json")) as f:
            dashboard = json.load(f)
        self.assertTrue(dashboard["panels"])


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
