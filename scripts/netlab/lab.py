#!/usr/bin/env python3
"""Services and measurements for the rdpdoctor network lab (stdlib only).

Every address this tool binds or contacts must lie in 10.231.0.0/16 (the lab's
namespaces) or 127.0.0.0/8; anything else is refused.

Services (run inside rdpd-server by up.sh):
  serve http ADDR PORT     http.server answering GET / (HTTP/1.0; a non-RDP
                           request gets "HTTP/1.0 400 ...")
  serve echo ADDR PORT     TCP echo: sends back whatever it receives
Each connection is closed after --hold seconds (default 60).

Measurements (run inside rdpd-client, e.g. via scripts/netlab/exec.sh):
  ping HOST [-c N] [-i S] [-W S] [-s BYTES]
        ICMP echo through a raw socket; prints sent/received/loss and
        min/avg/max/mdev RTT in ms, like ping(8).
  tcping HOST PORT [-c N] [-i S] [-W S]
        N TCP connects; prints the connect time of each and a summary.
  x224 HOST PORT [--protocols N] [-W S]
        One X.224 Connection Request; prints the Connection Confirm.
  tls HOST PORT [--protocols N] [-W S] [--hold]
        X.224 requesting TLS, then a TLS handshake on the same socket.
        Prints each stage with its time and how the connection ended
        (e.g. "tls: ECONNRESET after 1.2 ms" or "tls: timeout after 5.0 s").
        Exit 0 only if the handshake completed.
  wait [-W S] [--pid-dir DIR] NAME:HOST:PORT:KIND ...
        Wait (bounded) until every port is ready; KIND is rdp, http, echo,
        tcp. Prints the names not ready and exits 1 on timeout.
"""

import argparse
import errno
import http.server
import ipaddress
import os
import random
import select
import socket
import socketserver
import ssl
import statistics
import struct
import sys
import threading
import time

ALLOWED = [ipaddress.ip_network("10.231.0.0/16"), ipaddress.ip_network("127.0.0.0/8")]


def check_addr(host):
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        sys.exit("lab.py: %r is not an IPv4 address (names are not resolved on purpose)" % host)
    if not any(addr in net for net in ALLOWED):
        sys.exit("lab.py: refusing %s: only 10.231.0.0/16 and 127.0.0.0/8 are allowed" % host)
    return str(addr)


def ms(seconds):
    return "%.1f ms" % (seconds * 1000.0)


# ------------------------------------------------------------------ services
class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 16


class QuietHTTPHandler(http.server.SimpleHTTPRequestHandler):
    default_request_version = "HTTP/1.0"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))
        sys.stderr.flush()


def echo_handler(hold):
    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            sock = self.request
            deadline = time.monotonic() + hold
            try:
                while True:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    sock.settimeout(left)
                    data = sock.recv(65536)
                    if not data:
                        break
                    sock.sendall(data)
            except OSError:
                pass
    return Handler


def cmd_serve(args):
    addr = check_addr(args.addr)
    if args.mode == "http":
        root = args.root or os.path.join(os.environ.get("NETLAB_DIR", "/tmp"), "http-root")
        os.makedirs(root, exist_ok=True)
        with open(os.path.join(root, "index.html"), "w") as fh:
            fh.write("<html><body>rdpdoctor netlab: not an RDP server</body></html>\n")
        os.chdir(root)
        QuietHTTPHandler.timeout = args.hold
        server = Server((addr, args.port), QuietHTTPHandler)
    else:
        server = Server((addr, args.port), echo_handler(args.hold))
    print("%s listening on %s:%d" % (args.mode, addr, args.port), flush=True)
    server.serve_forever()


# -------------------------------------------------------------------- ping
def icmp_checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF


def summary(rtts, sent, label):
    recv = len(rtts)
    loss = 100.0 * (sent - recv) / sent if sent else 0.0
    line = "%s: %d sent, %d received, %.1f%% loss" % (label, sent, recv, loss)
    if rtts:
        vals = [r * 1000.0 for r in rtts]
        mdev = statistics.pstdev(vals) if len(vals) > 1 else 0.0
        line += ", rtt min/avg/max/mdev = %.2f/%.2f/%.2f/%.2f ms" % (
            min(vals), sum(vals) / len(vals), max(vals), mdev)
    return line


def cmd_ping(args):
    host = check_addr(args.host)
    if not 1 <= args.count <= 10000:
        sys.exit("lab.py: -c must be 1..10000")
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    ident = (os.getpid() ^ random.getrandbits(16)) & 0xFFFF
    payload_len = max(8, args.size)
    sent_at = {}
    rtts = {}
    deadline_all = None
    next_send = time.monotonic()
    seq = 0
    while True:
        now = time.monotonic()
        if seq < args.count and now >= next_send:
            seq += 1
            body = struct.pack("!d", time.time()) + b"\x5a" * (payload_len - 8)
            hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
            pkt = hdr + body
            pkt = pkt[:2] + struct.pack("!H", icmp_checksum(pkt)) + pkt[4:]
            try:
                sock.sendto(pkt, (host, 0))
            except OSError as exc:
                if args.verbose:
                    print("seq=%d send error: %s" % (seq, exc))
            sent_at[seq] = time.monotonic()
            next_send = sent_at[seq] + args.interval
            if seq == args.count:
                deadline_all = sent_at[seq] + args.wait
        now = time.monotonic()
        if deadline_all is not None and (now >= deadline_all or len(rtts) == args.count):
            break
        wake = next_send if seq < args.count else deadline_all
        r, _, _ = select.select([sock], [], [], max(0.0, wake - now))
        if not r:
            continue
        data, _addr = sock.recvfrom(65536)
        t = time.monotonic()
        ihl = (data[0] & 0x0F) * 4
        icmp = data[ihl:]
        if len(icmp) < 8 or icmp[0] != 0:
            continue
        _t, _c, _s, rid, rseq = struct.unpack("!BBHHH", icmp[:8])
        if rid != ident or rseq not in sent_at or rseq in rtts:
            continue
        if t - sent_at[rseq] > args.wait:
            continue
        rtts[rseq] = t - sent_at[rseq]
        if args.verbose:
            print("seq=%d rtt=%.2f ms" % (rseq, rtts[rseq] * 1000.0))
    print(summary(list(rtts.values()), seq, "ping %s" % host))
    return 0 if rtts else 1


# ------------------------------------------------------------------ tcping
def cmd_tcping(args):
    host = check_addr(args.host)
    if not 1 <= args.count <= 10000:
        sys.exit("lab.py: -c must be 1..10000")
    rtts = []
    outcomes = {}
    for i in range(args.count):
        t0 = time.monotonic()
        try:
            s = socket.create_connection((host, args.port), timeout=args.wait)
            rtts.append(time.monotonic() - t0)
            s.close()
            outcome = "connected"
        except socket.timeout:
            outcome = "timeout"
        except OSError as exc:
            outcome = errno.errorcode.get(exc.errno, str(exc))
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if args.verbose:
            print("%d %s %s" % (i + 1, outcome, ms(time.monotonic() - t0)))
        if i + 1 < args.count:
            time.sleep(args.interval)
    print(summary(rtts, args.count, "tcping %s:%d" % (host, args.port))
          .replace("loss", "failed") + "; " +
          ", ".join("%s=%d" % kv for kv in sorted(outcomes.items())))
    return 0 if rtts else 1


# --------------------------------------------------------------- X.224/TLS
NEG_FAILURES = {1: "SSL_REQUIRED_BY_SERVER", 2: "SSL_NOT_ALLOWED_BY_SERVER",
                3: "SSL_CERT_NOT_ON_SERVER", 4: "INCONSISTENT_FLAGS",
                5: "HYBRID_REQUIRED_BY_SERVER", 6: "SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER"}


def build_cr(protocols):
    body = b"Cookie: mstshash=netlab\r\n" + struct.pack("<BBHI", 1, 0, 8, protocols)
    x224 = bytes([6 + len(body), 0xE0, 0, 0, 0, 0, 0]) + body
    return struct.pack(">BBH", 3, 0, 4 + len(x224)) + x224


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError("EOF after %d of %d bytes" % (len(data), n))
        data += chunk
    return data


def read_cc(sock):
    head = recv_exact(sock, 4)
    if head[0] != 3:
        raise ValueError("not TPKT: first bytes %s" % head.hex())
    pdu = head + recv_exact(sock, struct.unpack(">H", head[2:4])[0] - 4)
    x = pdu[4:]
    if len(x) < 7 or x[1] & 0xF0 != 0xD0:
        return "unexpected x224 0x%02x" % (x[1] if len(x) > 1 else 0), None
    neg = x[7:1 + x[0]]
    if len(neg) < 8:
        return "cc-without-neg", 0
    typ, flags, _len, value = struct.unpack("<BBHI", neg[:8])
    if typ == 2:
        return "selected=%d flags=0x%02x" % (value, flags), value
    if typ == 3:
        return "failure=%d (%s)" % (value, NEG_FAILURES.get(value, "?")), None
    return "neg type 0x%02x" % typ, None


def describe_error(exc):
    if isinstance(exc, socket.timeout):
        return "timeout"
    if isinstance(exc, EOFError):
        return "EOF (%s)" % exc
    if isinstance(exc, ssl.SSLError):
        return "ssl error: %s" % (exc.reason or exc)
    if isinstance(exc, OSError) and exc.errno:
        return errno.errorcode.get(exc.errno, str(exc.errno))
    return "%s: %s" % (type(exc).__name__, exc)


def cmd_x224(args):
    host = check_addr(args.host)
    t0 = time.monotonic()
    try:
        sock = socket.create_connection((host, args.port), timeout=args.wait)
    except OSError as exc:
        print("connect: %s after %s" % (describe_error(exc), ms(time.monotonic() - t0)))
        return 2
    t1 = time.monotonic()
    print("connect: ok in %s" % ms(t1 - t0))
    try:
        sock.sendall(build_cr(args.protocols))
        desc, _ = read_cc(sock)
        print("x224: %s in %s" % (desc, ms(time.monotonic() - t1)))
        return 0
    except (OSError, EOFError, ValueError) as exc:
        print("x224: %s after %s" % (describe_error(exc), ms(time.monotonic() - t1)))
        return 1
    finally:
        sock.close()


def cmd_tls(args):
    host = check_addr(args.host)
    t0 = time.monotonic()
    try:
        sock = socket.create_connection((host, args.port), timeout=args.wait)
    except OSError as exc:
        print("connect: %s after %s" % (describe_error(exc), ms(time.monotonic() - t0)))
        return 2
    t1 = time.monotonic()
    print("connect: ok in %s" % ms(t1 - t0))
    try:
        sock.sendall(build_cr(args.protocols))
        desc, selected = read_cc(sock)
    except (OSError, EOFError, ValueError) as exc:
        print("x224: %s after %s" % (describe_error(exc), ms(time.monotonic() - t1)))
        sock.close()
        return 1
    t2 = time.monotonic()
    print("x224: %s in %s" % (desc, ms(t2 - t1)))
    if not selected or not selected & 0x0B:
        print("tls: not attempted (TLS not selected)")
        sock.close()
        return 1
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if args.max_tls:
        ctx.maximum_version = getattr(ssl.TLSVersion, args.max_tls.replace(".", "_"))
    received = []
    if hasattr(ctx, "_msg_callback"):   # CPython's debugging hook: handshake messages seen
        def on_msg(_conn, direction, _version, content_type, msg_type, _data):
            if direction == "read" and content_type == ssl._TLSContentType.HANDSHAKE:
                received.append(getattr(msg_type, "name", str(msg_type)))
        ctx._msg_callback = on_msg
    try:
        tls = ctx.wrap_socket(sock)
    except (OSError, EOFError, ValueError) as exc:
        print("tls: %s after %s (server messages received: %s)"
              % (describe_error(exc), ms(time.monotonic() - t2), ", ".join(received) or "none"))
        sock.close()
        return 1
    t3 = time.monotonic()
    der = tls.getpeercert(binary_form=True) or b""
    print("tls: ok %s %s certlen=%d in %s" % (tls.version(), tls.cipher()[0], len(der),
                                             ms(t3 - t2)))
    if args.hold:
        # After the handshake: wait for data or an error (shows a late reset).
        tls.settimeout(args.hold)
        try:
            data = tls.recv(1)
            print("after: %s" % ("EOF" if not data else "data"))
        except (OSError, ValueError) as exc:
            print("after: %s after %s" % (describe_error(exc), ms(time.monotonic() - t3)))
    tls.close()
    return 0


# -------------------------------------------------------------------- wait
def ready(host, port, kind):
    try:
        sock = socket.create_connection((host, port), timeout=1.0)
    except OSError:
        return False
    try:
        sock.settimeout(2.0)
        if kind == "tcp":
            return True
        if kind == "rdp":
            sock.sendall(build_cr(3))
            read_cc(sock)
            return True
        if kind == "http":
            sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
            return sock.recv(5) == b"HTTP/"
        if kind == "echo":
            sock.sendall(b"ping")
            return recv_exact(sock, 4) == b"ping"
    except (OSError, EOFError, ValueError):
        return False
    finally:
        sock.close()
    return False


def process_gone(pid_dir, name):
    """True if PID_DIR/NAME.pid names a process that has exited (or is a zombie)."""
    if not pid_dir:
        return False
    try:
        with open(os.path.join(pid_dir, name + ".pid")) as fh:
            pid = int(fh.read().strip())
    except (OSError, ValueError):
        return False
    try:
        with open("/proc/%d/stat" % pid) as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def cmd_wait(args):
    specs = []
    for item in args.specs:
        name, host, port, kind = item.split(":")
        specs.append((name, check_addr(host), int(port), kind))
    deadline = time.monotonic() + args.wait
    pending = specs
    exited = []
    while True:
        pending = [s for s in pending if not ready(s[1], s[2], s[3])]
        exited += [s for s in pending if process_gone(args.pid_dir, s[0])]
        pending = [s for s in pending if s not in exited]
        if not pending or time.monotonic() >= deadline:
            break
        time.sleep(0.1)
    for name, host, port, kind in exited:
        print("%s %s:%d %s (process exited)" % (name, host, port, kind))
    for name, host, port, kind in pending:
        print("%s %s:%d %s" % (name, host, port, kind))
    return 1 if pending or exited else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("serve")
    p.add_argument("mode", choices=["http", "echo"])
    p.add_argument("addr")
    p.add_argument("port", type=int)
    p.add_argument("--hold", type=float, default=60.0)
    p.add_argument("--root")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("ping")
    p.add_argument("host")
    p.add_argument("-c", "--count", type=int, default=10)
    p.add_argument("-i", "--interval", type=float, default=0.2)
    p.add_argument("-W", "--wait", type=float, default=2.0, help="reply timeout (s)")
    p.add_argument("-s", "--size", type=int, default=56, help="payload bytes")
    p.add_argument("-v", "--verbose", action="store_true")
    p.set_defaults(func=cmd_ping)

    p = sub.add_parser("tcping")
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("-c", "--count", type=int, default=10)
    p.add_argument("-i", "--interval", type=float, default=0.05)
    p.add_argument("-W", "--wait", type=float, default=3.0)
    p.add_argument("-v", "--verbose", action="store_true")
    p.set_defaults(func=cmd_tcping)

    for name, func in (("x224", cmd_x224), ("tls", cmd_tls)):
        p = sub.add_parser(name)
        p.add_argument("host")
        p.add_argument("port", type=int)
        p.add_argument("--protocols", type=lambda s: int(s, 0), default=3)
        p.add_argument("-W", "--wait", type=float, default=5.0, help="per-step timeout (s)")
        if name == "tls":
            p.add_argument("--max-tls", choices=["TLSv1.2", "TLSv1.3"])
            p.add_argument("--hold", type=float, default=0.0,
                           help="after the handshake, wait this long for data/reset")
        p.set_defaults(func=func)

    p = sub.add_parser("wait")
    p.add_argument("-W", "--wait", type=float, default=15.0)
    p.add_argument("--pid-dir", help="stop waiting for NAME once PID_DIR/NAME.pid has exited")
    p.add_argument("specs", nargs="+")
    p.set_defaults(func=cmd_wait)

    args = ap.parse_args()
    sys.exit(args.func(args))


if __name__ == "__main__":
    main()
