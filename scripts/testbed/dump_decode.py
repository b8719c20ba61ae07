#!/usr/bin/env python3
"""Decode the decrypted RDP streams that `doubles.py mitm --dump FILE` wrote.

usage: dump_decode.py FILE [--conn N] [--all] [--hex]

Prints one line per PDU after the TLS handshake, in arrival order:
MCS connect/attach/join, the security-header PDUs (Client Info, licensing,
auto-detect, multitransport), Share Control PDUs (Demand Active with its
source descriptor and capability sets, Confirm Active, Deactivate All,
Server Redirection) and Share Data PDUs (Synchronize, Control, Font List/Map,
Save Session Info, Set Error Info, Monitor Layout, Status Info, ...),
virtual-channel traffic and fast-path updates. Repeated fast-path output and
channel chunks are folded into "xN" counts unless --all is given.
Offline tool: reads the file only, no network.
"""

import argparse
import struct
import sys
from collections import defaultdict

SHARE_CONTROL = {1: "Demand Active", 3: "Confirm Active", 6: "Deactivate All",
                 7: "Data", 10: "Server Redirection"}
DATA_TYPES = {
    0x02: "Update", 0x14: "Control", 0x1B: "Pointer", 0x1C: "Input",
    0x1F: "Synchronize", 0x21: "Refresh Rect", 0x22: "Play Sound",
    0x23: "Suppress Output", 0x24: "Shutdown Request", 0x25: "Shutdown Denied",
    0x26: "Save Session Info", 0x27: "Font List", 0x28: "Font Map",
    0x29: "Set Keyboard Indicators", 0x2B: "Bitmap Cache Persistent List",
    0x2C: "Bitmap Cache Error", 0x2D: "Set Keyboard IME Status",
    0x2E: "Offscreen Cache Error", 0x2F: "Set Error Info", 0x30: "DrawNine Error",
    0x31: "GDI+ Error", 0x32: "ARC Status", 0x36: "Status Info",
    0x37: "Monitor Layout", 0x38: "Frame Acknowledge"}
CONTROL_ACTIONS = {1: "REQUEST_CONTROL", 2: "GRANTED_CONTROL", 3: "DETACH", 4: "COOPERATE"}
INFO_TYPES = {0: "INFOTYPE_LOGON", 1: "INFOTYPE_LOGON_LONG",
              2: "INFOTYPE_LOGON_PLAINNOTIFY", 3: "INFOTYPE_LOGON_EXTENDED_INFO"}
LICENSE_TYPES = {0x01: "LICENSE_REQUEST", 0x02: "PLATFORM_CHALLENGE", 0x03: "NEW_LICENSE",
                 0x04: "UPGRADE_LICENSE", 0x12: "LICENSE_INFO", 0x13: "NEW_LICENSE_REQUEST",
                 0x15: "PLATFORM_CHALLENGE_RESPONSE", 0xFF: "ERROR_ALERT"}
LICENSE_ERRORS = {0x01: "ERR_INVALID_SERVER_CERTIFICATE", 0x02: "ERR_NO_LICENSE",
                  0x04: "ERR_INVALID_SCOPE", 0x06: "ERR_NO_LICENSE_SERVER",
                  0x07: "STATUS_VALID_CLIENT", 0x08: "ERR_INVALID_CLIENT",
                  0x0B: "ERR_INVALID_PRODUCTID", 0x0C: "ERR_INVALID_MESSAGE_LEN",
                  0x03: "ERR_INVALID_MAC"}
CAPS = {1: "General", 2: "Bitmap", 3: "Order", 4: "BitmapCache", 5: "Control",
        7: "Activation", 8: "Pointer", 9: "Share", 10: "ColorCache", 12: "Sound",
        13: "Input", 14: "Font", 15: "Brush", 16: "GlyphCache", 17: "OffscreenCache",
        18: "BitmapCacheHostSupport", 19: "BitmapCacheV2", 20: "VirtualChannel",
        21: "DrawNineGridCache", 22: "DrawGdiPlus", 23: "Rail", 24: "Window",
        25: "CompDesk", 26: "MultifragmentUpdate", 27: "LargePointer",
        28: "SurfaceCommands", 29: "BitmapCodecs", 30: "FrameAcknowledge"}
FASTPATH_UPDATES = {0: "orders", 1: "bitmap", 2: "palette", 3: "synchronize",
                    4: "surface-cmds", 5: "ptr-hidden", 6: "ptr-default",
                    8: "ptr-position", 9: "ptr-color", 10: "ptr-cached",
                    11: "ptr-new", 12: "ptr-large"}
SEC_FLAGS = [(0x0001, "EXCHANGE"), (0x0002, "TRANSPORT_REQ"), (0x0004, "TRANSPORT_RSP"),
             (0x0008, "ENCRYPT"), (0x0040, "INFO"), (0x0080, "LICENSE"),
             (0x0200, "REDIRECTION"), (0x1000, "AUTODETECT_REQ"), (0x2000, "AUTODETECT_RSP"),
             (0x4000, "HEARTBEAT")]


def per_length(data, i):
    b = data[i]
    if b & 0x80:
        return ((b & 0x7F) << 8) | data[i + 1], i + 2
    return b, i + 1


def caps_summary(data, count):
    out = []
    i = 0
    for _ in range(count):
        if i + 4 > len(data):
            break
        typ, ln = struct.unpack_from("<HH", data, i)
        body = data[i + 4:i + ln]
        name = CAPS.get(typ, "cap%d" % typ)
        extra = ""
        if typ == 1 and len(body) >= 14:
            osmaj, osmin, _, _, _, extra_flags = struct.unpack_from("<HHHHHH", body, 0)
            extra = "(os=%d/%d extraFlags=0x%x)" % (osmaj, osmin, extra_flags)
        elif typ == 2 and len(body) >= 12:
            bpp = struct.unpack_from("<H", body, 0)[0]
            w, h = struct.unpack_from("<HH", body, 8)
            extra = "(%dx%dx%d)" % (w, h, bpp)
        elif typ == 26 and len(body) >= 4:
            extra = "(%d)" % struct.unpack_from("<I", body, 0)[0]
        out.append(name + extra)
        if ln < 4:
            break
        i += ln
    return " ".join(out)


def decode_share(payload, who):
    """payload starts with a Share Control Header."""
    total, ptype, source = struct.unpack_from("<HHH", payload, 0)
    kind = ptype & 0x0F
    name = SHARE_CONTROL.get(kind, "sharecontrol%d" % kind)
    body = payload[6:total]
    if kind == 1 and len(body) >= 8:          # Demand Active
        share_id, lsd, lcc = struct.unpack_from("<IHH", body, 0)
        sd = body[8:8 + lsd]
        ncaps = struct.unpack_from("<H", body, 8 + lsd)[0]
        caps = body[12 + lsd:12 + lsd + lcc]
        return "Demand Active shareId=0x%08x source=%r caps[%d]=%s" % (
            share_id, bytes(sd), ncaps, caps_summary(caps, ncaps))
    if kind == 3 and len(body) >= 10:         # Confirm Active
        share_id, orig, lsd, lcc = struct.unpack_from("<IHHH", body, 0)
        sd = body[10:10 + lsd]
        ncaps = struct.unpack_from("<H", body, 10 + lsd)[0]
        return "Confirm Active shareId=0x%08x source=%r ncaps=%d" % (share_id, bytes(sd), ncaps)
    if kind == 7 and len(body) >= 12:         # Data
        share_id, _, stream, ulen, t2, ctype, clen = struct.unpack_from("<IBBHBBH", body, 0)
        d = body[12:]
        n2 = DATA_TYPES.get(t2, "data0x%02x" % t2)
        extra = ""
        if t2 == 0x14 and len(d) >= 8:
            action, grant, ctrl = struct.unpack_from("<HHI", d, 0)
            extra = " %s grantId=%d controlId=0x%x" % (CONTROL_ACTIONS.get(action, action), grant, ctrl)
        elif t2 == 0x26 and len(d) >= 4:
            it = struct.unpack_from("<I", d, 0)[0]
            extra = " infoType=%d (%s) len=%d" % (it, INFO_TYPES.get(it, "?"), len(d))
            if it == 3 and len(d) >= 10:
                ln, fields = struct.unpack_from("<HI", d, 4)
                extra += " fieldsPresent=0x%x" % fields
            if it == 1 and len(d) >= 20:
                extra += " sessionId=%d" % struct.unpack_from("<I", d, 4 + 4 + 52 + 4 + 512)[0] \
                    if len(d) >= 4 + 4 + 52 + 4 + 512 + 4 else ""
            if it == 2:
                extra += " (plain notify)"
        elif t2 == 0x2F and len(d) >= 4:
            extra = " errorInfo=0x%08x" % struct.unpack_from("<I", d, 0)[0]
        elif t2 == 0x36 and len(d) >= 4:
            extra = " statusCode=0x%08x" % struct.unpack_from("<I", d, 0)[0]
        elif t2 == 0x1F and len(d) >= 4:
            extra = " targetUser=%d" % struct.unpack_from("<H", d, 2)[0]
        elif t2 == 0x02 and len(d) >= 2 and not ctype & 0x20:
            extra = " updateType=%d" % struct.unpack_from("<H", d, 0)[0]
        elif t2 == 0x37 and len(d) >= 4:
            extra = " monitors=%d" % struct.unpack_from("<I", d, 0)[0]
        if ctype & 0x20:
            extra += " (compressed type %d)" % (ctype & 0x0F)
        return "Data/%s%s" % (n2, extra)
    return name


def decode_io(payload, phase):
    """One MCS SendData payload on the I/O (or message) channel."""
    if len(payload) >= 6:
        total, ptype = struct.unpack_from("<HH", payload, 0)
        if total == len(payload) and (ptype & 0xFFF0) == 0x0010 and (ptype & 0x0F) in SHARE_CONTROL:
            return decode_share(payload, phase)
        if total == 0x8000 and len(payload) == 2:
            return "Flow PDU"
    if len(payload) >= 4:
        flags = struct.unpack_from("<H", payload, 0)[0]
        names = [n for bit, n in SEC_FLAGS if flags & bit]
        body = payload[4:]
        if flags & 0x0080 and len(body) >= 4:
            mt, mf, size = struct.unpack_from("<BBH", body, 0)
            s = "License %s (secflags=%s)" % (LICENSE_TYPES.get(mt, "0x%02x" % mt), "|".join(names))
            if mt == 0xFF and len(body) >= 12:
                code, trans = struct.unpack_from("<II", body, 4)
                s += " code=0x%x (%s) transition=%d" % (code, LICENSE_ERRORS.get(code, "?"), trans)
            return s
        if flags & 0x0040:
            return "Client Info (secflags=%s, %d bytes)" % ("|".join(names), len(body))
        if names:
            # a security header followed by a Share Control PDU?
            if len(body) >= 6:
                total, ptype = struct.unpack_from("<HH", body, 0)
                if total == len(body) and (ptype & 0x0F) in SHARE_CONTROL:
                    return "[sec %s] %s" % ("|".join(names), decode_share(body, phase))
            return "SecHdr %s (%d bytes) %s" % ("|".join(names), len(body), body[:16].hex())
    return "? %s" % payload[:24].hex()


def decode_slow(pdu, state):
    x = pdu[4:]
    if len(x) >= 2 and (x[1] & 0xF0) in (0xE0, 0xD0):
        return "X.224 %s" % ("Connection Request" if x[1] & 0xF0 == 0xE0 else "Connection Confirm")
    if x[:3] != b"\x02\xf0\x80":
        return "X.224? %s" % x[:8].hex()
    m = x[3:]
    if m[:2] == b"\x7f\x65":
        return "MCS Connect-Initial"
    if m[:2] == b"\x7f\x66":
        return "MCS Connect-Response"
    t = m[0] >> 2
    names = {1: "Erect Domain Request", 8: "DPUm (Disconnect Provider Ultimatum)",
             10: "Attach User Request", 11: "Attach User Confirm",
             14: "Channel Join Request", 15: "Channel Join Confirm"}
    if t == 11 and len(m) >= 4:
        state["user"] = struct.unpack(">H", m[2:4])[0] + 1001
        return "MCS Attach User Confirm user=%d" % state["user"]
    if t == 14 and len(m) >= 5:
        return "MCS Channel Join Request %d" % struct.unpack(">H", m[3:5])[0]
    if t == 15 and len(m) >= 8:
        return "MCS Channel Join Confirm %d" % struct.unpack(">H", m[4:6])[0]
    if t in (25, 26):
        initiator, channel = struct.unpack(">HH", m[1:5])
        ln, i = per_length(m, 6)
        payload = m[i:i + ln]
        if channel == 1003 or channel == state.get("msgchan") or channel == state.get("user"):
            return "ch%d %s" % (channel, decode_io(payload, state))
        return "ch%d virtual channel %d bytes" % (channel, len(payload))
    if t in names:
        return "MCS " + names[t]
    return "MCS type %d" % t


def decode_fastpath(pdu, to_client):
    b0 = pdu[0]
    ln = pdu[1]
    i = 2
    if ln & 0x80:
        i = 3
    data = pdu[i:]
    if not to_client:
        return "fast-path input (%d events)" % ((b0 >> 2) & 0x0F)
    if (b0 >> 6) & 0x02:
        return "fast-path output (encrypted)"
    kinds = []
    j = 0
    while j < len(data):
        hdr = data[j]
        code = hdr & 0x0F
        frag = (hdr >> 4) & 0x03
        comp = (hdr >> 6) & 0x03
        j += 1
        if comp & 0x02:
            j += 1
        if j + 2 > len(data):
            break
        size = struct.unpack_from("<H", data, j)[0]
        j += 2 + size
        kinds.append(FASTPATH_UPDATES.get(code, "update%d" % code) + ("" if frag == 0 else "/frag"))
    return "fast-path " + ",".join(kinds)


def split_pdus(stream):
    """Yield complete PDUs (TPKT or fast-path) from a bytes buffer; return the rest."""
    out = []
    i = 0
    while i + 2 <= len(stream):
        if stream[i] == 3:
            if i + 4 > len(stream):
                break
            ln = struct.unpack(">H", stream[i + 2:i + 4])[0]
        elif stream[i] == 0x30:                      # CredSSP TSRequest (DER)
            b = stream[i + 1]
            if b & 0x80:
                k = b & 0x7F
                if i + 2 + k > len(stream):
                    break
                ln = 2 + k + int.from_bytes(stream[i + 2:i + 2 + k], "big")
            else:
                ln = 2 + b
        else:
            ln = stream[i + 1]
            if ln & 0x80:
                if i + 3 > len(stream):
                    break
                ln = ((ln & 0x7F) << 8) | stream[i + 2]
        if ln < 2 or i + ln > len(stream):
            break
        out.append(stream[i:i + ln])
        i += ln
    return out, stream[i:]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file")
    ap.add_argument("--conn", type=int)
    ap.add_argument("--all", action="store_true", help="do not fold repeated lines")
    ap.add_argument("--hex", action="store_true", help="print each PDU's first 48 bytes")
    args = ap.parse_args()
    bufs = defaultdict(bytes)
    states = defaultdict(dict)
    t0 = {}
    last = None      # text of the line being folded
    stamp = ""
    count = 0

    def flush():
        nonlocal last, count
        if last is not None:
            print(stamp + last + (" x%d" % count if count > 1 else ""))
        last, count = None, 0

    with open(args.file) as fh:
        for line in fh:
            parts = line.split()
            if len(parts) != 4:
                continue
            ts, conn, direction, hexdata = float(parts[0]), int(parts[1]), parts[2], parts[3]
            if args.conn is not None and conn != args.conn:
                continue
            t0.setdefault(conn, ts)
            key = (conn, direction)
            bufs[key] += bytes.fromhex(hexdata)
            pdus, bufs[key] = split_pdus(bufs[key])
            for pdu in pdus:
                to_client = direction == "S>C"
                if pdu[0] == 3:
                    desc = decode_slow(pdu, states[conn])
                elif pdu[0] == 0x30:
                    j = pdu.find(b"NTLMSSP\0")
                    desc = "CredSSP TSRequest" + (
                        " NTLM type %d" % pdu[j + 8] if 0 <= j < len(pdu) - 8 else "")
                else:
                    desc = decode_fastpath(pdu, to_client)
                text = "conn %d %s %s" % (conn, "S->C" if to_client else "C->S", desc)
                if args.hex:
                    text += "  [%d] %s" % (len(pdu), pdu[:48].hex())
                folded = desc.startswith("fast-path") or "virtual channel" in desc
                if not args.all and folded and text == last:
                    count += 1
                    continue
                flush()
                stamp = "%8.3f " % (ts - t0[conn])
                last, count = text, 1
    flush()


if __name__ == "__main__":
    main()
