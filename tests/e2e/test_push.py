"""Push between workers: two `postimap serve` processes on one PostgreSQL.
A client idles on worker 1 while another, on worker 2, appends, stores
flags, expunges and copies; the idler hears each through LISTEN/NOTIFY."""

import re
import threading
import time
import unittest

import harness


class Idler:
    """A client in IDLE: collects untagged lines until a predicate holds."""

    def __init__(self, conn):
        self.c = conn
        self.lines = []

    def start(self):
        self.c.send("i1 IDLE\r\n")
        r = self.c.read_response()
        assert r.text.startswith(b"+ "), r.text

    def wait_for(self, pattern, timeout=10):
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        while True:
            for line in self.lines:
                if rx.search(line):
                    return line
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no %r within %.0f s; got %r" % (pattern, timeout, self.lines))
            self.c.settimeout(left)
            try:
                self.lines.append(self.c.read_response().text)
            except OSError:
                pass
            finally:
                self.c.settimeout(15)

    def done(self):
        self.c.send("DONE\r\n")
        untagged, tagged = self.c.read_until_tagged("i1")
        self.lines += [u.text for u in untagged]
        return tagged


class TwoWorkers(unittest.TestCase):
    """Two workers on one embedded PostgreSQL; logs of both on failure."""

    @classmethod
    def setUpClass(cls):
        cls.one = harness.Server()
        cls.one.start()
        try:
            cls.two = harness.Server(data_dir=cls.one.data_dir)
            cls.two.start()
        except Exception:
            cls.one.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.two.cleanup()
        cls.one.cleanup()

    def run(self, result=None):
        if result is None:
            return super().run(result)
        before = len(result.failures) + len(result.errors)
        out = super().run(result)
        if len(result.failures) + len(result.errors) > before:
            print("\n==== worker 1 ====\n%s\n==== worker 2 ====\n%s"
                  % (self.one.log(), self.two.log()))
        return out


class PushTest(TwoWorkers):
    def fresh_mailbox(self, name):
        with self.two.connect() as c:
            c.login()
            c.ok("CREATE %s" % name)
        return name

    def test_idle_on_one_worker_hears_changes_made_on_the_other(self):
        box = self.fresh_mailbox("Push1")
        a = self.one.connect()
        self.addCleanup(a.close)
        a.login()
        self.assertIn(b"IDLE", a.command("CAPABILITY")[0][0].text)
        a.ok("SELECT %s" % box)
        idler = Idler(a)
        idler.start()
        b = self.two.connect()
        self.addCleanup(b.close)
        b.login()
        # APPEND on worker 2 -> EXISTS on worker 1.
        b.append(box, b"Subject: one\r\n\r\nfirst\r\n")
        idler.wait_for(rb"^\* 1 EXISTS")
        b.append(box, b"Subject: two\r\n\r\nsecond\r\n")
        idler.wait_for(rb"^\* 2 EXISTS")
        # STORE -> FETCH FLAGS.
        b.ok("SELECT %s" % box)
        b.ok("STORE 1 +FLAGS (\\Flagged)")
        idler.wait_for(rb"^\* 1 FETCH \(UID 1 FLAGS \(.*\\Flagged")
        # EXPUNGE -> EXPUNGE.
        b.ok("STORE 1 +FLAGS (\\Deleted)")
        b.ok("EXPUNGE")
        idler.wait_for(rb"^\* 1 EXPUNGE")
        # COPY into the idled mailbox from another -> EXISTS.
        b.ok("CREATE Push1src")
        b.append("Push1src", b"Subject: three\r\n\r\nthird\r\n")
        b.ok("SELECT Push1src")
        b.ok("COPY 1 %s" % box)
        idler.wait_for(rb"^\* 2 EXISTS")
        # MOVE out of the idled mailbox -> EXPUNGE; MOVE into it -> EXISTS.
        b.ok("SELECT %s" % box)
        b.ok("MOVE 1 Push1src")
        idler.wait_for(rb"^\* 1 EXPUNGE")
        b.ok("SELECT Push1src")
        b.ok("UID MOVE 1:* %s" % box)
        idler.wait_for(rb"^\* 3 EXISTS")
        tagged = idler.done()
        self.assertRegex(tagged.text, rb"^i1 OK ")
        # The idler's view matches the database.
        untagged, _ = a.command("UID SEARCH ALL")
        self.assertEqual(untagged[0].text.split()[2:], [b"3", b"4", b"5"])

    def test_noop_reports_changes_and_expunges_wait_for_an_allowed_point(self):
        box = self.fresh_mailbox("Push2")
        with self.two.connect() as b:
            b.login()
            for i in range(3):
                b.append(box, b"Subject: m%d\r\n\r\nbody\r\n" % i)
        a = self.one.connect()
        self.addCleanup(a.close)
        a.login()
        a.ok("SELECT %s" % box)
        with self.two.connect() as b:
            b.login()
            b.ok("SELECT %s" % box)
            b.ok("STORE 2 +FLAGS (\\Deleted \\Seen)")
            b.ok("EXPUNGE")
            b.append(box, b"Subject: m3\r\n\r\nbody\r\n")
        time.sleep(0.3)  # the notification reaches worker 1
        # FETCH may not carry the EXPUNGE (RFC 3501 7.4.1)...
        untagged, done = a.command("FETCH 1:* (UID)")
        self.assertRegex(done.text, rb"^t\d+ NO \[EXPUNGEISSUED\] ")  # message 2 is gone
        self.assertFalse(any(b"EXPUNGE" in u.text for u in untagged), untagged)
        self.assertTrue(any(re.match(rb"\* 4 EXISTS", u.text) for u in untagged), untagged)
        # ...NOOP does, and the numbering stays consistent.
        untagged, _ = a.command("NOOP")
        self.assertIn(b"* 2 EXPUNGE\r\n", [u.text for u in untagged])
        untagged, _ = a.command("FETCH 1:* (UID)")
        uids = [int(re.search(rb"UID (\d+)", u.text).group(1)) for u in untagged]
        self.assertEqual(uids, [1, 3, 4])

    def test_fetch_of_a_message_expunged_elsewhere_says_expungeissued(self):
        box = self.fresh_mailbox("Push4")
        a = self.one.connect()
        self.addCleanup(a.close)
        a.login()
        for i in range(3):
            a.append(box, b"Subject: e%d\r\n\r\nx\r\n" % i)
        a.ok("SELECT %s" % box)
        with self.two.connect() as b:
            b.login()
            b.ok("SELECT %s" % box)
            b.ok("STORE 2 +FLAGS.SILENT (\\Deleted)")
            b.ok("EXPUNGE")
        untagged, done = a.command("FETCH 1:3 (UID)")
        self.assertRegex(done.text, rb"^t\d+ NO \[EXPUNGEISSUED\] ")
        self.assertEqual([re.match(rb"\* (\d+) FETCH", u.text).group(1) for u in untagged
                          if b" FETCH " in u.text], [b"1", b"3"])
        self.assertFalse(any(b"EXPUNGE\r\n" in u.text for u in untagged))
        untagged, _ = a.command("NOOP")
        self.assertIn(b"* 2 EXPUNGE\r\n", [u.text for u in untagged])
        untagged, done = a.command("FETCH 1:2 (UID)")
        self.assertRegex(done.text, rb"^t\d+ OK ")

    def test_a_burst_of_changes_ends_in_the_right_state(self):
        """101 pipelined flag toggles on worker 2: the idler on worker 1 ends
        with the final flags (bursts coalesce: one read of the changes
        covers every notification that came meanwhile)."""
        box = self.fresh_mailbox("Push5")
        with self.two.connect() as b:
            b.login()
            b.append(box, b"Subject: burst\r\n\r\nx\r\n")
        a = self.one.connect()
        self.addCleanup(a.close)
        a.login()
        # With CONDSTORE each FETCH says which MODSEQ it shows, so the wait
        # below can tell the final state from an earlier flagged one.
        a.ok("ENABLE CONDSTORE")
        a.ok("SELECT %s" % box)
        idler = Idler(a)
        idler.start()
        with self.two.connect() as b:
            b.login()
            b.ok("SELECT %s" % box)
            burst = "".join("s%d STORE 1 %sFLAGS.SILENT (\\Flagged)\r\n"
                            % (i, "+" if i % 2 == 0 else "-") for i in range(101))
            b.send(burst)
            b.read_until_tagged("s100")
            untagged, _ = b.command("FETCH 1 (MODSEQ)")
            final = re.search(rb"MODSEQ \((\d+)\)", untagged[0].text).group(1)
        # Still in IDLE, the final state must be heard (a lost wakeup would
        # leave an intermediate one last).
        deadline = time.monotonic() + 5
        while True:
            fetches = [l for l in idler.lines if b" FETCH " in l]
            if fetches and b"MODSEQ (%s)" % final in fetches[-1]:
                break
            self.assertLess(time.monotonic(), deadline, fetches[-3:])
            a.settimeout(0.2)
            try:
                idler.lines.append(a.read_response().text)
            except OSError:
                pass
            finally:
                a.settimeout(15)
        tagged = idler.done()
        self.assertRegex(tagged.text, rb"^i1 OK ")
        fetches = [l for l in idler.lines if b" FETCH " in l]
        self.assertIn(b"\\Flagged", fetches[-1])  # 101 toggles: flagged at the end
        self.assertLessEqual(len(fetches), 101)
        untagged, _ = a.command("FETCH 1 (FLAGS)")
        self.assertIn(b"\\Flagged", untagged[0].text)

    def test_own_store_is_not_echoed_again(self):
        box = self.fresh_mailbox("Push3")
        a = self.one.connect()
        self.addCleanup(a.close)
        a.login()
        a.append(box, b"Subject: x\r\n\r\nx\r\n")
        a.ok("SELECT %s" % box)
        untagged, _ = a.command("STORE 1 +FLAGS (\\Answered)")
        self.assertEqual(len(untagged), 1)
        time.sleep(0.3)
        untagged, _ = a.command("NOOP")
        self.assertEqual(untagged, [])


class PushFaultTest(TwoWorkers):
    """The LISTEN connection dies, then PostgreSQL restarts: the workers
    reconnect, sessions resync, and push works again."""

    def log_count(self, server, needle):
        with open(server.log_path, "rb") as f:
            return f.read().count(needle)

    def wait_log(self, server, needle, count, timeout=30):
        deadline = time.monotonic() + timeout
        while self.log_count(server, needle) < count:
            if time.monotonic() > deadline:
                raise AssertionError("%r not logged %d times:\n%s" % (needle, count, server.log()))
            time.sleep(0.05)

    def test_listener_killed_then_database_restarted(self):
        with self.two.connect() as b:
            b.login()
            b.ok("CREATE Faults")
        a = self.one.connect()
        self.addCleanup(a.close)
        a.login()
        a.ok("SELECT Faults")
        idler = Idler(a)
        idler.start()
        connected = self.log_count(self.one, b"listener_connected")

        # 1. Kill both workers' LISTEN connections; change something at once.
        self.one.psql("select pg_terminate_backend(pid) from pg_stat_activity"
                      " where query like 'listen %'")
        with self.two.connect() as b:
            b.login()
            b.append("Faults", b"Subject: during\r\n\r\nx\r\n")
        self.wait_log(self.one, b"listener_connected", connected + 1)
        idler.wait_for(rb"^\* 1 EXISTS")

        # 2. Stop PostgreSQL under the idle session and under load (a client
        # on each worker appending and flagging in a loop); commands during
        # the outage fail cleanly; start it again; push resumes.
        stop_load = threading.Event()
        # Both loaders stop changing the mailbox before either compares its
        # view with the database (else the other's last APPEND can land
        # between the SEARCH and the STATUS).
        all_stopped = threading.Barrier(2)
        load_errors, load_answers = [], []

        def load(server, n):
            try:
                with server.connect(timeout=30) as c:
                    c.login()
                    c.ok("SELECT Faults")
                    i = 0
                    while not stop_load.is_set():
                        i += 1
                        _, done, _ = c.append("Faults", b"Subject: load %d-%d\r\n\r\nx\r\n" % (n, i))
                        load_answers.append(done.text.split(b" ", 2)[1:2])
                        _, done = c.command("STORE 1:* +FLAGS.SILENT (\\Seen)")
                        load_answers.append(done.text.split(b" ", 2)[1:2])
                        time.sleep(0.01)
                    all_stopped.wait(60)
                    # Afterwards the loader's own view is the database's.
                    untagged, _ = c.ok("NOOP")
                    untagged, _ = c.ok("SEARCH ALL")
                    seen = len(untagged[0].text.split()) - 2
                    untagged, _ = c.ok("STATUS Faults (MESSAGES)")
                    want = int(re.search(rb"MESSAGES (\d+)", untagged[0].text).group(1))
                    if seen != want:
                        load_errors.append("worker view %d != database %d" % (seen, want))
            except Exception as e:
                load_errors.append(repr(e))

        loaders = [threading.Thread(target=load, args=(srv, n))
                   for n, srv in enumerate((self.one, self.two))]
        for t in loaders:
            t.start()
        time.sleep(0.5)
        self.one.pg_stop()
        with self.two.connect() as b:
            _, done = b.command("LOGIN demo@example.com demo")
            self.assertRegex(done.text, rb"^t\d+ NO \[UNAVAILABLE\] ")
        time.sleep(0.5)
        self.one.pg_start()
        time.sleep(1)
        stop_load.set()
        for t in loaders:
            t.join(60)
        self.assertEqual(load_errors, [])
        # Answers during the outage were NO (never BAD, never a dropped line).
        self.assertIn([b"NO"], load_answers)
        self.assertEqual({a[0] for a in load_answers}, {b"OK", b"NO"})
        self.wait_log(self.one, b"listener_connected", connected + 2)
        self.wait_log(self.two, b"listener_connected", 3)
        idler.lines = []
        with self.two.connect() as b:
            b.login()
            _, done, _ = b.append("Faults", b"Subject: after\r\n\r\ny\r\n")
            last_uid = re.search(rb"APPENDUID \d+ (\d+)", done.text).group(1)
        idler.wait_for(rb"^\* \d+ EXISTS")
        tagged = idler.done()
        self.assertRegex(tagged.text, rb"^i1 OK ")
        # The idler's view (sequence numbers it was told of) equals the
        # database's, through outage and load.
        untagged, _ = a.ok("FETCH 1:* (UID)")
        mine = [re.search(rb"UID (\d+)", u.text).group(1) for u in untagged if b" FETCH " in u.text]
        self.assertEqual(mine[-1], last_uid)
        with self.two.connect() as b:
            b.login()
            b.ok("EXAMINE Faults")
            untagged, _ = b.command("UID SEARCH ALL")
            self.assertEqual(untagged[0].text.split()[2:], mine)


class IdleTimersTest(harness.ServerTestCase):
    server_env = {"POSTIMAP_IDLE_KEEPALIVE": "1", "POSTIMAP_IDLE_COMMAND_TIMEOUT": "3"}

    def test_keepalive_then_timeout_with_bye(self):
        c = self.connect()
        self.addCleanup(c.close)
        c.login()
        c.ok("SELECT INBOX")
        idler = Idler(c)
        idler.start()
        idler.wait_for(rb"^\* OK Still here", timeout=5)
        idler.wait_for(rb"^\* BYE ", timeout=8)
        self.assertEqual(c.expect_closed().count(b"BYE"), 0)

    def test_done_is_case_insensitive_and_other_lines_are_bad(self):
        c = self.connect()
        self.addCleanup(c.close)
        c.login()
        c.send("i1 IDLE\r\n")
        self.assertTrue(c.read_response().text.startswith(b"+ "))
        c.send("done\r\n")
        _, tagged = c.read_until_tagged("i1")
        self.assertTrue(tagged.text.startswith(b"i1 OK"), tagged.text)
        c.send("i2 IDLE\r\n")
        self.assertTrue(c.read_response().text.startswith(b"+ "))
        c.send("NOOP\r\n")
        _, tagged = c.read_until_tagged("i2")
        self.assertTrue(tagged.text.startswith(b"i2 BAD"), tagged.text)
        c.ok("NOOP")


if __name__ == "__main__":
    unittest.main()
