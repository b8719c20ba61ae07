#!/usr/bin/env python3
"""Userspace packet relay for the rdpdoctor network lab (stdlib only).

It runs inside the lab's router namespace and takes packets from the kernel
through NFQUEUE (netfilter's userspace queue, spoken here over a raw netlink
socket), so the lab needs no netem qdisc (this kernel has none).

Queue 0, the delay queue (--delay-queue): iptables in the router sends every
packet that crosses the client link to it, tagged by hook:
  PREROUTING  -i <client link>  = client -> server direction
  POSTROUTING -o <client link>  = server -> client direction (forwarded packets
                                  and the router's own, e.g. injected resets)
Each packet is held for DELAY +- JITTER ms (uniform) and then accepted. By
default a direction stays in order (a packet is never released before the one
queued ahead of it in the same direction); --reorder lets jitter reorder.
The kernel queue is bounded (--queue-maxlen; when full the kernel drops the
new packet, like a tail-drop queue) and so is the relay's own heap.

Queue 1, the TLS reset queue (--tls-reset-queue): iptables sends the server's
first TLS record (the packet that starts its TLS handshake flight) here. The
relay cuts that segment after its first TLS record (the ServerHello), lets
that through and then injects, from the router, a TCP RST to the client (with
the next sequence number, so the client accepts it) and a RST to the server.
The client sees the TLS handshake start and then a reset in the middle of it.

Queue 2, the drop-and-reset queue (--drop-reset-queue): iptables sends a
segment here (the client's first data after the X.224 Connection Confirm).
The relay drops it and resets both ends: a RST to the sender as if from the
receiver, and a RST to the receiver as if from the sender (both in sequence),
like a firewall that kills the connection. Resetting the server too matters:
otherwise each xrdp child would wait for that segment for ever.

Queue 3, the zero-window queue (--zero-window-queue): iptables sends here
every segment from the server to the client once the server has sent its
X.224 Connection Confirm. The relay sets each one's TCP window to 0 (the
checksum fixed) and lets it through: the client sees a server that answered
and then stopped reading, and can send nothing more; its kernel's
zero-window probes are answered, with a window of 0 again.

The relay exits on SIGTERM/SIGINT, when its max lifetime (--max-seconds) has
passed, or when the netlink socket fails. On exit it releases (accepts) every
packet it still holds. While it is not running the NFQUEUE rules drop the
packets (no --queue-bypass), so a dead relay shows as a dead path, never as a
silently undelayed one.
"""

import argparse
import heapq
import os
import random
import select
import signal
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET = 0
NFQNL_MSG_VERDICT = 1
NFQNL_MSG_CONFIG = 2
NLM_F_REQUEST = 1
NLM_F_ACK = 4
NLMSG_ERROR = 2
NLMSG_DONE = 3

NFQA_PACKET_HDR = 1
NFQA_VERDICT_HDR = 2
NFQA_PAYLOAD = 10
NFQA_CFG_CMD = 1
NFQA_CFG_PARAMS = 2
NFQA_CFG_QUEUE_MAXLEN = 3
NFQNL_CFG_CMD_BIND = 1
NFQNL_CFG_CMD_UNBIND = 2
NFQNL_COPY_META = 1
NFQNL_COPY_PACKET = 2
NF_DROP = 0
NF_ACCEPT = 1

HOOK_PREROUTING = 0
HOOK_POSTROUTING = 4

RUNNING = True


def log(msg):
    sys.stderr.write("%s relay: %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


def nla(attr_type, payload):
    length = 4 + len(payload)
    pad = (4 - length % 4) % 4
    return struct.pack("=HH", length, attr_type) + payload + b"\0" * pad


def parse_attrs(data):
    attrs = {}
    pos = 0
    while pos + 4 <= len(data):
        length, attr_type = struct.unpack_from("=HH", data, pos)
        if length < 4:
            break
        attrs[attr_type & 0x7FFF] = data[pos + 4:pos + length]
        pos += (length + 3) & ~3
    return attrs


class NfQueue:
    def __init__(self, rcvbuf):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
        try:  # SO_RCVBUFFORCE (33) ignores rmem_max; we are root
            self.sock.setsockopt(socket.SOL_SOCKET, 33, rcvbuf)
        except OSError:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.bind((0, 0))
        self.seq = 0

    def _msg(self, msg_type, queue, attrs, flags=NLM_F_REQUEST):
        self.seq += 1
        body = struct.pack("=BBH", socket.AF_UNSPEC, 0, socket.htons(queue)) + attrs
        hdr = struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | msg_type,
                          flags, self.seq, 0)
        return hdr + body

    def _request(self, msg_type, queue, attrs):
        self.sock.sendto(self._msg(msg_type, queue, attrs, NLM_F_REQUEST | NLM_F_ACK), (0, 0))
        self.sock.settimeout(2.0)
        try:
            while True:
                data = self.sock.recv(65536)
                pos = 0
                while pos + 16 <= len(data):
                    length, typ, _flags, seq, _pid = struct.unpack_from("=IHHII", data, pos)
                    if typ == NLMSG_ERROR and seq == self.seq:
                        err = struct.unpack_from("=i", data, pos + 16)[0]
                        if err:
                            raise OSError(-err, os.strerror(-err))
                        return
                    pos += (length + 3) & ~3
        finally:
            self.sock.settimeout(None)

    def bind(self, queue, copy_mode, copy_range, maxlen):
        # Unbind first in case a previous relay left the queue bound.
        try:
            self._request(NFQNL_MSG_CONFIG, queue,
                          nla(NFQA_CFG_CMD, struct.pack("=BBH", NFQNL_CFG_CMD_UNBIND, 0, 0)))
        except OSError:
            pass
        self._request(NFQNL_MSG_CONFIG, queue,
                      nla(NFQA_CFG_CMD, struct.pack("=BBH", NFQNL_CFG_CMD_BIND, 0,
                                                    socket.htons(socket.AF_INET))))
        self._request(NFQNL_MSG_CONFIG, queue,
                      nla(NFQA_CFG_PARAMS, struct.pack(">IB", copy_range, copy_mode)))
        self._request(NFQNL_MSG_CONFIG, queue,
                      nla(NFQA_CFG_QUEUE_MAXLEN, struct.pack(">I", maxlen)))

    def unbind(self, queue):
        try:
            self.sock.sendto(self._msg(NFQNL_MSG_CONFIG, queue,
                                       nla(NFQA_CFG_CMD, struct.pack("=BBH", NFQNL_CFG_CMD_UNBIND,
                                                                     0, 0))), (0, 0))
        except OSError:
            pass

    def verdict(self, queue, packet_id, verdict, payload=None):
        attrs = nla(NFQA_VERDICT_HDR, struct.pack(">II", verdict, packet_id))
        if payload is not None:
            attrs += nla(NFQA_PAYLOAD, payload)
        self.sock.sendto(self._msg(NFQNL_MSG_VERDICT, queue, attrs), (0, 0))

    def packets(self):
        """Drain the socket without blocking; yield (queue, id, hook, payload)."""
        while True:
            try:
                data = self.sock.recv(262144, socket.MSG_DONTWAIT)
            except BlockingIOError:
                return
            except OSError as exc:
                if exc.errno == 105:  # ENOBUFS: netlink overrun; packets are still queued
                    log("netlink ENOBUFS (receive buffer overrun)")
                    continue
                raise
            pos = 0
            while pos + 16 <= len(data):
                length, typ, _flags, _seq, _pid = struct.unpack_from("=IHHII", data, pos)
                if length < 16:
                    break
                if typ == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
                    queue = socket.ntohs(struct.unpack_from("=H", data, pos + 18)[0])
                    attrs = parse_attrs(data[pos + 20:pos + length])
                    hdr = attrs.get(NFQA_PACKET_HDR)
                    if hdr:
                        packet_id, _proto, hook = struct.unpack(">IHB", hdr[:7])
                        yield queue, packet_id, hook, attrs.get(NFQA_PAYLOAD)
                elif typ == NLMSG_ERROR:
                    err = struct.unpack_from("=i", data, pos + 16)[0]
                    if err:
                        log("netlink error %d (%s)" % (err, os.strerror(-err)))
                pos += (length + 3) & ~3


# ------------------------------------------------------------ packet helpers
def csum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF


def build_ipv4_tcp(src, dst, sport, dport, seq, ack, flags, payload=b"", ident=0,
                   window=0, tcp_options=b""):
    tcp_len = 20 + len(tcp_options)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      (tcp_len // 4) << 4, flags, window, 0, 0) + tcp_options + payload
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    total = 20 + len(tcp)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, ident, 0x4000, 64, 6, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + tcp


def parse_tcp(pkt):
    if not pkt or len(pkt) < 40 or pkt[0] >> 4 != 4 or pkt[9] != 6:
        return None
    ihl = (pkt[0] & 0x0F) * 4
    total = struct.unpack("!H", pkt[2:4])[0]
    tcp = pkt[ihl:total]
    doff = (tcp[12] >> 4) * 4
    sport, dport, seq, ack = struct.unpack("!HHII", tcp[:12])
    return {
        "src": socket.inet_ntoa(pkt[12:16]), "dst": socket.inet_ntoa(pkt[16:20]),
        "ihl": ihl, "sport": sport, "dport": dport, "seq": seq, "ack": ack,
        "flags": tcp[13], "doff": doff, "payload": tcp[doff:],
    }


def truncate_tcp(pkt, info, keep):
    """Return pkt with its TCP payload cut to `keep` bytes and checksums fixed."""
    ihl, doff = info["ihl"], info["doff"]
    ip = bytearray(pkt[:ihl])
    tcp = bytearray(pkt[ihl:ihl + doff]) + info["payload"][:keep]
    struct.pack_into("!H", ip, 2, ihl + len(tcp))
    struct.pack_into("!H", ip, 10, 0)
    struct.pack_into("!H", ip, 10, csum(bytes(ip)))
    struct.pack_into("!H", tcp, 16, 0)
    pseudo = bytes(ip[12:20]) + struct.pack("!BBH", 0, 6, len(tcp))
    struct.pack_into("!H", tcp, 16, csum(pseudo + bytes(tcp)))
    return bytes(ip) + bytes(tcp)


def zero_window_tcp(pkt, info):
    """Return pkt with its TCP window set to 0 and its checksum fixed."""
    ihl = info["ihl"]
    total = struct.unpack("!H", pkt[2:4])[0]
    tcp = bytearray(pkt[ihl:total])
    struct.pack_into("!H", tcp, 14, 0)
    struct.pack_into("!H", tcp, 16, 0)
    pseudo = bytes(pkt[12:20]) + struct.pack("!BBH", 0, 6, len(tcp))
    struct.pack_into("!H", tcp, 16, csum(pseudo + bytes(tcp)))
    return bytes(pkt[:ihl]) + bytes(tcp)


# ------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--delay-queue", type=int, help="NFQUEUE number for delay")
    ap.add_argument("--tls-reset-queue", type=int,
                    help="NFQUEUE number: cut after the first TLS record, reset both ends")
    ap.add_argument("--zero-window-queue", type=int,
                    help="NFQUEUE number whose segments get a TCP window of 0")
    ap.add_argument("--drop-reset-queue", type=int,
                    help="NFQUEUE number: drop the segment, reset both ends")
    ap.add_argument("--delay-ms", type=float, default=0.0,
                    help="one-way delay per direction (ms)")
    ap.add_argument("--jitter-ms", type=float, default=0.0,
                    help="uniform +- jitter added to each packet's delay (ms)")
    ap.add_argument("--reorder", action="store_true",
                    help="let jitter reorder packets within a direction")
    ap.add_argument("--seed", type=int, help="random seed (jitter)")
    ap.add_argument("--queue-maxlen", type=int, default=4096,
                    help="kernel queue length and relay heap bound (packets)")
    ap.add_argument("--max-seconds", type=float, default=7200.0,
                    help="exit after this many seconds (default 2 h)")
    ap.add_argument("--ready-file", help="created once the queues are bound")
    ap.add_argument("--stats-file", help="written on exit (and on SIGUSR1)")
    args = ap.parse_args()
    if args.delay_queue is None and args.tls_reset_queue is None \
            and args.drop_reset_queue is None and args.zero_window_queue is None:
        ap.error("nothing to do: give --delay-queue and/or a reset queue")

    rng = random.Random(args.seed)
    delay = args.delay_ms / 1000.0
    jitter = args.jitter_ms / 1000.0

    def stop(_sig, _frm):
        global RUNNING
        RUNNING = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, stop)

    nfq = NfQueue(8 * 1024 * 1024)
    if args.delay_queue is not None:
        nfq.bind(args.delay_queue, NFQNL_COPY_META, 0, args.queue_maxlen)
    for q in (args.tls_reset_queue, args.drop_reset_queue, args.zero_window_queue):
        if q is not None:
            nfq.bind(q, NFQNL_COPY_PACKET, 0xFFFF, 256)
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)

    stats = {"queued": 0, "released": 0, "overflow_dropped": 0, "max_held": 0,
             "resets": 0, "zero_windows": 0, "delay_sum_ms": 0.0, "min_delay_ms": None, "max_delay_ms": None}

    def write_stats(*_):
        if not args.stats_file:
            return
        n = stats["released"]
        with open(args.stats_file + ".tmp", "w") as fh:
            for key in ("queued", "released", "overflow_dropped", "max_held", "resets",
                        "zero_windows"):
                fh.write("%s=%d\n" % (key, stats[key]))
            if n:
                fh.write("mean_delay_ms=%.3f\n" % (stats["delay_sum_ms"] / n))
                fh.write("min_delay_ms=%.3f\n" % stats["min_delay_ms"])
                fh.write("max_delay_ms=%.3f\n" % stats["max_delay_ms"])
        os.replace(args.stats_file + ".tmp", args.stats_file)

    signal.signal(signal.SIGUSR1, write_stats)

    if args.ready_file:
        with open(args.ready_file, "w") as fh:
            fh.write("%d\n" % os.getpid())
    log("bound: delay_queue=%s tls_reset_queue=%s drop_reset_queue=%s zero_window_queue=%s "
        "delay=%.1fms jitter=%.1fms reorder=%s max=%ss"
        % (args.delay_queue, args.tls_reset_queue, args.drop_reset_queue,
           args.zero_window_queue, args.delay_ms,
           args.jitter_ms, args.reorder, args.max_seconds))

    start = time.monotonic()
    deadline = start + args.max_seconds
    heap = []            # (release_time, counter, packet_id, arrival)
    later = []           # (send_time, packet, dst): delayed second resets
    last_release = {}    # direction -> release time of the packet queued last
    counter = 0
    poller = select.poll()
    poller.register(nfq.sock, select.POLLIN)
    exit_reason = "signal"

    def release(entry, now):
        release_at, _c, packet_id, arrival = entry
        nfq.verdict(args.delay_queue, packet_id, NF_ACCEPT)
        held_ms = (now - arrival) * 1000.0
        stats["released"] += 1
        stats["delay_sum_ms"] += held_ms
        if stats["min_delay_ms"] is None or held_ms < stats["min_delay_ms"]:
            stats["min_delay_ms"] = held_ms
        if stats["max_delay_ms"] is None or held_ms > stats["max_delay_ms"]:
            stats["max_delay_ms"] = held_ms

    reset_done = {}      # (src, sport, dst, dport) -> time of the reset

    def send_resets(packets):
        for pkt, dst in packets:
            raw.sendto(pkt, (dst, 0))
        if args.reorder and jitter > 0:
            # with reordering jitter a RST may overtake the data sent before it;
            # a second copy sent later lands in sequence (a reset socket ignores it)
            for pkt, dst in packets:
                later.append((time.monotonic() + min(0.5, 2 * jitter + 0.005), pkt, dst))
        stats["resets"] += 1

    def first_time(queue, packet_id, info):
        """False (and the packet dropped) if this connection was reset already."""
        key = (info["src"], info["sport"], info["dst"], info["dport"])
        if key in reset_done:
            # a later segment of the same burst (a GSO packet is queued as
            # several segments) or a retransmission: the connection is gone
            nfq.verdict(queue, packet_id, NF_DROP)
            return False
        if len(reset_done) > 10000:
            reset_done.clear()
        reset_done[key] = time.monotonic()
        return True

    def handle_tls_reset(queue, packet_id, pkt):
        info = parse_tcp(pkt)
        if info is None:
            nfq.verdict(queue, packet_id, NF_ACCEPT)
            return
        payload = info["payload"]
        if len(payload) < 5 or payload[0] != 0x16:
            nfq.verdict(queue, packet_id, NF_ACCEPT)
            return
        if not first_time(queue, packet_id, info):
            return
        keep = 5 + struct.unpack("!H", payload[3:5])[0]
        if keep >= len(payload):
            # The first record fills the segment: let it through whole.
            keep = len(payload)
            nfq.verdict(queue, packet_id, NF_ACCEPT)
        else:
            nfq.verdict(queue, packet_id, NF_ACCEPT, truncate_tcp(pkt, info, keep))
        send_resets([
            # to the receiver (client), right after the data it was given
            (build_ipv4_tcp(info["src"], info["dst"], info["sport"], info["dport"],
                            info["seq"] + keep, info["ack"], 0x14), info["dst"]),
            # to the sender (server), as if from the client, at the server's rcv_nxt
            (build_ipv4_tcp(info["dst"], info["src"], info["dport"], info["sport"],
                            info["ack"], info["seq"] + keep, 0x14), info["src"]),
        ])
        log("tls reset %s:%d -> %s:%d: passed %d of the %d bytes of the first TLS segment"
            % (info["src"], info["sport"], info["dst"], info["dport"], keep, len(payload)))

    def handle_drop_reset(queue, packet_id, pkt):
        info = parse_tcp(pkt)
        if info is None or info["flags"] & 0x04:
            nfq.verdict(queue, packet_id, NF_ACCEPT if info is None else NF_DROP)
            return
        if not first_time(queue, packet_id, info):
            return
        nfq.verdict(queue, packet_id, NF_DROP)
        n = len(info["payload"]) + (1 if info["flags"] & 0x03 else 0)   # SYN/FIN count as 1
        send_resets([
            # to the sender, as if from the receiver
            (build_ipv4_tcp(info["dst"], info["src"], info["dport"], info["sport"],
                            info["ack"], info["seq"] + n, 0x14), info["src"]),
            # to the receiver, as if from the sender (the dropped segment's sequence)
            (build_ipv4_tcp(info["src"], info["dst"], info["sport"], info["dport"],
                            info["seq"], info["ack"], 0x14), info["dst"]),
        ])
        log("drop+reset %s:%d -> %s:%d: dropped a %d-byte segment, reset both ends"
            % (info["src"], info["sport"], info["dst"], info["dport"], len(info["payload"])))

    def handle_zero_window(queue, packet_id, pkt):
        info = parse_tcp(pkt)
        if info is None or info["flags"] & 0x02:   # not TCP/IPv4, or a SYN: as it is
            nfq.verdict(queue, packet_id, NF_ACCEPT)
            return
        nfq.verdict(queue, packet_id, NF_ACCEPT, zero_window_tcp(pkt, info))
        stats["zero_windows"] += 1

    try:
        while RUNNING:
            now = time.monotonic()
            if now >= deadline:
                exit_reason = "max lifetime reached"
                break
            while heap and heap[0][0] <= now:
                release(heapq.heappop(heap), now)
            for item in [x for x in later if x[0] <= now]:
                later.remove(item)
                raw.sendto(item[1], (item[2], 0))
            timeout_ms = 1000
            if heap:
                timeout_ms = max(0, (heap[0][0] - time.monotonic()) * 1000.0)
            if later:
                timeout_ms = min(timeout_ms, max(0, (min(x[0] for x in later) - now) * 1000.0))
            timeout_ms = min(timeout_ms, max(0, (deadline - now) * 1000.0))
            try:
                events = poller.poll(timeout_ms)
            except InterruptedError:
                continue
            if not events:
                continue
            for queue, packet_id, hook, payload in nfq.packets():
                now = time.monotonic()
                if queue == args.tls_reset_queue:
                    handle_tls_reset(queue, packet_id, payload)
                    continue
                if queue == args.drop_reset_queue:
                    handle_drop_reset(queue, packet_id, payload)
                    continue
                if queue == args.zero_window_queue:
                    handle_zero_window(queue, packet_id, payload)
                    continue
                if queue != args.delay_queue:
                    nfq.verdict(queue, packet_id, NF_ACCEPT)
                    continue
                stats["queued"] += 1
                if len(heap) >= args.queue_maxlen:
                    nfq.verdict(queue, packet_id, NF_DROP)
                    stats["overflow_dropped"] += 1
                    continue
                d = delay + (rng.uniform(-jitter, jitter) if jitter > 0 else 0.0)
                release_at = now + max(0.0, d)
                direction = hook
                if not args.reorder:
                    release_at = max(release_at, last_release.get(direction, 0.0))
                last_release[direction] = release_at
                counter += 1
                heapq.heappush(heap, (release_at, counter, packet_id, now))
                if len(heap) > stats["max_held"]:
                    stats["max_held"] = len(heap)
                if release_at <= now:
                    while heap and heap[0][0] <= now:
                        release(heapq.heappop(heap), now)
    except OSError as exc:
        exit_reason = "netlink failure: %s" % exc
    finally:
        now = time.monotonic()
        while heap:
            try:
                release(heapq.heappop(heap), now)
            except OSError:
                break
        for q in (args.delay_queue, args.tls_reset_queue, args.drop_reset_queue,
                  args.zero_window_queue):
            if q is not None:
                nfq.unbind(q)
        write_stats()
        log("exit (%s): %s" % (exit_reason, " ".join("%s=%s" % kv for kv in sorted(stats.items()))))
        if args.ready_file:
            try:
                os.unlink(args.ready_file)
            except OSError:
                pass


if __name__ == "__main__":
    main()
