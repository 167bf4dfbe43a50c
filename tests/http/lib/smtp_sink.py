"""smtp_sink: a throwaway SMTP server for tests (Debian's python3-aiosmtpd; run it with
/usr/bin/python3). Every accepted message is written, exactly as received, into the Maildir
--maildir (new/ one file per message) with two headers in front that record the envelope:
X-Sink-Mail-From and X-Sink-Rcpt-To. It can require AUTH (PLAIN/LOGIN, no TLS), refuse
recipients and fail the first N deliveries with a temporary error, to test retries, and answer slowly.
Prints "event=listening port=N" on stdout when ready; stops on SIGTERM/SIGINT. Loopback only.
"""
import argparse
import asyncio
import logging
import os
import re
import signal
import socket
import sys
import threading
import time
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class SinkHandler:
    def __init__(self, maildir, reject, fail_first, delay_ms=0):
        self.maildir = maildir
        self.delay = delay_ms / 1000.0
        self.reject = re.compile(reject) if reject else None
        self.fail_left = fail_first
        self.count = 0
        self.lock = threading.Lock()
        for sub in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(maildir, sub), exist_ok=True)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject and self.reject.search(address):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:  # a slow server: the client may die while it waits for the answer
            await asyncio.sleep(self.delay)
            if server.transport is None or server.transport.is_closing():
                return "421 4.3.0 client gone"  # stored nothing: the sender must try again
        with self.lock:
            if self.fail_left > 0:
                self.fail_left -= 1
                return "451 4.3.0 temporary failure, try again later"
            self.count += 1
            n = self.count
        head = ("X-Sink-Mail-From: %s\r\nX-Sink-Rcpt-To: %s\r\n"
                % (envelope.mail_from, ", ".join(envelope.rcpt_tos))).encode()
        name = "%d.%06d.sink" % (time.time_ns() // 1000, n)
        tmp = os.path.join(self.maildir, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(head + envelope.original_content)
        os.rename(tmp, os.path.join(self.maildir, "new", name))
        return "250 2.0.0 OK queued as %d" % n


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, default=0, help="0 = any free port")
    ap.add_argument("--maildir", required=True)
    ap.add_argument("--auth", help="USER:PASSWORD that must log in before MAIL")
    ap.add_argument("--reject", help="regex: recipients matching it get 550")
    ap.add_argument("--fail-first", type=int, default=0, help="answer 451 to the first N DATA")
    ap.add_argument("--delay-ms", type=int, default=0,
                    help="wait this long before answering each DATA (nothing is stored if the "
                    "client is gone by then)")
    a = ap.parse_args()
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    logging.getLogger("mail.log").setLevel(logging.ERROR)

    params = {}
    if a.auth:
        user, _, password = a.auth.partition(":")

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user
                  and auth_data.password.decode() == password)
            return AuthResult(success=ok)

        params = dict(authenticator=authenticator, auth_required=True, auth_require_tls=False)

    handler = SinkHandler(a.maildir, a.reject, a.fail_first, a.delay_ms)
    for attempt in range(5):
        port = a.port or free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port, **params)
        try:
            controller.start()
            break
        except Exception as e:  # the port was taken in between: try another
            if a.port or attempt == 4:
                print("event=error message=%r" % str(e), file=sys.stderr, flush=True)
                return 1
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print("event=listening port=%d" % port, flush=True)
    stop.wait()
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
