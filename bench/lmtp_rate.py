#!/usr/bin/env python3
"""LMTP delivery rate: Postimap against Dovecot, same machine, same run.

Delivers generated 10 KB messages over LMTP, each transaction with 1 and
then with 10 recipients, from CLIENTS client processes at once (each one
connection, transactions back to back, the way Postfix's lmtp client
reuses connections). Prints messages/s and recipient deliveries/s for
both servers and the ratio Postimap / Dovecot. Every message is distinct
(its Message-ID), so nothing is deduplicated away.

Postimap runs on its embedded default (private PostgreSQL, fsync on);
Dovecot (Debian's dovecot-lmtpd) with a private config on loopback,
Maildir, default fsync settings. Numbers are printed, never asserted.

Usage: bench/lmtp_rate.py [--messages N] [--clients C] [--skip-dovecot]
Needs: build/server/postimap; dovecot-lmtpd for the comparison.
"""

import argparse
import multiprocessing
import os
import pwd
import shutil
import smtplib
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
import harness  # noqa: E402

USERS = ["rcpt%02d@example.com" % i for i in range(10)]
LINE = b"The quick brown fox jumps over the lazy dog, and the dog does not mind.\r\n"


def make_message(client, n):
    body = LINE * (10240 // len(LINE))
    return (b"From: Bench <bench@remote.example>\r\n"
            b"To: rcpt00@example.com\r\n"
            b"Subject: lmtp bench %d-%d\r\n"
            b"Message-ID: <lmtp-bench-%d-%d-%f@remote.example>\r\n"
            b"\r\n" % (client, n, client, n, time.time())) + body


def client_loop(args):
    port, client, count, recipients = args
    lmtp = smtplib.LMTP(harness.HOST, port, timeout=120)
    lmtp.ehlo_or_helo_if_needed()
    for n in range(count):
        rcpts = [USERS[(client + n + i) % len(USERS)] for i in range(recipients)]
        lmtp.mail("bench@remote.example")
        for r in rcpts:
            code, text = lmtp.rcpt(r)
            if code != 250:
                raise RuntimeError("RCPT %s: %d %r" % (r, code, text))
        code, text = lmtp.data(make_message(client, n))
        replies = [(code, text)] + [lmtp.getreply() for _ in rcpts[1:]]
        for code, text in replies:
            if code != 250:
                raise RuntimeError("DATA: %d %r" % (code, text))
    lmtp.quit()
    return count


def run_load(port, messages, clients, recipients):
    per_client = messages // clients
    with multiprocessing.Pool(clients) as pool:
        started = time.monotonic()
        done = sum(pool.map(client_loop, [(port, c, per_client, recipients)
                                         for c in range(clients)]))
        elapsed = time.monotonic() - started
    return done / elapsed, done * recipients / elapsed


class Dovecot:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="pim-dovecot-lmtp-", dir="/tmp")
        os.chmod(self.dir, 0o755)
        self.port = harness.free_port()
        self.user = "nobody" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        pw = pwd.getpwnam(self.user)
        mail = os.path.join(self.dir, "mail")
        os.makedirs(mail)
        os.chown(mail, pw.pw_uid, pw.pw_gid)
        with open(os.path.join(self.dir, "users"), "w") as f:
            for u in USERS:
                f.write("%s:{PLAIN}pw\n" % u)
        for d in ("run", "state"):
            os.makedirs(os.path.join(self.dir, d))
        self.conf = os.path.join(self.dir, "dovecot.conf")
        with open(self.conf, "w") as f:
            f.write("""base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
protocols = lmtp
listen = 127.0.0.1
ssl = no
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/mail/%u allow_all_users=yes
}}
mail_location = maildir:~/Maildir
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {port}
  }}
  unix_listener lmtp {{
    mode = 0
  }}
}}
default_internal_user = {user}
default_login_user = {user}
""".format(d=self.dir, uid=pw.pw_uid, gid=pw.pw_gid, port=self.port, user=self.user))
        subprocess.run(["/usr/sbin/dovecot", "-c", self.conf], check=True)
        deadline = time.monotonic() + 30
        while True:
            try:
                smtplib.LMTP(harness.HOST, self.port, timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("dovecot did not start; see %s/dovecot.log" % self.dir)
                time.sleep(0.1)

    def stop(self):
        subprocess.run(["/usr/sbin/dovecot", "-c", self.conf, "stop"], check=False)
        time.sleep(0.5)
        shutil.rmtree(self.dir, ignore_errors=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--messages", type=int, default=2000)
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--skip-dovecot", action="store_true")
    args = p.parse_args()

    server = harness.Server({"POSTIMAP_LOG_LEVEL": "warn"})
    server.start()
    dovecot = None
    try:
        server.psql(" ".join("select create_user('%s', 'pw');" % u for u in USERS))
        if not args.skip_dovecot and os.path.exists("/usr/lib/dovecot/lmtp"):
            dovecot = Dovecot()
        print("LMTP delivery of 10 KB messages, %d client connections" % args.clients)
        print("%-14s %-10s %12s %14s" % ("recipients", "server", "messages/s", "deliveries/s"))
        for recipients, messages in ((1, args.messages), (10, max(args.messages // 4, 40))):
            ours = run_load(server.lmtp_port, messages, args.clients, recipients)
            print("%-14d %-10s %12.0f %14.0f" % (recipients, "postimap", ours[0], ours[1]))
            if dovecot:
                theirs = run_load(dovecot.port, messages, args.clients, recipients)
                print("%-14d %-10s %12.0f %14.0f" % (recipients, "dovecot", theirs[0], theirs[1]))
                print("%-14s %-10s %12.2f %14.2f" % ("", "ratio", ours[0] / theirs[0],
                                                     ours[1] / theirs[1]))
            sys.stdout.flush()
    finally:
        if dovecot:
            dovecot.stop()
        server.cleanup()


if __name__ == "__main__":
    main()
