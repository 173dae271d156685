"""What operators rely on: the PROXY protocol from trusted balancers only,
/healthz following the database, /metrics moving, and a graceful drain on
SIGTERM (BYE to waiting sessions, commands in flight finished)."""

import os
import re
import signal
import smtplib
import socket
import ssl
import struct
import subprocess
import time
import unittest
import urllib.error
import urllib.request

import harness

BALANCER = "127.0.0.2"  # the trusted load balancer's address in these tests


def proxy_v1(src, sport, dport=143):
    return b"PROXY TCP4 %s 127.0.0.1 %d %d\r\n" % (src.encode(), sport, dport)


def proxy_v2(src, sport, dport=143, local=False):
    body = socket.inet_aton(src) + socket.inet_aton("127.0.0.1") + struct.pack("!HH", sport, dport)
    if local:
        return b"\r\n\r\n\x00\r\nQUIT\n" + bytes([0x20, 0x00]) + struct.pack("!H", 0)
    return b"\r\n\r\n\x00\r\nQUIT\n" + bytes([0x21, 0x11]) + struct.pack("!H", len(body)) + body


def connect_from(source, port, timeout=10):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.bind((source, 0))
    s.connect((harness.HOST, port))
    return s


def read_line(s):
    data = b""
    while not data.endswith(b"\n"):
        chunk = s.recv(1)
        if not chunk:
            break
        data += chunk
    return data


def http_get(port, path, timeout=10):
    try:
        with urllib.request.urlopen("http://%s:%d%s" % (harness.HOST, port, path),
                                    timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def metric(text, name, **labels):
    """The value of one sample in Prometheus text, or 0 when absent."""
    want = ",".join('%s="%s"' % kv for kv in sorted(labels.items()))
    for line in text.splitlines():
        m = re.match(r"^([a-z_]+)(?:\{(.*)\})? (\S+)$", line)
        if not m or m.group(1) != name:
            continue
        got = ",".join(sorted((m.group(2) or "").split(","))) if m.group(2) else ""
        if got == want:
            return float(m.group(3))
    return 0.0


def wait_for(predicate, timeout=15, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


class ProxyProtocolTest(harness.ServerTestCase):
    server_env = {"POSTIMAP_PROXY_NETWORKS": BALANCER, "POSTIMAP_PROXY_TIMEOUT": "1000"}

    def log_since(self, offset):
        with open(self.server.log_path, "rb") as f:
            f.seek(offset)
            return f.read().decode(errors="replace")

    def log_size(self):
        return os.path.getsize(self.server.log_path)

    def test_v1_and_v2_headers_name_the_client_in_the_logs(self):
        for header, client in ((proxy_v1("127.0.0.10", 40001), "127.0.0.10:40001"),
                               (proxy_v2("127.0.0.11", 40002), "127.0.0.11:40002")):
            offset = self.log_size()
            s = connect_from(BALANCER, self.server.port)
            self.addCleanup(s.close)
            s.sendall(header)
            self.assertTrue(read_line(s).startswith(b"* OK"))
            s.sendall(b"a LOGIN demo@example.com wrong\r\n")
            self.assertIn(b"a NO", read_line(s))
            s.close()
            wait_for(lambda: "login_failed" in self.log_since(offset), what="login_failed")
            log = self.log_since(offset)
            self.assertRegex(log, r"connect session=\d+ peer=%s\n" % re.escape(client))
            self.assertIn("login_failed session=", log)
            self.assertRegex(log, r"login_failed session=\d+ peer=%s " % re.escape(client))
            self.assertNotIn("peer=%s:" % BALANCER, log)

    def test_the_real_client_decides_plain_text_login(self):
        # 192.0.2.x is not in trusted_networks: LOGIN before TLS is refused
        # for it, although the balancer itself is on loopback.
        s = connect_from(BALANCER, self.server.port)
        self.addCleanup(s.close)
        s.sendall(proxy_v2("192.0.2.12", 40003))
        self.assertIn(b"LOGINDISABLED", read_line(s))
        s2 = connect_from(BALANCER, self.server.port)
        self.addCleanup(s2.close)
        s2.sendall(proxy_v2("127.0.0.9", 40004))
        self.assertNotIn(b"LOGINDISABLED", read_line(s2))

    def test_local_command_keeps_the_balancers_address(self):
        offset = self.log_size()
        s = connect_from(BALANCER, self.server.port)
        self.addCleanup(s.close)
        s.sendall(proxy_v2("0.0.0.0", 0, local=True))
        self.assertTrue(read_line(s).startswith(b"* OK"))
        s.close()
        wait_for(lambda: "connect session" in self.log_since(offset))
        self.assertRegex(self.log_since(offset), r"peer=127\.0\.0\.2:\d+")

    def test_a_balancer_connection_without_a_header_is_refused(self):
        for first_bytes in (b"a CAPABILITY\r\n", b"PROXY TCP4 nonsense\r\n", b""):
            offset = self.log_size()
            s = connect_from(BALANCER, self.server.port)
            self.addCleanup(s.close)
            if first_bytes:
                s.sendall(first_bytes)
            # Closed without a greeting: at once, or after proxy_timeout (1 s).
            try:
                data = s.recv(100)
            except ConnectionResetError:
                data = b""
            self.assertEqual(data, b"")
            wait_for(lambda: "proxy_refused" in self.log_since(offset), what="proxy_refused")
        self.assert_works()

    def test_a_header_from_anyone_else_is_not_believed(self):
        offset = self.log_size()
        with self.connect() as c:
            c.send(proxy_v1("192.0.2.13", 40005))
            line = c.readline()
            self.assertTrue(line.startswith(b"PROXY BAD") or line.startswith(b"* BAD"), line)
            c.login()
        log = self.log_since(offset)
        self.assertNotIn("192.0.2.13", log)
        self.assertRegex(log, r"login session=\d+ peer=127\.0\.0\.1:")

    def test_implicit_tls_after_a_v2_header_in_the_same_stream(self):
        offset = self.log_size()
        raw = connect_from(BALANCER, self.server.tls_port)
        raw.sendall(proxy_v2("192.0.2.14", 40006, 993))
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        with ctx.wrap_socket(raw) as s:
            self.assertTrue(read_line(s).startswith(b"* OK"))
            s.sendall(b"a LOGOUT\r\n")
            self.assertTrue(read_line(s).startswith(b"* BYE"))
        wait_for(lambda: "tls session=" in self.log_since(offset))
        self.assertIn("peer=192.0.2.14:40006", self.log_since(offset))

    def test_lmtp_received_header_names_the_real_client(self):
        s = connect_from(BALANCER, self.server.lmtp_port)
        self.addCleanup(s.close)
        s.sendall(proxy_v2("192.0.2.15", 40007, 24))
        self.assertTrue(read_line(s).startswith(b"220 "))
        s.sendall(b"LHLO mta.example\r\nMAIL FROM:<a@remote.example>\r\n"
                  b"RCPT TO:<demo@example.com>\r\nDATA\r\n")
        replies = []
        while len(replies) < 4:
            line = read_line(s)
            if line[3:4] != b"-":
                replies.append(line)
        self.assertTrue(replies[-1].startswith(b"354"), replies)
        s.sendall(b"Subject: via balancer\r\nMessage-ID: <proxy-lmtp@x>\r\n\r\nhi\r\n.\r\n")
        self.assertTrue(read_line(s).startswith(b"250 2.0.0"))
        with self.connect() as c:
            c.login()
            c.ok("EXAMINE INBOX")
            untagged, _ = c.command('UID SEARCH HEADER Message-ID "<proxy-lmtp@x>"')
            uid = untagged[0].wire.split()[2].decode()
            untagged, _ = c.command("UID FETCH %s (BODY.PEEK[HEADER.FIELDS (Received)])" % uid)
            self.assertIn(b"from mta.example (192.0.2.15:40007)", untagged[0].literals[0])


class HealthAndMetricsTest(harness.ServerTestCase):
    def test_metrics_count_commands_and_describe_themselves(self):
        port = self.server.http_port
        status, before = http_get(port, "/metrics")
        self.assertEqual(status, 200)
        for name in ("postimap_commands_total", "postimap_command_duration_seconds",
                     "postimap_connections", "postimap_db_pool_connections",
                     "postimap_notification_lag_seconds", "postimap_login_failures_total",
                     "postimap_tls_handshakes_total", "postimap_bytes_sent_total"):
            self.assertIn("# TYPE %s " % name, before)
        with self.connect() as c:
            c.login()
            for _ in range(3):
                c.ok("NOOP")
            c.command("LOGIN demo@example.com wrong")
            c.command("FROBNICATE")
            _, after = http_get(port, "/metrics")
            self.assertEqual(metric(after, "postimap_connections", protocol="imap",
                                    state="authenticated"), 1)
        self.assertEqual(metric(after, "postimap_commands_total", command="NOOP", result="OK")
                         - metric(before, "postimap_commands_total", command="NOOP", result="OK"),
                         3)
        self.assertGreaterEqual(metric(after, "postimap_commands_total", command="unknown",
                                       result="BAD"), 1)
        self.assertGreater(metric(after, "postimap_command_duration_seconds_count",
                                  command="NOOP"), 0)
        self.assertGreater(metric(after, "postimap_bytes_received_total", protocol="imap"),
                           metric(before, "postimap_bytes_received_total", protocol="imap"))
        status, _ = http_get(port, "/nothing")
        self.assertEqual(status, 404)

    def test_a_client_hanging_up_in_idle_is_no_failed_command(self):
        port = self.server.http_port
        _, before = http_get(port, "/metrics")
        c = self.connect()
        c.login()
        c.ok("SELECT INBOX")
        c.send(b"i1 IDLE\r\n")
        self.assertTrue(c.readline().startswith(b"+ "))
        c.close()
        wait_for(lambda: metric(http_get(port, "/metrics")[1], "postimap_connections",
                                protocol="imap", state="idle") == 0, what="the session gone")
        _, after = http_get(port, "/metrics")
        for result in ("NO", "BAD", "OK"):
            self.assertEqual(metric(after, "postimap_commands_total", command="IDLE", result=result),
                             metric(before, "postimap_commands_total", command="IDLE",
                                    result=result), result)
        self.assertNotIn("command_failed", self.server.log())

    def test_notification_lag_is_measured(self):
        port = self.server.http_port
        _, before = http_get(port, "/metrics")
        # Another test may have restarted PostgreSQL: a change committed
        # before the listener is back is never notified, so append until
        # one is.
        with self.connect() as c:
            c.login()

            def appended_and_observed():
                c.append("INBOX", b"Subject: lag\r\n\r\nx\r\n")
                time.sleep(0.2)
                return (metric(http_get(port, "/metrics")[1],
                               "postimap_notification_lag_seconds_count")
                        > metric(before, "postimap_notification_lag_seconds_count"))
            wait_for(appended_and_observed, what="a lag observation")

    def test_healthz_follows_the_database(self):
        port = self.server.http_port
        self.assertEqual(http_get(port, "/healthz"), (200, "ready\n"))
        self.server.pg_stop()
        try:
            wait_for(lambda: http_get(port, "/healthz")[0] == 503, what="503 without PostgreSQL")
            status, body = http_get(port, "/healthz")
            self.assertIn("database unreachable", body)
            self.assertEqual(metric(http_get(port, "/metrics")[1], "postimap_database_up"), 0)
        finally:
            self.server.pg_start()
        wait_for(lambda: http_get(port, "/healthz")[0] == 200, timeout=30,
                 what="200 once PostgreSQL is back")
        self.assert_works()


class ReloadTest(unittest.TestCase):
    """SIGHUP reads the configuration file again."""

    def setUp(self):
        self.conf = "/tmp/pim-reload-%d.conf" % os.getpid()
        with open(self.conf, "w") as f:
            f.write("log_level = info\n")
        self.addCleanup(os.unlink, self.conf)
        self.server = harness.Server({"POSTIMAP_CONFIG": self.conf})
        self.server.start()
        self.addCleanup(self.server.cleanup)

    def log(self):
        with open(self.server.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def hup_and_wait(self, event):
        count = self.log().count(event)
        self.server.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: self.log().count(event) > count, what=event)

    def greeting_via_balancer(self):
        s = connect_from(BALANCER, self.server.port)
        self.addCleanup(s.close)
        s.sendall(proxy_v1("127.0.0.77", 41000))
        try:
            return read_line(s)
        except ConnectionResetError:
            return b""

    def test_proxy_networks_change_live_and_a_broken_file_changes_nothing(self):
        # Not a balancer yet: the header is an IMAP line, answered BAD.
        line = self.greeting_via_balancer()
        self.assertTrue(line.startswith(b"* OK"), line)
        with open(self.conf, "w") as f:
            f.write("log_level = info\nproxy_networks = %s\npool_size = 3\n" % BALANCER)
        self.hup_and_wait("config_reloaded")
        self.assertIn("config_needs_restart key=pool_size", self.log())
        self.greeting_via_balancer()
        wait_for(lambda: "peer=127.0.0.77:41000" in self.log(), what="the header's client")
        with open(self.conf, "w") as f:
            f.write("proxy_networks = not-a-network\n")
        self.hup_and_wait("config_reload_failed")
        count = self.log().count("peer=127.0.0.77:41000")
        self.greeting_via_balancer()
        wait_for(lambda: self.log().count("peer=127.0.0.77:41000") > count,
                 what="the old settings still in force")
        with self.server.connect() as c:  # still serving
            c.login()


class DrainTest(unittest.TestCase):
    """SIGTERM: each test gets its own server, since it ends it."""

    def setUp(self):
        self.server = harness.Server({"POSTIMAP_DRAIN_TIMEOUT": "20"})
        self.server.start()
        self.addCleanup(self.server.cleanup)

    def run(self, result=None):
        if result is None:
            return super().run(result)
        before = len(result.failures) + len(result.errors)
        out = super().run(result)
        if len(result.failures) + len(result.errors) > before:
            print("\n==== server log ====\n%s" % self.server.log())
        return out

    def psql_popen(self, sql):
        cmd = [os.path.join(harness.PG_BINDIR, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
               "-h", self.server.data_dir, "-U", "postgres", "-d", "postimap", "-c", sql]
        return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, cwd="/tmp")

    def test_waiting_and_idle_sessions_get_bye_and_the_worker_exits(self):
        idle = self.server.connect()
        self.addCleanup(idle.close)
        idle.login()
        idle.ok("SELECT INBOX")
        idle.send(b"i1 IDLE\r\n")
        self.assertTrue(idle.readline().startswith(b"+ "))
        waiting = self.server.connect()
        self.addCleanup(waiting.close)
        waiting.login()
        lmtp = smtplib.LMTP(harness.HOST, self.server.lmtp_port, timeout=10)
        self.addCleanup(lmtp.close)
        lmtp.docmd("LHLO", "mta.example")
        proc = self.server.proc
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(idle.readline(), b"* BYE Server shutting down; reconnect to continue\r\n")
        idle.expect_closed()
        self.assertEqual(waiting.readline(),
                         b"* BYE Server shutting down; reconnect to continue\r\n")
        waiting.expect_closed()
        code, text = lmtp.getreply()
        self.assertEqual((code, text[:5]), (421, b"4.3.2"))
        self.assertEqual(proc.wait(20), 0)
        with self.assertRaises(OSError):
            socket.create_connection((harness.HOST, self.server.port), timeout=2)

    def test_a_command_in_flight_finishes_before_the_bye(self):
        c = self.server.connect()
        self.addCleanup(c.close)
        c.login()
        # Hold INBOX's row lock so that the APPEND below waits inside its
        # transaction: a command in flight when SIGTERM comes.
        locker = self.psql_popen(
            "begin; select 1 from mailboxes where name = 'INBOX' for update;"
            " select pg_sleep(2); commit;")
        self.addCleanup(locker.wait, 30)
        time.sleep(0.5)
        body = b"Subject: in flight\r\nMessage-ID: <in-flight@x>\r\n\r\nbody\r\n"
        c.send(b"a1 APPEND INBOX {%d+}\r\n%s\r\n" % (len(body), body))
        time.sleep(0.3)
        proc = self.server.proc
        proc.send_signal(signal.SIGTERM)
        line = c.readline()
        self.assertRegex(line, rb"^a1 OK \[APPENDUID \d+ \d+\]")
        self.assertEqual(c.readline(), b"* BYE Server shutting down; reconnect to continue\r\n")
        c.expect_closed()
        self.assertEqual(proc.wait(20), 0)
        # The worker stopped the embedded cluster it had started.
        if not self.server.pg_running():
            self.server.pg_start()
        out = self.server.psql(
            "select 'N=' || count(*) from mailbox_messages mm join messages m"
            " on m.tenant_id = mm.tenant_id and m.id = mm.message_id"
            " where m.message_id = '<in-flight@x>'")
        self.assertIn("N=1", out)


if __name__ == "__main__":
    unittest.main()
