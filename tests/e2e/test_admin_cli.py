"""The operator's CLI (postimap tenant/user/quota) against the same database
a running server uses: what it provisions can log in at once, and its
errors are one clear line with a non-zero exit status."""

import imaplib
import os
import subprocess
import unittest

from harness import HOST, POSTIMAP_BIN as BIN, ServerTestCase


class AdminCliTest(ServerTestCase):

    def cli(self, *args, stdin=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("POSTIMAP_")}
        env.update({"POSTIMAP_DATA_DIR": self.server.data_dir, "POSTIMAP_CONFIG": "/dev/null",
                    "POSTIMAP_LOG_LEVEL": "warn"})
        return subprocess.run([BIN, *args], input=stdin, capture_output=True, text=True,
                              env=env, timeout=60)

    def can_login(self, user, password):
        m = imaplib.IMAP4(HOST, self.server.port)
        try:
            m.login(user, password)
            return True
        except imaplib.IMAP4.error:
            return False
        finally:
            try:
                m.logout()
            except Exception:
                pass

    def test_provision_then_login(self):
        r = self.cli("tenant", "add", "cli.test")
        self.assertEqual((r.returncode, r.stdout), (0, "tenant cli.test created\n"), r.stderr)
        r = self.cli("user", "add", "Ann@CLI.test", stdin="pw-from-stdin\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(self.can_login("ann@cli.test", "pw-from-stdin"))
        self.assertFalse(self.can_login("ann@cli.test", "wrong"))

        self.assertEqual(self.cli("user", "disable", "ann@cli.test").returncode, 0)
        self.assertFalse(self.can_login("ann@cli.test", "pw-from-stdin"))
        self.assertEqual(self.cli("user", "enable", "ann@cli.test").returncode, 0)
        self.assertEqual(self.cli("user", "passwd", "ann@cli.test", "second").returncode, 0)
        self.assertFalse(self.can_login("ann@cli.test", "pw-from-stdin"))
        self.assertTrue(self.can_login("ann@cli.test", "second"))
        self.assertEqual(self.cli("quota", "set", "ann@cli.test", "1048576").returncode, 0)
        self.assertEqual(self.cli("quota", "set", "ann@cli.test", "unlimited").returncode, 0)
        self.assertEqual(self.cli("user", "del", "ann@cli.test").returncode, 0)
        self.assertFalse(self.can_login("ann@cli.test", "second"))

    def test_errors_are_one_clear_line(self):
        self.cli("tenant", "add", "dup.test")
        cases = [
            (("tenant", "add", "dup.test"), 'tenant "dup.test" already exists'),
            (("user", "add", "x@unknown.test", "pw"), 'unknown domain "unknown.test"'),
            (("user", "add", "no-at-sign", "pw"), 'invalid address "no-at-sign"'),
            (("user", "del", "ghost@dup.test"), 'unknown user "ghost@dup.test"'),
        ]
        for args, message in cases:
            r = self.cli(*args)
            self.assertEqual(r.returncode, 1, args)
            self.assertEqual(r.stderr, "postimap: %s\n" % message, args)
        self.cli("user", "add", "eve@dup.test", "pw")
        r = self.cli("user", "add", "EVE@dup.test", "pw")
        self.assertEqual(r.stderr, 'postimap: user "eve@dup.test" already exists\n')
        r = self.cli("quota", "set", "eve@dup.test", "lots")
        self.assertEqual(r.returncode, 2)
        r = self.cli("user", "frobnicate")
        self.assertEqual(r.returncode, 2)
        self.assertIn("usage:", r.stderr)

    def test_server_keeps_running(self):
        # The CLI used the server's cluster and must not have stopped it.
        self.cli("tenant", "add", "still.test")
        self.assertTrue(self.can_login("demo@example.com", "demo"))


if __name__ == "__main__":
    unittest.main()
