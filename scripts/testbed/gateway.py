#!/usr/bin/env python3
"""A loopback RD Gateway for the rdpdoctor testbed (Python 3 stdlib only).

It speaks the HTTP transport of MS-TSGU to real clients (xfreerdp /g: ...
/gt:http) and forwards the channel to an RDP server on 127.0.0.1. Every
listener binds 127.0.0.1 and every channel goes to 127.0.0.1 (a target with
another name is refused by the resource policy, E_PROXY_RAP_ACCESSDENIED).
In the network lab (bench/gateway-rtt.sh) --listen and --target-host put it
on the lab server's address and let channels go to that address instead.

usage: gateway.py VARIANT PORT --cert C --key K [--user U --password P]
                  [--listen ADDR] [--target-host ADDR]

  The HTTP front door (3.3.5.1 of MS-TSGU):
    RDG_OUT_DATA /remoteDesktopGateway/ with `Upgrade: websocket`
        -> NTLM over HTTP (401 + challenge, then the AUTHENTICATE checked
           against --user/--password, NTLMv2) -> 101 Switching Protocols; the
           tunnel then runs in binary WebSocket frames on that connection.
    RDG_OUT_DATA without the upgrade, then RDG_IN_DATA (the same
        RDG-Connection-Id) -> the legacy two-connection transport: the OUT
        connection answers 200 + 10 seed bytes and carries the server's
        packets; the IN connection's chunked body carries the client's.
    A wrong password -> 401 again (what IIS answers).
  The tunnel (2.2.10 of MS-TSGU): HANDSHAKE_REQUEST/RESPONSE,
  TUNNEL_CREATE/RESPONSE (tunnel id, capabilities), TUNNEL_AUTH/RESPONSE
  (redirection flags, idle timeout), CHANNEL_CREATE/RESPONSE (TCP to
  127.0.0.1:PORT; refused -> E_PROXY_TS_CONNECTFAILED), DATA both ways,
  KEEPALIVE, CLOSE_CHANNEL/RESPONSE.

  Variants:
    healthy      everything above
    rap-denied   CHANNEL_CREATE answered with E_PROXY_RAP_ACCESSDENIED
    nap-denied   TUNNEL_AUTH answered with E_PROXY_NAP_ACCESSDENIED (CAP/NAP)
    not-found    an IIS without the gateway role: 404 to everything
    no-upgrade   behind a reverse proxy that strips `Upgrade`/`Connection`:
                 the WebSocket is never offered, the legacy transport works
    basic        HTTP Basic authentication instead of NTLM (401 with
                 `WWW-Authenticate: Basic`; DOMAIN\\user or user, checked
                 against --user/--password), otherwise healthy
    http-only    the legacy RPC-over-HTTP transport is absent: the RPC proxy
                 URL (/rpc/rpcproxy.dll) is answered 404, otherwise healthy
    idle-close   closes a tunnel idle for IDLE_CLOSE seconds (2) with
                 CLOSE_CHANNEL, as a gateway's idle timeout does (KEEPALIVE
                 counts as traffic), otherwise healthy
    rpc-only     the HTTP transport is off: /remoteDesktopGateway/ is answered
                 404 while the RPC proxy URL answers like IIS
    kerberos-only  IIS Windows Authentication with the NTLM provider removed:
                 every 401 offers only Negotiate, and with no KDC here no token
                 is ever accepted (a domain-only gateway seen from outside)

  RPC over HTTP ([MS-RPCH], /rpc/rpcproxy.dll, every variant but not-found
  and http-only): IIS guarding the RPC proxy, 401 with Negotiate and NTLM,
  the NTLM exchange checked as above; after an accepted AUTHENTICATE the
  connection is closed (this double serves no RPC beyond authentication).

Log (stdout, one line per event, Unix time first): connections, HTTP
requests and answers, NTLM results, the transport, each tunnel packet, and a
summary line per tunnel ("tunnel N closed: client=NAME target=... c2s=BYTES
s2c=BYTES"). Passwords are never logged.
"""

import argparse
import base64
import hashlib
import hmac
import itertools
import os
import select
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
from email.utils import formatdate

HOST = "127.0.0.1"
HANDSHAKE_TIMEOUT = 10.0
REQUEST_TIMEOUT = 10.0
IDLE_TIMEOUT = 120.0       # a tunnel with no traffic either way for this long is closed
IDLE_CLOSE = 2.0           # ... in the idle-close variant, with CLOSE_CHANNEL
MAX_TIME = 600.0           # and no tunnel lives longer
PAIR_TIMEOUT = 10.0        # the legacy OUT connection waits this long for its IN connection
MAX_HEAD = 16 * 1024
MAX_PACKET = 128 * 1024    # a tunnel packet (and a WebSocket frame) is never larger
GATEWAY_PATH = "/remotedesktopgateway/"
RPC_PATH = "/rpc/rpcproxy.dll"
WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

# MS-TSGU 2.2.5.3 packet types
HANDSHAKE_REQUEST, HANDSHAKE_RESPONSE = 0x1, 0x2
TUNNEL_CREATE, TUNNEL_RESPONSE = 0x4, 0x5
TUNNEL_AUTH, TUNNEL_AUTH_RESPONSE = 0x6, 0x7
CHANNEL_CREATE, CHANNEL_RESPONSE = 0x8, 0x9
DATA, SERVICE_MESSAGE, REAUTH, KEEPALIVE = 0xA, 0xB, 0xC, 0xD
CLOSE_CHANNEL, CLOSE_CHANNEL_RESPONSE = 0x10, 0x11
PACKET_NAMES = {1: "HANDSHAKE_REQUEST", 4: "TUNNEL_CREATE", 6: "TUNNEL_AUTH", 8: "CHANNEL_CREATE",
                0xA: "DATA", 0xD: "KEEPALIVE", 0x10: "CLOSE_CHANNEL", 0x11: "CLOSE_CHANNEL_RESPONSE"}

E_PROXY = {
    0x800759DA: "E_PROXY_RAP_ACCESSDENIED",
    0x800759DB: "E_PROXY_NAP_ACCESSDENIED",
    0x800759DD: "E_PROXY_TS_CONNECTFAILED",
    0x800759D8: "E_PROXY_INTERNALERROR",
}
E_RAP, E_NAP, E_CONNECT, E_INTERNAL = 0x800759DA, 0x800759DB, 0x800759DD, 0x800759D8

_ids = itertools.count(1)
_log_lock = threading.Lock()


def say(fmt, *args):
    with _log_lock:
        sys.stdout.write("%.3f " % time.time() + (fmt % args) + "\n")
        sys.stdout.flush()


# ----------------------------------------------------------------- MD4 (RFC 1320)
def md4(data):
    """MD4 written out: OpenSSL 3 no longer offers it to hashlib by default."""
    def rol(x, n):
        x &= 0xFFFFFFFF
        return ((x << n) | (x >> (32 - n))) & 0xFFFFFFFF
    msg = bytearray(data)
    bit_len = (8 * len(data)) & 0xFFFFFFFFFFFFFFFF
    msg.append(0x80)
    while len(msg) % 64 != 56:
        msg.append(0)
    msg += struct.pack("<Q", bit_len)
    a, b, c, d = 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476
    for off in range(0, len(msg), 64):
        x = struct.unpack("<16I", bytes(msg[off:off + 64]))
        aa, bb, cc, dd = a, b, c, d
        f = lambda x_, y, z: (x_ & y) | (~x_ & z)
        g = lambda x_, y, z: (x_ & y) | (x_ & z) | (y & z)
        h = lambda x_, y, z: x_ ^ y ^ z
        for i in range(16):
            k = i
            s = (3, 7, 11, 19)[i % 4]
            if i % 4 == 0:
                a = rol(a + f(b, c, d) + x[k], s)
            elif i % 4 == 1:
                d = rol(d + f(a, b, c) + x[k], s)
            elif i % 4 == 2:
                c = rol(c + f(d, a, b) + x[k], s)
            else:
                b = rol(b + f(c, d, a) + x[k], s)
        for i in range(16):
            k = (i % 4) * 4 + i // 4
            s = (3, 5, 9, 13)[i % 4]
            if i % 4 == 0:
                a = rol(a + g(b, c, d) + x[k] + 0x5A827999, s)
            elif i % 4 == 1:
                d = rol(d + g(a, b, c) + x[k] + 0x5A827999, s)
            elif i % 4 == 2:
                c = rol(c + g(d, a, b) + x[k] + 0x5A827999, s)
            else:
                b = rol(b + g(c, d, a) + x[k] + 0x5A827999, s)
        order = (0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15)
        for i in range(16):
            k = order[i]
            s = (3, 9, 11, 15)[i % 4]
            if i % 4 == 0:
                a = rol(a + h(b, c, d) + x[k] + 0x6ED9EBA1, s)
            elif i % 4 == 1:
                d = rol(d + h(a, b, c) + x[k] + 0x6ED9EBA1, s)
            elif i % 4 == 2:
                c = rol(c + h(d, a, b) + x[k] + 0x6ED9EBA1, s)
            else:
                b = rol(b + h(c, d, a) + x[k] + 0x6ED9EBA1, s)
        a, b, c, d = [(v + w) & 0xFFFFFFFF for v, w in ((a, aa), (b, bb), (c, cc), (d, dd))]
    return struct.pack("<4I", a, b, c, d)


# ----------------------------------------------------------------- NTLM (server side)
NTLM_SIG = b"NTLMSSP\0"


def ntlm_type(msg):
    if len(msg) < 12 or msg[:8] != NTLM_SIG:
        return 0
    return struct.unpack_from("<I", msg, 8)[0]


def ntlm_field(msg, off):
    if off + 8 > len(msg):
        return b""
    length, _, start = struct.unpack_from("<HHI", msg, off)
    if start + length > len(msg):
        return b""
    return msg[start:start + length]


def av_pair(av_id, value):
    return struct.pack("<HH", av_id, len(value)) + value


class NtlmServer:
    """One NTLM exchange per TCP connection: NEGOTIATE -> CHALLENGE -> AUTHENTICATE."""
    SUPPORTED = (0x00000001 | 0x00000004 | 0x00000010 | 0x00000020 | 0x00000200 | 0x00008000
                 | 0x00080000 | 0x02000000 | 0x20000000 | 0x40000000 | 0x80000000)

    def __init__(self, user, password):
        self.user, self.password = user, password
        self.challenge = None

    def challenge_message(self, negotiate):
        client_flags = struct.unpack_from("<I", negotiate, 12)[0] if len(negotiate) >= 16 else 0
        flags = (client_flags & self.SUPPORTED) | 0x00000001 | 0x00010000 | 0x00800000 | 0x00000200
        self.challenge = os.urandom(8)
        target = "TESTBED".encode("utf-16-le")
        filetime = int((time.time() + 11644473600) * 10_000_000)
        info = (av_pair(2, target) + av_pair(1, "GATEWAY".encode("utf-16-le"))
                + av_pair(4, "testbed.local".encode("utf-16-le"))
                + av_pair(3, "gateway.testbed.local".encode("utf-16-le"))
                + av_pair(7, struct.pack("<Q", filetime)) + av_pair(0, b""))
        head = 56
        msg = (NTLM_SIG + struct.pack("<I", 2)
               + struct.pack("<HHI", len(target), len(target), head)
               + struct.pack("<I", flags) + self.challenge + b"\0" * 8
               + struct.pack("<HHI", len(info), len(info), head + len(target))
               + bytes([10, 0]) + struct.pack("<H", 20348) + b"\0\0\0\x0f")
        return msg + target + info

    def check(self, authenticate):
        """(ok, user, domain, why) for an AUTHENTICATE message (NTLMv2 only)."""
        nt = ntlm_field(authenticate, 20)
        domain = ntlm_field(authenticate, 28).decode("utf-16-le", "replace")
        user = ntlm_field(authenticate, 36).decode("utf-16-le", "replace")
        if self.challenge is None:
            return False, user, domain, "no challenge sent on this connection"
        if len(nt) < 48:
            return False, user, domain, "not an NTLMv2 response (%d bytes)" % len(nt)
        if user.lower() != self.user.lower():
            return False, user, domain, "unknown user"
        nt_hash = md4(self.password.encode("utf-16-le"))
        owf = hmac.new(nt_hash, (user.upper() + domain).encode("utf-16-le"), "md5").digest()
        proof = hmac.new(owf, self.challenge + nt[16:], "md5").digest()
        if not hmac.compare_digest(proof, nt[:16]):
            return False, user, domain, "wrong password"
        return True, user, domain, "NTLMv2 response verified"


# ----------------------------------------------------------------- byte stream helpers
class Conn:
    """A TLS socket with a read buffer; every read is bounded in time and size."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        # One TLS connection is read by the tunnel's thread and written by the
        # upstream pump: OpenSSL does not allow both at once on one connection, and
        # a timeout set for a read must not cut a write short. So the socket keeps
        # one timeout, waiting happens in select() outside the lock, and every TLS
        # read or write holds the lock.
        self.io = threading.Lock()
        self.sock.settimeout(10.0)

    def fill(self, deadline):
        while True:
            if not self.sock.pending():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise socket.timeout("deadline")
                readable, _, _ = select.select([self.sock], [], [], left)
                if not readable:
                    raise socket.timeout("deadline")
            with self.io:
                try:
                    chunk = self.sock.recv(65536)
                except ssl.SSLWantReadError:
                    continue   # a TLS record still arriving, or no application data in it
            if not chunk:
                raise EOFError("peer closed")
            self.buf += chunk
            return

    def read_exact(self, n, deadline):
        while len(self.buf) < n:
            self.fill(deadline)
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_until(self, marker, limit, deadline):
        while marker not in self.buf:
            if len(self.buf) > limit:
                raise ValueError("no %r within %d bytes" % (marker, limit))
            self.fill(deadline)
        i = self.buf.index(marker) + len(marker)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def read_request(self, timeout=REQUEST_TIMEOUT):
        head = self.read_until(b"\r\n\r\n", MAX_HEAD, time.monotonic() + timeout)
        lines = head[:-4].decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            raise ValueError("not an HTTP request: %r" % lines[0][:60])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers.setdefault(k.strip().lower(), v.strip())
        length = headers.get("content-length", "0")
        if length.isdigit() and 0 < int(length) <= MAX_HEAD and "transfer-encoding" not in headers:
            self.read_exact(int(length), time.monotonic() + timeout)   # a small body: skip it
        return parts[0], parts[1], headers

    def send(self, data):
        with self.io:
            self.sock.sendall(data)


def http_response(status, headers, body=b""):
    lines = ["HTTP/1.1 %s" % status] + ["%s: %s" % kv for kv in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def packet(ptype, payload):
    return struct.pack("<HHI", ptype, 0, 8 + len(payload)) + payload


class PacketReader:
    """Splits a byte stream into MS-TSGU packets (bounded)."""

    def __init__(self):
        self.buf = b""

    def feed(self, data):
        self.buf += data
        out = []
        while len(self.buf) >= 8:
            ptype, _, length = struct.unpack_from("<HHI", self.buf, 0)
            if length < 8 or length > MAX_PACKET:
                raise ValueError("packet type 0x%x with length %d" % (ptype, length))
            if len(self.buf) < length:
                break
            out.append((ptype, self.buf[8:length]))
            self.buf = self.buf[length:]
        return out


# ----------------------------------------------------------------- the tunnel
class Tunnel:
    """One MS-TSGU tunnel: the client's packets in, the server's packets out."""

    def __init__(self, gateway, cid, send_raw, transport):
        self.gw, self.cid = gateway, cid
        self.send_raw = send_raw      # writes one server packet (framed as the transport needs)
        self.transport = transport
        self.lock = threading.Lock()
        self.reader = PacketReader()
        self.upstream = None
        self.client_name = "-"
        self.target = "-"
        self.c2s = self.s2c = 0
        self.state = "handshake"
        self.closed = threading.Event()
        self.last = time.monotonic()
        self.why = "open"

    def send(self, ptype, payload):
        with self.lock:
            self.send_raw(packet(ptype, payload))

    def feed(self, data):
        self.last = time.monotonic()
        for ptype, payload in self.reader.feed(data):
            self.handle(ptype, payload)

    def handle(self, ptype, p):
        name = PACKET_NAMES.get(ptype, "0x%x" % ptype)
        if ptype != DATA:
            say("conn %d tunnel: %s (%d bytes)", self.cid, name, len(p) + 8)
        if ptype == HANDSHAKE_REQUEST and self.state == "handshake" and len(p) >= 6:
            major, minor, _, ext = struct.unpack_from("<BBHH", p, 0)
            say("conn %d tunnel: client version %d.%d, extended auth 0x%x", self.cid, major, minor, ext)
            self.send(HANDSHAKE_RESPONSE, struct.pack("<IBBHH", 0, 1, 0, 0, 0))
            self.state = "tunnel"
        elif ptype == TUNNEL_CREATE and self.state == "tunnel" and len(p) >= 8:
            caps, fields = struct.unpack_from("<IH", p, 0)
            say("conn %d tunnel: capabilities 0x%x, fields 0x%x", self.cid, caps, fields)
            # fields: tunnel id (0x1) and capabilities (0x2); IDLE_TIMEOUT|QUAR_SOH caps
            self.send(TUNNEL_RESPONSE, struct.pack("<HIHHII", 0, 0, 0x3, 0, self.cid, 0x3))
            self.state = "auth"
        elif ptype == TUNNEL_AUTH and self.state == "auth" and len(p) >= 4:
            _, name_len = struct.unpack_from("<HH", p, 0)
            self.client_name = p[4:4 + name_len].decode("utf-16-le", "replace").rstrip("\0")
            if self.gw.variant == "nap-denied":
                self.answer_error(TUNNEL_AUTH_RESPONSE, E_NAP, "TUNNEL_AUTH_RESPONSE")
                return
            # fields: redirection flags (0x1) and idle timeout (0x2): all redirection
            # allowed (flags 0), idle timeout 30 minutes
            self.send(TUNNEL_AUTH_RESPONSE, struct.pack("<IHHII", 0, 0x3, 0, 0, 30))
            say("conn %d tunnel: TUNNEL_AUTH_RESPONSE ok (client %s, idle timeout 30 min)",
                self.cid, self.client_name)
            self.state = "channel"
        elif ptype == CHANNEL_CREATE and self.state == "channel" and len(p) >= 8:
            self.create_channel(p)
        elif ptype == DATA and self.state == "open" and len(p) >= 2:
            n = struct.unpack_from("<H", p, 0)[0]
            data = p[2:2 + n]
            self.c2s += len(data)
            try:
                self.upstream.sendall(data)
            except OSError as exc:
                self.close("target write failed: %s" % exc)
        elif ptype == KEEPALIVE:
            pass
        elif ptype == CLOSE_CHANNEL:
            self.send(CLOSE_CHANNEL_RESPONSE, struct.pack("<I", 0))
            self.close("client closed the channel")
        elif ptype == CLOSE_CHANNEL_RESPONSE:
            self.close("client confirmed the close")
        else:
            say("conn %d tunnel: unexpected %s in state %s", self.cid, name, self.state)
            self.close("unexpected %s in state %s" % (name, self.state))

    def answer_error(self, ptype, code, what):
        if ptype == CHANNEL_RESPONSE:
            self.send(ptype, struct.pack("<IHH", code, 0, 0))
        else:
            self.send(ptype, struct.pack("<IHH", code, 0, 0))
        say("conn %d tunnel: %s %s (client %s, target %s)", self.cid, what, E_PROXY[code],
            self.client_name, self.target)
        self.close(E_PROXY[code])

    def create_channel(self, p):
        resources, _, port, protocol = struct.unpack_from("<BBHH", p, 0)
        off, names = 6, []
        for _ in range(resources):
            if off + 2 > len(p):
                break
            n = struct.unpack_from("<H", p, off)[0]
            names.append(p[off + 2:off + 2 + n].decode("utf-16-le", "replace").rstrip("\0"))
            off += 2 + n
        host = names[0] if names else ""
        self.target = "%s:%d" % (host, port)
        say("conn %d tunnel: CHANNEL_CREATE target %s protocol %d", self.cid, self.target, protocol)
        allowed = (self.gw.target_host,) + (("localhost",) if self.gw.target_host == HOST else ())
        if self.gw.variant == "rap-denied" or host not in allowed:
            self.answer_error(CHANNEL_RESPONSE, E_RAP, "CHANNEL_RESPONSE")
            return
        try:
            self.upstream = socket.create_connection((self.gw.target_host, port), timeout=5.0)
        except OSError as exc:
            say("conn %d tunnel: target %s: %s", self.cid, self.target, exc)
            self.answer_error(CHANNEL_RESPONSE, E_CONNECT, "CHANNEL_RESPONSE")
            return
        self.upstream.settimeout(None)
        self.state = "open"
        self.send(CHANNEL_RESPONSE, struct.pack("<IHHI", 0, 0x1, 0, self.cid))
        say("conn %d tunnel: channel open to %s (client %s)", self.cid, self.target, self.client_name)
        threading.Thread(target=self.pump_upstream, daemon=True).start()

    def pump_upstream(self):
        up = self.upstream
        try:
            while not self.closed.is_set():
                up.settimeout(1.0)
                try:
                    data = up.recv(16000)
                except socket.timeout:
                    continue
                if not data:
                    break
                self.last = time.monotonic()
                self.s2c += len(data)
                self.send(DATA, struct.pack("<H", len(data)) + data)
        except OSError:
            pass
        if not self.closed.is_set():
            try:
                self.send(CLOSE_CHANNEL, struct.pack("<I", 0))
            except OSError:
                pass
            self.close("target closed")

    def close(self, why):
        if self.closed.is_set():
            return
        self.why = why
        self.closed.set()
        if self.upstream is not None:
            try:
                self.upstream.close()
            except OSError:
                pass

    def summary(self):
        say("conn %d tunnel closed: transport=%s client=%s target=%s c2s=%d s2c=%d why=%s",
            self.cid, self.transport, self.client_name, self.target, self.c2s, self.s2c, self.why)


# ----------------------------------------------------------------- WebSocket frames
def ws_frame(payload, opcode=0x2):
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, n)
    elif n < 0x10000:
        head = struct.pack("!BBH", 0x80 | opcode, 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, n)
    return head + payload


def ws_read(conn, deadline):
    """(opcode, payload) of one client frame (clients must mask)."""
    b0, b1 = conn.read_exact(2, deadline)
    try:
        return _ws_rest(conn, b0, b1, deadline + 10.0)
    except socket.timeout:
        raise ValueError("WebSocket frame cut short")


def _ws_rest(conn, b0, b1, deadline):
    opcode, n = b0 & 0x0F, b1 & 0x7F
    if n == 126:
        n = struct.unpack("!H", conn.read_exact(2, deadline))[0]
    elif n == 127:
        n = struct.unpack("!Q", conn.read_exact(8, deadline))[0]
    if n > MAX_PACKET:
        raise ValueError("WebSocket frame of %d bytes" % n)
    mask = conn.read_exact(4, deadline) if b1 & 0x80 else b"\0\0\0\0"
    data = conn.read_exact(n, deadline)
    return opcode, bytes(c ^ mask[i % 4] for i, c in enumerate(data))


# ----------------------------------------------------------------- the gateway
class Gateway:
    def __init__(self, args):
        self.variant = args.variant
        self.target_host = args.target_host
        self.user, self.password = args.user, args.password
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(args.cert, args.key)
        self.pending = {}          # legacy: RDG-Connection-Id -> (tunnel, conn) of the OUT side
        self.pending_lock = threading.Lock()

    def common_headers(self):
        return [("Server", "Microsoft-HTTPAPI/2.0"), ("Date", formatdate(usegmt=True))]

    def serve(self, raw, peer):
        cid = next(_ids)
        raw.settimeout(HANDSHAKE_TIMEOUT)
        try:
            tls = self.ctx.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            say("conn %d from %s: TLS handshake failed: %s", cid, peer, exc)
            return
        conn = Conn(tls)
        say("conn %d from %s: TLS %s", cid, peer, tls.version())
        try:
            self.http(cid, conn)
        except (OSError, EOFError, ValueError, ssl.SSLError, struct.error) as exc:
            say("conn %d: ended: %s", cid, exc)
        finally:
            try:
                tls.close()
            except OSError:
                pass

    def http(self, cid, conn):
        ntlm = NtlmServer(self.user, self.password)
        while True:
            method, path, headers = conn.read_request()
            if self.variant == "no-upgrade":
                # the reverse proxy in front drops the hop-by-hop upgrade headers
                for h in ("upgrade", "connection", "sec-websocket-key", "sec-websocket-version"):
                    headers.pop(h, None)
            conn_id = headers.get("rdg-connection-id", "-")
            auth = headers.get("authorization", "")
            scheme, _, token = auth.partition(" ")
            wants_ws = headers.get("upgrade", "").lower() == "websocket"
            say("conn %d: %s %s (RDG-Connection-Id %s, authorization %s, upgrade %s)", cid, method, path,
                conn_id, scheme or "-", "websocket" if wants_ws else "-")
            if path.lower().startswith(RPC_PATH) and self.variant not in ("not-found", "http-only"):
                if self.rpc_proxy(cid, conn, method, scheme, token, ntlm):
                    continue
                return
            if self.variant in ("not-found", "rpc-only") or not path.lower().startswith(GATEWAY_PATH) \
                    or method not in ("RDG_OUT_DATA", "RDG_IN_DATA", "GET"):
                body = (b"<!DOCTYPE html><html><head><title>404 - File or directory not found.</title>"
                        b"</head><body><h2>404 - File or directory not found.</h2></body></html>")
                conn.send(http_response("404 Not Found",
                                        [("Content-Type", "text/html"), ("Server", "Microsoft-IIS/10.0"),
                                         ("Date", formatdate(usegmt=True)),
                                         ("Content-Length", str(len(body)))], body))
                say("conn %d: -> 404", cid)
                return
            if self.variant == "kerberos-only":
                # Without a KDC no Kerberos ticket can be checked here: every answer is the same 401.
                conn.send(http_response("401 Unauthorized", self.common_headers() + [
                    ("WWW-Authenticate", "Negotiate"), ("Content-Length", "0")]))
                say("conn %d: -> 401 (scheme Negotiate only%s)", cid,
                    ", a %s token refused: no KDC" % scheme if token else "")
                if token:
                    return
                continue
            if self.variant == "basic":
                if self.basic_ok(cid, scheme, token):
                    if method == "RDG_OUT_DATA" and wants_ws:
                        return self.websocket(cid, conn, headers)
                    if method == "RDG_OUT_DATA":
                        return self.legacy_out(cid, conn, conn_id)
                    if method == "RDG_IN_DATA":
                        return self.legacy_in(cid, conn, conn_id)
                conn.send(http_response("401 Unauthorized", self.common_headers() + [
                    ("WWW-Authenticate", 'Basic realm="RD Gateway"'), ("Content-Length", "0")]))
                say("conn %d: -> 401 (scheme Basic)", cid)
                if scheme.lower() == "basic":
                    return
                continue
            raw = b""
            if scheme.lower() == "ntlm" and token:
                try:
                    raw = base64.b64decode(token, validate=True)
                except ValueError:
                    raw = b""
            kind = ntlm_type(raw)
            if kind == 1:
                challenge = base64.b64encode(ntlm.challenge_message(raw)).decode()
                conn.send(http_response("401 Unauthorized", self.common_headers() + [
                    ("WWW-Authenticate", "NTLM " + challenge), ("Content-Length", "0")]))
                say("conn %d: -> 401 (NTLM challenge)", cid)
                continue
            if kind != 3:
                conn.send(http_response("401 Unauthorized", self.common_headers() + [
                    ("WWW-Authenticate", "Negotiate"), ("WWW-Authenticate", "NTLM"),
                    ("Content-Length", "0")]))
                say("conn %d: -> 401 (schemes Negotiate, NTLM)", cid)
                continue
            ok, user, domain, why = ntlm.check(raw)
            say("conn %d: NTLM user %r domain %r: %s", cid, user, domain, why)
            if not ok:
                conn.send(http_response("401 Unauthorized", self.common_headers() + [
                    ("WWW-Authenticate", "Negotiate"), ("WWW-Authenticate", "NTLM"),
                    ("Content-Length", "0")]))
                say("conn %d: -> 401 (authentication failed)", cid)
                return
            if method == "RDG_OUT_DATA" and wants_ws:
                return self.websocket(cid, conn, headers)
            if method == "RDG_OUT_DATA":
                return self.legacy_out(cid, conn, conn_id)
            if method == "RDG_IN_DATA":
                return self.legacy_in(cid, conn, conn_id)
            conn.send(http_response("400 Bad Request", self.common_headers() + [("Content-Length", "0")]))
            return

    def rpc_proxy(self, cid, conn, method, scheme, token, ntlm):
        """IIS in front of rpcproxy.dll: NTLM over HTTP; True when the client may ask again."""
        if self.variant == "kerberos-only":
            # the same IIS: only the Negotiate provider, and no KDC to check a ticket
            conn.send(http_response("401 Unauthorized", [("Server", "Microsoft-IIS/10.0"), ("Date", formatdate(usegmt=True)),
                                                         ("WWW-Authenticate", "Negotiate"), ("Content-Length", "0")]))
            say("conn %d: -> 401 (RPC proxy, scheme Negotiate only)", cid)
            return not token
        raw = b""
        if scheme.lower() == "ntlm" and token:
            try:
                raw = base64.b64decode(token, validate=True)
            except ValueError:
                raw = b""
        kind = ntlm_type(raw)
        if kind == 1:
            challenge = base64.b64encode(ntlm.challenge_message(raw)).decode()
            conn.send(http_response("401 Unauthorized", [("Server", "Microsoft-IIS/10.0"), ("Date", formatdate(usegmt=True)),
                                                         ("WWW-Authenticate", "NTLM " + challenge),
                                                         ("Content-Length", "0")]))
            say("conn %d: -> 401 (RPC proxy, NTLM challenge)", cid)
            return True
        if kind == 3:
            ok, user, domain, why = ntlm.check(raw)
            say("conn %d: RPC proxy NTLM user %r domain %r: %s", cid, user, domain, why)
            if ok:
                say("conn %d: %s accepted; RPC over HTTP is not served beyond authentication: closing", cid, method)
                return False
        conn.send(http_response("401 Unauthorized", [("Server", "Microsoft-IIS/10.0"), ("Date", formatdate(usegmt=True)),
                                                     ("WWW-Authenticate", "Negotiate"), ("WWW-Authenticate", "NTLM"),
                                                     ("Content-Length", "0")]))
        say("conn %d: -> 401 (RPC proxy, schemes Negotiate, NTLM)", cid)
        return kind != 3

    def basic_ok(self, cid, scheme, token):
        """Checks Basic credentials (RFC 7617); logs the account, never the password."""
        if scheme.lower() != "basic" or not token:
            return False
        try:
            account, _, password = base64.b64decode(token, validate=True).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        user = account.rpartition("\\")[2]
        ok = user.lower() == self.user.lower() and hmac.compare_digest(password.encode(), self.password.encode())
        say("conn %d: Basic user %r: %s", cid, account, "accepted" if ok else "refused")
        return ok

    def run_tunnel(self, tunnel, reader):
        """Feeds the tunnel from reader() until it closes, idles out or hits MAX_TIME."""
        start = time.monotonic()
        try:
            while not tunnel.closed.is_set():
                now = time.monotonic()
                if now - start > MAX_TIME:
                    tunnel.close("maximum tunnel time")
                    break
                if now - tunnel.last > (IDLE_CLOSE if self.variant == "idle-close" else IDLE_TIMEOUT):
                    if self.variant == "idle-close":
                        say("conn %d tunnel: idle %.1fs: -> CLOSE_CHANNEL", tunnel.cid, now - tunnel.last)
                        tunnel.send(CLOSE_CHANNEL, struct.pack("<I", 0))
                    tunnel.close("idle")
                    break
                try:
                    data = reader(now + (0.25 if self.variant == "idle-close" else 1.0))
                except socket.timeout:
                    continue
                if data is None:
                    tunnel.close("client closed")
                    break
                if data:
                    tunnel.feed(data)
        except (OSError, EOFError, ValueError, ssl.SSLError, struct.error) as exc:
            tunnel.close("client side: %s" % exc)
        finally:
            tunnel.summary()

    def websocket(self, cid, conn, headers):
        key = headers.get("sec-websocket-key", "").encode()
        accept = base64.b64encode(hashlib.sha1(key + WS_GUID).digest()).decode()
        conn.send(http_response("101 Switching Protocols", self.common_headers() + [
            ("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", accept)]))
        say("conn %d: -> 101 Switching Protocols (WebSocket transport)", cid)
        tunnel = Tunnel(self, cid, lambda b: conn.send(ws_frame(b)), "websocket")

        def reader(deadline):
            try:
                opcode, payload = ws_read(conn, deadline)
            except EOFError:
                return None
            if opcode in (0x0, 0x2):
                return payload
            if opcode == 0x8:
                with tunnel.lock:
                    conn.send(ws_frame(payload[:2], 0x8))
                return None
            if opcode == 0x9:
                with tunnel.lock:
                    conn.send(ws_frame(payload, 0xA))
            return b""
        self.run_tunnel(tunnel, reader)

    def legacy_out(self, cid, conn, conn_id):
        conn.send(http_response("200 OK", self.common_headers()) + os.urandom(10))
        say("conn %d: -> 200 OK + seed (legacy OUT channel %s)", cid, conn_id)
        tunnel = Tunnel(self, cid, conn.send, "legacy")
        ready = threading.Event()
        with self.pending_lock:
            self.pending[conn_id] = (tunnel, ready)
        try:
            if not ready.wait(PAIR_TIMEOUT):
                say("conn %d: no RDG_IN_DATA for %s within %.0fs", cid, conn_id, PAIR_TIMEOUT)
                return
            # the IN side feeds the tunnel; this side only notices the client leaving
            while not tunnel.closed.is_set():
                try:
                    conn.fill(time.monotonic() + 1.0)
                except socket.timeout:
                    continue
                except (OSError, EOFError, ssl.SSLError):
                    tunnel.close("client closed the OUT channel")
                conn.buf = b""
        finally:
            with self.pending_lock:
                self.pending.pop(conn_id, None)

    def legacy_in(self, cid, conn, conn_id):
        with self.pending_lock:
            entry = self.pending.get(conn_id)
        if entry is None:
            conn.send(http_response("400 Bad Request", self.common_headers() + [("Content-Length", "0")]))
            say("conn %d: -> 400 (no OUT channel %s)", cid, conn_id)
            return
        tunnel, ready = entry
        conn.send(http_response("200 OK", self.common_headers() + [("Content-Length", "0")]))
        say("conn %d: -> 200 OK (legacy IN channel %s)", cid, conn_id)
        method, path, headers = conn.read_request()
        say("conn %d: %s %s (Transfer-Encoding %s): the IN channel's body", cid, method, path,
            headers.get("transfer-encoding", "-"))
        tunnel.cid = cid
        ready.set()

        def reader(deadline):
            line = conn.read_until(b"\r\n", 16, deadline)
            size = int(line.strip() or b"0", 16)
            if size > MAX_PACKET:
                raise ValueError("chunk of %d bytes" % size)
            try:
                data = conn.read_exact(size + 2, deadline + 10.0)[:-2]
            except socket.timeout:
                raise ValueError("chunk cut short")
            return data if size else None
        self.run_tunnel(tunnel, reader)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("variant", choices=["healthy", "rap-denied", "nap-denied", "not-found", "no-upgrade", "basic",
                                                "http-only", "rpc-only", "idle-close", "kerberos-only"])
    parser.add_argument("port", type=int)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--user", default="gwuser")
    parser.add_argument("--password", default="Gateway-Pass-7")
    parser.add_argument("--listen", default=HOST, help="address to listen on (the lab's server address)")
    parser.add_argument("--target-host", default=HOST,
                        help="the one host channels may go to (the resource policy); localhost counts for 127.0.0.1")
    args = parser.parse_args()
    gateway = Gateway(args)

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            gateway.serve(self.request, "%s:%d" % self.client_address)

    class Server(socketserver.ThreadingTCPServer):
        allow_reuse_address = True
        daemon_threads = True

    server = Server((args.listen, args.port), Handler)
    say("gateway %s listening on %s:%d", args.variant, args.listen, args.port)
    server.serve_forever()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
