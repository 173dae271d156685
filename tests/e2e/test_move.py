"""MOVE and UID MOVE (RFC 6851)."""

import re

import harness


class MoveTest(harness.ServerTestCase):

    def setup_box(self, c, name, count):
        c.ok("CREATE %s" % name)
        for i in range(count):
            c.append(name, b"Subject: mv%d\r\n\r\nbody %d\r\n" % (i, i))

    def test_move_answers_copyuid_then_expunges(self):
        with self.connect() as c:
            c.login()
            self.setup_box(c, "MvSrc", 4)
            c.ok("CREATE MvDst")
            c.ok("SELECT MvSrc")
            c.ok("STORE 2 +FLAGS (\\Flagged)")
            untagged, done = c.ok("MOVE 2:3 MvDst")
            texts = [u.text for u in untagged]
            self.assertRegex(texts[0], rb"^\* OK \[COPYUID \d+ 2:3 1:2\] ")
            self.assertEqual(texts[1:], [b"* 2 EXPUNGE\r\n", b"* 2 EXPUNGE\r\n"])
            self.assertRegex(done.text, rb"^t\d+ OK ")
            untagged, _ = c.ok("UID SEARCH ALL")
            self.assertEqual(untagged[0].text, b"* SEARCH 1 4\r\n")
            c.ok("EXAMINE MvDst")
            untagged, _ = c.ok("FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
            self.assertEqual(len(untagged), 2)
            self.assertIn(b"\\Flagged", untagged[0].text)
            self.assertIn(b"mv1", untagged[0].literals[0])
            self.assertIn(b"mv2", untagged[1].literals[0])

    def test_uid_move_with_qresync_says_vanished(self):
        with self.connect() as c:
            c.login()
            self.setup_box(c, "MvQ", 3)
            c.ok("CREATE MvQDst")
            c.ok("ENABLE QRESYNC")
            c.ok("SELECT MvQ")
            untagged, _ = c.ok("UID MOVE 1,3 MvQDst")
            texts = [u.text for u in untagged]
            self.assertRegex(texts[0], rb"^\* OK \[COPYUID \d+ 1,3 1:2\] ")
            self.assertEqual(texts[1:], [b"* VANISHED 1,3\r\n"])

    def test_move_to_a_missing_mailbox_moves_nothing(self):
        with self.connect() as c:
            c.login()
            self.setup_box(c, "MvKeep", 2)
            c.ok("SELECT MvKeep")
            untagged, done = c.command("MOVE 1:* Nowhere")
            self.assertRegex(done.text, rb"^t\d+ NO \[TRYCREATE\] ")
            self.assertEqual(untagged, [])
            untagged, _ = c.ok("SEARCH ALL")
            self.assertEqual(untagged[0].text, b"* SEARCH 1 2\r\n")
            c.ok("EXAMINE MvKeep")
            _, done = c.command("MOVE 1 INBOX")
            self.assertRegex(done.text, rb"^t\d+ NO \[READ-ONLY\] ")

    def test_move_within_the_same_mailbox_renumbers(self):
        with self.connect() as c:
            c.login()
            self.setup_box(c, "MvSelf", 2)
            c.ok("SELECT MvSelf")
            untagged, _ = c.ok("MOVE 1 MvSelf")
            texts = [u.text for u in untagged]
            self.assertRegex(texts[0], rb"^\* OK \[COPYUID \d+ 1 3\] ")
            self.assertIn(b"* 1 EXPUNGE\r\n", texts)
            untagged, _ = c.ok("UID SEARCH ALL")
            self.assertEqual(untagged[0].text, b"* SEARCH 2 3\r\n")
