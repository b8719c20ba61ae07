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
# The testbed gateway's account (scripts/testbed/gateway.py): gwuser / Gateway-Pass-7.
GATEWAY_SECRET = "Gateway-Pass-7"
TESTBED = os.environ.get("TESTBED_DIR", os.path.join(ROOT, ".testbed"))


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
  rdp_gateway:
    timeout: 10s
    ca_file: {ca}
    gateway:
      address: 127.0.0.1:{GW_HEALTHY}
      user: gwuser
      password_env: RDPDOCTOR_TEST_GATEWAY_SECRET
  rdp_gateway_rap:
    timeout: 10s
    ca_file: {ca}
    gateway:
      address: 127.0.0.1:{GW_RAP_DENIED}
      user: gwuser
      password_env: RDPDOCTOR_TEST_GATEWAY_SECRET
""".replace("{ca}", os.path.join(TESTBED, "ca.pem")).replace("{GW_HEALTHY}", str(PORTS["GW_HEALTHY"])) \
    .replace("{GW_RAP_DENIED}", str(PORTS["GW_RAP_DENIED"]))

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
        cls.a = Serve(CONFIG_A, env={"RDPDOCTOR_TEST_SECRET": SECRET, "RDPDOCTOR_TEST_GATEWAY_SECRET": GATEWAY_SECRET})
        cls.b = Serve(CONFIG_B)

    @classmethod
    def tearDownClass(cls):
        cls.a.stop()
        cls.b.stop()
        for serve in (cls.a, cls.b):
            assert SECRET not in serve.text(), "the password appeared in serve's log"
            assert GATEWAY_SECRET not in serve.text(), "the gateway password appeared in serve's log"

    def test_gateway_module_walks_the_testbed_gateway(self):
        xrdp = f"127.0.0.1:{PORTS['XRDP_NEGOTIATE']}"
        status, body = self.a.probe(xrdp, "rdp_gateway")
        self.assertEqual(status, 200, body)
        self.assertEqual(metric(body, "rdp_gateway_channel_ok"), 1, body)
        self.assertEqual(metric(body, "probe_success"), 1, body)
        self.assertEqual(metric(body, "rdp_gateway_authentication_info", {"outcome": "accepted"}), 1, body)
        self.assertEqual(metric(body, "rdp_gateway_transport_info", {"transport": "websocket"}), 1, body)
        self.assertEqual(metric(body, "rdp_gateway_certificate_trusted"), 1, body)
        self.assertIsNotNone(metric(body, "rdp_gateway_step_duration_seconds", {"phase": "channel_create"}), body)
        self.assertIsNone(metric(body, "rdp_gateway_failure_info"), body)
        # The gateway's resource policy refuses the channel: the step, the kind and the E_PROXY code.
        status, body = self.a.probe(xrdp, "rdp_gateway_rap")
        self.assertEqual(status, 200, body)
        self.assertEqual(metric(body, "probe_success"), 0, body)
        self.assertEqual(metric(body, "rdp_gateway_channel_ok"), 0, body)
        self.assertEqual(metric(body, "rdp_gateway_failure_info", {"step": "channel_create", "kind": "refused"}), 1, body)
        self.assertEqual(metric(body, "rdp_gateway_result_code"), 0x800759DA, body)  # E_PROXY_RAP_ACCESSDENIED
        status, debug = self.a.probe(xrdp, "rdp_gateway", debug="true")
        self.assertNotIn(GATEWAY_SECRET, debug)
        for path in ("/metrics", "/"):
            self.assertNotIn(GATEWAY_SECRET, self.a.get(path)[1])
        self.assertIn(f"127.0.0.1:{PORTS['GW_HEALTHY']}", self.a.get("/")[1])

    def test_sigterm_drains_the_probes_in_flight(self):
        port = free_port_in(["127.0.0.2"], ALLOWED_SPARE)
        silent = RecordingListener("127.0.0.2", port)
        serve = Serve(CONFIG_B)
        try:
            results = []
            probe = threading.Thread(target=lambda: results.append(serve.probe(f"127.0.0.2:{port}", "rdp_quick")))
            started = time.time()
            probe.start()
            deadline = time.time() + 5
            while silent.accepted == 0 and time.time() < deadline:
                time.sleep(0.02)
            self.assertEqual(silent.accepted, 1, "the probe reached the silent listener")
            serve.proc.send_signal(signal.SIGTERM)
            # The listener closes at once: a new connection is refused while the probe runs on.
            refused = False
            deadline = time.time() + 2
            while not refused and time.time() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", serve.port), timeout=1).close()
                    time.sleep(0.05)
                except ConnectionRefusedError:
                    refused = True
            self.assertTrue(refused, "serve still accepted connections after SIGTERM")
            self.assertIsNone(serve.proc.poll(), "serve exited before answering the probe in flight")
            probe.join(30)
            self.assertEqual(len(results), 1)
            status, body = results[0]
            self.assertEqual(status, 200, body)
            self.assertEqual(metric(body, "probe_success"), 0)  # silent: the module's 4 s ran out
            self.assertGreaterEqual(time.time() - started, 3)
            self.assertEqual(serve.proc.wait(10), 0)
            self.assertIn("drained: every request in flight was answered", serve.text())
        finally:
            serve.stop()
            silent.close()

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


DEPLOY = os.path.join(ROOT, "deploy/prometheus")


class Prometheus:
    """Debian's prometheus on a free loopback port, with a shipped scrape file as it is:
    only the serve addresses are replaced by where the test's serve instances listen."""

    def __init__(self, shipped, addresses):
        self.dir = tempfile.mkdtemp(prefix="rdpdoctor-prometheus-")
        with open(os.path.join(DEPLOY, shipped)) as f:
            text = f.read()
        for shipped_address, address in addresses.items():
            self.assert_in(shipped_address, text)
            text = text.replace(shipped_address, address)
        self.config = os.path.join(self.dir, shipped)
        with open(self.config, "w") as f:
            f.write(text)
        # rule_files names the alert rules beside the scrape file.
        with open(os.path.join(DEPLOY, "rdpdoctor-alerts.yml")) as src, \
                open(os.path.join(self.dir, "rdpdoctor-alerts.yml"), "w") as dst:
            dst.write(src.read())
        self.port = free_port()
        self.log = open(os.path.join(self.dir, "prometheus.log"), "w+")
        self.proc = subprocess.Popen(
            ["prometheus", f"--config.file={self.config}", f"--storage.tsdb.path={self.dir}/data",
             f"--web.listen-address=127.0.0.1:{self.port}"], stdout=self.log, stderr=self.log)

    @staticmethod
    def assert_in(needle, text):
        if needle not in text:
            raise AssertionError(f"the shipped scrape file no longer names {needle}")

    def query(self, expr):
        if self.proc.poll() is not None:
            self.log.seek(0)
            raise AssertionError("prometheus exited: " + self.log.read()[-2000:])
        url = f"http://127.0.0.1:{self.port}/api/v1/query?query=" + urllib.parse.quote(expr)
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return json.load(response)["data"]["result"]
        except (urllib.error.URLError, ConnectionError):
            return None

    def wait_for(self, expr, count, seconds):
        """The query's result once it has `count` series (the shipped interval is 1m: the first
        scrape of each target comes within a minute of the start)."""
        deadline = time.time() + seconds
        results = []
        while time.time() < deadline:
            results = self.query(expr) or []
            if len(results) >= count:
                return results
            time.sleep(1)
        return results

    def stop(self):
        self.proc.terminate()
        self.proc.wait(20)
        self.log.close()


def shipped_targets(shipped):
    with open(os.path.join(DEPLOY, shipped)) as f:
        return sorted(set(re.findall(r"^\s+- (127\.0\.0\.1:\d+)\s*$", f.read(), re.M)))


class PrometheusTests(unittest.TestCase):
    """A real Prometheus runs the shipped scrape files: prometheus.yml against one serve,
    prometheus-sharded.yml against two serve instances split by hashmod. Both start at
    once (the shipped scrape interval is a minute)."""

    @classmethod
    def setUpClass(cls):
        cls.single = Serve(CONFIG_A)
        cls.shards = [Serve(CONFIG_A), Serve(CONFIG_A)]
        cls.prometheus_single = Prometheus("prometheus.yml", {"127.0.0.1:9389": f"127.0.0.1:{cls.single.port}"})
        cls.prometheus_sharded = Prometheus("prometheus-sharded.yml", {
            "127.0.0.1:9389": f"127.0.0.1:{cls.shards[0].port}", "127.0.0.1:9390": f"127.0.0.1:{cls.shards[1].port}"})

    @classmethod
    def tearDownClass(cls):
        for prometheus in (cls.prometheus_single, cls.prometheus_sharded):
            prometheus.stop()
        for serve in [cls.single] + cls.shards:
            serve.stop()

    def test_shipped_scrape_file_gives_the_rdp_series(self):
        nla_host, xrdp = f"127.0.0.1:{PORTS['SHADOW_NLA']}", f"127.0.0.1:{PORTS['XRDP_NEGOTIATE']}"
        targets = shipped_targets("prometheus.yml")
        self.assertEqual(targets, sorted([nla_host, xrdp]), "the shipped targets are the testbed's NLA shadow and xrdp")
        prometheus = self.prometheus_single
        results = prometheus.wait_for('probe_success{job="rdp"}', len(targets), 100)
        success = {r["metric"]["instance"]: float(r["value"][1]) for r in results}
        self.assertEqual(sorted(success), targets, f"scraped: {results}")
        self.assertEqual(success[nla_host], 1)
        nla = {r["metric"]["instance"]: float(r["value"][1]) for r in prometheus.query('rdp_nla_required{job="rdp"}')}
        self.assertEqual(nla.get(nla_host), 1, nla)
        self.assertEqual(nla.get(xrdp), 0, nla)
        protocol = prometheus.query(f'rdp_selected_protocol_info{{instance="{nla_host}"}}')
        self.assertEqual([r["metric"]["protocol"] for r in protocol], ["hybrid"])
        # serve's own metrics, and the shipped alert rules loaded beside the scrape file.
        up = prometheus.wait_for('up{job="rdpdoctor"} == 1', 1, 70)
        self.assertEqual(len(up), 1, up)
        with urllib.request.urlopen(f"http://127.0.0.1:{prometheus.port}/api/v1/rules", timeout=10) as response:
            rules = [rule["name"] for group in json.load(response)["data"]["groups"] for rule in group["rules"]]
        self.assertIn("RDPProbeFailing", rules)

    def test_hashmod_shards_probe_each_target_exactly_once(self):
        targets = shipped_targets("prometheus-sharded.yml")
        names = {f"127.0.0.1:{PORTS[name]}": name for name in ("SHADOW_NLA", "XRDP_NEGOTIATE", "CLOSED_PORT", "SHADOW_TLS", "XRDP_TLS",
                                                           "XRDP_EXPIRED", "XRDP_TESTCA")}
        self.assertEqual(targets, sorted(names), "the shipped targets are testbed ports")
        prometheus = self.prometheus_sharded
        results = prometheus.wait_for('probe_success{job="rdp"}', len(targets), 100)
        self.assertEqual(sorted(r["metric"]["instance"] for r in results), targets, f"scraped: {results}")
        success = {r["metric"]["instance"]: float(r["value"][1]) for r in results}
        self.assertEqual(success[f"127.0.0.1:{PORTS['SHADOW_NLA']}"], 1)
        self.assertEqual(success[f"127.0.0.1:{PORTS['CLOSED_PORT']}"], 0)
        failure = prometheus.query('rdp_failure_info{step="tcp"}')
        self.assertEqual([r["metric"]["instance"] for r in failure], [f"127.0.0.1:{PORTS['CLOSED_PORT']}"])
        # Every target in exactly one shard, and probed exactly once per scrape: the serve logs'
        # probes of each target (both instances together) equal Prometheus' samples of it.
        # A scrape may land between the two readings: read again until they agree.
        for _ in range(10):
            samples = {r["metric"]["instance"]: int(float(r["value"][1]))
                       for r in prometheus.query('count_over_time(probe_success{job="rdp"}[1h])')}
            probed = [re.findall(r"probe target=(\S+) ", shard.text()) for shard in self.shards]
            again = {r["metric"]["instance"]: int(float(r["value"][1]))
                     for r in prometheus.query('count_over_time(probe_success{job="rdp"}[1h])')}
            if samples == again:
                break
            time.sleep(0.5)
        self.assertFalse(set(probed[0]) & set(probed[1]), f"a target was probed by both instances: {probed}")
        self.assertEqual(set(probed[0]) | set(probed[1]), set(targets))
        self.assertTrue(probed[0] and probed[1], f"hashmod left a shard empty: {probed}")
        counts = {target: probed[0].count(target) + probed[1].count(target) for target in targets}
        self.assertEqual(counts, samples, "each scrape is one probe, and each probe one scrape")
        shard_of = {r["metric"]["instance"]: r["metric"]["shard"] for r in results}
        for index, shard_probes in enumerate(probed):
            for target in set(shard_probes):
                self.assertEqual(shard_of[target], str(index), target)


class AlertRuleTests(unittest.TestCase):
    def test_promtool_checks_and_tests_the_rules(self):
        deploy = os.path.join(ROOT, "deploy/prometheus")
        for args in (["check", "rules", "rdpdoctor-alerts.yml"], ["test", "rules", "rdpdoctor-alerts.test.yml"],
                     ["check", "config", "prometheus.yml"], ["check", "config", "prometheus-sharded.yml"]):
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
