#!/usr/bin/env python3
"""Small loopback-only probe used by the rdpdoctor testbed scripts.

Subcommands
  x224  PORT [--protocols N] [--no-neg] [--cookie TEXT] [--timeout S]
        Send one X.224 Connection Request (TPKT + CR + optional RDP_NEG_REQ)
        and print what came back, e.g. "selected=1 (SSL)" or
        "failure=5 (HYBRID_REQUIRED_BY_SERVER)".
  tls   PORT [--protocols N] [--min V] [--max V] [--ciphers C] [--cafile F]
        [--servername NAME]
        Do the X.224 exchange, then a TLS handshake on the same socket.
        Prints "tls ok version=... cipher=..." or "tls fail: <reason>".
  wait  --timeout S [--pid-dir DIR] NAME:PORT:KIND ...
        Wait (bounded) until every listed port is ready. KIND is one of
        rdp (answers an X.224 CR), tcp (accepts), http (answers GET /),
        https (TLS handshake from the first byte, then answers GET /),
        banner (sends a line on connect), silent (accepts, sends nothing),
        closed (connection refused). The ports are checked in parallel
        (a relay that delays its answers does not hold up the others).
        Exit 1 and print the names not ready.
  table [--ports-env FILE] [NAME ...]
        Probe every RDP variant of ports.env with requestedProtocols
        none/0/1/2/3/8/11 and print a Markdown table.
  mcs   PORT [--protocols N|--no-neg] [--methods M]
        X.224, TLS if selected, then an MCS Connect Initial (GCC with
        CS_CORE/CS_SECURITY/CS_NET); prints the server's SC_CORE version and
        SC_SECURITY encryption method/level and certificate type.
  mcs-table [--methods M] [NAME ...]
        The mcs probe for every RDP variant (none/0/1) as a Markdown table.

Only 127.0.0.1 is ever contacted (the host is not configurable on purpose).
"""

import argparse
import concurrent.futures
import os
import socket
import ssl
import struct
import sys
import time
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)  # TLSv1/1.1 enums

HOST = "127.0.0.1"

PROTO_NAMES = {0: "RDP", 1: "SSL", 2: "HYBRID", 4: "RDSTLS", 8: "HYBRID_EX",
               16: "RDSAAD"}
FAILURE_NAMES = {
    1: "SSL_REQUIRED_BY_SERVER",
    2: "SSL_NOT_ALLOWED_BY_SERVER",
    3: "SSL_CERT_NOT_ON_SERVER",
    4: "INCONSISTENT_FLAGS",
    5: "HYBRID_REQUIRED_BY_SERVER",
    6: "SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER",
}


def proto_name(value):
    if value == 0:
        return "RDP"
    names = [n for bit, n in PROTO_NAMES.items() if bit and value & bit]
    return "|".join(names) if names else hex(value)


def build_cr(protocols, neg=True, cookie="Cookie: mstshash=test"):
    body = b""
    if cookie:
        body += cookie.encode("ascii") + b"\r\n"
    if neg:
        body += struct.pack("<BBHI", 0x01, 0x00, 8, protocols)
    x224 = bytes([6 + len(body), 0xE0, 0, 0, 0, 0, 0]) + body
    return struct.pack(">BBH", 3, 0, 4 + len(x224)) + x224


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError("closed after %d of %d bytes" % (len(data), n))
        data += chunk
    return data


def read_tpkt(sock):
    head = recv_exact(sock, 4)
    if head[0] != 3:
        raise ValueError("not TPKT: first bytes %s" % head.hex())
    length = struct.unpack(">H", head[2:4])[0]
    if length < 4:
        raise ValueError("bad TPKT length %d" % length)
    return head + recv_exact(sock, length - 4)


def parse_cc(pdu):
    """Return a short human description of an X.224 Connection Confirm."""
    x = pdu[4:]
    if len(x) < 7 or (x[1] & 0xF0) != 0xD0:
        return "unexpected-x224 code=0x%02x" % (x[1] if len(x) > 1 else -1)
    li = x[0]
    neg = x[7:1 + li]
    if len(neg) < 8:
        return "cc-without-neg"
    typ, flags, length, value = struct.unpack("<BBHI", neg[:8])
    if typ == 0x02:
        return "selected=%d (%s) flags=0x%02x" % (value, proto_name(value), flags)
    if typ == 0x03:
        return "failure=%d (%s)" % (value, FAILURE_NAMES.get(value, "?"))
    return "unknown-neg type=0x%02x" % typ


def x224_exchange(port, protocols, neg=True, cookie="Cookie: mstshash=test",
                  timeout=5.0):
    """Returns (description, socket or None)."""
    try:
        sock = socket.create_connection((HOST, port), timeout=timeout)
    except ConnectionRefusedError:
        return "refused", None
    except OSError as exc:
        return "connect-error %s" % exc, None
    try:
        sock.sendall(build_cr(protocols, neg, cookie))
        pdu = read_tpkt(sock)
        return parse_cc(pdu), sock
    except socket.timeout:
        sock.close()
        return "timeout (no reply in %.1fs)" % timeout, None
    except EOFError as exc:
        sock.close()
        return "closed (%s)" % exc, None
    except (ValueError, OSError) as exc:
        sock.close()
        return "error %s" % exc, None


def cmd_x224(args):
    desc, sock = x224_exchange(args.port, args.protocols, not args.no_neg,
                               args.cookie, args.timeout)
    if sock:
        sock.close()
    print(desc)
    return 0 if desc.startswith(("selected", "failure", "cc-without")) else 1


TLS_VERSIONS = {
    "TLSv1": ssl.TLSVersion.TLSv1, "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2, "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}


def cmd_tls(args):
    desc, sock = x224_exchange(args.port, args.protocols, True,
                               "Cookie: mstshash=test", args.timeout)
    if not sock:
        print("x224 failed: %s" % desc)
        return 2
    if not desc.startswith("selected") or "selected=0 " in desc:
        print("x224 did not select TLS: %s" % desc)
        sock.close()
        return 2
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if args.cafile:
        ctx.load_verify_locations(args.cafile)
        ctx.check_hostname = bool(args.servername)
        ctx.verify_mode = ssl.CERT_REQUIRED
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if args.min:
        ctx.minimum_version = TLS_VERSIONS[args.min]
    if args.max:
        ctx.maximum_version = TLS_VERSIONS[args.max]
    if args.ciphers:
        ctx.set_ciphers(args.ciphers)
    try:
        tls = ctx.wrap_socket(sock, server_hostname=args.servername or None)
    except (ssl.SSLError, OSError) as exc:
        print("tls fail: %s" % exc)
        sock.close()
        return 1
    der = tls.getpeercert(binary_form=True)
    print("tls ok version=%s cipher=%s certlen=%d"
          % (tls.version(), tls.cipher()[0], len(der or b"")))
    tls.close()
    return 0


def ready(port, kind):
    try:
        sock = socket.create_connection((HOST, port), timeout=1.0)
    except ConnectionRefusedError:
        return kind == "closed"
    except OSError:
        return False
    try:
        if kind == "closed":
            return False
        if kind == "tcp":
            return True
        if kind == "silent":
            sock.settimeout(0.2)
            try:
                sock.recv(1)  # data or EOF: not silent
                return False
            except socket.timeout:
                return True
        if kind == "rdp":
            sock.settimeout(2.0)
            sock.sendall(build_cr(3))
            read_tpkt(sock)
            return True
        if kind == "http":
            sock.sendall(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
            return sock.recv(5) == b"HTTP/"
        if kind == "banner":
            return sock.recv(4) == b"SSH-"
        if kind == "https":
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            sock.settimeout(2.0)
            sock = ctx.wrap_socket(sock)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            return sock.recv(5) == b"HTTP/"
    except (OSError, EOFError, ValueError):
        return False
    finally:
        sock.close()
    return False


# ------------------------------------------------------------ MCS Connect
ENC_METHODS = {0x01: "40BIT", 0x02: "128BIT", 0x08: "56BIT", 0x10: "FIPS"}
ENC_LEVELS = {0: "NONE", 1: "LOW", 2: "CLIENT_COMPATIBLE", 3: "HIGH", 4: "FIPS"}


def ber_len(n):
    if n < 0x80:
        return bytes([n])
    if n < 0x100:
        return bytes([0x81, n])
    return bytes([0x82]) + struct.pack(">H", n)


def ber_int(v):
    body = v.to_bytes(max(1, (v.bit_length() + 8) // 8), "big")
    return b"\x02" + ber_len(len(body)) + body


def domain_params(values):
    body = b"".join(ber_int(v) for v in values)
    return b"\x30" + ber_len(len(body)) + body


def per_len(n):
    return bytes([n]) if n < 0x80 else struct.pack(">H", n | 0x8000)


def build_connect_initial(selected_protocol, methods):
    name = "rdpdoctor-tb".encode("utf-16-le").ljust(32, b"\0")
    core = struct.pack("<IHHHHII", 0x00080004, 1024, 768, 0xCA01, 0xAA03,
                       0x409, 2600) + name
    core += struct.pack("<III", 4, 0, 12) + b"\0" * 64
    core += struct.pack("<HHIHHH", 0xCA01, 1, 0, 24, 0x0007, 0x0001)
    core += b"\0" * 64 + struct.pack("<BBI", 0, 0, selected_protocol)
    core = struct.pack("<HH", 0xC001, 4 + len(core)) + core
    sec = struct.pack("<HHII", 0xC002, 12, methods, 0)
    net = struct.pack("<HHI", 0xC003, 8, 0)
    blocks = core + sec + net
    ccr = bytes.fromhex("000800100001c00044756361") + per_len(len(blocks)) + blocks
    gcc = bytes.fromhex("000500147c0001") + per_len(len(ccr)) + ccr
    body = (b"\x04\x01\x01" + b"\x04\x01\x01" + b"\x01\x01\xff"
            + domain_params([34, 2, 0, 1, 0, 1, 65535, 2])
            + domain_params([1, 1, 1, 1, 0, 1, 1056, 2])
            + domain_params([65535, 64535, 65535, 1, 0, 1, 65535, 2])
            + b"\x04" + ber_len(len(gcc)) + gcc)
    mcs = b"\x7f\x65" + ber_len(len(body)) + body
    x224 = b"\x02\xf0\x80" + mcs
    return struct.pack(">BBH", 3, 0, 4 + len(x224)) + x224


def ber_read(data, pos):
    """Read one BER tag+length at pos; return (tag, value start, value end)."""
    tag_len = 2 if data[pos] & 0x1F == 0x1F else 1
    tag = data[pos:pos + tag_len]
    pos += tag_len
    n = data[pos]
    pos += 1
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(data[pos:pos + k], "big")
        pos += k
    return tag, pos, pos + n


def parse_connect_response(pdu):
    data = pdu[4:]
    if data[:3] != b"\x02\xf0\x80":
        return "unexpected x224 data header %s" % data[:3].hex()
    data = data[3:]
    if len(data) >= 2 and data[0] & 0xFC == 0x20:
        reason = ((data[0] & 0x03) << 1) | (data[1] >> 7)
        names = {0: "domain-disconnected", 1: "provider-initiated", 2: "token-purged",
                 3: "user-requested", 4: "channel-purged"}
        return "mcs disconnect-provider-ultimatum reason=%d (rn-%s)" % (
            reason, names.get(reason, "?"))
    if data[:2] != b"\x7f\x66":
        return "not an MCS Connect-Response (%s)" % data[:2].hex()
    _, pos, end = ber_read(data, 0)
    _, vs, ve = ber_read(data, pos)          # result ENUMERATED
    result = data[vs]
    if result != 0:
        return "mcs result=%d" % result
    _, vs, pos = ber_read(data, ve)          # calledConnectId
    _, vs, pos = ber_read(data, pos)         # domainParameters
    _, vs, ve = ber_read(data, pos)          # userData
    gcc = data[vs:ve]
    i = gcc.find(b"McDn")
    if i < 0:
        return "no McDn in GCC response"
    i += 4
    if gcc[i] & 0x80:
        i += 2
    else:
        i += 1
    out = []
    while i + 4 <= len(gcc):
        typ, length = struct.unpack("<HH", gcc[i:i + 4])
        blk = gcc[i + 4:i + length]
        if length < 4:
            break
        if typ == 0x0C01:
            ver = struct.unpack("<I", blk[:4])[0]
            out.append("version=0x%08x" % ver)
        elif typ == 0x0C02:
            method, level = struct.unpack("<II", blk[:8])
            out.append("method=0x%x(%s) level=%d(%s)" % (
                method, ENC_METHODS.get(method, "NONE" if method == 0 else "?"),
                level, ENC_LEVELS.get(level, "?")))
            if len(blk) >= 16:
                rlen, clen = struct.unpack("<II", blk[8:16])
                cert = blk[16 + rlen:16 + rlen + clen]
                desc = "random=%d certlen=%d" % (rlen, clen)
                if len(cert) >= 4:
                    ver = struct.unpack("<I", cert[:4])[0]
                    kind = {1: "proprietary", 2: "x509"}.get(ver & 0x7FFFFFFF, "?")
                    desc += " cert=%s%s" % (kind, "(temporary)" if ver & 0x80000000 else "")
                    if kind == "proprietary":
                        j = cert.find(b"RSA1")
                        if j >= 0:
                            bits = struct.unpack("<I", cert[j + 8:j + 12])[0]
                            desc += " rsa=%d" % bits
                out.append(desc)
        elif typ == 0x0C03:
            chan = struct.unpack("<H", blk[:2])[0]
            out.append("iochannel=%d" % chan)
        else:
            out.append("block=0x%04x" % typ)
        i += length
    return "mcs ok " + " ".join(out)


def mcs_probe(port, protocols, methods, timeout=5.0):
    desc, sock = x224_exchange(port, protocols, protocols is not None,
                               timeout=timeout)
    if not sock:
        return "x224 " + desc
    selected = 0
    if desc.startswith("selected="):
        selected = int(desc.split("=")[1].split()[0])
    elif not desc.startswith("cc-without-neg"):
        sock.close()
        return "x224 " + desc
    try:
        if selected & 0x0A:
            return "needs CredSSP (selected %d)" % selected
        if selected == 1:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            ctx.minimum_version = ssl.TLSVersion.TLSv1
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
            sock = ctx.wrap_socket(sock)
        sock.sendall(build_connect_initial(selected, methods))
        return parse_connect_response(read_tpkt(sock))
    except socket.timeout:
        return "mcs timeout (no reply in %.1fs)" % timeout
    except EOFError as exc:
        return "mcs closed (%s)" % exc
    except (ValueError, OSError, IndexError, struct.error) as exc:
        return "mcs error %s" % exc
    finally:
        sock.close()


def cmd_mcs(args):
    res = mcs_probe(args.port, None if args.no_neg else args.protocols,
                    args.methods, args.timeout)
    print(res)
    return 0 if res.startswith("mcs ok") else 1


def process_gone(pid_dir, name):
    """True if pid_dir/NAME.pid names a process that has exited (or is a zombie)."""
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
        name, port, kind = item.split(":")
        specs.append((name, int(port), kind))
    t0 = time.monotonic()
    deadline = t0 + args.timeout
    state = {}

    def watch(spec):
        # each port on its own thread: a slow answer (DELAY_PROXY) does not
        # hold up the checks of the others
        name, port, kind = spec
        while True:
            if ready(port, kind):
                if args.verbose:
                    sys.stderr.write("wait: %.3fs %s ready\n" % (time.monotonic() - t0, name))
                return "ready"
            # a server whose process already died will not come up: fail fast
            if process_gone(args.pid_dir, name):
                return "exited"
            if time.monotonic() >= deadline:
                return "pending"
            time.sleep(0.1)

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, len(specs))) as pool:
        for spec, result in zip(specs, pool.map(watch, specs)):
            state[spec] = result
    bad = [s for s in specs if state[s] == "exited"] + \
          [s for s in specs if state[s] == "pending"]
    for name, port, kind in bad:
        print("%s %d %s" % (name, port, kind))
    return 1 if bad else 0


def load_ports(path):
    ports = {}
    with open(path) as fh:
        for line in fh:
            line = line.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, value = line.split("=", 1)
            ports[key.strip()] = int(value.strip())
    return ports


RDP_VARIANTS = ["XRDP_NEGOTIATE", "XRDP_TLS", "XRDP_EXPIRED", "XRDP_WRONGNAME",
                "XRDP_TESTCA", "XRDP_TLS10", "XRDP_TLS13", "XRDP_RDP_LOW",
                "XRDP_RDP_HIGH", "XRDP_RDP_FIPS", "XRDP_RDP_NONE",
                "SHADOW_NLA", "SHADOW_TLS", "SHADOW_RDP", "WESTON"]


def cmd_table(args):
    ports = load_ports(args.ports_env)
    names = args.names or [n for n in RDP_VARIANTS if n in ports]
    cols = [("no RDP_NEG_REQ", None), ("0 (RDP)", 0), ("1 (TLS)", 1),
            ("2 (HYBRID)", 2), ("3 (TLS\\|HYBRID)", 3), ("8 (HYBRID_EX)", 8),
            ("11 (TLS\\|HYBRID\\|HYBRID_EX)", 11)]
    print("| variant | port | " + " | ".join(c for c, _ in cols) + " |")
    print("|---|---|" + "---|" * len(cols))
    for name in names:
        cells = []
        for _, proto in cols:
            desc, sock = x224_exchange(ports[name], proto or 0, proto is not None,
                                       timeout=args.timeout)
            if sock:
                sock.close()
            cells.append(desc)
        print("| %s | %d | %s |" % (name, ports[name], " | ".join(cells)))
    return 0


def cmd_mcs_table(args):
    ports = load_ports(args.ports_env)
    names = args.names or [n for n in RDP_VARIANTS if n in ports]
    cols = [("no RDP_NEG_REQ", None), ("0 (RDP)", 0), ("1 (TLS)", 1)]
    print("| variant | " + " | ".join(c for c, _ in cols) + " |")
    print("|---|" + "---|" * len(cols))
    for name in names:
        cells = [mcs_probe(ports[name], proto, args.methods, args.timeout)
                 .replace("mcs ok ", "").replace("version=0x00080004 ", "")
                 .replace("iochannel=1003 ", "")
                 for _, proto in cols]
        print("| %s | %s |" % (name, " | ".join(cells)))
    return 0


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("x224")
    p.add_argument("port", type=int)
    p.add_argument("--protocols", type=lambda s: int(s, 0), default=3)
    p.add_argument("--no-neg", action="store_true")
    p.add_argument("--cookie", default="Cookie: mstshash=test")
    p.add_argument("--timeout", type=float, default=5.0)
    p.set_defaults(func=cmd_x224)

    p = sub.add_parser("tls")
    p.add_argument("port", type=int)
    p.add_argument("--protocols", type=lambda s: int(s, 0), default=1)
    p.add_argument("--min", choices=sorted(TLS_VERSIONS))
    p.add_argument("--max", choices=sorted(TLS_VERSIONS))
    p.add_argument("--ciphers")
    p.add_argument("--cafile")
    p.add_argument("--servername")
    p.add_argument("--timeout", type=float, default=5.0)
    p.set_defaults(func=cmd_tls)

    p = sub.add_parser("mcs")
    p.add_argument("port", type=int)
    p.add_argument("--protocols", type=lambda s: int(s, 0), default=0)
    p.add_argument("--no-neg", action="store_true")
    p.add_argument("--methods", type=lambda s: int(s, 0), default=0x1B,
                   help="client encryptionMethods (default 0x1b: 40|128|56|FIPS)")
    p.add_argument("--timeout", type=float, default=5.0)
    p.set_defaults(func=cmd_mcs)

    p = sub.add_parser("wait")
    p.add_argument("--timeout", type=float, default=15.0)
    p.add_argument("--pid-dir", help="stop waiting for NAME once NAME.pid has exited")
    p.add_argument("--verbose", action="store_true", help="report each ready port on stderr")
    p.add_argument("specs", nargs="+")
    p.set_defaults(func=cmd_wait)

    p = sub.add_parser("table")
    p.add_argument("--ports-env", default=os.path.join(here, "ports.env"))
    p.add_argument("--timeout", type=float, default=5.0)
    p.add_argument("names", nargs="*")
    p.set_defaults(func=cmd_table)

    p = sub.add_parser("mcs-table")
    p.add_argument("--ports-env", default=os.path.join(here, "ports.env"))
    p.add_argument("--methods", type=lambda s: int(s, 0), default=0x1B)
    p.add_argument("--timeout", type=float, default=5.0)
    p.add_argument("names", nargs="*")
    p.set_defaults(func=cmd_mcs_table)

    args = parser.parse_args()
    sys.exit(args.func(args))


if __name__ == "__main__":
    main()
