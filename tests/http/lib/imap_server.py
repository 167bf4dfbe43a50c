#!/usr/bin/python3
"""imap_server: a tiny IMAP4rev1 server for mail-poll tests, on loopback only.

One mailbox (INBOX) made of the files DIR/<uid>.eml (read again on every command, so a test
can add mail while it runs); flags live in DIR/flags.json ({"uid": ["\\Seen"]}) where the test
reads them. Speaks what libcurl's IMAP client uses: CAPABILITY, LOGIN, SELECT/EXAMINE,
UID SEARCH UNSEEN|ALL, UID FETCH n BODY[] / BODY.PEEK[] (BODY[] sets \\Seen), UID STORE n
+FLAGS/-FLAGS (\\Seen), NOOP, LOGOUT. Prints "listening" when ready.
"""
import argparse
import json
import os
import re
import socketserver
import threading

LOCK = threading.Lock()


def uids(d):
    return sorted(int(n[:-4]) for n in os.listdir(d) if re.fullmatch(r'\d+\.eml', n))


def load_flags(d):
    try:
        with open(os.path.join(d, 'flags.json')) as f:
            return {int(k): v for k, v in json.load(f).items()}
    except FileNotFoundError:
        return {}


def save_flags(d, flags):
    tmp = os.path.join(d, 'flags.json.tmp')
    with open(tmp, 'w') as f:
        json.dump({str(k): v for k, v in flags.items()}, f)
    os.replace(tmp, os.path.join(d, 'flags.json'))


def unquote(s):
    s = s.strip()
    if len(s) >= 2 and s[0] == '"' and s[-1] == '"':
        return re.sub(r'\\(.)', r'\1', s[1:-1])
    return s


class Handler(socketserver.StreamRequestHandler):
    def send(self, text):
        self.wfile.write(text.encode('latin1') if isinstance(text, str) else text)

    def handle(self):
        d, opts = self.server.dir, self.server.opts
        authed = selected = False
        self.send('* OK [CAPABILITY IMAP4rev1] test server ready\r\n')
        while True:
            line = self.rfile.readline()
            if not line:
                return
            line = line.decode('latin1').rstrip('\r\n')
            parts = line.split(' ', 2)
            if len(parts) < 2:
                self.send('* BAD no tag\r\n')
                continue
            tag, cmd, rest = parts[0], parts[1].upper(), parts[2] if len(parts) > 2 else ''
            if cmd == 'CAPABILITY':
                self.send('* CAPABILITY IMAP4rev1\r\n%s OK CAPABILITY done\r\n' % tag)
            elif cmd == 'NOOP':
                self.send('%s OK NOOP done\r\n' % tag)
            elif cmd == 'LOGOUT':
                self.send('* BYE bye\r\n%s OK LOGOUT done\r\n' % tag)
                return
            elif cmd == 'LOGIN':
                print('LOGIN received', flush=True)
                m = re.fullmatch(r'("(?:[^"\\]|\\.)*"|\S+) ("(?:[^"\\]|\\.)*"|\S+)', rest)
                if m and unquote(m.group(1)) == opts.user and unquote(m.group(2)) == opts.password:
                    authed = True
                    self.send('%s OK LOGIN done\r\n' % tag)
                else:
                    self.send('%s NO [AUTHENTICATIONFAILED] wrong user or password\r\n' % tag)
            elif not authed:
                self.send('%s NO log in first\r\n' % tag)
            elif cmd in ('SELECT', 'EXAMINE'):
                if unquote(rest).upper() != 'INBOX':
                    self.send('%s NO no such mailbox\r\n' % tag)
                    continue
                selected = True
                with LOCK:
                    all_uids = uids(d)
                    nxt = (all_uids[-1] + 1) if all_uids else 1
                self.send('* %d EXISTS\r\n* 0 RECENT\r\n* FLAGS (\\Seen)\r\n'
                          '* OK [UIDVALIDITY 1] ok\r\n* OK [UIDNEXT %d] ok\r\n'
                          '%s OK [READ-WRITE] SELECT done\r\n' % (len(all_uids), nxt, tag))
            elif not selected:
                self.send('%s NO select a mailbox first\r\n' % tag)
            elif cmd == 'UID':
                self.uid_command(tag, rest)
            else:
                self.send('%s BAD unknown command\r\n' % tag)

    def uid_command(self, tag, rest):
        d = self.server.dir
        sub, _, args = rest.partition(' ')
        sub = sub.upper()
        with LOCK:
            all_uids = uids(d)
            flags = load_flags(d)
            seq = {u: i + 1 for i, u in enumerate(all_uids)}
            if sub == 'SEARCH':
                want = args.strip().upper()
                found = [u for u in all_uids
                         if want == 'ALL' or '\\Seen' not in flags.get(u, [])]
                self.send('* SEARCH%s\r\n%s OK SEARCH done\r\n'
                          % (''.join(' %d' % u for u in found), tag))
            elif sub == 'FETCH':
                m = re.fullmatch(r'(\d+) (BODY(\.PEEK)?\[\])', args.strip(), re.I)
                if not m or int(m.group(1)) not in seq:
                    self.send('%s BAD fetch what\r\n' % tag)
                    return
                u = int(m.group(1))
                with open(os.path.join(d, '%d.eml' % u), 'rb') as f:
                    data = f.read()
                if not m.group(3):
                    fl = flags.setdefault(u, [])
                    if '\\Seen' not in fl:
                        fl.append('\\Seen')
                    save_flags(d, flags)
                self.send(('* %d FETCH (UID %d BODY[] {%d}\r\n' % (seq[u], u, len(data))).encode()
                          + data + b')\r\n' + ('%s OK FETCH done\r\n' % tag).encode())
            elif sub == 'STORE':
                m = re.fullmatch(r'(\d+) ([+-])FLAGS(\.SILENT)? \((.*)\)', args.strip(), re.I)
                if not m or int(m.group(1)) not in seq:
                    self.send('%s BAD store what\r\n' % tag)
                    return
                u = int(m.group(1))
                fl = flags.setdefault(u, [])
                for flag in m.group(4).split():
                    if m.group(2) == '+' and flag not in fl:
                        fl.append(flag)
                    if m.group(2) == '-' and flag in fl:
                        fl.remove(flag)
                save_flags(d, flags)
                self.send('* %d FETCH (UID %d FLAGS (%s))\r\n%s OK STORE done\r\n'
                          % (seq[u], u, ' '.join(fl), tag))
            else:
                self.send('%s BAD unknown UID command\r\n' % tag)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--host', default='127.0.0.1', help='a loopback address')
    ap.add_argument('--port', type=int, required=True)
    ap.add_argument('--dir', required=True)
    ap.add_argument('--user', required=True)
    ap.add_argument('--password', required=True)
    opts = ap.parse_args()
    if not opts.host.startswith('127.'):
        raise SystemExit('loopback only')
    srv = Server((opts.host, opts.port), Handler)
    srv.dir, srv.opts = opts.dir, opts
    print('listening', flush=True)
    srv.serve_forever()


if __name__ == '__main__':
    main()
