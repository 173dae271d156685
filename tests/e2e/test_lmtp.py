"""LMTP delivery (RFC 2033) end to end: python3 smtplib.LMTP, swaks and raw
sockets against the real server, checked through IMAP and psql."""

import os
import re
import shutil
import smtplib
import socket
import subprocess
import time
import unittest

import harness

MESSAGE = (b"From: Sender <sender@remote.example>\r\n"
           b"To: someone@example.com\r\n"
           b"Subject: delivered by LMTP\r\n"
           b"Message-ID: <lmtp-%d@remote.example>\r\n"
           b"\r\n"
           b"Hello over LMTP.\r\n"
           b".leading dot stays\r\n")


def message(n=0, body=b""):
    return MESSAGE.replace(b"%d", str(n).encode()) + body


def stuffed(data):
    """Dot-stuffing (RFC 5321 4.5.2), for messages sent by hand."""
    return re.sub(rb"(?m)^\.", b"..", data)


class LmtpTestCase(harness.ServerTestCase):
    server_env = {"POSTIMAP_MAX_LITERAL_SIZE": "64k",
                  "POSTIMAP_LMTP_SOCKET": "/tmp/pim-lmtp-%d.sock" % os.getpid()}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.psql(
            "select create_user('lmtp1@example.com', 'pw');"
            " select create_user('lmtp2@example.com', 'pw');"
            " select create_user('full@example.com', 'pw');"
            " select set_quota('full@example.com', 0);"
            " select create_user('nearly@example.com', 'pw');"
            " select set_quota('nearly@example.com', 500);"
            " select create_user('push@example.com', 'pw');")

    def lmtp(self):
        client = smtplib.LMTP(harness.HOST, self.server.lmtp_port, timeout=15)
        self.addCleanup(client.close)
        client.ehlo_or_helo_if_needed()
        return client

    def imap(self, user):
        c = self.connect()
        self.addCleanup(c.close)
        c.login(user, "pw")
        return c

    def messages(self, user, mailbox="INBOX"):
        """The bodies of every message in the mailbox, in UID order."""
        c = self.imap(user)
        c.ok('EXAMINE "%s"' % mailbox)
        untagged, _ = c.command("UID FETCH 1:* (BODY.PEEK[])")
        return [r.literals[0] for r in untagged if b"FETCH" in r.wire and r.literals]

    def number(self, sql):
        """One number from psql, marked so that headers cannot be mistaken for it."""
        out = self.server.psql("select 'N=' || (%s)" % sql)
        return int(re.search(r"N=(-?\d+)", out).group(1))

    def count_rows(self, user):
        return self.number("select count(*) from mailbox_messages mm join users u"
                           " on u.id = mm.user_id where u.local_part || '@' || u.domain = '%s'"
                           % user)

    def raw_lmtp(self):
        s = socket.create_connection((harness.HOST, self.server.lmtp_port), timeout=15)
        self.addCleanup(s.close)
        f = s.makefile("rb")
        self.assertTrue(f.readline().startswith(b"220 "))
        return s, f

    @staticmethod
    def read_reply(f):
        lines = []
        while True:
            line = f.readline()
            if not line:
                raise AssertionError("connection closed; got %r" % lines)
            lines.append(line)
            if line[3:4] != b"-":
                return lines


class DeliveryTest(LmtpTestCase):
    def test_lhlo_advertises_the_extensions(self):
        client = smtplib.LMTP(harness.HOST, self.server.lmtp_port, timeout=15)
        self.addCleanup(client.close)
        code, text = client.docmd("LHLO", "mta.example")
        self.assertEqual(code, 250)
        for ext in (b"PIPELINING", b"ENHANCEDSTATUSCODES", b"8BITMIME", b"SIZE 65536"):
            self.assertIn(ext, text)

    def test_per_recipient_replies_and_only_accepted_recipients_get_the_message(self):
        before = {u: self.count_rows(u) for u in ("lmtp1@example.com", "full@example.com",
                                                  "nearly@example.com")}
        client = self.lmtp()
        client.docmd("LHLO", "mta.example")
        self.assertEqual(client.docmd("MAIL", "FROM:<sender@remote.example>")[0], 250)
        self.assertEqual(client.docmd("RCPT", "TO:<lmtp1@example.com>")[0], 250)
        code, text = client.docmd("RCPT", "TO:<nobody@example.com>")
        self.assertEqual((code, text[:5]), (550, b"5.1.1"))
        code, text = client.docmd("RCPT", "TO:<full@example.com>")
        self.assertEqual((code, text[:5]), (552, b"5.2.2"))
        # Under its quota now, over it with this message (2 kB > 500 B).
        self.assertEqual(client.docmd("RCPT", "TO:<nearly@example.com>")[0], 250)
        self.assertEqual(client.docmd("DATA")[0], 354)
        client.send(stuffed(message(1, b"x" * 2000 + b"\r\n")) + b".\r\n")
        first = client.getreply()
        second = client.getreply()
        self.assertEqual(first[0], 250, first)
        self.assertIn(b"<lmtp1@example.com>", first[1])
        self.assertEqual((second[0], second[1][:5]), (552, b"5.2.2"), second)
        self.assertIn(b"<nearly@example.com>", second[1])
        self.assertEqual(self.count_rows("lmtp1@example.com"), before["lmtp1@example.com"] + 1)
        self.assertEqual(self.count_rows("full@example.com"), before["full@example.com"])
        self.assertEqual(self.count_rows("nearly@example.com"), before["nearly@example.com"])
        body = self.messages("lmtp1@example.com")[-1]
        self.assertTrue(body.startswith(b"Return-Path: <sender@remote.example>\r\n"), body[:200])
        # Two recipients: the stored copy names neither (it is shared).
        self.assertNotIn(b"Delivered-To:", body)
        self.assertIn(b"\r\n.leading dot stays\r\n", body)
        self.assertRegex(body, rb"\r\nReceived: from mta.example \(127\.0\.0\.1:\d+\)\r\n"
                               rb"\tby \S+ \(Postimap\) with LMTP id L\d+; \w{3}, ")

    def test_one_recipient_gets_delivered_to_and_plus_detail_finds_the_folder(self):
        c = self.imap("lmtp2@example.com")
        c.command("CREATE Lists")
        client = self.lmtp()
        client.docmd("LHLO", "mta.example")
        refused = client.sendmail("<>", ["lmtp2+Lists@example.com"], message(2))
        self.assertEqual(refused, {})
        refused = client.sendmail("a@remote.example", ["LMTP2+NoSuchFolder@Example.com"],
                                  message(3))
        self.assertEqual(refused, {})
        in_lists = self.messages("lmtp2@example.com", "Lists")
        self.assertEqual(len(in_lists), 1)
        self.assertTrue(in_lists[0].startswith(
            b"Return-Path: <>\r\nDelivered-To: lmtp2+Lists@example.com\r\nReceived: "),
            in_lists[0][:200])
        self.assertIn(b"for <lmtp2+Lists@example.com>;", in_lists[0])
        self.assertTrue(in_lists[0].endswith(message(2)))
        inbox = self.messages("lmtp2@example.com")
        self.assertTrue(inbox[-1].endswith(message(3)))
        self.assertIn(b"Delivered-To: LMTP2+NoSuchFolder@Example.com\r\n", inbox[-1])

    def test_many_recipients_of_one_tenant_share_one_stored_copy(self):
        users = ["lmtp1@example.com", "lmtp2@example.com", "push@example.com"]
        before = {u: self.count_rows(u) for u in users}
        copies = self.number("select count(*) from messages")
        client = self.lmtp()
        for n in range(5):
            # Delivered at once to all three: the same bytes are stored by
            # concurrent transactions, and each finds the one row.
            client.mail("m@remote.example")
            for u in users:
                self.assertEqual(client.rcpt(u)[0], 250)
            # smtplib reads one reply after DATA; LMTP sends one per recipient.
            codes = [client.data(message(100 + n))[0]] + [client.getreply()[0] for _ in users[1:]]
            self.assertEqual(codes, [250, 250, 250])
        for u in users:
            self.assertEqual(self.count_rows(u), before[u] + 5, u)
        self.assertEqual(self.number("select count(*) from messages"), copies + 5)

    def test_swaks_delivers(self):
        swaks = shutil.which("swaks")
        if swaks is None:
            self.fail("swaks is not installed (scripts/install-deps.sh installs it)")
        before = self.count_rows("lmtp1@example.com")
        r = subprocess.run([swaks, "--protocol", "LMTP", "--server",
                            "%s:%d" % (harness.HOST, self.server.lmtp_port),
                            "--from", "swaks@remote.example", "--to", "lmtp1@example.com",
                            "--header", "Subject: from swaks", "--body", "swaks body"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("250 2.0.0 <lmtp1@example.com> Saved", r.stdout)
        self.assertEqual(self.count_rows("lmtp1@example.com"), before + 1)
        self.assertIn(b"Subject: from swaks", self.messages("lmtp1@example.com")[-1])

    def test_unix_socket(self):
        path = self.server_env["POSTIMAP_LMTP_SOCKET"]
        client = smtplib.LMTP(path, timeout=15)
        self.addCleanup(client.close)
        before = self.count_rows("lmtp1@example.com")
        self.assertEqual(client.sendmail("u@remote.example", ["lmtp1@example.com"], message(4)),
                         {})
        self.assertEqual(self.count_rows("lmtp1@example.com"), before + 1)
        self.assertIn(b"Received: from ", self.messages("lmtp1@example.com")[-1])

    def test_delivery_is_pushed_to_an_idle_session(self):
        c = self.imap("push@example.com")
        untagged, _ = c.command("SELECT INBOX")
        exists = [r for r in untagged if r.wire.endswith(b" EXISTS\r\n")]
        n = int(exists[0].wire.split()[1])
        tag = c.tag()
        c.send(b"%s IDLE\r\n" % tag.encode())
        self.assertTrue(c.readline().startswith(b"+ "))
        client = self.lmtp()
        self.assertEqual(client.sendmail("p@remote.example", ["push@example.com"], message(5)), {})
        c.settimeout(10)
        seen = []
        while not any(l.endswith(b" EXISTS\r\n") for l in seen):
            seen.append(c.readline())
        self.assertIn(b"* %d EXISTS\r\n" % (n + 1), seen)
        c.send(b"DONE\r\n")
        c.read_until_tagged(tag)

    def test_pipelined_commands_are_answered_in_order(self):
        s, f = self.raw_lmtp()
        before = self.count_rows("lmtp1@example.com")
        s.sendall(b"LHLO pipe.example\r\nMAIL FROM:<a@remote.example>\r\n"
                  b"RCPT TO:<lmtp1@example.com>\r\nRCPT TO:<nobody@example.com>\r\nDATA\r\n")
        self.assertTrue(self.read_reply(f)[-1].startswith(b"250 SIZE"))
        self.assertTrue(self.read_reply(f)[0].startswith(b"250 2.1.0"))
        self.assertTrue(self.read_reply(f)[0].startswith(b"250 2.1.5"))
        self.assertTrue(self.read_reply(f)[0].startswith(b"550 5.1.1"))
        self.assertTrue(self.read_reply(f)[0].startswith(b"354 "))
        s.sendall(stuffed(message(6)) + b".\r\nRSET\r\nQUIT\r\n")
        self.assertTrue(self.read_reply(f)[0].startswith(b"250 2.0.0 <lmtp1@example.com>"))
        self.assertTrue(self.read_reply(f)[0].startswith(b"250 2.0.0 Ok"))
        self.assertTrue(self.read_reply(f)[0].startswith(b"221 "))
        self.assertEqual(self.count_rows("lmtp1@example.com"), before + 1)

    def test_connection_dropped_mid_data_stores_nothing(self):
        before = self.count_rows("lmtp1@example.com")
        s, f = self.raw_lmtp()
        s.sendall(b"LHLO drop.example\r\nMAIL FROM:<a@remote.example>\r\n"
                  b"RCPT TO:<lmtp1@example.com>\r\nDATA\r\n")
        for _ in range(4):
            self.read_reply(f)
        s.sendall(message(7) + b"half of the bo")
        s.close()
        # The server notices the close, then a fresh delivery goes through
        # (so anything the first one would have stored is in by now).
        client = self.lmtp()
        self.assertEqual(client.sendmail("b@remote.example", ["lmtp1@example.com"], message(8)),
                         {})
        self.assertEqual(self.count_rows("lmtp1@example.com"), before + 1)
        self.assertTrue(self.messages("lmtp1@example.com")[-1].endswith(message(8)))

    def test_too_big_is_refused_at_mail_and_after_data(self):
        client = self.lmtp()
        client.docmd("LHLO", "big.example")
        code, text = client.docmd("MAIL", "FROM:<a@remote.example> SIZE=1000000")
        self.assertEqual((code, text[:5]), (552, b"5.3.4"))
        before = self.count_rows("lmtp1@example.com")
        self.assertEqual(client.docmd("MAIL", "FROM:<a@remote.example>")[0], 250)
        self.assertEqual(client.docmd("RCPT", "TO:<lmtp1@example.com>")[0], 250)
        self.assertEqual(client.docmd("DATA")[0], 354)
        client.send(message(9, (b"y" * 998 + b"\r\n") * 100) + b".\r\n")
        code, text = client.getreply()
        self.assertEqual((code, text[:5]), (552, b"5.3.4"))
        # The session goes on.
        self.assertEqual(client.docmd("NOOP")[0], 250)
        self.assertEqual(self.count_rows("lmtp1@example.com"), before)

    def test_protocol_errors_get_clear_replies(self):
        s, f = self.raw_lmtp()
        for line, expected in ((b"EHLO x", b"500 5.5.1"), (b"MAIL FROM:<a@b>", b"503 5.5.1"),
                               (b"LHLO x", b"250"), (b"RCPT TO:<lmtp1@example.com>", b"503 5.5.1"),
                               (b"DATA", b"503 5.5.1"), (b"MAIL FROM:<a@b> FOO=1", b"555 5.5.4"),
                               (b"MAIL FROM:a b c", b"555 5.5.4"),
                               (b"MAIL FROM:<a@b>", b"250 2.1.0"), (b"DATA", b"503 5.5.1"),
                               (b"RCPT TO:<>", b"501 5.1.3"), (b"WHAT", b"500 5.5.2"),
                               (b"X" * 5000, b"500 5.5.2"), (b"NOOP", b"250")):
            s.sendall(line + b"\r\n")
            reply = self.read_reply(f)
            self.assertTrue(reply[-1].startswith(expected), (line[:40], reply))

    def test_a_flood_of_errors_ends_the_connection(self):
        s, f = self.raw_lmtp()
        s.sendall(b"BOGUS\r\n" * 30)
        replies = []
        while True:
            line = f.readline()
            if not line:
                break
            replies.append(line)
        self.assertTrue(replies[-1].startswith(b"421 4.7.0"), replies[-3:])
        self.assertLessEqual(len(replies), 21)


class QuotaOverImapTest(LmtpTestCase):
    def test_append_and_copy_over_quota_get_overquota(self):
        self.server.psql("select create_user('q@example.com', 'pw');"
                         " select set_quota('q@example.com', 1000)")
        c = self.imap("q@example.com")
        _, done, _ = c.append("INBOX", b"Subject: small\r\n\r\n" + b"s" * 600 + b"\r\n")
        self.assertIn(b"OK", done.text)
        _, done, _ = c.append("INBOX", b"Subject: big\r\n\r\n" + b"b" * 600 + b"\r\n")
        self.assertRegex(done.text, rb"^t\d+ NO \[OVERQUOTA\]")
        c.ok("CREATE Copies")
        c.ok("SELECT INBOX")
        _, done = c.command("COPY 1 Copies")
        self.assertRegex(done.text, rb"^t\d+ NO \[OVERQUOTA\]")
        # A move adds nothing: it goes through at the limit.
        c.ok("MOVE 1 Copies")
        self.assertGreater(self.number("select used_bytes from users where local_part = 'q'"), 600)
        c.ok("SELECT Copies")
        c.ok("STORE 1 +FLAGS (\\Deleted)")
        c.ok("EXPUNGE")
        self.assertEqual(self.number("select used_bytes from users where local_part = 'q'"), 0)
        _, done, _ = c.append("INBOX", b"Subject: fits again\r\n\r\n" + b"b" * 600 + b"\r\n")
        self.assertIn(b"OK", done.text)


if __name__ == "__main__":
    unittest.main()
