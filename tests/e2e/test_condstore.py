"""CONDSTORE and QRESYNC (RFC 7162) with ENABLE (RFC 5161)."""

import re

import harness


def modseq_of(text):
    m = re.search(rb"MODSEQ \((\d+)\)", text)
    return int(m.group(1)) if m else None


def highestmodseq(untagged):
    for u in untagged:
        m = re.search(rb"\[HIGHESTMODSEQ (\d+)\]", u.text)
        if m:
            return int(m.group(1))
    return None


class CondstoreTest(harness.ServerTestCase):

    def mailbox(self, c, name, count):
        c.ok("CREATE %s" % name)
        for i in range(count):
            c.append(name, b"Subject: m%d\r\n\r\nbody %d\r\n" % (i, i))

    def test_capability_and_enable(self):
        with self.connect() as c:
            c.login()
            caps = c.command("CAPABILITY")[0][0].text.split()
            for cap in (b"ENABLE", b"CONDSTORE", b"QRESYNC"):
                self.assertIn(cap, caps)
            untagged, _ = c.ok("ENABLE CONDSTORE X-UNKNOWN")
            self.assertEqual(untagged[0].text, b"* ENABLED CONDSTORE\r\n")
            untagged, _ = c.ok("ENABLE CONDSTORE")  # already on: not listed again
            self.assertEqual(untagged[0].text, b"* ENABLED\r\n")
            untagged, _ = c.ok("ENABLE QRESYNC")
            self.assertEqual(untagged[0].text, b"* ENABLED QRESYNC\r\n")
            c.ok("SELECT INBOX")
            _, done = c.command("ENABLE CONDSTORE")
            self.assertRegex(done.text, rb"^t\d+ BAD ")  # RFC 5161: authenticated state only

    def test_select_fetch_modseq_and_changedsince(self):
        with self.connect() as c:
            c.login()
            self.mailbox(c, "Cs1", 3)
            untagged, _ = c.ok("SELECT Cs1 (CONDSTORE)")
            start = highestmodseq(untagged)
            self.assertIsNotNone(start)
            untagged, _ = c.ok("FETCH 1:* (FLAGS MODSEQ)")
            self.assertEqual(len(untagged), 3)
            self.assertTrue(all(modseq_of(u.text) is not None for u in untagged))
            untagged, _ = c.ok("STORE 2 +FLAGS (\\Flagged)")
            after = modseq_of(untagged[0].text)
            self.assertGreater(after, start)
            untagged, _ = c.ok("FETCH 1:* (FLAGS) (CHANGEDSINCE %d)" % start)
            self.assertEqual(len(untagged), 1)
            self.assertRegex(untagged[0].text, rb"^\* 2 FETCH \(.*MODSEQ \(%d\)" % after)
            untagged, _ = c.ok("STATUS Cs1 (HIGHESTMODSEQ)")
            self.assertIn(b"HIGHESTMODSEQ %d" % after, untagged[0].text)
            untagged, _ = c.ok("SEARCH MODSEQ %d" % after)
            self.assertEqual(untagged[0].text, b"* SEARCH 2 (MODSEQ %d)\r\n" % after)

    def test_store_unchangedsince_reports_modified(self):
        with self.connect() as c, self.connect() as other:
            c.login()
            other.login()
            self.mailbox(c, "Cs2", 2)
            untagged, _ = c.ok("SELECT Cs2 (CONDSTORE)")
            base = highestmodseq(untagged)
            other.ok("SELECT Cs2")
            other.ok("STORE 1 +FLAGS (\\Seen)")  # now modseq(1) > base
            untagged, done = c.ok("STORE 1:2 (UNCHANGEDSINCE %d) +FLAGS (\\Answered)" % base)
            self.assertRegex(done.text, rb"^t\d+ OK \[MODIFIED 1\] ")
            fetches = [u.text for u in untagged if b" FETCH " in u.text]
            self.assertTrue(any(t.startswith(b"* 2 FETCH") and b"\\Answered" in t for t in fetches),
                            fetches)
            untagged, _ = c.ok("FETCH 1 (FLAGS)")
            self.assertNotIn(b"\\Answered", untagged[0].text)

    def test_qresync_select_vanished_and_expunge_as_vanished(self):
        with self.connect() as c:
            c.login()
            self.mailbox(c, "Qr1", 5)
            untagged, _ = c.ok("SELECT Qr1 (CONDSTORE)")
            base = highestmodseq(untagged)
            uidvalidity = int(re.search(rb"UIDVALIDITY (\d+)",
                                        b"".join(u.text for u in untagged)).group(1))
            c.ok("STORE 2 +FLAGS.SILENT (\\Deleted)")
            c.ok("EXPUNGE")
            c.ok("STORE 3 +FLAGS (\\Flagged)")  # old message 4 (UID 4)
            c.ok("UNSELECT")
        with self.connect() as c:
            c.login()
            _, done = c.command("SELECT Qr1 (QRESYNC (%d %d))" % (uidvalidity, base))
            self.assertRegex(done.text, rb"^t\d+ BAD ")  # not enabled yet
            c.ok("ENABLE QRESYNC")
            untagged, _ = c.ok("SELECT Qr1 (QRESYNC (%d %d 1:5))" % (uidvalidity, base))
            texts = [u.text for u in untagged]
            self.assertIn(b"* VANISHED (EARLIER) 2\r\n", texts)
            changed = [t for t in texts if b" FETCH " in t]
            self.assertEqual(len(changed), 1)
            self.assertRegex(changed[0], rb"^\* 3 FETCH \(UID 4 FLAGS \(\\Flagged\) MODSEQ \(\d+\)\)")
            # UID FETCH ... (CHANGEDSINCE n VANISHED)
            untagged, _ = c.ok("UID FETCH 1:* (FLAGS) (CHANGEDSINCE %d VANISHED)" % base)
            self.assertEqual(untagged[0].text, b"* VANISHED (EARLIER) 2\r\n")
            # EXPUNGE now answers VANISHED, not EXPUNGE.
            c.ok("STORE 1 +FLAGS.SILENT (\\Deleted)")
            untagged, _ = c.ok("EXPUNGE")
            self.assertEqual([u.text for u in untagged if b"VANISHED" in u.text or b"EXPUNGE" in u.text],
                             [b"* VANISHED 1\r\n"])
            # Mismatched UIDVALIDITY: the QRESYNC data is ignored.
            untagged, _ = c.ok("SELECT Qr1 (QRESYNC (%d %d))" % (uidvalidity + 1, base))
            self.assertFalse(any(b"VANISHED" in u.text for u in untagged))

    def test_push_with_qresync_says_vanished(self):
        with self.connect() as c, self.connect() as other:
            c.login()
            other.login()
            self.mailbox(c, "Qr2", 3)
            c.ok("ENABLE QRESYNC")
            c.ok("SELECT Qr2")
            other.ok("SELECT Qr2")
            other.ok("STORE 2 +FLAGS.SILENT (\\Deleted)")
            other.ok("EXPUNGE")
            other.ok("STORE 1 +FLAGS (\\Seen)")
            untagged, _ = c.ok("NOOP")
            texts = [u.text for u in untagged]
            self.assertIn(b"* VANISHED 2\r\n", texts)
            self.assertTrue(any(re.match(rb"\* 1 FETCH \(UID 1 FLAGS \(\\Seen( \\Recent)?\) MODSEQ \(\d+\)\)", t)
                                for t in texts), texts)

    def test_bad_modifiers(self):
        with self.connect() as c:
            c.login()
            c.ok("SELECT INBOX")
            for bad in ("FETCH 1 (FLAGS) (CHANGEDSINCE)", "FETCH 1 (FLAGS) (NOPE 1)",
                        "FETCH 1 (FLAGS) (VANISHED)", "STORE 1 (UNCHANGEDSINCE x) +FLAGS (\\Seen)",
                        "SELECT INBOX (NOPE)", "UID FETCH 1 (FLAGS) (CHANGEDSINCE 1 VANISHED)"):
                _, done = c.command(bad)
                self.assertRegex(done.text, rb"^t\d+ BAD ", bad)
            self.assert_works(c)
