#!/usr/bin/env python3
"""Writes the seed corpora of Fuzz/corpus/<target>/ (docs/FUZZING.md).

Sources: the public Windows 7 -> Server 2008 R2 capture in
../shared/captures/windows (its TLS part decrypted with the server key that
ships beside it, through tshark), byte vectors of the unit tests
(Tests/**/*.swift: hex("...") blocks and base64 DER), and a few inputs
written here from the specifications. Every seed is a few KB at most.

    python3 Fuzz/make-seeds.py [CAPTURES_DIR]
"""
import base64
import os
import re
import struct
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "Fuzz", "corpus")
CAPTURES = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(ROOT), "shared", "captures")
MAX_SEED = 8 * 1024


def write(target, name, data):
    data = bytes(data)[:MAX_SEED]
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


# MARK: - The capture


def tshark_server_payloads(pcap, key, side="tcp.srcport==3389"):
    """(section, payload) of one side's TLS records and plaintext (the server's by default)."""
    cmd = ["tshark", "-r", pcap, "-d", "tcp.port==3389,tls", "-o", 'uat:rsa_keys:"%s",""' % key,
           "-Y", side + " && tcp.len > 0", "-x", "-T", "text"]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        print("make-seeds: tshark failed (%s); the capture's seeds are skipped" % error, file=sys.stderr)
        return []
    frames = []
    section, data = None, bytearray()
    for line in out.splitlines() + [""]:
        header = re.match(r"^(Frame|Decrypted TLS|Reassembled TCP) \((\d+) bytes\):", line)
        if header or not line.strip():
            if section is not None and data:
                frames.append((section, bytes(data)))
            section, data = (header.group(1) if header else None), bytearray()
            continue
        row = re.match(r"^[0-9a-f]{4}  ((?:[0-9a-f]{2} ){1,16})", line)
        if section and row:
            data += bytes.fromhex(row.group(1).replace(" ", ""))
    return frames


def capture_seeds():
    folder = os.path.join(CAPTURES, "windows")
    pcap = os.path.join(folder, "nla_win7_win2k8r2.pcap")
    if not os.path.exists(pcap):
        print("make-seeds: no capture at %s; its seeds are skipped" % pcap, file=sys.stderr)
        return None
    sections = tshark_server_payloads(pcap, os.path.join(folder, "W2K8R2.key"))
    # Plain frames: the X.224 confirm is the first TPKT the server sends.
    plain = [d for s, d in sections if s == "Frame"]
    confirm = None
    for frame in plain:
        at = frame.find(b"\x03\x00\x00\x13\x0e\xd0")
        if at >= 0:
            confirm = frame[at:at + 19]
            break
    # Decrypted records: TSRequests (0x30), TPKT frames (0x03), fast-path; not the handshake's Finished (0x14).
    decrypted = [d for s, d in sections if s == "Decrypted TLS" and d[:1] != b"\x14"]
    certificate = None
    hexcert = subprocess.run(
        ["tshark", "-r", pcap, "-d", "tcp.port==3389,tls", "-Y", "tls.handshake.type==11", "-T", "fields",
         "-e", "tls.handshake.certificate"], capture_output=True, text=True).stdout.split()
    if hexcert:
        certificate = bytes.fromhex(hexcert[0].split(",")[0])
    return confirm, decrypted, certificate


def tshark_records(pcap, side):
    """The raw TLS application data records one side sent (encrypted), as on the wire."""
    out = subprocess.run(["tshark", "-r", pcap, "-d", "tcp.port==3389,tls", "-Y", side + " && tls.record.content_type==23",
                          "-T", "fields", "-e", "tcp.payload"], capture_output=True, text=True).stdout.split()
    return [bytes.fromhex(line.replace(":", "")) for line in out]


def decryption_seeds(vectors):
    """Seeds for tls-records, decrypted-traffic and mcs-connect-initial from the Windows captures
    (both sides decrypted with their server keys), the RSA key files and written key logs."""
    folder = os.path.join(CAPTURES, "windows")
    pairs = [("nla_win7_win2k8r2.pcap", "W2K8R2.key"), ("mstsc_remoteapp.pcap", "W2K8R2SP1.key")]
    for pcap_name, key_name in pairs:
        pcap, key = os.path.join(folder, pcap_name), os.path.join(folder, key_name)
        if not os.path.exists(pcap) or not os.path.exists(key):
            print("make-seeds: no %s; its decryption seeds are skipped" % pcap, file=sys.stderr)
            continue
        stem = os.path.splitext(pcap_name)[0]
        # tls-records: [suite index, version | encrypt-then-MAC] + a record stream. The
        # capture's encrypted records, opened under a few suites and versions.
        records = b"".join(tshark_records(pcap, "tcp.srcport==3389")[:6])[:MAX_SEED - 2]
        for suite, version in ((0, 1), (3, 3), (5, 2), (8, 3 | 4), (10, 3)):
            write("tls-records", "%s-suite%d-v%d" % (stem, suite, version), bytes([suite, version]) + records)
        # decrypted-traffic: the first byte splits the rest into client and server plaintext.
        client = [d for sec, d in tshark_server_payloads(pcap, key, "tcp.dstport==3389") if sec == "Decrypted TLS" and d[:1] != b"\x14"]
        server = [d for sec, d in tshark_server_payloads(pcap, key) if sec == "Decrypted TLS" and d[:1] != b"\x14"]
        up, down = b"".join(client)[:2048], b"".join(server)[:2047]
        if up and down:
            split = min(255, (len(up) * 255 + len(up) + len(down) - 1) // (len(up) + len(down)))
            write("decrypted-traffic", stem + "-both", bytes([split]) + up + down)
        # mcs-connect-initial: the client's Connect Initial (TPKT, X.224 data, BER 0x7F 0x65).
        plain = b"".join(client)
        at = plain.find(b"\x02\xf0\x80\x7f\x65")
        if at >= 4 and plain[at - 4] == 3:
            frame = plain[at - 4:at - 4 + struct.unpack(">H", plain[at - 2:at])[0]]
            write("mcs-connect-initial", stem, frame)
            write("mcs-connect-initial", stem + "-cut", frame[:len(frame) * 2 // 3])
        # The server's RSA key as DER, behind the two selector bytes.
        pem = open(key).read()
        body = "".join(line for line in pem.splitlines() if line and not line.startswith("-----"))
        write("tls-records", key_name + "-der", b"\x00\x03" + base64.b64decode(body))
    # Key logs as SSLKEYLOGFILE writes them: TLS 1.2 and TLS 1.3 labels.
    random, secret = "ab" * 32, "cd" * 48
    lines = ["# SSL/TLS secrets log file", "CLIENT_RANDOM %s %s" % (random, secret)]
    lines += ["%s %s %s" % (label, random, "ef" * 32) for label in
              ("CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0")]
    write("tls-records", "keylog", b"\x00\x00" + ("\n".join(lines) + "\n").encode())
    # The specification's Connect Initial (MS-RDPBCGR 4.1.3), rebuilt from the encoder's test.
    spec = vectors.get("MCSConnectInitial")
    if spec:
        write("mcs-connect-initial", "ms-rdpbcgr-4.1.3", spec)


def tpkt_frames(stream):
    """Slow-path TPKT frames and fast-path PDUs, in order."""
    frames, i = [], 0
    while i + 4 <= len(stream):
        if stream[i] == 3:
            length = struct.unpack(">H", stream[i + 2:i + 4])[0]
        elif stream[i] & 3 == 0:
            length = stream[i + 1]
            if length & 0x80:
                length = ((length & 0x7F) << 8) | stream[i + 2]
        else:
            break
        if length < 2 or i + length > len(stream):
            break
        frames.append(stream[i:i + length])
        i += length
    return frames


def mcs_user_data(frame):
    """The user data of an MCS Send Data Indication inside a TPKT frame."""
    if len(frame) < 14 or frame[0] != 3 or frame[7] >> 2 != 26:
        return None
    length, at = frame[13], 14
    if length & 0x80:
        length, at = ((length & 0x7F) << 8) | frame[14], 15
    return frame[at:at + length]


# MARK: - Test vectors


def test_hex_blocks():
    """name -> bytes for hex(\"\"\"...\"\"\") and hex("...") vectors in the unit tests."""
    found = {}
    pattern = re.compile(r'static let (\w+) = hex\((?:"""(.*?)"""|"([0-9a-fA-F ]*)")\)', re.S)
    for folder, _, files in os.walk(os.path.join(ROOT, "Tests")):
        for file in files:
            if not file.endswith(".swift"):
                continue
            text = open(os.path.join(folder, file), encoding="utf-8").read()
            for match in pattern.finditer(text):
                digits = re.sub(r"[^0-9a-fA-F]", "", match.group(2) or match.group(3) or "")
                if len(digits) % 2 == 0 and digits:
                    found[os.path.splitext(file)[0] + "." + match.group(1)] = bytes.fromhex(digits)
    return found


def test_certificates():
    """DER certificates written as base64 in the test fixtures."""
    certs = []
    for folder, _, files in os.walk(os.path.join(ROOT, "Tests")):
        for file in files:
            if file.endswith(".swift"):
                text = open(os.path.join(folder, file), encoding="utf-8").read()
                for match in re.finditer(r'"(MII[A-Za-z0-9+/=\s\\]{200,}?)"', text):
                    try:
                        certs.append(base64.b64decode(re.sub(r"[^A-Za-z0-9+/=]", "", match.group(1))))
                    except ValueError:
                        pass
    return certs


def spec_connect_initial():
    """MS-RDPBCGR 4.1.3's Connect Initial from Tests/RDPProtocolTests/MCSConnectInitialTests.swift
    (written there as a byte array with annotations)."""
    path = os.path.join(ROOT, "Tests", "RDPProtocolTests", "MCSConnectInitialTests.swift")
    text = open(path, encoding="utf-8").read()
    block = text[text.index("specConnectInitial: [UInt8] = ["):text.index("static var specClientData")]
    data = bytearray()
    for line in block.splitlines()[1:]:
        code = line.split("//")[0]
        repeat = re.search(r"Array\(repeating: 0, count: (\d+)\)", code)
        if repeat:
            data += bytes(int(repeat.group(1)))
            continue
        data += bytes(int(h, 16) for h in re.findall(r"0x([0-9A-Fa-f]{2})", code))
    return bytes(data) if len(data) == 416 else None


# MARK: - Scripts for the machine targets (MachineTargets.play)


def chunks(data, size=200):
    """The bytes as 'arrive' ops of at most `size` bytes (op = count - 1)."""
    out = bytearray()
    for i in range(0, len(data), size):
        piece = data[i:i + size]
        out += bytes([len(piece) - 1]) + piece
    return bytes(out)


def udp_syn_ack():
    # MS-RDPEUDP 2.2.2.1/2.2.2.5: snSourceAck, uReceiveWindowSize, uFlags (SYN|ACK), then SYNDATA.
    body = struct.pack(">IHH", 0x12345678, 64, 0x0001 | 0x0004) + struct.pack(">IHH", 0x5000, 1232, 1232)
    return body + bytes(1232 - len(body))


def gateway_seeds():
    """gateway-tunnel: what the testbed's gateway.py answers, as the target's scripts (mode, chain, ops)."""
    import base64
    import hashlib
    import importlib.util
    spec = importlib.util.spec_from_file_location("gateway", os.path.join(ROOT, "scripts", "testbed", "gateway.py"))
    gw = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gw)
    head = [("Server", "Microsoft-HTTPAPI/2.0")]
    negotiate = b"NTLMSSP\x00" + struct.pack("<I", 1) + struct.pack("<I", 0xE2088297) + bytes(16)
    challenge = gw.NtlmServer("gwuser", "pw").challenge_message(negotiate)
    ntlm_401 = gw.http_response("401 Unauthorized", head + [
        ("WWW-Authenticate", "NTLM " + base64.b64encode(challenge).decode()), ("Content-Length", "0")])
    schemes_401 = gw.http_response("401 Unauthorized", head + [
        ("WWW-Authenticate", "Negotiate"), ("WWW-Authenticate", "NTLM"), ("Content-Length", "0")])
    # The harness's random bytes are all 0x5A: the WebSocket key is known.
    key = base64.b64encode(b"\x5a" * 16)
    accept = base64.b64encode(hashlib.sha1(key + gw.WS_GUID).digest()).decode()
    upgraded = gw.http_response("101 Switching Protocols", head + [
        ("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", accept)])
    confirm = bytes.fromhex("030000130ed000001234000201000000")[:11] + bytes.fromhex("0200080001000000")
    packets = [gw.packet(gw.HANDSHAKE_RESPONSE, struct.pack("<IBBHH", 0, 1, 0, 0, 0)),
               gw.packet(gw.TUNNEL_RESPONSE, struct.pack("<HIHHII", 0, 0, 0x3, 0, 7, 0x3)),
               gw.packet(gw.TUNNEL_AUTH_RESPONSE, struct.pack("<IHHII", 0, 0x3, 0, 0, 30)),
               gw.packet(gw.CHANNEL_RESPONSE, struct.pack("<IHHI", 0, 0x1, 0, 7)),
               gw.packet(gw.DATA, struct.pack("<H", len(confirm)) + confirm)]
    closing = [gw.packet(gw.CLOSE_CHANNEL, struct.pack("<I", 0)), gw.packet(gw.CLOSE_CHANNEL_RESPONSE, struct.pack("<I", 0))]
    framed = b"".join(chunks(gw.ws_frame(p)) for p in packets)
    plaintext = b"\xe6" + bytes([len(b"\x03\x00\x00\x08\x02\xf0\x80\x21") - 1]) + b"\x03\x00\x00\x08\x02\xf0\x80\x21"
    write("gateway-tunnel", "websocket-walk", b"\x07\x00" + chunks(ntlm_401) + chunks(upgraded) + framed + plaintext
          + b"".join(chunks(gw.ws_frame(p)) for p in closing) + b"\xe1")
    write("gateway-tunnel", "websocket-probe", b"\x03\x00" + chunks(ntlm_401) + chunks(upgraded) + framed
          + b"".join(chunks(gw.ws_frame(p)) for p in closing))
    write("gateway-tunnel", "websocket-hold", b"\x0f\x00" + chunks(ntlm_401) + chunks(upgraded) + framed
          + b"\xe5\x3a\x98" + b"".join(chunks(gw.ws_frame(p)) for p in closing))
    write("gateway-tunnel", "account-walk", b"\x17\x00" + chunks(ntlm_401) + chunks(upgraded) + framed + b"\xe1")
    write("gateway-tunnel", "no-credentials", b"\x04\x00" + chunks(schemes_401) + b"\xe1")
    write("gateway-tunnel", "withheld", b"\x05\x00" + chunks(ntlm_401) + b"\xe1")
    rap = gw.packet(gw.CHANNEL_RESPONSE, struct.pack("<IHH", 0x800759DA, 0, 0))
    write("gateway-tunnel", "rap-denied", b"\x07\x00" + chunks(ntlm_401) + chunks(upgraded)
          + b"".join(chunks(gw.ws_frame(p)) for p in packets[:3] + [rap]) + b"\xe1")
    write("gateway-tunnel", "not-found", b"\x07\x00" + chunks(gw.http_response("404 Not Found", [
        ("Server", "Microsoft-IIS/10.0"), ("Content-Length", "9")], b"not found")) + b"\xe1")
    basic = gw.http_response("401 Unauthorized", head + [("WWW-Authenticate", 'Basic realm="RD Gateway"'),
                                                         ("Content-Length", "0")])
    write("gateway-tunnel", "basic", b"\x07\x00" + chunks(basic) + chunks(upgraded) + framed + b"\xe1")
    # The legacy transport: the OUT channel's 200 and seed, the IN channel's 401 and 200
    # on the second connection, then bare packets on the first.
    legacy_out = gw.http_response("200 OK", head) + bytes(10)
    in_ok = gw.http_response("200 OK", head + [("Content-Length", "0")])
    second = lambda data: b"\xe9" + struct.pack(">H", len(data)) + data
    write("gateway-tunnel", "legacy-walk", b"\x07\x00" + chunks(ntlm_401) + chunks(legacy_out) + second(ntlm_401)
          + second(in_ok) + b"".join(chunks(p) for p in packets) + b"".join(chunks(p) for p in closing) + b"\xea")


def main():
    vectors = test_hex_blocks()
    decryption_seeds({"MCSConnectInitial": spec_connect_initial()})
    certs = test_certificates()
    capture = capture_seeds()
    confirm, decrypted, leaf = capture if capture else (None, [], None)
    server_tls = b"".join(decrypted)
    tsrequests = []
    for d in decrypted:
        if d[:1] == b"\x30" and d not in tsrequests:
            tsrequests.append(d)
    frames = [f for d in decrypted if d[:1] != b"\x30" for f in tpkt_frames(d)]
    slow = [f for f in frames if f[0] == 3]

    confirm = confirm or bytes.fromhex("030000130ed000001234000201080001000000")
    no_negotiation = bytes.fromhex("030000 0b 06d0 0000 1234 00".replace(" ", ""))
    write("x224", "confirm-windows", confirm)
    write("x224", "confirm-no-negotiation", no_negotiation)
    write("x224", "failure-hybrid-required", bytes.fromhex("030000130ed00000123400030008000500000000"[:38]))
    write("x224", "request-cookie", bytes.fromhex("0300002f2ae00000000000") + b"Cookie: mstshash=rdpdoctor\r\n"
          + bytes.fromhex("0100080003000000"))
    write("tpkt", "windows-session", b"\x40" + confirm + server_tls[:4000])
    write("tpkt", "fast-path", b"\x80" + b"".join(f for f in frames if f[0] != 3)[:2000])

    counts = {}

    def keep(target, name, data, limit):
        if counts.get(target, 0) < limit:
            counts[target] = counts.get(target, 0) + 1
            write(target, name, data)

    for index, frame in enumerate(slow):
        if index == 0:
            write("mcs-connect-response", "windows-2008r2", frame)
            at = frame.find(b"\x01\x0c")
            if at > 0:
                write("server-data", "windows-2008r2", frame[at:])
            continue
        data = mcs_user_data(frame)
        keep("mcs-domain", "windows-%02d" % index, frame, 10)
        if data is None or len(data) < 6:
            continue
        # A licensing PDU follows a security header with SEC_LICENSE_PKT (0x0080) and
        # a message type (MS-RDPELE 2.2.2); anything else here is a share PDU.
        if data[0:2] == b"\x80\x00" and data[4] in (1, 2, 3, 4, 0xFF):
            keep("licensing", "windows-%02d" % index, data, 4)
            keep("licensing", "windows-%02d-bare" % index, data[4:], 8)
        else:
            keep("share", "windows-%02d" % index, data, 12)
    write("redirection", "minimal", struct.pack("<HHI", 0, 0x0400, 12) + struct.pack("<I", 0x1234))

    for index, der in enumerate(tsrequests):
        write("tsrequest", "windows-%d" % index, der)
        write("credssp-client", "windows-%d" % index, b"\x03" + der)
        at = der.find(b"NTLMSSP\x00")
        if at >= 0:
            write("ntlm", "windows-%d" % index, der[at:])
    for name, data in vectors.items():
        if name.startswith(("CapturedExchange.", "SpecVectors.")):
            if data[:1] == b"\x30":
                write("tsrequest", name, data)
                write("credssp-client", name, b"\x02" + data)
            if data[:8] == b"NTLMSSP\x00" or name.endswith("targetInfo"):
                write("ntlm", name, data)

    all_certs = ([leaf] if leaf else []) + certs
    for index, der in enumerate(all_certs[:6]):
        write("cert-audit", "cert-%d" % index, b"\x00" + der)
    if len(all_certs) >= 2:
        write("cert-audit", "chain-2-anchored", b"\x81" + struct.pack(">H", len(all_certs[1])) + all_certs[1] + all_certs[2 % len(all_certs)])

    # The probe: mode, chain mode, then the script.
    nla_stream = chunks(confirm) + chunks(tsrequests[0] if tsrequests else b"")
    write("probe", "windows-nla-challenge", b"\x00\x00" + nla_stream + b"\xf1")
    write("probe", "windows-nla-credentials", b"\x30\x00" + nla_stream + chunks(tsrequests[1] if len(tsrequests) > 1 else b"") + b"\xf1")
    session = b"".join(slow[:12])
    write("probe", "windows-server-data", b"\x01\x00" + chunks(confirm) + chunks(session))
    write("probe", "rdp-security", b"\x05\x00" + chunks(no_negotiation) + chunks(session))
    write("probe", "xrdp-refusal", b"\x00\x00" + chunks(bytes.fromhex("030000 09 02f080 2180".replace(" ", ""))))
    write("probe", "http-answer", b"\x00\x00" + chunks(b"HTTP/1.1 400 Bad Request\r\n\r\n") + b"\xf1")
    write("coordinator", "windows-twice", b"\x00\x00" + (b"\x00\x00" + nla_stream + b"\xf1") * 6)
    write("coordinator", "credentials", b"\x0e\x03" + (b"\x00\x00" + nla_stream + b"\xf1") * 6)
    write("service", "rd-gateway", b"\x00" + chunks(b"HTTP/1.1 401 Unauthorized\r\nServer: Microsoft-HTTPAPI/2.0\r\n"
                                                    b"WWW-Authenticate: Negotiate\r\nWWW-Authenticate: NTLM\r\n\r\n") + b"\xf1")
    write("service", "not-http", b"\x00" + chunks(b"SSH-2.0-OpenSSH_9.2\r\n") + b"\xf2")
    syn_ack = udp_syn_ack()
    write("udp", "syn-ack", b"\x02\xf4" + struct.pack(">H", len(syn_ack)) + syn_ack)
    write("udp", "garbage", b"\x01\x10" + bytes(range(17)) + b"\xf0\xf0")
    write("rdpudp", "syn-ack", syn_ack)
    gateway_seeds()

    write("explain", "pair", b"0x904 0x7")
    write("explain", "freerdp-line", b"ERRCONNECT_CONNECT_TRANSPORT_FAILED [0x0002000D]")
    write("explain", "dialog-utf16", b"\xff\xfe" + "Your computer could not connect.\r\nError code: 0x904\r\n"
          "Extended error code: 0x7\r\nerrinfo:7 0xC000006D".encode("utf-16-le"))
    write("explain", "words", b"certificate expired\x00--details")
    rdp = os.path.join(CAPTURES, "windows", "firefox.rdp")
    samples = [open(rdp, "rb").read()] if os.path.exists(rdp) else []
    samples.append(b"full address:s:[::1]:3390\r\nserver port:i:3389\r\nauthentication level:i:2\r\n"
                   b"enablecredsspsupport:i:0\r\ngatewayusagemethod:i:1\r\nusername:s:CORP\\alice\r\nscreen mode id:i:9\r\n"
                   b"fulladdress:s:host\r\nuse redirection server name:i:x\r\n")
    for index, sample in enumerate(samples):
        write("rdpfile", "file-%d" % index, sample)
        write("rdplint", "file-%d" % index, sample)


if __name__ == "__main__":
    main()
