"""Sends one TCP segment from the lab's client end and prints the server's
reply as JSON (or {"reply": null} on timeout). Run it inside the client
namespace with /usr/bin/python3 (Debian's python3-scapy).

  tw_probe.py IFACE SRC_MAC DST_MAC SRC_IP DST_IP SPORT DPORT SEQ ACK FLAGS
              [--tsval V --tsecr E] [--timeout S]
"""
import argparse
import json
import sys
import threading

from scapy.all import AsyncSniffer, Ether, IP, TCP, conf, sendp

conf.verb = 0


def main():
    ap = argparse.ArgumentParser()
    for name in ("iface", "src_mac", "dst_mac", "src_ip", "dst_ip"):
        ap.add_argument(name)
    for name in ("sport", "dport", "seq", "ack"):
        ap.add_argument(name, type=int)
    ap.add_argument("flags")
    ap.add_argument("--tsval", type=int)
    ap.add_argument("--tsecr", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=3.0)
    a = ap.parse_args()

    opts = [("NOP", None), ("NOP", None), ("Timestamp", (a.tsval, a.tsecr))] \
        if a.tsval is not None else []
    frame = (Ether(src=a.src_mac, dst=a.dst_mac) /
             IP(src=a.src_ip, dst=a.dst_ip) /
             TCP(sport=a.sport, dport=a.dport, seq=a.seq, ack=a.ack,
                 flags=a.flags, window=4096, options=opts))

    bpf = "tcp and src host %s and src port %d and dst port %d" % (
        a.dst_ip, a.dport, a.sport)
    started = threading.Event()
    sniffer = AsyncSniffer(iface=a.iface, filter=bpf, count=1,
                           timeout=a.timeout, store=True,
                           started_callback=started.set)
    sniffer.start()
    # the sniffer opens its socket in its own thread: send only after that
    if not started.wait(5):
        print(json.dumps({"error": "sniffer did not start"}))
        return 1
    sendp(frame, iface=a.iface)
    sniffer.join()
    got = sniffer.results or []
    if not got:
        print(json.dumps({"reply": None}))
        return 0
    r = got[0]
    ip, tcp = r[IP], r[TCP]
    ts = dict(tcp.options).get("Timestamp")
    out = {
        "reply": True,
        "src_mac": r[Ether].src, "dst_mac": r[Ether].dst,
        "ttl": ip.ttl, "ip_len": ip.len, "ihl": ip.ihl,
        "seq": tcp.seq, "ack": tcp.ack, "flags": str(tcp.flags),
        "window": tcp.window, "dataofs": tcp.dataofs,
        "payload_len": len(bytes(tcp.payload)),
        "tsval": ts[0] if ts else None, "tsecr": ts[1] if ts else None,
    }
    # checksums as sent, against scapy's recomputation
    chk_ip, chk_tcp = ip.chksum, tcp.chksum
    del ip.chksum
    del tcp.chksum
    re = IP(bytes(ip))
    out["ip_csum_ok"] = re.chksum == chk_ip
    out["tcp_csum_ok"] = re[TCP].chksum == chk_tcp
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
