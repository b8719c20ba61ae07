#!/usr/bin/env python3
"""Test doubles for the rdpdoctor testbed (Python 3 stdlib only).

Every listener binds 127.0.0.1 and every upstream is 127.0.0.1: the host is
not configurable on purpose. Every wait is bounded (connect, handshake, idle
and total time per connection).

usage: doubles.py MODE PORT [options]

  slow-single PORT --upstream P [--idle S] [--max-time S]
      A single-threaded relay: accepts ONE client, relays bytes both ways to
      127.0.0.1:P until either side closes (or --idle / --max-time), and only
      then accepts the next. Backlog 64, so parallel clients queue (their TCP
      connect succeeds at once) and get answers only when their turn comes.
  delay PORT --upstream P [--delay MS]
      A threaded relay that holds back every chunk going server->client by
      --delay ms (default 1500), in order; the server's FIN is delayed too.
      Client->server is relayed at once.
  tls-web PORT --cert C --key K
      TLS from the first byte, then HTTP/1.1 like an nginx web server:
      GET/HEAD / -> 200 html, other paths -> 404, other methods (POST,
      RDG_OUT_DATA, ...) -> 405. `Server: nginx`. One request per connection.
  tls-gateway PORT --cert C --key K
      TLS from the first byte, then the HTTP front door of an RD Gateway
      (MS-TSGU 2.2.3, 3.3.5): any request for /remoteDesktopGateway/ (RDG_OUT_DATA,
      RDG_IN_DATA, the WebSocket GET) -> 401 with `WWW-Authenticate: Negotiate`
      and `WWW-Authenticate: NTLM`, `Server: Microsoft-HTTPAPI/2.0`,
      Content-Length 0, then close; anything else -> 404 (HTTP.sys style).
  mitm PORT --upstream P --cert C --key K --log FILE [--dump FILE]
      A man in the middle for RDP: relays the X.224 Connection Request and
      Confirm byte-exactly; if the Confirm selected TLS or CredSSP, it does a
      TLS server handshake with the client using ITS OWN certificate (C/K)
      and a TLS client handshake with the upstream (no verification), then
      relays the decrypted bytes. One line per NTLM message seen going
      client->server is appended to --log (NEGOTIATE, AUTHENTICATE, ...).
      --dump appends every decrypted chunk as "TIME CONN DIR HEX" lines.
      If the Confirm selected standard RDP security (0) or failed, it relays
      plaintext.

For a TLS handshake with a plaintext client (an X.224 request starts 0x03),
the tls-* modes just let Python's ssl module fail the handshake and close.
"""

import argparse
import itertools
import queue
import select
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
from email.utils import formatdate

from probe import read_tpkt  # the testbed's one TPKT reader (same folder)

HOST = "127.0.0.1"
CONNECT_TIMEOUT = 5.0
HANDSHAKE_TIMEOUT = 10.0
MAX_REQUEST = 16 * 1024
BUF_LIMIT = 4 * 1024 * 1024
_ids = itertools.count(1)
_log_lock = threading.Lock()


def say(fmt, *args):
    with _log_lock:
        sys.stdout.write("%.3f " % time.time() + (fmt % args) + "\n")
        sys.stdout.flush()


def connect_upstream(port):
    return socket.create_connection((HOST, port), timeout=CONNECT_TIMEOUT)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 64


# ------------------------------------------------------------------ relay
_AGAIN = (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError,
          InterruptedError)


def relay(a, b, idle=120.0, max_time=600.0, on_a2b=None, on_b2a=None):
    """Relay bytes between a and b (plain or SSL sockets) in one thread.

    Non-blocking with select, so an SSL object is never used by two threads.
    Returns a short reason when either side closes, on an error, after
    `idle` seconds without traffic, or after `max_time` seconds.
    """
    for s in (a, b):
        s.setblocking(False)
    out = {a: bytearray(), b: bytearray()}   # bytes waiting to be sent TO key
    peer = {a: b, b: a}
    hook = {a: on_a2b, b: on_b2a}
    start = last = time.monotonic()
    closed = None
    while closed is None:
        now = time.monotonic()
        if now - last > idle:
            closed = "idle %.0fs" % idle
            break
        if now - start > max_time:
            closed = "max-time %.0fs" % max_time
            break
        rl = [s for s in (a, b) if len(out[peer[s]]) < BUF_LIMIT]
        wl = [s for s in (a, b) if out[s]]
        # SSL sockets may hold decrypted bytes that select cannot see
        ready = [s for s in rl if isinstance(s, ssl.SSLSocket) and s.pending()]
        if ready:
            r, w = ready, []
        else:
            try:
                r, w, _ = select.select(rl, wl, [], 1.0)
            except (OSError, ValueError) as exc:
                closed = "select: %s" % exc
                break
        for s in r:
            while True:
                try:
                    data = s.recv(65536)
                except _AGAIN:
                    break
                except (OSError, ssl.SSLError) as exc:
                    closed = "%s error: %s" % ("client" if s is a else "server", exc)
                    break
                if not data:
                    closed = "%s closed" % ("client" if s is a else "server")
                    break
                last = time.monotonic()
                if hook[s]:
                    hook[s](data)
                out[peer[s]] += data
            if closed:
                break
        for s in (a, b):
            if not out[s]:
                continue
            try:
                while out[s]:
                    n = s.send(out[s][:65536])
                    if n <= 0:
                        break
                    del out[s][:n]
                    last = time.monotonic()
            except _AGAIN:
                pass
            except (OSError, ssl.SSLError) as exc:
                closed = closed or "send error: %s" % exc
    # flush what is left to the side that is still open (bounded, 2 s)
    deadline = time.monotonic() + 2.0
    for s in (a, b):
        while out[s] and time.monotonic() < deadline:
            try:
                n = s.send(out[s][:65536])
                del out[s][:n]
            except _AGAIN:
                select.select([], [s], [], 0.1)
            except (OSError, ssl.SSLError):
                break
    return closed


def close_all(*socks):
    for s in socks:
        if s is None:
            continue
        try:
            s.close()
        except OSError:
            pass


# ------------------------------------------------------------ slow-single
def run_slow_single(args):
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((HOST, args.port))
    lsock.listen(64)
    say("slow-single listening on %s:%d -> %s:%d (one connection at a time)",
        HOST, args.port, HOST, args.upstream)
    while True:
        cli, addr = lsock.accept()
        cid = next(_ids)
        t0 = time.monotonic()
        up = None
        try:
            up = connect_upstream(args.upstream)
        except OSError as exc:
            say("conn %d from %s:%d: upstream connect failed: %s", cid, addr[0], addr[1], exc)
            close_all(cli)
            continue
        say("conn %d from %s:%d: relaying", cid, addr[0], addr[1])
        reason = relay(cli, up, idle=args.idle, max_time=args.max_time)
        close_all(cli, up)
        say("conn %d done after %.3fs: %s", cid, time.monotonic() - t0, reason)


# ------------------------------------------------------------------ delay
def run_delay(args):
    delay = args.delay / 1000.0

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            cid = next(_ids)
            cli = self.request
            try:
                up = connect_upstream(args.upstream)
            except OSError as exc:
                say("conn %d: upstream connect failed: %s", cid, exc)
                return
            say("conn %d from %s:%d: relaying, server->client delayed %d ms",
                cid, self.client_address[0], self.client_address[1], args.delay)
            # every blocking call wakes up at least once a second
            cli.settimeout(1.0)
            up.settimeout(1.0)
            q = queue.Queue()
            stop = threading.Event()
            last = [time.monotonic()]   # last traffic, either direction

            def c2s():
                while not stop.is_set():
                    try:
                        data = cli.recv(65536)
                    except socket.timeout:
                        continue
                    except OSError:
                        break
                    if not data:
                        try:
                            up.shutdown(socket.SHUT_WR)   # pass the half-close on
                        except OSError:
                            pass
                        return
                    last[0] = time.monotonic()
                    try:
                        up.sendall(data)
                    except OSError:
                        break
                stop.set()

            def s2c_reader():
                while not stop.is_set():
                    try:
                        data = up.recv(65536)
                    except socket.timeout:
                        continue
                    except OSError:
                        data = b""
                    last[0] = time.monotonic()
                    q.put((time.monotonic() + delay, data))
                    if not data:
                        return

            for target in (c2s, s2c_reader):
                threading.Thread(target=target, daemon=True).start()
            sent = 0
            why = "server closed"
            try:
                while True:
                    try:
                        due, data = q.get(timeout=1.0)
                    except queue.Empty:
                        if stop.is_set():
                            why = "client gone"
                            break
                        if time.monotonic() - last[0] > args.idle:
                            why = "idle %.0fs" % args.idle
                            break
                        continue
                    wait = due - time.monotonic()
                    if wait > 0:
                        time.sleep(wait)
                    if not data:
                        break
                    cli.sendall(data)
                    sent += len(data)
            except OSError as exc:
                why = "send to client: %s" % exc
            finally:
                stop.set()
                close_all(cli, up)
                say("conn %d done (%s), %d bytes sent to the client", cid, why, sent)

    server = Server((HOST, args.port), Handler)
    say("delay listening on %s:%d -> %s:%d, server->client +%d ms",
        HOST, args.port, HOST, args.upstream, args.delay)
    server.serve_forever()


# ------------------------------------------------------------- tls-* HTTP
def server_context(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


def read_request(tls, timeout=5.0):
    """Read one HTTP request head (bounded: MAX_REQUEST bytes, `timeout`)."""
    buf = b""
    deadline = time.monotonic() + timeout
    while b"\r\n\r\n" not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout("request head not complete in %.0fs" % timeout)
        if len(buf) >= MAX_REQUEST:
            return None
        tls.settimeout(left)
        chunk = tls.recv(MAX_REQUEST - len(buf))
        if not chunk:
            raise EOFError("closed after %d bytes" % len(buf))
        buf += chunk
    head = buf.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    lines = head.split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        return ("", "", "", {})
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    return parts[0], parts[1], parts[2], headers


def http_response(status, headers, body=b""):
    lines = ["HTTP/1.1 %s" % status] + ["%s: %s" % kv for kv in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


NGINX_PAGE = ("<html>\r\n<head><title>%s</title></head>\r\n<body>\r\n"
              "<center><h1>%s</h1></center>\r\n<hr><center>nginx</center>\r\n"
              "</body>\r\n</html>\r\n")
INDEX = b"<!DOCTYPE html>\n<html><head><title>Welcome</title></head>\n" \
        b"<body><h1>It works</h1><p>rdpdoctor testbed: an HTTPS web server, not RDP.</p></body></html>\n"


def web_answer(method, path, version, headers):
    def page(status):
        body = (NGINX_PAGE % (status, status)).encode()
        return status, [("Content-Type", "text/html")], body
    if not method:
        return page("400 Bad Request")
    if method in ("GET", "HEAD"):
        if path.split("?")[0] in ("/", "/index.html"):
            return "200 OK", [("Content-Type", "text/html")], INDEX
        return page("404 Not Found")
    return page("405 Not Allowed")


HTTPAPI_404 = (b'<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN""http://www.w3.org/TR/html4/strict.dtd">\r\n'
               b'<HTML><HEAD><TITLE>Not Found</TITLE>\r\n'
               b'<META HTTP-EQUIV="Content-Type" Content="text/html; charset=us-ascii"></HEAD>\r\n'
               b'<BODY><h2>Not Found</h2>\r\n<hr><p>HTTP Error 404. The requested resource is not found.</p>\r\n'
               b'</BODY></HTML>\r\n')


def gateway_answer(method, path, version, headers):
    if not method:
        return "400 Bad Request", [("Content-Type", "text/html; charset=us-ascii")], b""
    if path.split("?")[0].lower().startswith("/remotedesktopgateway/"):
        # the 401 of an RD Gateway's IIS/HTTP.sys front door to an
        # unauthenticated RDG_OUT_DATA / RDG_IN_DATA / WebSocket request
        return "401 Unauthorized", [("WWW-Authenticate", "Negotiate"),
                                    ("WWW-Authenticate", "NTLM")], b""
    return "404 Not Found", [("Content-Type", "text/html; charset=us-ascii")], HTTPAPI_404


def run_tls_http(args, answer, server_name):
    ctx = server_context(args.cert, args.key)

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            cid = next(_ids)
            raw = self.request
            raw.settimeout(HANDSHAKE_TIMEOUT)
            peer = "%s:%d" % self.client_address
            try:
                tls = ctx.wrap_socket(raw, server_side=True)
            except (ssl.SSLError, OSError) as exc:
                say("conn %d from %s: TLS handshake failed: %s", cid, peer, exc)
                return
            try:
                req = read_request(tls)
                if req is None:
                    status, extra, body = "431 Request Header Fields Too Large", [], b""
                    req = ("?", "?", "", {})
                else:
                    status, extra, body = answer(*req)
                hdrs = extra + [("Server", server_name),
                                ("Date", formatdate(usegmt=True)),
                                ("Content-Length", str(len(body))),
                                ("Connection", "close")]
                if req[0] == "HEAD":
                    body = b""
                tls.settimeout(5.0)
                tls.sendall(http_response(status, hdrs, body))
                auth = req[3].get("authorization", "-").split(" ")[0] or "-"
                say("conn %d from %s: %s %s (conn-id %s, authorization %s) -> %s", cid, peer,
                    req[0], req[1], req[3].get("rdg-connection-id", "-"), auth, status)
                try:
                    # send close_notify like a real server, without waiting
                    # for the client's (non-blocking: one SSL_shutdown)
                    tls.setblocking(False)
                    tls.unwrap()
                except (ssl.SSLError, OSError, ValueError):
                    pass
            except (OSError, EOFError, ssl.SSLError) as exc:
                say("conn %d from %s: %s", cid, peer, exc)
            finally:
                close_all(tls)

    server = Server((HOST, args.port), Handler)
    say("%s listening on %s:%d (TLS from the first byte)", args.mode, HOST, args.port)
    server.serve_forever()


# ------------------------------------------------------------------- mitm
NTLM_SIG = b"NTLMSSP\0"
NTLM_TYPES = {1: "NEGOTIATE", 2: "CHALLENGE", 3: "AUTHENTICATE"}


def selected_protocol(cc):
    """(kind, value) from an X.224 Connection Confirm: kind 'rsp', 'failure' or None."""
    x = cc[4:]
    if len(x) < 7 or (x[1] & 0xF0) != 0xD0:
        return None, None
    neg = x[7:1 + x[0]]
    if len(neg) < 8:
        return None, None
    typ, _, _, value = struct.unpack("<BBHI", neg[:8])
    return {2: "rsp", 3: "failure"}.get(typ), value


def ntlm_fields(msg):
    """user/domain/NT response length of an AUTHENTICATE message, if complete."""
    try:
        def field(off):
            ln, _, at = struct.unpack_from("<HHI", msg, off)
            if at + ln > len(msg):
                raise ValueError
            return msg[at:at + ln]
        nt = field(20)
        dom = field(28).decode("utf-16-le", "replace")
        user = field(36).decode("utf-16-le", "replace")
        return " user=%s domain=%s ntlen=%d" % (user, dom, len(nt))
    except (struct.error, ValueError):
        return ""


class NtlmScanner:
    """Finds NTLMSSP messages in a byte stream that arrives in chunks."""

    def __init__(self, report):
        self.buf = b""
        self.report = report

    def feed(self, data):
        self.buf += data
        pos = 0
        while True:
            j = self.buf.find(NTLM_SIG, pos)
            if j < 0:
                self.buf = self.buf[max(pos, len(self.buf) - len(NTLM_SIG) + 1):]
                return
            if j + 12 > len(self.buf):
                self.buf = self.buf[j:]
                return
            typ = struct.unpack_from("<I", self.buf, j + 8)[0]
            self.report(typ, self.buf[j:])
            pos = j + 12


def run_mitm(args):
    sctx = server_context(args.cert, args.key)
    cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    cctx.check_hostname = False
    cctx.verify_mode = ssl.CERT_NONE
    file_lock = threading.Lock()

    def append(path, line):
        with file_lock:
            with open(path, "a") as fh:
                fh.write(line + "\n")

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            cid = next(_ids)
            cli = self.request
            peer = "%s:%d" % self.client_address
            up = None
            try:
                up = connect_upstream(args.upstream)
            except OSError as exc:
                say("conn %d from %s: upstream connect failed: %s", cid, peer, exc)
                return
            try:
                self.session(cid, peer, cli, up)
            finally:
                close_all(cli, up)

        def session(self, cid, peer, cli, up):
            cli.settimeout(HANDSHAKE_TIMEOUT)
            up.settimeout(HANDSHAKE_TIMEOUT)
            try:
                cr = read_tpkt(cli)
                up.sendall(cr)
                cc = read_tpkt(up)
                cli.sendall(cc)
            except (OSError, EOFError, ValueError) as exc:
                say("conn %d from %s: X.224 exchange: %s", cid, peer, exc)
                # not RDP (or cut short): relay whatever there is, plaintext
                say("conn %d: plaintext relay ended: %s", cid, relay(cli, up, args.idle, args.max_time))
                return
            c2s, s2c = self.hooks(cid, peer)
            c2s(cr)
            s2c(cc)
            kind, value = selected_protocol(cc)
            if kind != "rsp" or value == 0:
                say("conn %d from %s: %s=%s, plaintext relay", cid, peer, kind, value)
                say("conn %d: ended: %s", cid, relay(cli, up, args.idle, args.max_time, c2s, s2c))
                return
            say("conn %d from %s: selected %d, re-terminating TLS", cid, peer, value)
            try:
                tcli = sctx.wrap_socket(cli, server_side=True)
            except (ssl.SSLError, OSError) as exc:
                say("conn %d: client TLS handshake failed: %s", cid, exc)
                return
            try:
                tup = cctx.wrap_socket(up)
            except (ssl.SSLError, OSError) as exc:
                say("conn %d: upstream TLS handshake failed: %s", cid, exc)
                close_all(tcli)
                return
            say("conn %d: TLS client side %s, upstream %s", cid, tcli.version(), tup.version())
            reason = relay(tcli, tup, args.idle, args.max_time, c2s, s2c)
            say("conn %d: ended: %s", cid, reason)
            close_all(tcli, tup)

        def hooks(self, cid, peer):
            """Callbacks for the relay: NTLM scan (client->server) and --dump."""
            def report(typ, msg):
                name = NTLM_TYPES.get(typ, "TYPE%d" % typ)
                extra = ntlm_fields(msg) if typ == 3 else ""
                line = "%s conn=%d client=%s time=%.3f%s" % (name, cid, peer, time.time(), extra)
                append(args.log, line)
                say("conn %d: NTLM %s", cid, name + extra)

            scanner = NtlmScanner(report)

            def c2s(data):
                scanner.feed(data)
                if args.dump:
                    append(args.dump, "%.6f %d C>S %s" % (time.time(), cid, data.hex()))

            def s2c(data):
                if args.dump:
                    append(args.dump, "%.6f %d S>C %s" % (time.time(), cid, data.hex()))

            return c2s, s2c

    server = Server((HOST, args.port), Handler)
    say("mitm listening on %s:%d -> %s:%d, NTLM log %s", HOST, args.port, HOST,
        args.upstream, args.log)
    server.serve_forever()


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["slow-single", "delay", "tls-web", "tls-gateway", "mitm"])
    parser.add_argument("port", type=int)
    parser.add_argument("--upstream", type=int, help="upstream port on 127.0.0.1")
    parser.add_argument("--delay", type=int, default=1500, help="ms (delay mode)")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--log", help="NTLM log file (mitm)")
    parser.add_argument("--dump", help="decrypted stream dump file (mitm)")
    parser.add_argument("--idle", type=float, default=None,
                        help="close a relayed connection after this many idle seconds "
                             "(default 10 for slow-single, 120 otherwise)")
    parser.add_argument("--max-time", type=float, default=None,
                        help="close a relayed connection after this many seconds "
                             "(default 30 for slow-single, 600 otherwise)")
    args = parser.parse_args()
    single = args.mode == "slow-single"
    if args.idle is None:
        args.idle = 10.0 if single else 120.0
    if args.max_time is None:
        args.max_time = 30.0 if single else 600.0
    need = {"slow-single": ["upstream"], "delay": ["upstream"],
            "tls-web": ["cert", "key"], "tls-gateway": ["cert", "key"],
            "mitm": ["upstream", "cert", "key", "log"]}[args.mode]
    missing = [n for n in need if getattr(args, n) is None]
    if missing:
        parser.error("%s needs --%s" % (args.mode, " --".join(missing)))
    if args.mode == "slow-single":
        run_slow_single(args)
    elif args.mode == "delay":
        run_delay(args)
    elif args.mode == "tls-web":
        run_tls_http(args, web_answer, "nginx")
    elif args.mode == "tls-gateway":
        run_tls_http(args, gateway_answer, "Microsoft-HTTPAPI/2.0")
    else:
        run_mitm(args)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
