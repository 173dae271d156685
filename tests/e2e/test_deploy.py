"""The docker-compose topology, natively: scripts/cluster.sh runs a private
PostgreSQL, two `postimap serve` workers and HAProxy (docker/haproxy.cfg,
PROXY v2) on 127.0.0.1, and real clients use it through HAProxy from the
source address 127.0.0.2:

  - the workers see the client's address (from the PROXY header), never
    HAProxy's, for IMAP and IMAPS;
  - LMTP deliveries (python3 smtplib, swaks) through HAProxy are pushed to
    a client in IDLE, whichever worker holds it;
  - SIGTERM drains a worker: its clients get BYE, reconnect through HAProxy
    to the other worker and find every message delivered so far; LMTP
    through HAProxy keeps delivering; the worker exits with status 0;
  - /healthz and /metrics of each worker.
"""

import ctypes
import http.client
import imaplib
import os
import re
import shutil
import signal
import smtplib
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest

# Also when run as a file (python3 -m unittest tests/e2e/test_deploy.py).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import HOST, free_port  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CLUSTER_SH = os.path.join(ROOT, "scripts", "cluster.sh")
CLIENT_HOST = "127.0.0.2"  # in trusted_networks (127.0.0.0/8), not HAProxy's address
USER, PASSWORD = "demo@example.com", "demo"
PORT_NAMES = ("IMAP", "IMAPS", "LMTP", "STATS",
              "WORKER1_IMAP", "WORKER1_IMAPS", "WORKER1_LMTP", "WORKER1_HTTP",
              "WORKER2_IMAP", "WORKER2_IMAPS", "WORKER2_LMTP", "WORKER2_HTTP")
DRAIN_TIMEOUT = 10
START_TIMEOUT = 90  # cluster.sh start as a whole (each of its steps: CLUSTER_TIMEOUT)
STOP_TIMEOUT = 60
WAIT = 15  # longest wait for one expected event
PR_SET_CHILD_SUBREAPER = 36


def set_subreaper(on):
    """Makes this process the parent of the cluster's orphaned daemons (the
    workers, HAProxy, PostgreSQL), so their exit status can be read.
    False when the system does not allow it."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1 if on else 0, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def process_state(pid):
    """The state letter of /proc/PID/stat, None when there is no such process."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def message(msgid, subject):
    return ("From: Sender <sender@remote.example>\r\n"
            "To: %s\r\n"
            "Subject: %s\r\n"
            "Message-ID: %s\r\n"
            "\r\n"
            "Delivered through HAProxy.\r\n" % (USER, subject, msgid)).encode()


def close_quietly(client):
    """Closes an imaplib client, also one that logged out already."""
    try:
        client.shutdown()
    except (OSError, ValueError):
        pass


class ProxiedConn(harness.Conn):
    """harness.Conn from CLIENT_HOST to HAProxy."""

    def __init__(self, port, timeout=WAIT):
        self.sock = socket.create_connection((HOST, port), timeout,
                                             source_address=(CLIENT_HOST, 0))
        self.buf = b""
        self.n = 0
        self.greeting = self.readline()

    @property
    def local_port(self):
        return self.sock.getsockname()[1]

    def read_lines_until(self, pattern, timeout=WAIT):
        """Reads lines until one matches; returns all read. Fails on timeout."""
        rx = re.compile(pattern)
        lines = []
        deadline = time.monotonic() + timeout
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise socket.timeout()
                self.settimeout(left)
                lines.append(self.readline())
                if rx.search(lines[-1]):
                    return lines
        except (socket.timeout, EOFError) as e:
            raise AssertionError("no line matching %r within %.0f s (%r); got %r"
                                 % (pattern, timeout, e, lines))
        finally:
            self.settimeout(WAIT)

    def read_to_eof(self, timeout=WAIT):
        """Everything until the server closes; fails if it does not in time."""
        deadline = time.monotonic() + timeout
        data, self.buf = self.buf, b""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("connection still open after %.0f s; got %r"
                                     % (timeout, data))
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(1 << 16)
            except ConnectionResetError:
                return data
            except socket.timeout:
                continue
            if not chunk:
                return data
            data += chunk


class ProxiedIMAP4(imaplib.IMAP4):
    """imaplib from CLIENT_HOST."""

    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout,
                                        source_address=(CLIENT_HOST, 0))


class ProxiedIMAP4_SSL(imaplib.IMAP4_SSL):
    """imaplib over implicit TLS from CLIENT_HOST."""

    def _create_socket(self, timeout):
        sock = socket.create_connection((self.host, self.port), timeout,
                                        source_address=(CLIENT_HOST, 0))
        return self.ssl_context.wrap_socket(sock, server_hostname=self.host)


class DeployTest(unittest.TestCase):
    """One cluster for the class; the drain test (last by name) stops worker 1."""

    dir = None
    ports = {}
    env = None
    subreaper = False
    pids = {}
    delivered = []  # Message-IDs delivered to USER's INBOX, in order
    terminated = set()  # workers stopped by a test

    # -- cluster -------------------------------------------------------------

    @classmethod
    def setUpClass(cls):
        cls.delivered = []
        cls.terminated = set()
        cls.pids = {}
        cls.dir = tempfile.mkdtemp(prefix="pimdep-", dir="/tmp")
        # PostgreSQL runs as the user postgres when we are root: it must
        # reach DIR/pg.
        os.chmod(cls.dir, 0o755)
        cls.addClassCleanup(cls.stop_cluster)
        cls.subreaper = set_subreaper(True)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("CLUSTER_", "LB_", "POSTIMAP_"))}
        if "POSTIMAP_PG_BINDIR" in os.environ:
            env["POSTIMAP_PG_BINDIR"] = os.environ["POSTIMAP_PG_BINDIR"]
        env.update({"POSTIMAP_BIN": os.path.abspath(harness.POSTIMAP_BIN),
                    "CLUSTER_TIMEOUT": "30",
                    "CLUSTER_DRAIN_TIMEOUT": str(DRAIN_TIMEOUT)})
        # free_port() releases its port before the cluster binds it: a
        # start that fails (a port taken meanwhile) is tried once more.
        for attempt in (1, 2):
            ports = {}
            while len(set(ports.values())) < len(PORT_NAMES):
                ports = {name: free_port() for name in PORT_NAMES}
            env.update({"CLUSTER_%s_PORT" % k: str(v) for k, v in ports.items()})
            cls.ports, cls.env = ports, env
            try:
                r = subprocess.run([CLUSTER_SH, "start", cls.dir], env=env, cwd="/tmp",
                                   stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                   timeout=START_TIMEOUT)
                problem = None if r.returncode == 0 else \
                    "exit status %d\n%s%s" % (r.returncode, r.stdout, r.stderr)
            except subprocess.TimeoutExpired as e:
                problem = "no answer within %d s\n%s%s" % (START_TIMEOUT, e.stdout or "",
                                                            e.stderr or "")
            if problem is None:
                break
            sys.stderr.write("\n==== scripts/cluster.sh start %s (attempt %d): %s\n%s\n"
                             % (cls.dir, attempt, problem, cls.logs()))
            cls.cluster_sh("stop")
            if attempt == 2:
                raise RuntimeError("scripts/cluster.sh start failed: " + problem)
        for name in ("worker1", "worker2", "haproxy"):
            with open(os.path.join(cls.dir, name + ".pid")) as f:
                cls.pids[name] = int(f.read().strip())
        try:
            with open(os.path.join(cls.dir, "pg", "data", "postmaster.pid")) as f:
                cls.pids["postgres"] = int(f.readline().strip())
        except (OSError, ValueError):
            pass

    @classmethod
    def tearDownClass(cls):
        cls.stop_cluster()

    @classmethod
    def cluster_sh(cls, command):
        """scripts/cluster.sh COMMAND DIR (it tells its processes by their
        working directory, DIR)."""
        try:
            r = subprocess.run([CLUSTER_SH, command, cls.dir], env=cls.env, cwd="/tmp",
                               stdin=subprocess.DEVNULL, capture_output=True, text=True,
                               timeout=STOP_TIMEOUT)
            if r.returncode != 0:
                sys.stderr.write("scripts/cluster.sh %s: exit status %d\n%s%s"
                                 % (command, r.returncode, r.stdout, r.stderr))
            return r.returncode == 0
        except subprocess.TimeoutExpired:
            sys.stderr.write("scripts/cluster.sh %s: no answer within %d s\n"
                             % (command, STOP_TIMEOUT))
            return False

    @classmethod
    def runs_from_dir(cls, pid):
        try:
            return (os.readlink("/proc/%d/cwd" % pid) == os.path.realpath(cls.dir)
                    and process_state(pid) not in (None, "Z"))
        except OSError:
            return False

    @classmethod
    def stop_cluster(cls):
        """Stops everything started from DIR and removes DIR; never raises,
        may run twice (tearDownClass, then the class cleanup)."""
        if cls.dir is None:
            return
        try:
            if os.path.isdir(cls.dir) and not cls.cluster_sh("stop"):
                # The last resort: nothing may outlive the test.
                for name, pid in cls.pids.items():
                    if name != "postgres" and cls.runs_from_dir(pid):
                        os.kill(pid, signal.SIGKILL)
                pgdata = os.path.join(cls.dir, "pg", "data")
                if os.path.exists(os.path.join(pgdata, "postmaster.pid")):
                    subprocess.run(harness.as_postgres(
                        [os.path.join(harness.PG_BINDIR, "pg_ctl"), "stop", "-D", pgdata,
                         "-m", "immediate", "-w", "-t", "30"]),
                        stdin=subprocess.DEVNULL, capture_output=True, timeout=40, cwd="/tmp")
        except Exception as e:  # pragma: no cover - best effort
            sys.stderr.write("stopping the cluster in %s failed: %r\n" % (cls.dir, e))
        if cls.subreaper:
            # Reap the daemons that became our children.
            for pid in cls.pids.values():
                cls.reap(pid, timeout=5)
            set_subreaper(False)
            cls.subreaper = False
        shutil.rmtree(cls.dir, ignore_errors=True)
        cls.dir = None

    @classmethod
    def reap(cls, pid, timeout):
        """The exit status of our child PID (an int), once it exited within
        the timeout; None if it is not our child or still runs."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                got, status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                return None
            if got == pid:
                return os.waitstatus_to_exitcode(status)
            if time.monotonic() > deadline:
                return None
            time.sleep(0.05)

    # -- diagnostics -----------------------------------------------------------

    @classmethod
    def logs(cls, lines=40):
        parts = []
        for name in ("worker1.log", "worker2.log", "haproxy.log", "setup.log"):
            path = os.path.join(cls.dir or "/nonexistent", name)
            try:
                with open(path, "rb") as f:
                    tail = f.read().decode(errors="replace").splitlines()[-lines:]
            except OSError:
                continue
            parts.append("---- %s (last %d lines)\n%s" % (path, lines, "\n".join(tail)))
        return "\n".join(parts)

    def run(self, result=None):
        if result is None:
            return super().run(result)
        before = len(result.failures) + len(result.errors)
        out = super().run(result)
        if len(result.failures) + len(result.errors) > before:
            sys.stderr.write("\n==== cluster logs for %s ====\n%s\n==== end of cluster logs ====\n"
                             % (self.id(), self.logs()))
        return out

    # -- helpers ---------------------------------------------------------------

    def port(self, name):
        return self.ports[name]

    def worker_log(self, n):
        with open(os.path.join(self.dir, "worker%d.log" % n), "rb") as f:
            return f.read().decode(errors="replace").splitlines()

    def log_marks(self):
        """How many lines each worker has logged: where a new connection's
        lines start (a client port may have served an earlier connection)."""
        return {n: len(self.worker_log(n)) for n in (1, 2)}

    def find_session(self, peer_port, since, prefix="", timeout=WAIT):
        """(worker number, session id) of the session whose peer is
        CLIENT_HOST:peer_port, from the workers' logs after the marks."""
        rx = re.compile(r" session=(%s\d+) peer=%s:%d$"
                        % (prefix, re.escape(CLIENT_HOST), peer_port))
        deadline = time.monotonic() + timeout
        while True:
            found = [(n, m.group(1)) for n in (1, 2) for line in self.worker_log(n)[since[n]:]
                     for m in [rx.search(line)] if m]
            if found:
                self.assertEqual(len(set(found)), 1, "one session per connection: %r" % found)
                return found[0]
            if time.monotonic() > deadline:
                self.fail("no worker logged a session of peer %s:%d within %.0f s"
                          % (CLIENT_HOST, peer_port, timeout))
            time.sleep(0.05)

    def wait_for_log(self, n, pattern, timeout=WAIT):
        """The first line of worker N's log matching the regex, waited for."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            for line in self.worker_log(n):
                if rx.search(line):
                    return line
            if time.monotonic() > deadline:
                self.fail("worker %d logged no line matching %r within %.0f s"
                          % (n, pattern, timeout))
            time.sleep(0.05)

    def session_lines(self, n, sid):
        rx = re.compile(r" session=%s(?: |$)" % re.escape(sid))
        return [line for line in self.worker_log(n) if rx.search(line)]

    def assert_peer_is_client(self, peer_port, since):
        """The session of CLIENT_HOST:peer_port was logged with that peer
        only: its connect line, its login as USER, and no other address.
        Returns (worker, session id)."""
        n, sid = self.find_session(peer_port, since)
        want = "peer=%s:%d" % (CLIENT_HOST, peer_port)
        self.wait_for_log(n, r" info connect session=%s %s$" % (sid, re.escape(want)))
        self.wait_for_log(n, r" info login session=%s %s user=%s$"
                          % (sid, re.escape(want), re.escape(USER)))
        lines = self.session_lines(n, sid)
        for line in lines:
            if "peer=" in line:
                self.assertIn(want, line)
            self.assertNotIn("peer=127.0.0.1:", line)
        return n, sid

    def imap(self):
        """A raw IMAP client through HAProxy; its log_marks for find_session."""
        marks = self.log_marks()
        c = ProxiedConn(self.port("IMAP"))
        c.log_marks = marks
        self.addCleanup(c.close)
        self.assertTrue(c.greeting.startswith(b"* OK"), c.greeting)
        return c

    @staticmethod
    def select(c):
        untagged, _ = c.ok("SELECT INBOX")
        exists = [int(r.text.split()[1]) for r in untagged if r.text.endswith(b" EXISTS\r\n")]
        assert len(exists) == 1, untagged
        return exists[0]

    @staticmethod
    def idle(c):
        tag = c.tag()
        c.send("%s IDLE\r\n" % tag)
        line = c.readline()
        assert line.startswith(b"+ "), line
        return tag

    @staticmethod
    def message_ids(c):
        """The Message-IDs of the selected mailbox, in UID order."""
        untagged, _ = c.ok("UID FETCH 1:* (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        ids = []
        for r in untagged:
            if b" FETCH " in r.text and r.literals:
                m = re.search(rb"(?im)^Message-ID:\s*(<[^>\r\n]*>)", r.literals[0])
                ids.append(m.group(1).decode() if m else None)
        return ids

    def new_msgid(self, what):
        return "<deploy-%d-%s-%d@test.example>" % (os.getpid(), what, len(self.delivered) + 1)

    def lmtp_client(self, timeout=WAIT):
        """smtplib.LMTP through HAProxy from CLIENT_HOST, after LHLO. While
        a worker goes away a connection may fail: retried like an MTA
        would, within the timeout."""
        deadline = time.monotonic() + timeout
        while True:
            client = None
            try:
                client = smtplib.LMTP(HOST, self.port("LMTP"), timeout=WAIT,
                                      source_address=(CLIENT_HOST, 0))
                code, text = client.ehlo()
                if code != 250:
                    raise smtplib.SMTPHeloError(code, text)
                self.addCleanup(client.close)
                return client
            except (OSError, smtplib.SMTPException) as e:
                if client is not None:
                    client.close()
                if time.monotonic() > deadline:
                    self.fail("no LMTP session through HAProxy within %.0f s: %r" % (timeout, e))
                time.sleep(0.2)

    def deliver_lmtp(self, what):
        msgid = self.new_msgid(what)
        marks = self.log_marks()
        client = self.lmtp_client()
        refused = client.sendmail("sender@remote.example", [USER], message(msgid, what))
        self.assertEqual(refused, {})
        self.delivered.append(msgid)
        lmtp_port = client.sock.getsockname()[1]
        client.quit()
        return lmtp_port, marks

    def deliver_swaks(self, what):
        swaks = shutil.which("swaks")
        if swaks is None:
            self.fail("swaks is not installed (scripts/install-deps.sh installs it)")
        msgid = self.new_msgid(what)
        r = subprocess.run([swaks, "--protocol", "LMTP",
                            "--server", "%s:%d" % (HOST, self.port("LMTP")),
                            "--from", "swaks@remote.example", "--to", USER,
                            "--header", "Subject: %s" % what, "--header", "Message-Id: %s" % msgid,
                            "--body", "Delivered through HAProxy by swaks."],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("250 2.0.0 <%s> Saved" % USER, r.stdout)
        self.delivered.append(msgid)
        return msgid

    def http_get(self, port, path):
        conn = http.client.HTTPConnection(HOST, port, timeout=WAIT)
        try:
            conn.request("GET", path)
            r = conn.getresponse()
            return r.status, r.read().decode(errors="replace")
        finally:
            conn.close()

    def running_workers(self):
        return [n for n in (1, 2) if n not in self.terminated]

    def commands_total(self):
        """postimap_commands_total of the running workers, by (command, result), summed."""
        totals = {}
        for n in self.running_workers():
            status, body = self.http_get(self.port("WORKER%d_HTTP" % n), "/metrics")
            self.assertEqual(status, 200)
            self.assertIn("# TYPE postimap_commands_total counter", body)
            for m in re.finditer(r'(?m)^postimap_commands_total\{command="([^"]*)",'
                                 r'result="([^"]*)"\} (\d+(?:\.\d+)?)$', body):
                key = (m.group(1), m.group(2))
                totals[key] = totals.get(key, 0) + float(m.group(3))
        return totals

    # -- tests -----------------------------------------------------------------

    def test_1_client_address_reaches_worker_and_idle_hears_lmtp_and_swaks(self):
        c = self.imap()
        c.login(USER, PASSWORD)
        n = self.select(c)
        self.assertEqual(n, len(self.delivered))
        tag = self.idle(c)

        self.deliver_lmtp("smtplib")
        c.read_lines_until(rb"^\* %d EXISTS\r\n" % (n + 1))
        self.deliver_swaks("swaks")
        c.read_lines_until(rb"^\* %d EXISTS\r\n" % (n + 2))
        c.send("DONE\r\n")
        _, done = c.read_until_tagged(tag)
        self.assertRegex(done.text, rb"^\S+ OK ")
        self.assertEqual(self.message_ids(c), self.delivered)
        c.ok("LOGOUT")

        self.assert_peer_is_client(c.local_port, c.log_marks)

        # imaplib, the standard client, through HAProxy as well.
        marks = self.log_marks()
        client = ProxiedIMAP4(HOST, self.port("IMAP"), timeout=WAIT)
        self.addCleanup(close_quietly, client)
        client_port = client.sock.getsockname()[1]
        self.assertEqual(client.login(USER, PASSWORD)[0], "OK")
        typ, data = client.select("INBOX", readonly=True)
        self.assertEqual((typ, int(data[0])), ("OK", len(self.delivered)))
        typ, data = client.uid("SEARCH", "HEADER", "Message-ID", '"%s"' % self.delivered[-1])
        self.assertEqual(typ, "OK")
        self.assertEqual(len(data[0].split()), 1, data)
        client.logout()
        self.assert_peer_is_client(client_port, marks)

    def test_2_imaps_through_haproxy_keeps_client_address(self):
        context = ssl.create_default_context(cafile=os.path.join(self.dir, "tls", "cert.pem"))
        marks = self.log_marks()
        # The certificate names localhost and 127.0.0.1: verified fully.
        client = ProxiedIMAP4_SSL(HOST, self.port("IMAPS"), ssl_context=context, timeout=WAIT)
        self.addCleanup(close_quietly, client)
        client_port = client.sock.getsockname()[1]
        self.assertEqual(client.sock.version()[:3], "TLS")
        self.assertEqual(client.login(USER, PASSWORD)[0], "OK")
        self.assertEqual(client.select("INBOX", readonly=True)[0], "OK")
        self.assertEqual(client.noop()[0], "OK")
        client.logout()
        self.assert_peer_is_client(client_port, marks)

    def test_3_healthz_and_metrics(self):
        workers = self.running_workers()
        self.assertEqual(workers, [1, 2], "the drain test runs last")
        for n in workers:
            self.assertEqual(self.http_get(self.port("WORKER%d_HTTP" % n), "/healthz"),
                             (200, "ready\n"), "worker %d" % n)
        before = self.commands_total()
        c = self.imap()
        c.login(USER, PASSWORD)
        self.select(c)
        noops = 5
        for _ in range(noops):
            c.ok("NOOP")
        c.ok("LOGOUT")
        # The counters are those of whichever worker HAProxy chose: summed.
        deadline = time.monotonic() + WAIT
        while True:
            after = self.commands_total()
            grown = {k: after.get(k, 0) - before.get(k, 0) for k in after}
            if grown.get(("LOGOUT", "OK"), 0) >= 1 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertGreaterEqual(grown.get(("NOOP", "OK"), 0), noops, grown)
        self.assertGreaterEqual(grown.get(("LOGIN", "OK"), 0), 1, grown)
        self.assertGreaterEqual(grown.get(("SELECT", "OK"), 0), 1, grown)
        self.assertGreaterEqual(grown.get(("LOGOUT", "OK"), 0), 1, grown)
        self.assertGreaterEqual(sum(after.values()) - sum(before.values()), noops + 3)

    def test_4_sigterm_drains_a_worker_and_clients_move_to_the_other(self):
        victim, survivor = 1, 2
        pid = self.pids["worker%d" % victim]
        self.assertTrue(self.runs_from_dir(pid), "worker %d runs" % victim)
        # Delivered before: at least one message.
        self.deliver_lmtp("before-sigterm")

        # IDLE clients on both workers (leastconn spreads them).
        idlers = {1: [], 2: []}
        for _ in range(8):
            if idlers[1] and idlers[2]:
                break
            c = self.imap()
            c.login(USER, PASSWORD)
            self.assertEqual(self.select(c), len(self.delivered))
            c.idle_tag = self.idle(c)
            worker, _ = self.find_session(c.local_port, c.log_marks)
            idlers[worker].append(c)
        self.assertTrue(idlers[1] and idlers[2],
                        "IDLE clients on both workers: %r"
                        % {n: [c.local_port for c in cs] for n, cs in idlers.items()})

        # Both hear a delivery (push across workers), before the SIGTERM.
        self.deliver_lmtp("idle-both")
        for c in idlers[1] + idlers[2]:
            c.read_lines_until(rb"^\* %d EXISTS\r\n" % len(self.delivered))

        os.kill(pid, signal.SIGTERM)
        self.terminated.add(victim)
        for c in idlers[victim]:
            rest = c.read_to_eof(timeout=DRAIN_TIMEOUT + 5)
            self.assertRegex(rest, rb"(?m)^\* BYE [^\r\n]*\r\n\Z", "BYE, then the close")
            _, sid = self.find_session(c.local_port, c.log_marks)
            self.wait_for_log(victim, r" info drained session=%s peer=%s:%d$"
                              % (sid, re.escape(CLIENT_HOST), c.local_port))
        # The dropped clients reconnect through HAProxy: to the other worker
        # (HAProxy retries elsewhere, or has marked the first one down).
        moved = []
        deadline = time.monotonic() + WAIT
        for _ in idlers[victim]:
            while True:
                c = None
                marks = self.log_marks()
                try:
                    c = ProxiedConn(self.port("IMAP"), timeout=5)
                    if not c.greeting.startswith(b"* OK"):
                        raise EOFError("greeting %r" % c.greeting)
                    c.login(USER, PASSWORD)
                    count = self.select(c)
                    break
                except (OSError, EOFError, AssertionError) as e:
                    if c is not None:
                        c.close()
                    if time.monotonic() > deadline:
                        self.fail("no reconnection through HAProxy within %.0f s: %r" % (WAIT, e))
                    time.sleep(0.2)
            self.addCleanup(c.close)
            self.assertEqual(self.find_session(c.local_port, marks)[0], survivor)
            self.assertEqual(count, len(self.delivered))
            self.assertEqual(self.message_ids(c), self.delivered)
            search, _ = c.ok("UID SEARCH ALL")
            self.assertEqual(len(search[0].text.split()[2:]), len(self.delivered), search)
            c.idle_tag = self.idle(c)
            moved.append(c)

        # LMTP through HAProxy still delivers, on the remaining worker.
        lmtp_port, marks = self.deliver_lmtp("after-sigterm")
        worker, lmtp_sid = self.find_session(lmtp_port, marks, prefix="L")
        self.assertEqual(worker, survivor)
        self.wait_for_log(survivor, r" info lmtp_delivered session=%s peer=%s:%d user=%s "
                          % (lmtp_sid, re.escape(CLIENT_HOST), lmtp_port, re.escape(USER)))
        # The reconnected clients and those the other worker kept all along
        # (still in IDLE) hear it.
        for c in moved + idlers[survivor]:
            c.read_lines_until(rb"^\* %d EXISTS\r\n" % len(self.delivered))
            c.send("DONE\r\n")
            _, done = c.read_until_tagged(c.idle_tag)
            self.assertRegex(done.text, rb"^\S+ OK ")
            self.assertEqual(self.message_ids(c), self.delivered)

        # The drained worker exits, in time, with status 0.
        deadline = time.monotonic() + DRAIN_TIMEOUT + 5
        while process_state(pid) not in (None, "Z") and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertIn(process_state(pid), (None, "Z"),
                      "worker %d still runs %d s after SIGTERM" % (victim, DRAIN_TIMEOUT + 5))
        if self.subreaper:
            self.assertEqual(self.reap(pid, timeout=5), 0, "exit status of worker %d" % victim)
        log = self.worker_log(victim)
        self.assertTrue(any(" info stopped" in line for line in log), log[-5:])
        self.assertFalse([line for line in log if " drain_timeout " in line])
        self.assertEqual(self.http_get(self.port("WORKER%d_HTTP" % survivor), "/healthz"),
                         (200, "ready\n"))


if __name__ == "__main__":
    unittest.main()
