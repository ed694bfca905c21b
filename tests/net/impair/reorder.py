"""Reorders packets: holds each packet iptables queues to it (-j NFQUEUE
--queue-num Q, after a `-m statistic` match so only a few are queued) for
HOLD ms, then accepts it; the packets behind it overtake it meanwhile. This
kernel has no sch_netem; this is the netfilter-queue way, on a plain
netlink socket (no libnetfilter_queue binding needed).

  reorder.py --queue Q [--queue Q2 ...] --hold-ms MS --stats FILE

FILE gets {"ready": true, "held": {Q: n}, "released": {Q: n}} once the
queues are bound and again whenever the counts change (at most every 0.1 s)
and at exit (SIGTERM/SIGINT).
"""
import argparse
import heapq
import json
import os
import select
import signal
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET, NFQNL_MSG_VERDICT, NFQNL_MSG_CONFIG = 0, 1, 2
NFQA_CFG_CMD, NFQA_CFG_PARAMS = 1, 2
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META = 1
NFQA_PACKET_HDR = 1
NFQA_VERDICT_HDR = 2
NF_ACCEPT = 1
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2


def nla(kind, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, kind) + payload + b"\0" * (-n % 4)


def nfq_msg(msg, queue, attrs, flags=NLM_F_REQUEST, seq=0):
    # struct nfgenmsg: family, version (NFNETLINK_V0), res_id (big endian)
    body = struct.pack("=BB", socket.AF_UNSPEC, 0) + struct.pack("!H", queue) + b"".join(attrs)
    return struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | msg,
                       flags, seq, 0) + body


def request(sock, msg, seq):
    """Sends a config message with NLM_F_ACK and raises on a netlink error."""
    sock.send(msg)
    while True:
        data = sock.recv(65536)
        off = 0
        while off + 16 <= len(data):
            n, kind, _, rseq, _ = struct.unpack_from("=IHHII", data, off)
            if kind == NLMSG_ERROR and rseq == seq:
                err = struct.unpack_from("=i", data, off + 16)[0]
                if err:
                    raise OSError(-err, os.strerror(-err))
                return
            off += (n + 3) & ~3


def packets(data):
    """(queue, packet id) of each NFQNL_MSG_PACKET in a netlink datagram."""
    off = 0
    while off + 16 <= len(data):
        n, kind, _, _, _ = struct.unpack_from("=IHHII", data, off)
        if n < 16:
            break
        if kind == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET and n >= 20:
            queue = struct.unpack_from("!H", data, off + 18)[0]
            a = off + 20
            while a + 4 <= off + n:
                alen, atype = struct.unpack_from("=HH", data, a)
                if alen < 4:
                    break
                if atype & 0x7fff == NFQA_PACKET_HDR and alen >= 8:
                    yield queue, struct.unpack_from("!I", data, a + 4)[0]
                a += (alen + 3) & ~3
        off += (n + 3) & ~3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--queue", type=int, action="append", required=True)
    ap.add_argument("--hold-ms", type=float, default=2.0)
    ap.add_argument("--stats", required=True)
    a = ap.parse_args()

    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.bind((0, 0))
    seq = 1
    for q in a.queue:
        cmd = struct.pack("!BBH", NFQNL_CFG_CMD_BIND, 0, socket.AF_INET)
        request(sock, nfq_msg(NFQNL_MSG_CONFIG, q, [nla(NFQA_CFG_CMD, cmd)],
                              NLM_F_REQUEST | NLM_F_ACK, seq), seq)
        seq += 1
        params = struct.pack("!IB", 0, NFQNL_COPY_META)
        request(sock, nfq_msg(NFQNL_MSG_CONFIG, q, [nla(NFQA_CFG_PARAMS, params)],
                              NLM_F_REQUEST | NLM_F_ACK, seq), seq)
        seq += 1

    held = {q: 0 for q in a.queue}
    released = {q: 0 for q in a.queue}
    errors = []
    pending = []  # (release time, queue, id)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))

    def write_stats():
        tmp = a.stats + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"ready": True, "held": held, "released": released,
                       "errors": errors[:5]}, f)
        os.replace(tmp, a.stats)

    write_stats()
    last_write, dirty = time.monotonic(), False
    hold = a.hold_ms / 1000.0
    while not stop:
        now = time.monotonic()
        while pending and pending[0][0] <= now:
            _, q, pid = heapq.heappop(pending)
            verdict = struct.pack("!II", NF_ACCEPT, pid)
            sock.send(nfq_msg(NFQNL_MSG_VERDICT, q, [nla(NFQA_VERDICT_HDR, verdict)]))
            released[q] += 1
            dirty = True
        timeout = max(0.0, pending[0][0] - now) if pending else 0.1
        try:
            r, _, _ = select.select([sock], [], [], min(timeout, 0.1))
        except InterruptedError:
            continue
        if r:
            try:
                data = sock.recv(1 << 16)
            except OSError as e:  # ENOBUFS: the kernel dropped queued packets
                errors.append(str(e))
                continue
            t = time.monotonic() + hold
            for q, pid in packets(data):
                heapq.heappush(pending, (t, q, pid))
                held[q] = held.get(q, 0) + 1
                dirty = True
        if dirty and time.monotonic() - last_write >= 0.1:
            write_stats()
            last_write, dirty = time.monotonic(), False
    for _, q, pid in pending:  # let what is held go before leaving
        sock.send(nfq_msg(NFQNL_MSG_VERDICT, q,
                          [nla(NFQA_VERDICT_HDR, struct.pack("!II", NF_ACCEPT, pid))]))
        released[q] += 1
    write_stats()
    return 0


if __name__ == "__main__":
    sys.exit(main())
