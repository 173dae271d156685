#!/usr/bin/env python3
"""Push between workers: latency and the memory of idle sessions.

1. Latency: two workers on one PostgreSQL. A client IDLEs on worker 1; a
   client on worker 2 toggles a flag EVENTS times. For each change, the time
   from worker 2's tagged OK (sent after COMMIT) to the untagged FETCH on the
   idle connection of worker 1. Prints p50/p90/p99/max.
2. Memory: SESSIONS connections to worker 1 log in, SELECT INBOX and IDLE.
   Prints the worker's RSS before and after, and per idle session.

Numbers are printed, not asserted. Usage:
  bench/push_bench.py [--events N] [--sessions N]
"""

import argparse
import os
import resource
import socket
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
import harness  # noqa: E402


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def latency(one, two, events):
    """A thread reads the idle connection and stamps each FETCH on arrival;
    the main thread stamps worker 2's tagged OK. Latency = FETCH arrival -
    OK arrival (the OK follows COMMIT, so this slightly understates; it can
    be negative when the push beats the OK, and counts as 0 then). Also
    prints the full round: STORE sent -> FETCH on the other worker."""
    import threading
    box = "PushBench"
    b = two.connect()
    b.login()
    b.ok("CREATE %s" % box)
    b.append(box, b"Subject: bench\r\n\r\nbody\r\n")
    b.ok("SELECT %s" % box)
    a = one.connect()
    a.login()
    a.ok("SELECT %s" % box)
    a.send("i IDLE\r\n")
    assert a.read_response().text.startswith(b"+")
    arrivals = []
    got = threading.Semaphore(0)

    def reader():
        while len(arrivals) < events:
            r = a.read_response()
            if b"FETCH" in r.text:
                arrivals.append(time.perf_counter())
                got.release()

    t = threading.Thread(target=reader)
    t.start()
    push, round_trip = [], []
    for i in range(events):
        flag = "+FLAGS" if i % 2 == 0 else "-FLAGS"
        sent = time.perf_counter()
        b.ok("STORE 1 %s.SILENT (\\Flagged)" % flag)
        ok = time.perf_counter()
        if not got.acquire(timeout=10):
            raise RuntimeError("no push for change %d" % i)
        arrived = arrivals[i]
        push.append(max(0.0, arrived - ok) * 1000)
        round_trip.append((arrived - sent) * 1000)
    t.join()
    a.send("DONE\r\n")
    a.read_until_tagged("i")
    a.close()
    b.close()

    def summary(xs):
        xs = sorted(xs)
        pick = lambda q: xs[min(len(xs) - 1, int(len(xs) * q))]
        return "p50 %.2f  p90 %.2f  p99 %.2f  max %.2f" % (statistics.median(xs), pick(0.9),
                                                           pick(0.99), xs[-1])

    print("%d flag changes on worker 2, pushed to an IDLE session on worker 1 (ms):" % events)
    print("  tagged OK on worker 2 -> untagged FETCH on worker 1: " + summary(push))
    print("  STORE sent -> untagged FETCH on worker 1:            " + summary(round_trip))


def idle_memory(server, sessions):
    pid = server.proc.pid
    before = rss_kb(pid)
    socks = []
    login = b"a LOGIN demo@example.com demo\r\nb SELECT INBOX\r\nc IDLE\r\n"
    started = time.monotonic()
    # Pipelined login+select+idle; read until "+ idling" on each.
    for i in range(sessions):
        s = socket.create_connection((harness.HOST, server.port), timeout=60)
        s.sendall(login)
        socks.append([s, b""])
    pending = len(socks)
    for entry in socks:
        s = entry[0]
        while b"+ idling" not in entry[1]:
            chunk = s.recv(65536)
            if not chunk:
                raise RuntimeError("connection closed: %r" % entry[1][-200:])
            entry[1] += chunk
        entry[1] = b""
        pending -= 1
    setup = time.monotonic() - started
    time.sleep(2)
    after = rss_kb(pid)
    cpu_before = os.times()
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().split()
    ticks_before = int(fields[13]) + int(fields[14])
    time.sleep(5)
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().split()
    ticks_after = int(fields[13]) + int(fields[14])
    print("%d idle sessions (login, SELECT INBOX, IDLE) on one worker, set up in %.1f s:"
          % (sessions, setup))
    print("  worker RSS %.1f MB before, %.1f MB after: %.1f KB per idle session"
          % (before / 1024, after / 1024, (after - before) / sessions))
    print("  worker CPU while all idle: %d ticks in 5 s (1 tick = 10 ms)"
          % (ticks_after - ticks_before))
    del cpu_before
    for s, _ in socks:
        s.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=500)
    ap.add_argument("--sessions", type=int, default=5000)
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, args.sessions * 2 + 100)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

    one = harness.Server(env={"POSTIMAP_LOG_LEVEL": "info"})
    two = None
    try:
        one.start()
        two = harness.Server(data_dir=one.data_dir, env={"POSTIMAP_LOG_LEVEL": "info"})
        two.start()
        latency(one, two, args.events)
        idle_memory(one, args.sessions)
    finally:
        if two:
            two.cleanup()
        one.cleanup()


if __name__ == "__main__":
    main()
