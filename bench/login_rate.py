#!/usr/bin/env python3
"""Logins per second: clients that connect, authenticate and log out in a
loop, as mail clients reconnecting all day do.

For each mechanism (LOGIN command, AUTHENTICATE PLAIN with SASL-IR,
AUTHENTICATE SCRAM-SHA-256) runs CLIENTS client processes for SECONDS
against Postimap (embedded default, started here) and against Dovecot
(Debian's dovecot-imapd, private config on loopback, started here), and
prints logins per second and latency percentiles, and the ratio.

The clients run on the same 2 cores as the servers, so the numbers are a
lower bound for both; SCRAM clients also pay PBKDF2 themselves (4096
iterations per login, as a real client without a cached key would).
Numbers are printed, never asserted.

Usage: bench/login_rate.py [--clients N] [--seconds S] [--no-dovecot]
"""

import argparse
import base64
import hashlib
import hmac
import multiprocessing
import os
import secrets
import socket
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
import harness  # noqa: E402
from imap_compare import Dovecot  # noqa: E402  (same private Dovecot setup)

USER, PASSWORD = "demo@example.com", "demo"


def b64(data):
    return base64.b64encode(data).decode()


class Wire:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buf = b""
        self.readline()

    def readline(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def until(self, tag):
        while True:
            line = self.readline()
            if line.startswith(tag + b" ") or line.startswith(b"+"):
                return line

    def send(self, data):
        self.sock.sendall(data.encode() if isinstance(data, str) else data)


def login_command(w):
    w.send('a LOGIN "%s" "%s"\r\n' % (USER, PASSWORD))
    return w.until(b"a").startswith(b"a OK")


def auth_plain(w):
    w.send("a AUTHENTICATE PLAIN %s\r\n" % b64(("\0%s\0%s" % (USER, PASSWORD)).encode()))
    return w.until(b"a").startswith(b"a OK")


def auth_scram(w):
    nonce = b64(secrets.token_bytes(18))
    first_bare = "n=%s,r=%s" % (USER, nonce)
    w.send("a AUTHENTICATE SCRAM-SHA-256 %s\r\n" % b64(("n,," + first_bare).encode()))
    line = w.until(b"a")
    if not line.startswith(b"+"):
        return False
    server_first = base64.b64decode(line[2:])
    attrs = dict(kv.split("=", 1) for kv in server_first.decode().split(","))
    salted = hashlib.pbkdf2_hmac("sha256", PASSWORD.encode(), base64.b64decode(attrs["s"]),
                                 int(attrs["i"]))
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored = hashlib.sha256(client_key).digest()
    without_proof = "c=biws,r=%s" % attrs["r"]
    message = ",".join([first_bare, server_first.decode(), without_proof])
    signature = hmac.new(stored, message.encode(), hashlib.sha256).digest()
    proof = bytes(a ^ b for a, b in zip(client_key, signature))
    w.send(b64(("%s,p=%s" % (without_proof, b64(proof))).encode()) + "\r\n")
    line = w.until(b"a")
    if line.startswith(b"+"):  # server signature, then an empty answer
        w.send("\r\n")
        line = w.until(b"a")
    return line.startswith(b"a OK")


MECHANISMS = {"LOGIN": login_command, "PLAIN": auth_plain, "SCRAM-SHA-256": auth_scram}


def client(port, mechanism, seconds, out):
    fn = MECHANISMS[mechanism]
    latencies, failures = [], 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        start = time.perf_counter()
        try:
            w = Wire(port)
            ok = fn(w)
            w.send("z LOGOUT\r\n")
            w.sock.close()
        except (OSError, EOFError):
            ok = False
        if ok:
            latencies.append((time.perf_counter() - start) * 1000)
        else:
            failures += 1
    out.put((latencies, failures))


def run(port, mechanism, clients, seconds):
    out = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=client, args=(port, mechanism, seconds, out))
             for _ in range(clients)]
    start = time.monotonic()
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    elapsed = time.monotonic() - start
    latencies = sorted(x for r in results for x in r[0])
    failures = sum(r[1] for r in results)
    if not latencies:
        return 0.0, float("nan"), float("nan"), failures
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return len(latencies) / elapsed, statistics.median(latencies), p99, failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--no-dovecot", action="store_true")
    args = ap.parse_args()

    server = harness.Server()
    dovecot = None
    try:
        server.start()
        if not args.no_dovecot and os.path.exists("/usr/sbin/dovecot"):
            dovecot = Dovecot(0)
        print("%d client processes, %.0f s per run, connect + authenticate + LOGOUT"
              % (args.clients, args.seconds))
        print("%-14s %10s %8s %8s %6s   %10s %8s %8s   %6s" %
              ("mechanism", "postimap/s", "p50 ms", "p99 ms", "fail", "dovecot/s", "p50 ms",
               "p99 ms", "ratio"))
        for mech in MECHANISMS:
            p = run(server.port, mech, args.clients, args.seconds)
            d = run(dovecot.port, mech, args.clients, args.seconds) if dovecot else None
            line = "%-14s %10.0f %8.1f %8.1f %6d" % (mech, p[0], p[1], p[2], p[3])
            if d:
                line += "   %10.0f %8.1f %8.1f   %6.2f" % (d[0], d[1], d[2],
                                                         p[0] / d[0] if d[0] else float("nan"))
            print(line)
            sys.stdout.flush()
        print("ratio = postimap logins/s / dovecot logins/s; above 1.0 means Postimap is faster")
    finally:
        if dovecot:
            dovecot.stop()
        server.cleanup()


if __name__ == "__main__":
    main()
