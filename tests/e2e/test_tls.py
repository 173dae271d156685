"""TLS: implicit TLS, STARTTLS, LOGINDISABLED before TLS, the STARTTLS
injection defence, old protocol versions refused, certificate reload on
SIGHUP; with python3 imaplib, curl and openssl s_client as the clients."""

import imaplib
import os
import signal
import socket
import ssl
import subprocess
import time
import unittest
import warnings

import harness


def client_context(cafile):
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.check_hostname = True
    return ctx


def peer_certificate(port, cafile):
    """The DER certificate the server presents on its implicit-TLS port."""
    ctx = client_context(cafile)
    with socket.create_connection((harness.HOST, port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            return tls.getpeercert(binary_form=True)


def make_certificate(directory, name):
    """A new self-signed pair made by the openssl command (not by us)."""
    cert = os.path.join(directory, name + "-cert.pem")
    key = os.path.join(directory, name + "-key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key,
                    "-out", cert], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=60)
    return cert, key


def wait_for_log(server, needle, timeout=10):
    """Waits until the server log contains `needle`; fails with the log."""
    deadline = time.monotonic() + timeout
    while True:
        with open(server.log_path, "rb") as f:
            if needle in f.read():
                return
        if time.monotonic() > deadline:
            raise AssertionError("%r not in the server log:\n%s" % (needle, server.log()))
        time.sleep(0.05)


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


class ImplicitTlsTest(harness.ServerTestCase):
    """The embedded default: self-signed certificate, IMAPS port, loopback trusted."""

    @property
    def cafile(self):
        return os.path.join(self.server.data_dir, "tls", "cert.pem")

    def test_self_signed_certificate_is_made_with_a_private_key(self):
        key = os.path.join(self.server.data_dir, "tls", "key.pem")
        self.assertEqual(os.stat(key).st_mode & 0o777, 0o600)
        with open(self.cafile) as f:
            self.assertIn("BEGIN CERTIFICATE", f.read())

    def test_imaplib_imap4_ssl_logs_in_and_reads_mail(self):
        m = imaplib.IMAP4_SSL(harness.HOST, self.server.tls_port,
                              ssl_context=client_context(self.cafile), timeout=15)
        try:
            self.assertIn(m.sock.version(), ("TLSv1.2", "TLSv1.3"))
            typ, _ = m.login("demo@example.com", "demo")
            self.assertEqual(typ, "OK")
            msg = b"Subject: over tls\r\n\r\nsecret body\r\n"
            self.assertEqual(m.append("INBOX", None, None, msg)[0], "OK")
            m.select("INBOX")
            typ, data = m.fetch(b"*", "(BODY.PEEK[])")
            self.assertEqual(data[0][1], msg)
            # Already on TLS: no STARTTLS, no LOGINDISABLED offered.
            typ, caps = m.capability()
            self.assertNotIn(b"STARTTLS", caps[0])
            self.assertNotIn(b"LOGINDISABLED", caps[0])
        finally:
            m.logout()

    def test_starttls_on_an_implicit_tls_connection_is_refused(self):
        ctx = client_context(self.cafile)
        with socket.create_connection((harness.HOST, self.server.tls_port), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
                data = b""
                while not data.endswith(b"\r\n"):
                    data += tls.recv(4096)
                tls.sendall(b"s1 STARTTLS\r\n")
                reply = b""
                while not reply.endswith(b"\r\n"):
                    reply += tls.recv(4096)
                self.assertTrue(reply.startswith(b"s1 BAD "), reply)

    def test_imaplib_starttls_on_the_plain_port(self):
        m = imaplib.IMAP4(harness.HOST, self.server.port, timeout=15)
        try:
            self.assertIn("STARTTLS", m.capabilities)
            typ, _ = m.starttls(ssl_context=client_context(self.cafile))
            self.assertEqual(typ, "OK")
            self.assertNotIn("STARTTLS", m.capabilities)
            self.assertEqual(m.login("demo@example.com", "demo")[0], "OK")
            self.assertEqual(m.select("INBOX")[0], "OK")
        finally:
            m.logout()

    def test_loopback_is_trusted_by_default(self):
        with self.connect() as c:
            self.assertIn(b"STARTTLS", c.greeting)
            self.assertNotIn(b"LOGINDISABLED", c.greeting)
            c.login()

    def test_old_protocol_versions_are_refused(self):
        for version in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                ctx.minimum_version = version
                ctx.maximum_version = version
            try:
                ctx.set_ciphers("ALL:@SECLEVEL=0")
            except ssl.SSLError:
                pass
            with socket.create_connection((harness.HOST, self.server.tls_port), timeout=10) as raw:
                with self.assertRaises((ssl.SSLError, ConnectionResetError, EOFError, OSError)):
                    with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
                        tls.recv(100)
        # The server itself refused them, with a reason in its log.
        wait_for_log(self.server, b"unsupported protocol")

    def test_openssl_s_client_refuses_tls_1_1_and_speaks_1_3(self):
        old = subprocess.run(["openssl", "s_client", "-connect",
                              "%s:%d" % (harness.HOST, self.server.tls_port), "-tls1_1"],
                             input=b"", stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             timeout=30)
        self.assertNotEqual(old.returncode, 0)
        new = subprocess.run(["openssl", "s_client", "-connect",
                              "%s:%d" % (harness.HOST, self.server.tls_port), "-tls1_3",
                              "-CAfile", self.cafile, "-verify_return_error", "-quiet"],
                             input=b"a LOGOUT\r\n", stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, timeout=30)
        self.assertIn(b"* OK [CAPABILITY IMAP4rev1", new.stdout)
        self.assertIn(b"a OK", new.stdout)

    def test_openssl_s_client_starttls_imap(self):
        r = subprocess.run(["openssl", "s_client", "-connect",
                            "%s:%d" % (harness.HOST, self.server.port), "-starttls", "imap",
                            "-CAfile", self.cafile, "-verify_return_error", "-quiet"],
                           input=b"a LOGIN demo@example.com demo\r\nb LOGOUT\r\n",
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
        self.assertIn(b"a OK", r.stdout, r.stdout)
        self.assertIn(b"b OK", r.stdout, r.stdout)

    def test_curl_ssl_reqd_and_imaps(self):
        base = ["curl", "-sS", "--max-time", "20", "--cacert", self.cafile,
                "--user", "demo@example.com:demo"]
        starttls = subprocess.run(base + ["--ssl-reqd", "imap://localhost:%d/" % self.server.port,
                                          "--resolve", "localhost:%d:127.0.0.1" % self.server.port],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
        self.assertEqual(starttls.returncode, 0, starttls.stdout)
        self.assertIn(b"INBOX", starttls.stdout)
        imaps = subprocess.run(base + ["imaps://localhost:%d/" % self.server.tls_port,
                                       "--resolve", "localhost:%d:127.0.0.1" % self.server.tls_port],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
        self.assertEqual(imaps.returncode, 0, imaps.stdout)
        self.assertIn(b"INBOX", imaps.stdout)

    def test_handshake_garbage_does_not_hurt_others(self):
        with socket.create_connection((harness.HOST, self.server.tls_port), timeout=10) as raw:
            raw.sendall(b"a LOGIN demo@example.com demo\r\n")  # not a ClientHello
            raw.settimeout(10)
            try:
                while raw.recv(4096):
                    pass
            except ConnectionResetError:
                pass
        self.assert_works()


class LoginDisabledTest(harness.ServerTestCase):
    """Nothing trusted: the plain port must refuse passwords until STARTTLS."""

    server_env = {"POSTIMAP_TRUSTED_NETWORKS": "none"}

    @property
    def cafile(self):
        return os.path.join(self.server.data_dir, "tls", "cert.pem")

    def test_logindisabled_advertised_and_login_refused(self):
        with self.connect() as c:
            self.assertIn(b"LOGINDISABLED", c.greeting)
            self.assertIn(b"STARTTLS", c.greeting)
            _, done = c.command('LOGIN demo@example.com demo')
            self.assertRegex(done.text, rb"^t\d+ NO \[PRIVACYREQUIRED\] ")
            untagged, _ = c.ok("CAPABILITY")
            self.assertIn(b"LOGINDISABLED", untagged[0].text)

    def test_imaplib_refuses_to_login_then_starttls_works(self):
        m = imaplib.IMAP4(harness.HOST, self.server.port, timeout=15)
        try:
            self.assertIn("LOGINDISABLED", m.capabilities)
            with self.assertRaises(imaplib.IMAP4.error):
                m.login("demo@example.com", "demo")
            m.starttls(ssl_context=client_context(self.cafile))
            self.assertNotIn("LOGINDISABLED", m.capabilities)
            self.assertEqual(m.login("demo@example.com", "demo")[0], "OK")
        finally:
            m.logout()

    def test_commands_pipelined_after_starttls_are_discarded(self):
        """The STARTTLS injection attack (CVE-2011-0411 and kin): bytes sent
        in the clear behind STARTTLS must not run as commands after TLS."""
        raw = socket.create_connection((harness.HOST, self.server.port), timeout=10)
        try:
            greeting = b""
            while not greeting.endswith(b"\r\n"):
                greeting += raw.recv(4096)
            raw.sendall(b"s1 STARTTLS\r\ni1 LOGIN demo@example.com demo\r\ni2 CAPABILITY\r\n")
            reply = b""
            while not reply.endswith(b"\r\n"):
                reply += raw.recv(1)  # byte by byte: leave the handshake unread
            self.assertTrue(reply.startswith(b"s1 OK"), reply)
            tls = client_context(self.cafile).wrap_socket(raw, server_hostname="localhost")
            tls.sendall(b"c1 NOOP\r\n")
            after = b""
            while b"c1 " not in after:
                chunk = tls.recv(4096)
                self.assertTrue(chunk, after)
                after += chunk
            self.assertNotIn(b"i1 ", after)
            self.assertNotIn(b"i2 ", after)
            self.assertTrue(after.startswith(b"c1 OK"), after)
            # Not logged in by the injected LOGIN:
            tls.sendall(b"c2 SELECT INBOX\r\n")
            after = b""
            while not after.endswith(b"\r\n"):
                after += tls.recv(4096)
            self.assertTrue(after.startswith(b"c2 BAD"), after)
            tls.close()
        finally:
            raw.close()


class CertificateReloadTest(harness.ServerTestCase):
    """SIGHUP loads a new certificate without dropping sessions."""

    @classmethod
    def setUpClass(cls):
        cls.cert_dir = harness.tempfile.mkdtemp(prefix="pim-cert-", dir="/tmp")
        cls.cert, cls.key = make_certificate(cls.cert_dir, "live")
        cls.server_env = {"POSTIMAP_TLS_CERT": cls.cert, "POSTIMAP_TLS_KEY": cls.key}
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        harness.shutil.rmtree(cls.cert_dir, ignore_errors=True)

    def test_sighup_reloads_certificate_and_keeps_sessions(self):
        first = peer_certificate(self.server.tls_port, self.cert)
        old_pem = read_file(self.cert)
        m = imaplib.IMAP4_SSL(harness.HOST, self.server.tls_port,
                              ssl_context=client_context(self.cert), timeout=15)
        try:
            m.login("demo@example.com", "demo")
            new_cert, new_key = make_certificate(self.cert_dir, "next")
            os.replace(new_key, self.key)
            os.replace(new_cert, self.cert)
            self.server.proc.send_signal(signal.SIGHUP)
            wait_for_log(self.server, b"tls_reloaded")
            second = peer_certificate(self.server.tls_port, self.cert)
            self.assertNotEqual(first, second)
            self.assertNotEqual(old_pem, read_file(self.cert))
            # The session from before the reload is still served.
            self.assertEqual(m.noop()[0], "OK")
            self.assertEqual(m.select("INBOX")[0], "OK")
        finally:
            m.logout()

    def test_broken_certificate_on_reload_keeps_the_old_one(self):
        before = peer_certificate(self.server.tls_port, self.cert)
        good = read_file(self.cert)
        try:
            with open(self.cert, "wb") as f:
                f.write(b"not a certificate\n")
            self.server.proc.send_signal(signal.SIGHUP)
            wait_for_log(self.server, b"tls_reload_failed")
            with open(self.cert, "wb") as f:
                f.write(good)
            self.assertEqual(peer_certificate(self.server.tls_port, self.cert), before)
        finally:
            with open(self.cert, "wb") as f:
                f.write(good)


if __name__ == "__main__":
    unittest.main()
