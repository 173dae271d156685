"""End-to-end test harness for Postimap (python3 stdlib only).

Starts `postimap serve` with an embedded PostgreSQL cluster in a private
temporary directory under /tmp, on a free port of 127.0.0.1, and tears it
all down again (the server, then whatever PostgreSQL is left in the
directory, then the directory).

Also holds a small raw-socket IMAP client (`Conn`) that keeps the exact
bytes of every response, literals included.
"""

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

POSTIMAP_BIN = os.environ.get(
    "POSTIMAP_BIN",
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "server",
                 "postimap"))
PG_BINDIR = os.environ.get("POSTIMAP_PG_BINDIR", "/usr/lib/postgresql/15/bin")
HOST = "127.0.0.1"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def as_postgres(args):
    """Prefix a command so it runs as the cluster owner when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + list(args)
    return list(args)


class PortTaken(Exception):
    pass


class Server:
    """One postimap process and its data directory."""

    def __init__(self, env=None, data_dir=None):
        self.extra_env = dict(env or {})
        self.owns_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="pim-", dir="/tmp")
        self.log_path = self.data_dir + ".log"  # outside data_dir: that one is chowned
        self.port = None
        self.proc = None
        self.startup_seconds = None

    # -- lifecycle ---------------------------------------------------------

    def start(self, timeout=START_TIMEOUT):
        # free_port() closes its socket before postimap binds, so another
        # process may take the port in between: then try another one.
        for attempt in range(3):
            try:
                return self._start_once(timeout)
            except PortTaken:
                sys.stderr.write("harness: port %d was taken, retrying\n" % self.port)
        return self._start_once(timeout)

    def _start_once(self, timeout):
        self.port = free_port()
        self.tls_port = free_port()
        self.lmtp_port = free_port()
        self.http_port = free_port()
        log_offset = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
        env = dict(os.environ)
        for k in list(env):
            # The server rejects unknown POSTIMAP_* keys (POSTIMAP_BIN among them).
            if k.startswith("POSTIMAP_") and k != "POSTIMAP_PG_BINDIR":
                del env[k]
        env.update({
            "POSTIMAP_CONFIG": "/dev/null",  # no stray ./postimap.conf
            "POSTIMAP_LISTEN": "%s:%d" % (HOST, self.port),
            "POSTIMAP_TLS_LISTEN": "%s:%d" % (HOST, self.tls_port),
            "POSTIMAP_LMTP_LISTEN": "%s:%d" % (HOST, self.lmtp_port),
            "POSTIMAP_HTTP_LISTEN": "%s:%d" % (HOST, self.http_port),
            "POSTIMAP_DATA_DIR": self.data_dir,
            "POSTIMAP_LOG_LEVEL": "debug",
            # Failed logins are part of many tests: no penalty delays and no
            # lockout here; test_throttle.py runs with the real mechanism.
            "POSTIMAP_LOGIN_FAILURE_DELAY": "0",
            "POSTIMAP_LOGIN_MAX_FAILURES": "100000",
        })
        env.update(self.extra_env)
        started = time.monotonic()
        with open(self.log_path, "ab") as log:
            log.write(b"==== starting %s on port %d\n" % (POSTIMAP_BIN.encode(), self.port))
            log.flush()
            self.proc = subprocess.Popen(
                [POSTIMAP_BIN, "serve"], stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                env=env, cwd="/tmp")
        deadline = started + timeout
        while True:
            if self.proc.poll() is not None:
                self.proc = None
                with open(self.log_path, "rb") as f:
                    f.seek(log_offset)
                    if b"cannot listen on" in f.read():
                        raise PortTaken()
                raise RuntimeError("postimap exited during startup; log:\n%s" % self.log())
            # Ready when it says so (then the port is surely ours) and accepts.
            with open(self.log_path, "rb") as f:
                f.seek(log_offset)
                announced = b"listening for IMAP on %s:%d" % (HOST.encode(), self.port) in f.read()
            if announced:
                try:
                    with socket.create_connection((HOST, self.port), timeout=1):
                        break
                except OSError:
                    pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("postimap did not listen within %.0f s; log:\n%s"
                                   % (timeout, self.log()))
            time.sleep(0.05)
        self.startup_seconds = time.monotonic() - started
        return self

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM, bounded wait, SIGKILL if needed. Returns the exit status."""
        if self.proc is None:
            return None
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        return proc.returncode

    def pg_running(self):
        return os.path.exists(os.path.join(self.data_dir, "pgdata", "postmaster.pid"))

    def pg_ctl(self, *args, timeout=60):
        cmd = as_postgres([os.path.join(PG_BINDIR, "pg_ctl")] + list(args))
        return subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=timeout, cwd="/tmp")

    def pg_stop(self, mode="fast"):
        return self.pg_ctl("-D", os.path.join(self.data_dir, "pgdata"), "stop", "-w",
                           "-m", mode)

    def pg_start(self):
        return self.pg_ctl("-D", os.path.join(self.data_dir, "pgdata"), "-l",
                           os.path.join(self.data_dir, "postgres.log"), "-w", "start")

    def psql(self, sql, timeout=30):
        cmd = [os.path.join(PG_BINDIR, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
               "-h", self.data_dir, "-U", "postgres", "-d", "postimap", "-c", sql]
        if os.geteuid() != 0:
            cmd = as_postgres(cmd)
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout, cwd="/tmp")
        if r.returncode != 0:
            raise RuntimeError("psql failed (%d): %s" % (r.returncode, r.stdout.decode(errors="replace")))
        return r.stdout.decode(errors="replace")

    def cleanup(self):
        """Stop everything and remove the directory; never raises."""
        try:
            self.stop()
        except Exception as e:  # pragma: no cover - best effort
            print("harness: stopping postimap failed: %r" % e, file=sys.stderr)
        try:
            if self.pg_running():
                self.pg_ctl("-D", os.path.join(self.data_dir, "pgdata"), "stop", "-m",
                            "immediate")
        except Exception as e:  # pragma: no cover
            print("harness: stopping PostgreSQL failed: %r" % e, file=sys.stderr)
        if self.owns_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            try:
                os.unlink(self.log_path)
            except OSError:
                pass

    # -- diagnostics -------------------------------------------------------

    def log(self):
        parts = []
        for path in (self.log_path, os.path.join(self.data_dir, "postgres.log")):
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except OSError:
                continue
            parts.append("---- %s (last 8 kB) ----\n%s" % (path, data[-8192:].decode(errors="replace")))
        return "\n".join(parts)

    def connect(self, timeout=15):
        return Conn(self.port, timeout=timeout)


class Response:
    """One response line; `wire` is its exact bytes (literals included),
    `text` is the same without literal contents, `literals` the contents."""

    def __init__(self, wire, text, literals):
        self.wire, self.text, self.literals = wire, text, literals

    def __repr__(self):
        return "Response(%r, literals=%d)" % (self.text[:200], len(self.literals))


_LITERAL_AT_END = re.compile(rb"\{(\d+)\}\r\n\Z")


class Conn:
    """A minimal IMAP client over a raw socket."""

    def __init__(self, port, timeout=15):
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.buf = b""
        self.n = 0
        self.greeting = self.readline()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def settimeout(self, t):
        self.sock.settimeout(t)

    def tag(self):
        self.n += 1
        return "t%d" % self.n

    # -- reading -----------------------------------------------------------

    def _fill(self):
        data = self.sock.recv(1 << 16)
        if not data:
            raise EOFError("server closed the connection; unread: %r" % self.buf[:200])
        self.buf += data

    def readline(self):
        while True:
            i = self.buf.find(b"\n")
            if i >= 0:
                line, self.buf = self.buf[:i + 1], self.buf[i + 1:]
                return line
            self._fill()

    def read_exact(self, n):
        chunks, have = [], 0
        if self.buf:
            take = self.buf[:n]
            self.buf = self.buf[n:]
            chunks.append(take)
            have = len(take)
        while have < n:
            data = self.sock.recv(min(1 << 20, n - have))
            if not data:
                raise EOFError("server closed the connection inside a literal")
            chunks.append(data)
            have += len(data)
        return b"".join(chunks)

    def read_response(self):
        wire, text, literals = b"", b"", []
        while True:
            line = self.readline()
            wire += line
            text += line
            m = _LITERAL_AT_END.search(line)
            if m and not line.startswith(b"+"):
                lit = self.read_exact(int(m.group(1)))
                wire += lit
                literals.append(lit)
                continue
            return Response(wire, text, literals)

    def read_until_tagged(self, tag):
        """Returns (untagged Responses, tagged Response)."""
        untagged = []
        prefix = tag.encode() + b" "
        while True:
            r = self.read_response()
            if r.text.startswith(prefix):
                return untagged, r
            untagged.append(r)

    def expect_closed(self):
        """Reads until EOF; returns what came before it."""
        data = self.buf
        self.buf = b""
        while True:
            try:
                chunk = self.sock.recv(1 << 16)
            except ConnectionResetError:
                return data
            if not chunk:
                return data
            data += chunk

    # -- writing -----------------------------------------------------------

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def command(self, text, tag=None):
        """Sends `tag text`; returns (untagged list, tagged Response)."""
        tag = tag or self.tag()
        if isinstance(text, str):
            text = text.encode()
        self.send(tag.encode() + b" " + text + b"\r\n")
        return self.read_until_tagged(tag)

    def ok(self, text):
        untagged, done = self.command(text)
        if not re.match(rb"\S+ OK", done.text):
            raise AssertionError("%r failed: %r" % (text, done.text))
        return untagged, done

    def login(self, user="demo@example.com", password="demo"):
        return self.ok('LOGIN "%s" "%s"' % (user, password))

    def append(self, mailbox, message, flags=None, date=None, sync=True):
        """APPEND with a literal; returns (untagged, tagged, continuation_seen)."""
        tag = self.tag()
        head = "%s APPEND %s" % (tag, mailbox)
        if flags is not None:
            head += " (%s)" % flags
        if date is not None:
            head += ' "%s"' % date
        head += " {%d%s}\r\n" % (len(message), "" if sync else "+")
        self.send(head)
        if sync:
            r = self.read_response()
            if not r.text.startswith(b"+"):
                # Refused before the literal: that was the final answer (or
                # untagged data before it).
                if r.text.startswith(tag.encode() + b" "):
                    return [], r, False
                untagged, done = self.read_until_tagged(tag)
                return [r] + untagged, done, False
        self.send(message + b"\r\n")
        untagged, done = self.read_until_tagged(tag)
        return untagged, done, sync


class ServerTestCase(unittest.TestCase):
    """One server per class; the server log is printed when a test fails."""

    server_env = {}
    server = None

    @classmethod
    def setUpClass(cls):
        cls.server = Server(cls.server_env)
        try:
            cls.server.start()
        except Exception:
            cls.server.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.server is not None:
            cls.server.cleanup()

    def run(self, result=None):
        if result is None:
            return super().run(result)
        before = len(result.failures) + len(result.errors)
        out = super().run(result)
        if len(result.failures) + len(result.errors) > before and self.server is not None:
            sys.stderr.write("\n==== server log for %s ====\n%s\n==== end of server log ====\n"
                             % (self.id(), self.server.log()))
        return out

    def connect(self, timeout=15):
        return self.server.connect(timeout=timeout)

    def assert_works(self, conn=None):
        """The given connection (if any) and a fresh one still serve commands."""
        if conn is not None:
            _, done = conn.command("NOOP")
            self.assertRegex(done.text, rb"^t\d+ OK NOOP completed\r\n\Z")
        with self.connect() as c:
            self.assertTrue(c.greeting.startswith(b"* OK"))
            c.login()
            _, done = c.command('LIST "" INBOX')
            self.assertRegex(done.text, rb"^t\d+ OK ")
