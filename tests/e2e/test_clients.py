"""Real IMAP clients from Debian against the real server: curl (imap://)
and, when installed, mbsync (isync) syncing a folder tree both ways."""

import os
import shutil
import subprocess
import tempfile
import unittest

from harness import HOST, ServerTestCase


def plain(n):
    return (b"From: sender%d@example.com\r\nSubject: client test %d\r\n"
            b"Message-ID: <client%d@example.com>\r\n\r\nbody %d\r\n" % (n, n, n, n))


class CurlTest(ServerTestCase):

    def curl(self, path, *extra):
        url = "imap://%s:%d/%s" % (HOST, self.server.port, path)
        return subprocess.run(["curl", "-s", "-S", "--max-time", "20", "--user",
                               "demo@example.com:demo", *extra, url],
                              capture_output=True, timeout=60)

    def test_list_fetch_and_custom_command(self):
        with self.connect() as c:
            c.login()
            c.ok("CREATE curl/sub")
            _, done, _ = c.append("INBOX", plain(1))
        r = self.curl("")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b'* LIST (\\HasNoChildren) "/" INBOX\r\n', r.stdout)
        self.assertIn(b'* LIST (\\Noselect \\HasChildren) "/" curl\r\n', r.stdout)
        # ;UID= fetches the exact bytes.
        r = self.curl("INBOX;UID=1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, plain(1))
        # -X sends a command of our choice.
        r = self.curl("INBOX", "-X", "UID SEARCH SUBJECT \"client test 1\"")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, b"* SEARCH 1\r\n")
        r = self.curl("INBOX", "-X", "STATUS INBOX (MESSAGES)")
        self.assertIn(b"(MESSAGES 1)", r.stdout)

    def test_wrong_password_fails(self):
        url = "imap://%s:%d/" % (HOST, self.server.port)
        r = subprocess.run(["curl", "-s", "--max-time", "20", "--user",
                            "demo@example.com:nope", url], capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 67)  # CURLE_LOGIN_DENIED


@unittest.skipUnless(shutil.which("mbsync"), "mbsync (package isync) is not installed")
class MbsyncTest(ServerTestCase):

    def test_sync_tree_both_ways(self):
        home = tempfile.mkdtemp(prefix="mbsync-")
        self.addCleanup(shutil.rmtree, home, True)
        maildir = os.path.join(home, "mail") + "/"
        os.makedirs(maildir)
        config = os.path.join(home, "mbsyncrc")
        with open(config, "w") as f:
            f.write("""IMAPAccount test
Host %s
Port %d
User demo@example.com
Pass demo
SSLType None
AuthMechs LOGIN

IMAPStore remote
Account test

MaildirStore local
Path %s
Inbox %sINBOX
SubFolders Verbatim

Channel sync
Far :remote:
Near :local:
Patterns *
Create Both
Expunge Both
SyncState *
""" % (HOST, self.server.port, maildir, maildir))
        with self.connect() as c:
            c.login()
            c.ok("CREATE Projects/Alpha")
            c.append("INBOX", plain(10))
            c.append("Projects/Alpha", plain(11))

        def sync():
            r = subprocess.run(["mbsync", "-c", config, "-a"], capture_output=True, timeout=120,
                               env=dict(os.environ, HOME=home))
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

        sync()
        local = []
        for root, _, files in os.walk(maildir):
            for name in files:
                if "/cur" in root or "/new" in root:
                    with open(os.path.join(root, name), "rb") as m:
                        local.append(m.read())
        # mbsync stores LF line ends and adds its own X-TUID header.
        ids = sorted(line for m in local for line in m.split(b"\n")
                     if line.startswith(b"Message-ID:"))
        self.assertEqual(ids, [b"Message-ID: <client10@example.com>",
                               b"Message-ID: <client11@example.com>"])
        # A message put into the local Maildir goes up to the server.
        new = os.path.join(maildir, "Projects", "Alpha", "new")
        with open(os.path.join(new, "1.local.host"), "wb") as m:
            m.write(plain(12))
        sync()
        with self.connect() as c:
            c.login()
            c.ok("SELECT Projects/Alpha")
            untagged, _ = c.command("SEARCH HEADER Message-ID client12")
            self.assertEqual([u.wire for u in untagged], [b"* SEARCH 2\r\n"])
        sync()  # a second sync changes nothing and fails nothing


if __name__ == "__main__":
    unittest.main()
