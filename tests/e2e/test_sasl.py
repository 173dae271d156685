"""AUTHENTICATE through Cyrus SASL: PLAIN, LOGIN, SCRAM-SHA-256 (with a SCRAM
client written here from RFC 5802/7677 with the standard library, and with
mbsync, which uses Cyrus SASL's own client), SASL-IR, cancellation, and the
rule that an unknown user looks exactly like a wrong password."""

import base64
import hashlib
import hmac
import imaplib
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import unittest

import harness


def b64(data):
    return base64.b64encode(data).decode()


class ScramClient:
    """RFC 5802 client side (SHA-1, or SHA-256 per RFC 7677), no channel
    binding."""

    def __init__(self, user, password, authzid="", hash_name="sha256"):
        self.user, self.password = user, password
        self.hash = getattr(hashlib, hash_name)
        self.hash_name = hash_name
        self.nonce = b64(secrets.token_bytes(18))
        self.gs2 = "n,%s," % ("a=" + authzid if authzid else "")
        self.first_bare = "n=%s,r=%s" % (user.replace("=", "=3D").replace(",", "=2C"), self.nonce)

    def first(self):
        return (self.gs2 + self.first_bare).encode()

    def final(self, server_first):
        attrs = dict(kv.split("=", 1) for kv in server_first.decode().split(","))
        if not attrs["r"].startswith(self.nonce):
            raise AssertionError("server nonce does not extend ours")
        salt = base64.b64decode(attrs["s"])
        iterations = int(attrs["i"])
        salted = hashlib.pbkdf2_hmac(self.hash_name, self.password.encode(), salt, iterations)
        client_key = hmac.new(salted, b"Client Key", self.hash).digest()
        stored_key = self.hash(client_key).digest()
        without_proof = "c=%s,r=%s" % (b64(self.gs2.encode()), attrs["r"])
        self.auth_message = ",".join([self.first_bare, server_first.decode(), without_proof])
        signature = hmac.new(stored_key, self.auth_message.encode(), self.hash).digest()
        proof = bytes(a ^ b for a, b in zip(client_key, signature))
        server_key = hmac.new(salted, b"Server Key", self.hash).digest()
        self.expected_server_signature = hmac.new(server_key, self.auth_message.encode(),
                                                  self.hash).digest()
        return ("%s,p=%s" % (without_proof, b64(proof))).encode()

    def check_server_final(self, data):
        attrs = dict(kv.split("=", 1) for kv in data.decode().split(","))
        return base64.b64decode(attrs["v"]) == self.expected_server_signature


def scram_login(conn, user, password, authzid="", mechanism="SCRAM-SHA-256"):
    """Runs AUTHENTICATE SCRAM-SHA-256 (or -1) on a harness.Conn; returns
    (tagged response, server signature verified, challenges seen)."""
    client = ScramClient(user, password, authzid,
                         "sha1" if mechanism == "SCRAM-SHA-1" else "sha256")
    tag = conn.tag()
    conn.send("%s AUTHENTICATE %s %s\r\n" % (tag, mechanism, b64(client.first())))
    challenges = 0
    verified = False
    while True:
        r = conn.read_response()
        if r.text.startswith(tag.encode() + b" "):
            return r, verified, challenges
        if not r.text.startswith(b"+ "):
            continue
        challenges += 1
        data = base64.b64decode(r.text[2:].strip())
        if challenges == 1:
            conn.send(b64(client.final(data)) + "\r\n")
        else:
            verified = client.check_server_final(data)
            conn.send("\r\n")


class SaslTest(harness.ServerTestCase):

    def test_capabilities_list_mechanisms_and_sasl_ir(self):
        with self.connect() as c:
            caps = c.greeting.split(b"]")[0].split()
            for cap in (b"AUTH=PLAIN", b"AUTH=LOGIN", b"AUTH=SCRAM-SHA-256", b"SASL-IR"):
                self.assertIn(cap, caps)
            c.login()
            untagged, _ = c.ok("CAPABILITY")
            self.assertNotIn(b"AUTH=", untagged[0].text)

    def test_plain_with_initial_response(self):
        with self.connect() as c:
            ir = b64(b"\0demo@example.com\0demo")
            _, done = c.command("AUTHENTICATE PLAIN " + ir)
            self.assertRegex(done.text, rb"^t\d+ OK \[CAPABILITY IMAP4rev1 ")
            c.ok("SELECT INBOX")

    def test_plain_and_login_through_imaplib(self):
        m = imaplib.IMAP4(harness.HOST, self.server.port, timeout=15)
        try:
            typ, _ = m.authenticate("PLAIN", lambda _: b"\0demo@example.com\0demo")
            self.assertEqual(typ, "OK")
        finally:
            m.logout()
        m = imaplib.IMAP4(harness.HOST, self.server.port, timeout=15)
        try:
            answers = iter([b"demo@example.com", b"demo"])
            typ, _ = m.authenticate("LOGIN", lambda _: next(answers))
            self.assertEqual(typ, "OK")
        finally:
            m.logout()

    def test_unknown_user_and_wrong_password_answer_the_same(self):
        answers = []
        for who in (b"\0demo@example.com\0wrong", b"\0nobody@example.com\0demo",
                    b"\0demo@nowhere.example\0demo"):
            with self.connect() as c:
                _, done = c.command("AUTHENTICATE PLAIN " + b64(who), tag="a1")
                answers.append(done.wire)
        self.assertEqual(answers[0], b"a1 NO [AUTHENTICATIONFAILED] Invalid credentials\r\n")
        self.assertEqual(len(set(answers)), 1, answers)

    def test_scram_sha_256_and_server_signature(self):
        with self.connect() as c:
            done, verified, challenges = scram_login(c, "demo@example.com", "demo")
            self.assertRegex(done.text, rb"^t\d+ OK ", done.text)
            self.assertTrue(verified, "server signature did not verify")
            self.assertEqual(challenges, 2)
            c.ok("SELECT INBOX")

    def test_scram_sha_1(self):
        with self.connect() as c:
            self.assertIn(b"AUTH=SCRAM-SHA-1", c.greeting)
            done, verified, _ = scram_login(c, "demo@example.com", "demo", mechanism="SCRAM-SHA-1")
            self.assertRegex(done.text, rb"^t\d+ OK ", done.text)
            self.assertTrue(verified)

    def test_scram_sha_1_without_a_stored_sha_1_secret_fails_like_a_wrong_password(self):
        # As for users whose password predates migration 0009.
        self.server.psql("select create_user('old@example.com', 'pw');"
                         " update users set scram_sha1_secret = null where local_part = 'old'")
        results = []
        for user, password in (("old@example.com", "pw"), ("demo@example.com", "wrong")):
            with self.connect() as c:
                done, _, challenges = scram_login(c, user, password, mechanism="SCRAM-SHA-1")
                self.assertEqual(challenges, 1)
                results.append(re.sub(rb"^t\d+ ", b"", done.wire))
        self.assertEqual(results[0], b"NO [AUTHENTICATIONFAILED] Invalid credentials\r\n")
        self.assertEqual(results[0], results[1])
        with self.connect() as c:  # SCRAM-SHA-256 and LOGIN still work for that user
            done, _, _ = scram_login(c, "old@example.com", "pw")
            self.assertRegex(done.text, rb"^t\d+ OK ")

    def test_scram_unknown_user_fails_at_the_proof_like_a_wrong_password(self):
        results = []
        for user, password in (("demo@example.com", "wrong"), ("ghost@example.com", "demo")):
            with self.connect() as c:
                done, verified, challenges = scram_login(c, user, password)
                # The server answered the first message with a challenge in
                # both cases: it did not reveal that "ghost" does not exist.
                self.assertEqual(challenges, 1)
                results.append(re.sub(rb"^t\d+ ", b"", done.wire))
        self.assertEqual(results[0], b"NO [AUTHENTICATIONFAILED] Invalid credentials\r\n")
        self.assertEqual(results[0], results[1])

    def test_scram_with_another_authorization_identity_is_refused(self):
        self.server.psql("select create_user('other@example.com', 'pw')")
        with self.connect() as c:
            done, _, _ = scram_login(c, "demo@example.com", "demo", authzid="other@example.com")
            self.assertRegex(done.text, rb"^t\d+ NO ")
            _, done = c.command("SELECT INBOX")
            self.assertRegex(done.text, rb"^t\d+ BAD ")

    def test_disabled_user_and_garbage_exchanges_fail_cleanly(self):
        self.server.psql("select create_user('gone@example.com', 'pw');"
                         " select disable_user('gone@example.com')")
        answers = []
        with self.connect() as c:
            _, done = c.command("AUTHENTICATE PLAIN " + b64(b"\0gone@example.com\0pw"), tag="a")
            answers.append(done.wire)
            done, _, _ = scram_login(c, "gone@example.com", "pw")
            answers.append(re.sub(rb"^t\d+ ", b"a ", done.wire))
        with self.connect() as c:
            _, done = c.command("AUTHENTICATE PLAIN " + b64(b"\0demo@example.com\0nope"), tag="a")
            answers.append(done.wire)
        self.assertEqual(len(set(answers)), 1, answers)
        with self.connect() as c:
            # Valid base64, nonsense inside: a SCRAM first message without n=,
            # a PLAIN response without NULs, and a client-final out of order.
            for mech, junk in (("SCRAM-SHA-256", b"hello"), ("PLAIN", b"no separators"),
                               ("SCRAM-SHA-256", b"c=biws,r=abc,p=AAAA")):
                _, done = c.command("AUTHENTICATE %s %s" % (mech, b64(junk)))
                self.assertRegex(done.text, rb"^t\d+ NO ", (mech, junk, done.text))
            c.login()  # the connection is still usable
        self.assert_works()

    def test_provisioned_in_psql_alone_and_no_clear_password_stored(self):
        self.server.psql("select create_user('fresh@example.com', 'correct horse')")
        with self.connect() as c:
            done, verified, _ = scram_login(c, "fresh@example.com", "correct horse")
            self.assertRegex(done.text, rb"^t\d+ OK ")
        dump = self.server.psql("select * from users")
        self.assertNotIn("correct horse", dump)
        self.assertIn("SCRAM-SHA-256$4096:", dump)
        self.assertIn("SCRAM-SHA-1$4096:", dump)

    def test_cancel_bad_base64_and_unknown_mechanism(self):
        with self.connect() as c:
            c.send("a1 AUTHENTICATE PLAIN\r\n")
            self.assertTrue(c.read_response().text.startswith(b"+"))
            c.send("*\r\n")
            _, done = c.read_until_tagged("a1")
            self.assertTrue(done.text.startswith(b"a1 BAD "), done.text)
            c.send("a2 AUTHENTICATE PLAIN\r\n")
            self.assertTrue(c.read_response().text.startswith(b"+"))
            c.send("not base64!\r\n")
            _, done = c.read_until_tagged("a2")
            self.assertTrue(done.text.startswith(b"a2 BAD "), done.text)
            _, done = c.command("AUTHENTICATE PLAIN ===", tag="a3")
            self.assertTrue(done.text.startswith(b"a3 BAD "), done.text)
            _, done = c.command("AUTHENTICATE CRAM-MD5", tag="a4")
            self.assertTrue(done.text.startswith(b"a4 NO "), done.text)
            # Still usable afterwards.
            c.login()
        self.assert_works()

    def test_mbsync_logs_in_with_scram_through_cyrus_sasl(self):
        work = tempfile.mkdtemp(prefix="pim-mbsync-", dir="/tmp")
        try:
            with self.connect() as c:
                c.login()
                c.append("INBOX", b"Subject: via scram\r\n\r\nhello\r\n")
            rc = os.path.join(work, "mbsyncrc")
            os.makedirs(os.path.join(work, "mail"))
            with open(rc, "w") as f:
                f.write("""IMAPAccount p
Host 127.0.0.1
Port %d
User demo@example.com
Pass demo
SSLType None
AuthMechs SCRAM-SHA-256

IMAPStore remote
Account p

MaildirStore local
Path %s/mail/
Inbox %s/mail/INBOX

Channel c
Far :remote:
Near :local:
Patterns INBOX
Create Near
SyncState *
""" % (self.server.port, work, work))
            r = subprocess.run(["mbsync", "-c", rc, "-a"], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=60)
            self.assertEqual(r.returncode, 0, r.stdout)
            found = []
            for sub in ("cur", "new"):
                d = os.path.join(work, "mail", "INBOX", sub)
                for name in os.listdir(d) if os.path.isdir(d) else []:
                    with open(os.path.join(d, name), "rb") as f:
                        found.append(f.read())
            self.assertTrue(any(b"via scram" in m for m in found), found)
            with open(self.server.log_path, "rb") as f:
                self.assertIn(b"mechanism=SCRAM-SHA-256", f.read())
        finally:
            shutil.rmtree(work, ignore_errors=True)


class SaslWithoutTrustTest(harness.ServerTestCase):
    """Nothing trusted: before TLS only SCRAM is offered and PLAIN refused."""

    server_env = {"POSTIMAP_TRUSTED_NETWORKS": "none"}

    def test_plaintext_mechanisms_hidden_and_refused_before_tls(self):
        with self.connect() as c:
            caps = c.greeting.split(b"]")[0].split()
            self.assertIn(b"AUTH=SCRAM-SHA-256", caps)
            self.assertNotIn(b"AUTH=PLAIN", caps)
            self.assertNotIn(b"AUTH=LOGIN", caps)
            _, done = c.command("AUTHENTICATE PLAIN " + b64(b"\0demo@example.com\0demo"))
            self.assertRegex(done.text, rb"^t\d+ NO \[PRIVACYREQUIRED\] ")

    def test_scram_works_without_tls(self):
        with self.connect() as c:
            done, verified, _ = scram_login(c, "demo@example.com", "demo")
            self.assertRegex(done.text, rb"^t\d+ OK ")
            self.assertTrue(verified)


if __name__ == "__main__":
    unittest.main()
