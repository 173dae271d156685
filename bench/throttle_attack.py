#!/usr/bin/env python3
"""What a password guesser achieves against the default throttling.

Starts Postimap (embedded default, default login_failure_* settings), then
for SECONDS runs ATTACKERS connections from 127.0.0.1 that guess passwords
for demo@example.com as fast as the server answers, while a legitimate user
(another account, from 127.0.0.2) logs in once a second. Prints the guesses
the server actually checked, how many were refused unchecked, the guess
rate, and the legitimate user's login latency. Numbers, not assertions.

Usage: bench/throttle_attack.py [--seconds S] [--attackers N]
"""

import argparse
import os
import socket
import statistics
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
import harness  # noqa: E402


def attempt(port, user, password, source="127.0.0.1"):
    """One connection, one LOGIN. Returns the tagged answer line."""
    s = socket.socket()
    s.settimeout(60)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    buf = b""
    try:
        while b"\r\n" not in buf:
            buf += s.recv(4096)
        s.sendall(b'a LOGIN "%s" "%s"\r\n' % (user.encode(), password.encode()))
        buf = b""
        while True:
            for line in buf.split(b"\r\n")[:-1]:
                if line.startswith(b"a "):
                    return line
            chunk = s.recv(4096)
            if not chunk:
                return buf
            buf += chunk
    finally:
        s.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--attackers", type=int, default=8)
    args = ap.parse_args()

    # The harness turns throttling off for the tests; put the defaults back.
    server = harness.Server(env={"POSTIMAP_LOGIN_FAILURE_DELAY": "1000",
                                 "POSTIMAP_LOGIN_MAX_FAILURES": "20"})
    counts = {"checked": 0, "refused": 0, "other": 0}
    first_refusal = [None]
    legit = []
    lock = threading.Lock()
    try:
        server.start()
        server.psql("select create_user('legit@example.com', 'right')")
        start = time.monotonic()
        deadline = start + args.seconds

        def attacker(n):
            i = 0
            while time.monotonic() < deadline:
                i += 1
                answer = attempt(server.port, "demo@example.com", "guess-%d-%d" % (n, i))
                with lock:
                    if b"[AUTHENTICATIONFAILED]" in answer:
                        counts["checked"] += 1
                    elif b"[UNAVAILABLE]" in answer:
                        counts["refused"] += 1
                        if first_refusal[0] is None:
                            first_refusal[0] = time.monotonic() - start
                    else:
                        counts["other"] += 1

        def legitimate():
            while time.monotonic() < deadline:
                t = time.perf_counter()
                answer = attempt(server.port, "legit@example.com", "right", source="127.0.0.2")
                legit.append(((time.perf_counter() - t) * 1000, answer.startswith(b"a OK")))
                time.sleep(1)

        threads = [threading.Thread(target=attacker, args=(n,)) for n in range(args.attackers)]
        threads.append(threading.Thread(target=legitimate))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - start
        print("%.0f s, %d guessing connections from one address, default settings "
              "(1 s doubling to 15 s, 20 failures per 10 min)" % (elapsed, args.attackers))
        print("passwords checked: %d (%.1f per minute); refused unchecked: %d; other: %d"
              % (counts["checked"], counts["checked"] * 60 / elapsed, counts["refused"],
                 counts["other"]))
        if first_refusal[0] is not None:
            print("address refused from %.1f s on" % first_refusal[0])
        ok = [ms for ms, good in legit if good]
        print("legitimate user from another address: %d/%d logins ok, median %.1f ms, max %.1f ms"
              % (len(ok), len(legit), statistics.median(ok) if ok else float("nan"),
                 max(ok) if ok else float("nan")))
    finally:
        server.cleanup()


if __name__ == "__main__":
    main()
