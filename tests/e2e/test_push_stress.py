"""Concurrency stress (bounded, stops by itself): clients on two workers
APPEND, STORE, COPY and EXPUNGE in one mailbox at once, while an observer on
each worker follows along with NOOP. Afterwards: UIDs strictly ascending and
never reused, every observer's view (built only from what it was told) equal
to the database, and no flag update lost."""

import random
import re
import threading

import harness
from test_push import TwoWorkers

BOX = "Stress"
CLIENTS_PER_WORKER = 2
OPS_PER_CLIENT = 40

FETCH_RE = re.compile(rb"^\* (\d+) FETCH \((.*)\)\r\n$", re.S)
UID_RE = re.compile(rb"UID (\d+)")
FLAGS_RE = re.compile(rb"FLAGS \(([^)]*)\)")


def parse_flags(text):
    m = FLAGS_RE.search(text)
    return set(m.group(1).split()) - {b"\\Recent"} if m else None


class Observer:
    """Knows only what the server told it: a list of [uid, flags]."""

    def __init__(self, conn):
        self.c = conn
        self.view = []
        untagged, _ = conn.ok("SELECT %s" % BOX)
        exists = next(int(u.text.split()[1]) for u in untagged if u.text.endswith(b"EXISTS\r\n"))
        self.pending_exists = exists
        while self.pending_exists:
            self.fetch_new(self.pending_exists)

    def apply(self, untagged):
        for u in untagged:
            t = u.text
            if t.endswith(b" EXPUNGE\r\n"):
                n = int(t.split()[1])
                del self.view[n - 1]
            elif t.endswith(b" EXISTS\r\n"):
                n = int(t.split()[1])
                if n > len(self.view):
                    self.pending_exists = n
            else:
                m = FETCH_RE.match(t)
                if not m:
                    continue
                n = int(m.group(1))
                uid = int(UID_RE.search(t).group(1)) if UID_RE.search(t) else None
                flags = parse_flags(t)
                if n == len(self.view) + 1 and uid is not None:
                    self.view.append([uid, flags or set()])
                elif n <= len(self.view):
                    if uid is not None and self.view[n - 1][0] != uid:
                        raise AssertionError("MSN %d is UID %d here, server says %d"
                                             % (n, self.view[n - 1][0], uid))
                    if flags is not None:
                        self.view[n - 1][1] = flags

    def fetch_new(self, exists):
        self.pending_exists = 0
        if exists <= len(self.view):
            return
        first = len(self.view) + 1
        untagged, done = self.c.command("FETCH %d:%d (UID FLAGS)" % (first, exists))
        # The new messages' data by number; the rest (flag changes of older
        # messages, a later EXISTS) as usual.
        new, rest = {}, []
        for u in untagged:
            m = FETCH_RE.match(u.text)
            if m and first <= int(m.group(1)) <= exists:
                new[int(m.group(1))] = [int(UID_RE.search(u.text).group(1)), parse_flags(u.text)]
            else:
                rest.append(u)
        # A message another client expunged (not reported yet: no EXPUNGE
        # during FETCH) has no data; the server says so (RFC 5530
        # EXPUNGEISSUED). It keeps its number until its EXPUNGE arrives.
        for n in range(first, exists + 1):
            if n not in new and b"[EXPUNGEISSUED]" not in done.text:
                raise AssertionError("FETCH %d:%d left out %d: %r" % (first, exists, n, done.text))
            self.view.append(new.get(n, [None, None]))
        self.apply(rest)

    def noop(self):
        self.pending_exists = 0
        untagged, _ = self.c.ok("NOOP")
        self.apply(untagged)
        while self.pending_exists:
            self.fetch_new(self.pending_exists)


class StressTest(TwoWorkers):

    @staticmethod
    def select_nonempty(c, name):
        """SELECTs `name`; False if it is empty (others moved all out)."""
        untagged, _ = c.ok("SELECT %s" % name)
        return any(u.text.endswith(b" EXISTS\r\n") and not u.text.startswith(b"* 0 ")
                   for u in untagged)

    def test_concurrent_changes_keep_every_view_exact(self):
        with self.one.connect() as c:
            c.login()
            c.ok("CREATE %s" % BOX)
            c.ok("CREATE %sOther" % BOX)
            for i in range(5):
                c.append(BOX, b"Subject: seed %d\r\n\r\nx\r\n" % i)
        assigned = []  # every UID the server handed out in BOX
        kept_keywords = []  # (uid, keyword) the server confirmed
        errors = []
        lock = threading.Lock()
        stop = threading.Event()

        def client(server, n):
            rng = random.Random(n)
            try:
                with server.connect(timeout=60) as c:
                    c.login()
                    c.ok("SELECT %s" % BOX)
                    for i in range(OPS_PER_CLIENT):
                        op = rng.choice(["append", "append", "store", "store", "copy", "expunge",
                                         "move"])
                        if op == "append":
                            _, done, _ = c.append(BOX, b"Subject: c%d-%d\r\n\r\nx\r\n" % (n, i))
                            uid = int(re.search(rb"APPENDUID \d+ (\d+)", done.text).group(1))
                            with lock:
                                assigned.append(uid)
                        elif op == "store":
                            untagged, _ = c.ok("UID SEARCH ALL")
                            uids = untagged[0].text.split()[2:]
                            if not uids:
                                continue
                            uid = int(rng.choice(uids))
                            kw = "k%d_%d" % (n, i)
                            untagged, _ = c.ok("UID STORE %d +FLAGS (%s)" % (uid, kw))
                            for u in untagged:
                                if b"UID %d " % uid in u.text and kw.encode() in u.text:
                                    with lock:
                                        kept_keywords.append((uid, kw.encode()))
                        elif op == "copy":
                            # Into another mailbox and back: new UIDs in BOX.
                            c.ok("COPY 1 %sOther" % BOX)
                            if self.select_nonempty(c, "%sOther" % BOX):
                                _, done = c.ok("COPY 1 %s" % BOX)
                                m = re.search(rb"COPYUID \d+ \S+ (\d+)", done.text)
                                if m:  # (empty if another client moved it away first)
                                    with lock:
                                        assigned.append(int(m.group(1)))
                            c.ok("SELECT %s" % BOX)
                        elif op == "move":
                            # Out to the other mailbox (and, from there, one
                            # back in under a new UID).
                            untagged, _ = c.ok("UID SEARCH ALL")
                            uids = untagged[0].text.split()[2:]
                            if len(uids) < 4:
                                continue
                            c.ok("UID MOVE %s %sOther" % (rng.choice(uids).decode(), BOX))
                            if self.select_nonempty(c, "%sOther" % BOX):
                                moved, _ = c.ok("MOVE 1 %s" % BOX)  # COPYUID: untagged OK
                                m = re.search(rb"COPYUID \d+ \S+ (\d+)",
                                              b"".join(u.text for u in moved))
                                if m:  # (another client may have moved it first)
                                    with lock:
                                        assigned.append(int(m.group(1)))
                            c.ok("SELECT %s" % BOX)
                        else:
                            untagged, _ = c.ok("UID SEARCH ALL")
                            uids = untagged[0].text.split()[2:]
                            if len(uids) < 4:
                                continue
                            uid = int(rng.choice(uids))
                            c.ok("UID STORE %d +FLAGS.SILENT (\\Deleted)" % uid)
                            c.ok("UID EXPUNGE %d" % uid)
            except Exception as e:  # reported below
                errors.append("client %d: %r" % (n, e))

        def observe(observer):
            try:
                while not stop.is_set():
                    observer.noop()
            except Exception as e:
                errors.append("observer: %r" % e)

        observers = []
        for server in (self.one, self.two):
            conn = server.connect(timeout=60)
            self.addCleanup(conn.close)
            conn.login()
            observers.append(Observer(conn))
        threads = [threading.Thread(target=observe, args=(o,)) for o in observers]
        workers = [threading.Thread(target=client, args=(server, n))
                   for n, server in enumerate([self.one, self.two] * CLIENTS_PER_WORKER)]
        for t in threads + workers:
            t.start()
        for t in workers:
            t.join(300)
        stop.set()
        for t in threads:
            t.join(60)
        self.assertEqual(errors, [])

        # UIDs handed out: strictly ascending per mailbox means unique here.
        self.assertEqual(len(assigned), len(set(assigned)), "a UID was given twice")

        # The truth, from a fresh session.
        with self.one.connect() as c:
            c.login()
            c.ok("EXAMINE %s" % BOX)
            untagged, _ = c.ok("FETCH 1:* (UID FLAGS)")
            truth = [[int(UID_RE.search(u.text).group(1)), parse_flags(u.text)]
                     for u in untagged if b" FETCH " in u.text]
        uids = [u for u, _ in truth]
        self.assertEqual(uids, sorted(uids))
        self.assertEqual(len(uids), len(set(uids)))
        self.assertTrue(set(uids) <= set(assigned) | set(range(1, 6)))

        # Every observer, after one more NOOP, sees exactly the truth.
        for observer in observers:
            observer.noop()
            self.assertEqual([u for u, _ in observer.view], uids)
            self.assertEqual(observer.view, truth)

        # No confirmed flag update lost on a message that still exists.
        flags_of = dict((u, f) for u, f in truth)
        for uid, kw in kept_keywords:
            if uid in flags_of:
                self.assertIn(kw, flags_of[uid], "keyword %r of UID %d lost" % (kw, uid))
