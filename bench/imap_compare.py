#!/usr/bin/env python3
"""Postimap against Dovecot on one large mailbox, same machine, same run.

Builds a mailbox of N generated messages (default 100 000) in both servers,
then times the commands a client issues when it opens a big folder:

  SELECT INBOX                      open the folder (on a new connection)
  FETCH 1:* (FLAGS)                 flag sync of the whole folder
  UID FETCH <last 50> (ENVELOPE)    the message list a client shows
  SEARCH FROM "<sender>"            address search (few hits)
  SEARCH TEXT "<word>"              header+body substring search
  STATUS INBOX (MESSAGES RECENT UIDNEXT UNSEEN)   what clients poll per folder

Each command runs REPEAT times after WARMUPS untimed runs; the search terms
and fetched UIDs change on every run so no server can answer from a result
cache. Prints the
median, best and worst wall time per command (client side, from sending the
command to reading its tagged answer) and the ratio Postimap / Dovecot.
Numbers are printed, never asserted: they belong in notes, not in CI.

Postimap runs on its embedded default (a private PostgreSQL cluster in a
temporary directory) and is loaded over IMAP with pipelined LITERAL+
APPENDs. Dovecot (Debian's dovecot-imapd) runs with a private config on
loopback, Maildir storage written directly (its index is built by the
untimed warm-up SELECTs).

Usage: bench/imap_compare.py [--messages N] [--repeat R] [--keep]
Needs: build/server/postimap, dovecot-imapd (apt-get install dovecot-imapd).
"""

import argparse
import os
import pwd
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
import harness  # noqa: E402  (the e2e harness starts postimap and speaks IMAP)

WORDS = ("alpha beta gamma delta meeting report invoice budget project quarter "
         "review draft schedule travel lunch server backup release update notes "
         "customer contract payment order shipping question answer offer market "
         "design team plan status weekly monthly agenda minutes summary").split()
SENDERS = 2000
RARE_WORDS = 50  # each appears in ~N/RARE_WORDS/20 messages
WARMUPS = 10


def sender(i):
    return "person%04d@sender%02d.example" % (i, i % 37)


def rare_word(i):
    return "zq%02dxv" % i


def make_message(n, rng):
    s = rng.randrange(SENDERS)
    subject = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 7)))
    lines = []
    for _ in range(rng.randint(5, 40)):
        lines.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))))
    if rng.random() < 0.05:
        lines.insert(rng.randrange(len(lines)), "see " + rare_word(rng.randrange(RARE_WORDS)))
    day = 1 + n % 28
    month = ("Jan", "Feb", "Mar", "Apr", "May", "Jun")[n % 6]
    text = ("From: Person %d <%s>\r\n"
            "To: demo@example.com\r\n"
            "Subject: %s %d\r\n"
            "Date: %s, %02d %s 2026 10:%02d:00 +0000\r\n"
            "Message-ID: <bench-%d@sender.example>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=us-ascii\r\n"
            "\r\n%s\r\n") % (s, sender(s), subject, n, "Mon", day, month, n % 60, n,
                             "\r\n".join(lines))
    flags = "\\Seen" if rng.random() < 0.8 else ""
    if rng.random() < 0.05:
        flags = (flags + " \\Flagged").strip()
    return text.encode(), flags


def messages(count, seed=1):
    rng = random.Random(seed)
    for n in range(1, count + 1):
        yield make_message(n, rng)


# -- loading ---------------------------------------------------------------


def load_postimap(port, count, batch=500):
    """Pipelined LITERAL+ APPENDs, `batch` per round trip."""
    started = time.monotonic()
    with harness.Conn(port, timeout=600) as c:
        c.login()
        pending = []
        gen = messages(count)
        done_count = 0
        while True:
            chunk = []
            for raw, flags in gen:
                tag = c.tag()
                chunk.append(b"%s APPEND INBOX (%s) {%d+}\r\n%s\r\n" %
                             (tag.encode(), flags.encode(), len(raw), raw))
                pending.append(tag)
                if len(chunk) == batch:
                    break
            if not chunk:
                break
            c.send(b"".join(chunk))
            for tag in pending:
                _, done = c.read_until_tagged(tag)
                if not done.text.startswith(tag.encode() + b" OK"):
                    raise RuntimeError("APPEND failed: %r" % done.text)
            done_count += len(pending)
            pending = []
            if done_count % 10000 == 0:
                sys.stderr.write("  postimap: %d messages, %.0f s\n" %
                                 (done_count, time.monotonic() - started))
    return time.monotonic() - started


def write_maildir(root, count, uid, gid):
    started = time.monotonic()
    cur = os.path.join(root, "Maildir", "cur")
    for d in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(root, "Maildir", d), exist_ok=True)
    base = 1764000000
    for n, (raw, flags) in enumerate(messages(count), start=1):
        info = "".join(sorted(("S" if "\\Seen" in flags else "") +
                              ("F" if "\\Flagged" in flags else "")))
        name = os.path.join(cur, "%d.M%dP1.bench:2,%s" % (base + n, n, info))
        with open(name, "wb") as f:
            f.write(raw.replace(b"\r\n", b"\n"))  # Maildir stores LF line ends
        os.utime(name, (base + n, base + n))
    for dirpath, dirnames, filenames in os.walk(root):
        # A directory changed within the last seconds is rescanned by Dovecot
        # on every SELECT (it cannot trust its mtime yet): date it back, as a
        # mailbox that has existed for a while would be.
        os.utime(dirpath, (base, base))
        os.chown(dirpath, uid, gid)
        for fn in filenames:
            os.chown(os.path.join(dirpath, fn), uid, gid)
    return time.monotonic() - started


class Dovecot:
    def __init__(self, count):
        self.dir = tempfile.mkdtemp(prefix="pim-dovecot-", dir="/tmp")
        os.chmod(self.dir, 0o755)
        self.port = harness.free_port()
        if os.geteuid() == 0:
            self.user = "nobody"
        else:
            self.user = pwd.getpwuid(os.geteuid()).pw_name
        pw = pwd.getpwnam(self.user)
        group = "nogroup" if self.user == "nobody" else None
        self.load_seconds = write_maildir(os.path.join(self.dir, "mail", "demo@example.com"),
                                          count, pw.pw_uid, pw.pw_gid)
        with open(os.path.join(self.dir, "users"), "w") as f:
            f.write("demo@example.com:{PLAIN}demo\n")
        for d in ("run", "state"):
            os.makedirs(os.path.join(self.dir, d))
        conf = os.path.join(self.dir, "dovecot.conf")
        with open(conf, "w") as f:
            f.write("""base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login scram-sha-256
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/mail/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
default_internal_user = {user}
default_login_user = {user}
""".format(d=self.dir, uid=pw.pw_uid, gid=pw.pw_gid, port=self.port, user=self.user))
        if group is None:
            pass
        self.conf = conf
        subprocess.run(["/usr/sbin/dovecot", "-c", conf], check=True)
        deadline = time.monotonic() + 30
        while True:
            try:
                harness.Conn(self.port, timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("dovecot did not start; see %s/dovecot.log" % self.dir)
                time.sleep(0.1)

    def stop(self, keep=False):
        subprocess.run(["/usr/sbin/dovecot", "-c", self.conf, "stop"], check=False)
        time.sleep(0.5)
        if not keep:
            shutil.rmtree(self.dir, ignore_errors=True)


# -- timing ----------------------------------------------------------------


def timed(conn, command):
    """Sends one command and reads its whole answer as raw bytes, looking only
    for the tagged completion line: a per-line parser in Python would cost
    more than either server takes for 100 000 FETCH lines. (The generated
    mail holds nothing that looks like a tagged line inside a literal.)"""
    tag = conn.tag().encode()
    needle = b"\r\n" + tag + b" "
    start = time.perf_counter()
    conn.send(tag + b" " + command.encode() + b"\r\n")
    data = bytearray(conn.buf)
    conn.buf = b""
    scanned = 0
    while True:
        at = data.find(needle, max(0, scanned - len(needle)))
        if at >= 0:
            end = data.find(b"\r\n", at + 2)
            if end >= 0:
                break
        scanned = len(data)
        chunk = conn.sock.recv(1 << 20)
        if not chunk:
            raise EOFError("server closed the connection during %s" % command)
        data += chunk
    elapsed = (time.perf_counter() - start) * 1000.0
    conn.buf = bytes(data[end + 2:])
    tagged = bytes(data[at + 2:end])
    if not tagged.startswith(tag + b" OK"):
        raise RuntimeError("%s failed: %r" % (command, tagged))
    return elapsed, bytes(data[:at + 2])


def uid_next(conn):
    untagged, _ = conn.ok("STATUS INBOX (UIDNEXT MESSAGES)")
    text = b"".join(u.text for u in untagged).decode()
    return int(text.split("UIDNEXT ")[1].split()[0].rstrip(")"))


def hits(untagged):
    for line in untagged.split(b"\r\n"):
        if line.startswith(b"* SEARCH"):
            return len(line.split()) - 2
    return 0


def measure(port, count, repeat):
    """Returns {operation: [ms, ...]} and the hit counts seen."""
    results = {}
    info = {}
    with harness.Conn(port, timeout=600) as c:
        c.login()
        top = uid_next(c) - 1
        ops = [
            ("SELECT INBOX", lambda i: "SELECT INBOX"),
            ("FETCH 1:* (FLAGS)", lambda i: "FETCH 1:* (FLAGS)"),
            ("UID FETCH 50 (ENVELOPE)",
             lambda i: "UID FETCH %d:%d (ENVELOPE)" % (top - 49 - 50 * i, top - 50 * i)),
            ("SEARCH FROM", lambda i: 'SEARCH FROM "%s"' % sender(17 + 101 * i)),
            ("SEARCH TEXT", lambda i: 'SEARCH TEXT "%s"' % rare_word(3 + 7 * i)),
            ("STATUS INBOX", lambda i: "STATUS INBOX (MESSAGES RECENT UIDNEXT UNSEEN)"),
        ]
        c.ok("SELECT INBOX")
        for name, make in ops:
            # Warm-ups, with terms not timed later. Ten: PostgreSQL plans
            # the first five executions of a prepared statement on each
            # connection for their values and the sixth makes the generic
            # plan it keeps; a server that has run for a while is past that.
            for k in range(WARMUPS):
                timed(c, make(repeat + 1 + k))
            times = []
            for i in range(repeat):
                if name.startswith("SELECT"):
                    # Opening the folder on a new connection, as a client
                    # does: a server may answer a re-SELECT of the folder it
                    # has open from memory (Dovecot does, in 0.1 ms).
                    with harness.Conn(port, timeout=600) as fresh:
                        fresh.login()
                        ms, untagged = timed(fresh, make(i))
                else:
                    ms, untagged = timed(c, make(i))
                times.append(ms)
                if name.startswith("SEARCH"):
                    info.setdefault(name, []).append(hits(untagged))
                if "FETCH" in name:
                    info[name] = untagged.count(b" FETCH (")
            results[name] = times
    return results, info


def row(name, p, d):
    pm, dm = statistics.median(p), statistics.median(d)
    return "%-26s %9.1f %9.1f %9.1f   %9.1f %9.1f %9.1f   %6.2f" % (
        name, pm, min(p), max(p), dm, min(d), max(d), pm / dm if dm else float("nan"))


def report(args, p_res, p_info, d_res, d_info, p_load, d_load):
    if p_load is not None:
        print("mailbox: %d messages; load: Postimap %.0f s over IMAP (%.0f msg/s), "
              "Dovecot Maildir written directly in %.0f s" %
              (args.messages, p_load, args.messages / p_load, d_load))
    print("milliseconds per command, %d runs after %d warm-ups (client wall time)" %
          (args.repeat, WARMUPS))
    print("%-26s %9s %9s %9s   %9s %9s %9s   %6s" %
          ("command", "postimap", "best", "worst", "dovecot", "best", "worst", "ratio"))
    for name in p_res:
        print(row(name, p_res[name], d_res[name]))
    for name in p_info:
        if p_info[name] != d_info.get(name):
            print("WARNING: %s answered differently: postimap %r, dovecot %r" %
                  (name, p_info[name], d_info.get(name)))
    print("answers per run (postimap): %s" % p_info)
    print("ratio = postimap median / dovecot median; below 1.0 means Postimap is faster")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=100000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--keep", action="store_true", help="keep the data directories")
    ap.add_argument("--postimap-port", type=int,
                    help="measure a running, already loaded Postimap (with --dovecot-port)")
    ap.add_argument("--dovecot-port", type=int,
                    help="measure a running, already loaded Dovecot (with --postimap-port)")
    args = ap.parse_args()
    if args.postimap_port and args.dovecot_port:
        # Two servers kept by --keep and started again: measure only.
        p_res, p_info = measure(args.postimap_port, args.messages, args.repeat)
        d_res, d_info = measure(args.dovecot_port, args.messages, args.repeat)
        report(args, p_res, p_info, d_res, d_info, None, None)
        return
    if not os.path.exists("/usr/sbin/dovecot"):
        sys.exit("dovecot-imapd is not installed (apt-get install dovecot-imapd)")

    server = harness.Server()
    dovecot = None
    try:
        server.start()
        sys.stderr.write("loading %d messages into Postimap ...\n" % args.messages)
        p_load = load_postimap(server.port, args.messages)
        server.psql("VACUUM ANALYZE")
        sys.stderr.write("writing %d messages into Dovecot's Maildir ...\n" % args.messages)
        dovecot = Dovecot(args.messages)
        # Interleave nothing: measure one server, then the other, each warm.
        p_res, p_info = measure(server.port, args.messages, args.repeat)
        d_res, d_info = measure(dovecot.port, args.messages, args.repeat)

        report(args, p_res, p_info, d_res, d_info, p_load, dovecot.load_seconds)
    finally:
        if dovecot is not None:
            dovecot.stop(keep=args.keep)
        if not args.keep:
            server.cleanup()
        else:
            server.stop()
            print("kept %s and %s" % (server.data_dir, dovecot.dir if dovecot else "-"))


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    main()
