"""Failed logins are delayed, the delay doubles, and past the limit the
address is refused without a check; a good login clears the record; other
clients are served meanwhile."""

import base64
import threading
import time

import harness


class ThrottleTest(harness.ServerTestCase):
    server_env = {
        "POSTIMAP_LOGIN_FAILURE_DELAY": "200",
        "POSTIMAP_LOGIN_FAILURE_MAX_DELAY": "800",
        "POSTIMAP_LOGIN_MAX_FAILURES": "5",
        "POSTIMAP_LOGIN_FAILURE_WINDOW": "600",
    }

    def timed_login(self, c, user, password, tag):
        start = time.monotonic()
        _, done = c.command('LOGIN "%s" "%s"' % (user, password), tag=tag)
        return done.wire, time.monotonic() - start

    def test_delays_double_then_the_address_is_refused(self):
        with self.connect() as c:
            answers, times = [], []
            for i in range(5):
                wire, took = self.timed_login(c, "demo@example.com", "wrong%d" % i, "x")
                answers.append(wire)
                times.append(took)
            self.assertEqual(set(answers), {b"x NO [AUTHENTICATIONFAILED] Invalid credentials\r\n"})
            # 200, 400, 800, 800, 800 ms (lower bounds; the machine may add).
            for took, least in zip(times, (0.2, 0.4, 0.8, 0.8, 0.8)):
                self.assertGreaterEqual(took, least - 0.02, times)
            # Sixth attempt, even with the right password: refused unchecked.
            wire, took = self.timed_login(c, "demo@example.com", "demo", "y")
            self.assertEqual(wire, b"y NO [UNAVAILABLE] Too many failed logins; try again later\r\n")
            # AUTHENTICATE is refused the same way.
            ir = base64.b64encode(b"\0demo@example.com\0demo").decode()
            _, done = c.command("AUTHENTICATE PLAIN " + ir, tag="z")
            self.assertTrue(done.wire.startswith(b"z NO [UNAVAILABLE]"), done.wire)
        with open(self.server.log_path, "rb") as f:
            log = f.read()
        self.assertIn(b"login_throttled", log)
        self.assertNotIn(b"wrong0", log)  # passwords never reach the log


class ThrottleConcurrencyTest(harness.ServerTestCase):
    """A server of its own: the address's failures must not add up with the
    test above."""

    server_env = ThrottleTest.server_env

    def test_delay_does_not_stall_other_clients(self):
        """While one client waits out its penalty, another is served: its
        commands complete while the failing client's answer is still pending
        (ordering, not a clock: a blocked event loop would answer them after)."""
        self.server.psql("select create_user('slow@example.com', 'pw')")
        first_answered = threading.Event()
        second_answered = threading.Event()

        def fail_slowly():
            with self.connect() as c:
                c.command('LOGIN "slow@example.com" "bad"')
                first_answered.set()
                c.command('LOGIN "slow@example.com" "bad"')  # answered after 400 ms
                second_answered.set()

        t = threading.Thread(target=fail_slowly)
        t.start()
        try:
            self.assertTrue(first_answered.wait(30))
            with self.connect() as other:
                other.login()
                other.ok("SELECT INBOX")
                other.ok("NOOP")
                served_while_waiting = not second_answered.is_set()
        finally:
            t.join(30)
        self.assertTrue(second_answered.is_set())
        self.assertTrue(served_while_waiting)
