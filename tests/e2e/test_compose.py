"""The deployment files, without a container engine: docker/docker-compose.yml
as `docker-compose config` resolves it, docker/haproxy.cfg as `haproxy -c`
reads it in both of its modes (compose, native), and HAProxy really running
that file natively in front of two fake workers: PROXY v2 on every
connection, health from GET /healthz on the HTTP port, an unhealthy worker
taken out. No postimap server is needed."""

import http.server
import os
import re
import shutil
import socket
import socketserver
import json
import subprocess
import sys
import threading
import time
import unittest
import urllib.request

# Also when run as a file (python3 -m unittest tests/e2e/test_compose.py).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import HOST, free_port  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
COMPOSE_FILE = os.path.join(ROOT, "docker", "docker-compose.yml")
HAPROXY_CFG = os.path.join(ROOT, "docker", "haproxy.cfg")
POSTGRES_INIT = os.path.join(ROOT, "docker", "postgres-init.sh")
DOCKERFILE = os.path.join(ROOT, "docker", "Dockerfile")
# PROXY v2: signature, version 2 + PROXY, TCP over IPv4, 12 address bytes.
PROXY_V2_TCP4 = b"\r\n\r\n\x00\r\nQUIT\n" + b"\x21\x11\x00\x0c"
HAPROXY = shutil.which("haproxy") or ("/usr/sbin/haproxy" if os.path.exists("/usr/sbin/haproxy")
                                      else None)


def clean_env(**extra):
    """The caller's environment without the variables the files read, so
    only their defaults count."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("LB_", "PG_", "POSTIMAP_", "CERTS_DIR", "COMPOSE_"))}
    env.update(extra)
    return env


def require(tool, path):
    """scripts/install-deps.sh installs every tool these tests use: a missing
    one fails the test rather than skipping it, so nothing passes unchecked."""
    if path is None:
        raise AssertionError("%s is not installed (scripts/install-deps.sh installs it)" % tool)
    return path


def compose_command():
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        r = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30)
        if r.returncode == 0:
            return ["docker", "compose"]
    return None


def native_env(ports):
    """LB_* for haproxy.cfg's native mode; ports maps names to numbers."""
    env = {
        "LB_IMAP_BIND": "%s:%d" % (HOST, ports["imap"]),
        "LB_IMAPS_BIND": "%s:%d" % (HOST, ports["imaps"]),
        "LB_LMTP_BIND": "%s:%d" % (HOST, ports["lmtp"]),
        "LB_STATS_BIND": "%s:%d" % (HOST, ports["stats"]),
    }
    for n in (1, 2):
        for kind in ("imap", "imaps", "lmtp"):
            env["LB_WORKER%d_%s" % (n, kind.upper())] = "%s:%d" % (HOST, ports["w%d_%s" % (n, kind)])
        env["LB_WORKER%d_HTTP" % n] = str(ports["w%d_http" % n])
    return env


def env_value(environment, key):
    """A service's environment, as a dict (v1) or a KEY=VALUE list."""
    if isinstance(environment, dict):
        return environment.get(key)
    for item in environment or []:
        k, _, v = item.partition("=")
        if k == key:
            return v
    return None


def load_yaml(text):
    """PyYAML of this Python, or else of Debian's python3 (docker-compose
    depends on python3-yaml, so it is there wherever docker-compose is)."""
    try:
        import yaml
        return yaml.safe_load(text)
    except ImportError:
        r = subprocess.run(["/usr/bin/python3", "-c",
                            "import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))"],
                           input=text, capture_output=True, text=True, check=True, timeout=60)
        return json.loads(r.stdout)


class ComposeFileTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        r = subprocess.run(require("docker-compose", compose_command()) + ["-f", COMPOSE_FILE, "config"],
                           capture_output=True, text=True, env=clean_env(), cwd=ROOT, timeout=120)
        if r.returncode != 0:
            raise AssertionError("docker-compose config failed (%d):\n%s%s"
                                 % (r.returncode, r.stdout, r.stderr))
        cls.config = load_yaml(r.stdout)
        cls.services = cls.config["services"]
        with open(HAPROXY_CFG) as f:
            cls.haproxy_cfg = f.read()

    def compose_backend_ports(self):
        """Worker ports named by haproxy.cfg's compose branch (server-template)."""
        compose_part = self.haproxy_cfg.split("\n.else\n", 1)[1]
        ports = {}
        for backend, port, check in re.findall(
                r"^backend (\w+)\n\s+server-template worker \S+ worker:(\d+) check port (\d+)",
                compose_part, re.M):
            ports[backend] = int(port)
            ports["http"] = int(check)
        return ports

    def test_services(self):
        self.assertEqual(set(self.services), {"postgres", "migrate", "worker", "haproxy"})

    def test_haproxy_publishes_143_993_24_to_its_frontends(self):
        haproxy = self.services["haproxy"]
        published = {int(p["published"]): int(p["target"]) for p in haproxy["ports"]}
        self.assertEqual(set(published), {143, 993, 24})
        binds = dict(re.findall(r'bind "\$\{LB_(\w+)_BIND-:(\d+)\}"', self.haproxy_cfg))
        self.assertEqual(published, {143: int(binds["IMAP"]), 993: int(binds["IMAPS"]),
                                     24: int(binds["LMTP"])})
        targets = [v["target"] for v in haproxy["volumes"]] if isinstance(
            haproxy["volumes"][0], dict) else [v.split(":")[1] for v in haproxy["volumes"]]
        self.assertIn("/usr/local/etc/haproxy/haproxy.cfg", targets)

    def test_worker_environment_matches_haproxy_and_the_network(self):
        env = self.services["worker"]["environment"]
        subnet = self.config["networks"]["default"]["ipam"]["config"][0]["subnet"]
        self.assertEqual(env_value(env, "POSTIMAP_PROXY_NETWORKS"), subnet)
        ports = self.compose_backend_ports()
        self.assertEqual(set(ports), {"imap", "imaps", "lmtp", "http"})
        self.assertEqual(env_value(env, "POSTIMAP_LISTEN"), "0.0.0.0:%d" % ports["imap"])
        self.assertEqual(env_value(env, "POSTIMAP_TLS_LISTEN"), "0.0.0.0:%d" % ports["imaps"])
        self.assertEqual(env_value(env, "POSTIMAP_LMTP_LISTEN"), "0.0.0.0:%d" % ports["lmtp"])
        self.assertEqual(env_value(env, "POSTIMAP_HTTP_LISTEN"), "0.0.0.0:%d" % ports["http"])
        self.assertEqual(env_value(env, "POSTIMAP_DB_ROLE"), "postimap_app")
        self.assertEqual(str(env_value(env, "POSTIMAP_AUTO_MIGRATE")).lower(), "false")
        self.assertTrue(env_value(env, "POSTIMAP_TLS_CERT").startswith("/etc/postimap/tls/"))
        self.assertTrue(env_value(env, "POSTIMAP_TLS_KEY").startswith("/etc/postimap/tls/"))

    def test_workers_scale(self):
        worker = self.services["worker"]
        # Replicas cannot share a name or a host port.
        self.assertNotIn("container_name", worker)
        self.assertNotIn("ports", worker)
        with open(DOCKERFILE) as f:
            exposed = re.search(r"^EXPOSE (.*)$", f.read(), re.M).group(1).split()
        self.assertEqual(sorted(int(p) for p in exposed),
                         sorted(self.compose_backend_ports().values()))

    def test_start_order_and_health(self):
        s = self.services
        self.assertEqual(s["migrate"]["depends_on"]["postgres"]["condition"], "service_healthy")
        self.assertEqual(s["worker"]["depends_on"]["migrate"]["condition"],
                         "service_completed_successfully")
        self.assertEqual(s["migrate"]["command"], ["migrate"])
        self.assertEqual(s["worker"]["command"], ["serve"])
        self.assertIn("pg_isready", s["postgres"]["healthcheck"]["test"])
        self.assertIn("postimap-healthcheck", s["worker"]["healthcheck"]["test"])

    def test_database_users(self):
        """migrate runs as the schema's owner, the workers as a login that is
        a member of postimap_app; the postgres service creates both."""
        with open(POSTGRES_INIT) as f:
            init = f.read()
        owner = re.search(r"user=(\S+)", env_value(self.services["migrate"]["environment"],
                                                   "POSTIMAP_DSN")).group(1)
        worker = re.search(r"user=(\S+)", env_value(self.services["worker"]["environment"],
                                                    "POSTIMAP_DSN")).group(1)
        self.assertNotEqual(owner, worker)
        self.assertIn("create database postimap owner %s " % owner, init)
        self.assertIn("create role %s login" % worker, init)
        self.assertIn("grant postimap_app to %s;" % worker, init)


class HaproxyConfigCheckTest(unittest.TestCase):

    def check(self, env):
        return subprocess.run([require("haproxy", HAPROXY), "-c", "-f", HAPROXY_CFG], capture_output=True, text=True,
                              env=env, cwd="/tmp", timeout=60)

    def test_compose_mode(self):
        r = self.check(clean_env())
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("Docker's DNS", r.stdout + r.stderr)

    def test_native_mode(self):
        ports = {k: 20000 + i for i, k in enumerate(
            ["imap", "imaps", "lmtp", "stats"] + ["w%d_%s" % (n, k) for n in (1, 2)
                                                  for k in ("imap", "imaps", "lmtp", "http")])}
        r = self.check(clean_env(**native_env(ports)))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("LB_WORKER1_* and LB_WORKER2_*", r.stdout + r.stderr)

    def test_native_mode_with_a_variable_missing_is_refused(self):
        ports = {k: 20000 + i for i, k in enumerate(
            ["imap", "imaps", "lmtp", "stats"] + ["w%d_%s" % (n, k) for n in (1, 2)
                                                  for k in ("imap", "imaps", "lmtp", "http")])}
        env = native_env(ports)
        del env["LB_WORKER2_HTTP"]
        r = self.check(clean_env(**env))
        self.assertNotEqual(r.returncode, 0, r.stdout + r.stderr)


class FakeWorker:
    """A worker's four ports: the IMAP, IMAPS and LMTP ones record the first
    28 bytes of each connection (a PROXY v2 header for TCP over IPv4) and greet; the HTTP one answers /healthz with
    `health` and records the request lines."""

    def __init__(self, name, health):
        self.name = name
        self.health = health
        self.first_bytes = []
        self.requests = []
        self.lock = threading.Lock()
        self.servers = []
        self.ports = {}
        for kind in ("imap", "imaps", "lmtp"):
            self.ports[kind] = self._tcp(kind)
        self.ports["http"] = self._http()

    def _tcp(self, kind):
        worker = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                self.request.settimeout(5)
                data = b""
                try:
                    while len(data) < 28:
                        chunk = self.request.recv(28 - len(data))
                        if not chunk:
                            break
                        data += chunk
                except OSError:
                    pass
                # Recorded before the greeting: the test reads the record as
                # soon as the greeting arrives.
                with worker.lock:
                    worker.first_bytes.append(data)
                try:
                    self.request.sendall(b"* OK %s %s\r\n" % (worker.name.encode(), kind.encode()))
                except OSError:
                    pass

        return self._serve(socketserver.ThreadingTCPServer((HOST, 0), Handler))

    def _http(self):
        worker = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                with worker.lock:
                    worker.requests.append(self.requestline)
                code = worker.health if self.path == "/healthz" else 404
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        return self._serve(http.server.ThreadingHTTPServer((HOST, 0), Handler))

    def _serve(self, server):
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.servers.append(server)
        return server.server_address[1]

    def close(self):
        for s in self.servers:
            s.shutdown()
            s.server_close()


class HaproxyNativeTest(unittest.TestCase):
    """docker/haproxy.cfg running natively: worker1 healthy, worker2 answering
    /healthz with 503."""

    @classmethod
    def setUpClass(cls):
        cls.good = FakeWorker("worker1", 200)
        cls.bad = FakeWorker("worker2", 503)
        cls.front = {k: free_port() for k in ("imap", "imaps", "lmtp", "stats")}
        ports = dict(cls.front)
        for n, w in ((1, cls.good), (2, cls.bad)):
            for kind, port in w.ports.items():
                ports["w%d_%s" % (n, kind)] = port
        cls.log = open(os.path.join("/tmp", "test_compose_haproxy.%d.log" % os.getpid()), "w+")
        cls.proc = subprocess.Popen([require("haproxy", HAPROXY), "-db", "-f", HAPROXY_CFG], env=clean_env(
            **native_env(ports)), stdin=subprocess.DEVNULL, stdout=cls.log,
            stderr=subprocess.STDOUT, cwd="/tmp")
        try:
            cls.wait_until_worker2_down()
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.proc.terminate()
        try:
            cls.proc.wait(10)
        except subprocess.TimeoutExpired:
            cls.proc.kill()
            cls.proc.wait(10)
        cls.good.close()
        cls.bad.close()
        cls.log.close()
        os.unlink(cls.log.name)

    @classmethod
    def server_states(cls):
        url = "http://%s:%d/stats;csv" % (HOST, cls.front["stats"])
        with urllib.request.urlopen(url, timeout=5) as r:
            rows = [line.split(",") for line in r.read().decode().splitlines()]
        header = rows[0]
        status = header.index("status")
        return {(row[0], row[1]): row[status] for row in rows[1:] if len(row) > status}

    @classmethod
    def wait_until_worker2_down(cls):
        deadline = time.monotonic() + 30
        states = None
        while time.monotonic() < deadline:
            if cls.proc.poll() is not None:
                cls.log.seek(0)
                raise AssertionError("haproxy exited:\n" + cls.log.read())
            try:
                states = cls.server_states()
                if all(states.get((b, "worker2")) == "DOWN" for b in ("imap", "imaps", "lmtp")):
                    return
            except OSError:
                pass
            time.sleep(0.2)
        cls.log.seek(0)
        raise AssertionError("worker2 never marked down: %r\n%s" % (states, cls.log.read()))

    def greeting(self, port):
        with socket.create_connection((HOST, port), timeout=10) as s:
            s.settimeout(10)
            data = b""
            while not data.endswith(b"\r\n"):
                chunk = s.recv(100)
                if not chunk:
                    break
                data += chunk
            return data

    def test_health_is_get_healthz_on_the_http_port(self):
        with self.good.lock:
            requests = list(self.good.requests)
        self.assertTrue(requests)
        # Plain HTTP: a PROXY header in front would not parse as a request line.
        self.assertTrue(all(r.startswith("GET /healthz HTTP/1.") for r in requests), requests)

    def test_states(self):
        states = self.server_states()
        for backend in ("imap", "imaps", "lmtp"):
            self.assertEqual(states[(backend, "worker1")], "UP")
            self.assertEqual(states[(backend, "worker2")], "DOWN")

    def test_every_connection_starts_with_proxy_v2_and_reaches_the_healthy_worker(self):
        for kind in ("imap", "imaps", "lmtp"):
            with self.good.lock:
                before = len(self.good.first_bytes)
            for _ in range(3):
                self.assertEqual(self.greeting(self.front[kind]),
                                 b"* OK worker1 %s\r\n" % kind.encode())
            with self.good.lock:
                new = self.good.first_bytes[before:]
            self.assertEqual(len(new), 3)
            for header in new:
                self.assertEqual(header[:16], PROXY_V2_TCP4)
                # Source: the client (us); destination: the frontend's port.
                self.assertEqual(socket.inet_ntoa(header[16:20]), HOST)
                self.assertEqual(int.from_bytes(header[26:28], "big"), self.front[kind])
        with self.bad.lock:
            self.assertEqual(self.bad.first_bytes, [])


if __name__ == "__main__":
    unittest.main()
