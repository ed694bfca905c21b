"""Crafted TCP segments against `xdptcp serve --app http` (scapy, run in the
lab's client namespace with /usr/bin/python3; the client kernel's own RSTs
must be filtered, since it knows nothing of these connections).

  craft.py SCENARIO --iface DEV --src-mac M --dst-mac M --src-ip A --dst-ip A
           --port P --size N --msl-ms N --srv-ns NS --xdptcp BIN --dev DEV

SCENARIO: simclose | timewait | rst | closed | malformed
Prints one JSON object per line: {"name", "ok", "why"} per check, or
{"comment"}; tests/net/test_serve_craft.sh turns them into TAP.
"""
import argparse
import json
import random
import select
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, __import__("os").path.dirname(__file__))
import conns as conns_mod  # noqa: E402

from scapy.all import IP, TCP, Ether, Raw, conf, raw  # noqa: E402

conf.verb = 0
FIN, SYN, RST, PSH, ACK, URG = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
M32 = 1 << 32


def emit(**kw):
    print(json.dumps(kw), flush=True)


def check(name, cond, why=""):
    emit(name=name, ok=bool(cond), why="" if cond else why)
    return bool(cond)


class Abort(Exception):
    """A step the rest of the scenario depends on failed."""

    def __init__(self, name, why):
        super().__init__(name)
        self.name, self.why = name, why


def fl(t):
    return int(t.flags)


def seg_str(p):
    t = p[TCP]
    return "%s seq=%d ack=%d len=%d" % (t.flags, t.seq, t.ack, payload_len(p))


def payload_len(p):
    ip, t = p[IP], p[TCP]
    return max(0, ip.len - ip.ihl * 4 - t.dataofs * 4)


def payload(p):
    t = p[TCP]
    n = payload_len(p)
    return bytes(t)[t.dataofs * 4:t.dataofs * 4 + n]


def ts_of(p):
    for k, v in p[TCP].options:
        if k == "Timestamp":
            return v
    return None


class Server:
    """`xdptcp conns|stats` in the server namespace."""

    def __init__(self, a):
        self.a = a

    def _run(self, cmd):
        r = subprocess.run(["ip", "netns", "exec", self.a.srv_ns, self.a.xdptcp, cmd,
                            "--dev", self.a.dev, "--json"],
                           capture_output=True, text=True, timeout=10)
        if r.returncode:
            raise Abort("xdptcp %s" % cmd, "exit %d: %s" % (r.returncode, r.stderr[:300]))
        return json.loads(r.stdout)

    def conn(self, rport):
        """The server-side connection with our port as its remote port, or None."""
        for c in conns_mod.normalise(self._run("conns")):
            if c["lport"] == self.a.port and c["rport"] == rport:
                return c
        return None

    def stats(self):
        return self._run("stats")["stats"]

    def wait_state(self, rport, state, timeout=1.5):
        """Polls conns until the connection is in STATE (None: absent)."""
        end = time.monotonic() + timeout
        while True:
            c = self.conn(rport)
            if (c and c["state"]) == state or (state is None and c is None):
                return c, True
            if time.monotonic() > end:
                return c, False
            time.sleep(0.05)


class Peer:
    """One TCP connection, driven by hand from the client namespace."""

    def __init__(self, a, sport, dport=None, ts=False):
        self.a, self.sport = a, sport
        self.dport = dport or a.port
        self.sock = conf.L2socket(
            iface=a.iface,
            filter="tcp and src host %s and src port %d and dst port %d" % (a.dst_ip, self.dport, sport))
        self.iss = random.randrange(M32)
        self.snd_nxt = self.iss
        self.rcv_nxt = 0
        self.ts = ts
        self.tsval = random.randrange(1 << 20, 1 << 30)
        self.ts_recent = 0
        self.seen = []

    def close(self):
        self.sock.close()

    def frame(self, flags, seq=None, ack=None, data=b"", mss=False, window=65535):
        opts = [("MSS", 1460)] if mss else []
        if self.ts:
            self.tsval += 1
            opts += [("NOP", None), ("NOP", None), ("Timestamp", (self.tsval, self.ts_recent))]
        seq = self.snd_nxt if seq is None else seq
        ack = (self.rcv_nxt if "A" in flags else 0) if ack is None else ack
        return (Ether(src=self.a.src_mac, dst=self.a.dst_mac) /
                IP(src=self.a.src_ip, dst=self.a.dst_ip) /
                TCP(sport=self.sport, dport=self.dport, seq=seq % M32, ack=ack % M32,
                    flags=flags, window=window, options=opts) / Raw(data))

    def send(self, flags, **kw):
        f = self.frame(flags, **kw)
        self.sock.send(f)
        return f

    def recv(self, timeout):
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                return None
            p = self.sock.recv()
            if p is None or TCP not in p or IP not in p:
                continue
            self.seen.append(seg_str(p))
            ts = ts_of(p)
            if ts:
                self.ts_recent = ts[0]
            return p

    def expect(self, pred, timeout=2.0):
        end = time.monotonic() + timeout
        while True:
            p = self.recv(max(0.0, end - time.monotonic()))
            if p is None:
                return None
            if pred(p[TCP]):
                return p

    def silence(self, timeout):
        """Whatever arrives within TIMEOUT (a list of segment strings)."""
        got = []
        end = time.monotonic() + timeout
        while True:
            p = self.recv(max(0.0, end - time.monotonic()))
            if p is None:
                return got
            got.append(seg_str(p))

    def connect(self):
        self.send("S", seq=self.iss, mss=True)
        p = self.expect(lambda t: fl(t) & SYN, 3.0)
        if p is None:
            raise Abort("handshake", "no SYN-ACK to our SYN from port %d within 3 s" % self.sport)
        t = p[TCP]
        if fl(t) & (SYN | ACK | RST | FIN) != SYN | ACK or t.ack != (self.iss + 1) % M32:
            raise Abort("handshake", "bad SYN-ACK: %s (our ISS %d)" % (seg_str(p), self.iss))
        self.snd_nxt = self.iss + 1
        self.rcv_nxt = t.seq + 1
        self.synack = p
        self.send("A")

    def get_close(self):
        """GET with Connection: close; returns (response bytes, FIN's sequence
        number) without acknowledging the FIN (data acknowledged only if the
        FIN is late)."""
        req = b"GET / HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n"
        self.send("PA", data=req)
        self.snd_nxt += len(req)
        chunks, fin_seq, acked = {}, None, False
        end = time.monotonic() + 4.0
        while time.monotonic() < end:
            p = self.recv(0.5)
            if p is None:
                if not acked and chunks:
                    # no FIN yet: acknowledge the data, maybe it waits for that
                    self.send("A", ack=self._assembled(chunks)[1])
                    acked = True
                continue
            t, n = p[TCP], payload_len(p)
            if n:
                chunks[t.seq] = payload(p)
            if fl(t) & FIN:
                fin_seq = (t.seq + n) % M32
            if fin_seq is not None and self._assembled(chunks)[1] == fin_seq:
                data, _ = self._assembled(chunks)
                self.rcv_nxt = fin_seq
                return data, fin_seq
        raise Abort("response and FIN", "after 4 s: %d segments, FIN %s; seen %s"
                    % (len(chunks), fin_seq, self.seen[-8:]))

    def _assembled(self, chunks):
        """In-order bytes from rcv_nxt on, and the sequence number after them."""
        nxt, data = self.rcv_nxt, b""
        while True:
            more = [(s, d) for s, d in chunks.items() if (nxt - s) % M32 < len(d)]
            if not more:
                return data, nxt % M32
            s, d = more[0]
            take = d[(nxt - s) % M32:]
            data += take
            nxt = (nxt + len(take)) % M32


def http_ok(a, data):
    head, _, body = data.partition(b"\r\n\r\n")
    return head.startswith(b"HTTP/1.1 200") and len(body) == a.size


# --- scenarios ---------------------------------------------------------------

def simclose(a, srv):
    """RFC 9293 figure 13: both FINs cross. The server's FIN (it closes after
    answering Connection: close) reaches us; we do not acknowledge it but send
    our FIN, as if ours had left before theirs arrived: the server goes
    FIN-WAIT-1 -> CLOSING -> TIME-WAIT, then nothing after 2*MSL."""
    p = Peer(a, random.randrange(20000, 30000))
    p.connect()
    data, fin_seq = p.get_close()
    check("simultaneous close: response then FIN from the server", http_ok(a, data),
          "response %r" % data[:100])
    c, good = srv.wait_state(p.sport, "FIN-WAIT-1")
    check("simultaneous close: server in FIN-WAIT-1 after sending its FIN", good,
          "conns says %s" % c)
    our_fin = p.snd_nxt
    p.send("FA", ack=fin_seq)  # acknowledges the data, not the FIN
    p.snd_nxt += 1
    r = p.expect(lambda t: fl(t) & ACK and t.ack == (our_fin + 1) % M32, 2.0)
    check("simultaneous close: server acknowledges our FIN",
          r is not None and r[TCP].seq in (fin_seq, (fin_seq + 1) % M32),
          "want ACK %d (seq %d); seen %s" % (our_fin + 1, fin_seq + 1, p.seen[-6:]))
    c, good = srv.wait_state(p.sport, "CLOSING")
    check("simultaneous close: server in CLOSING", good, "conns says %s" % c)
    p.send("A", ack=fin_seq + 1)
    p.rcv_nxt = fin_seq + 1
    c, good = srv.wait_state(p.sport, "TIME-WAIT")
    t_tw = time.monotonic()
    tw = 2 * a.msl_ms
    check("simultaneous close: server in TIME-WAIT, at most 2*MSL left",
          good and c["ms_left"] is not None and 0 < c["ms_left"] <= tw,
          "conns says %s (2*MSL = %d ms)" % (c, tw))
    time.sleep(max(0.0, tw / 2000.0 - (time.monotonic() - t_tw)))
    c = srv.conn(p.sport)
    check("simultaneous close: still in TIME-WAIT after MSL",
          c is not None and c["state"] == "TIME-WAIT", "conns says %s after %d ms" % (c, tw // 2))
    c, good = srv.wait_state(p.sport, None, tw / 1000.0 + 2.0)
    gone = time.monotonic() - t_tw
    check("simultaneous close: gone after 2*MSL (%.1f s)" % gone,
          good and gone >= tw / 1000.0 - 0.5,
          "after %.1f s conns says %s (2*MSL = %d ms)" % (gone, c, tw))
    check("simultaneous close: no segment from the server since", not p.silence(0.2),
          "seen %s" % p.seen[-4:])
    p.close()


def timewait(a, srv):
    """Server closes first, we acknowledge and close: TIME-WAIT on the server,
    answered by XDP. A retransmitted FIN gets the same final ACK (RFC 9293
    3.10.7.4, with TSecr = TS.Recent, RFC 7323) and restarts 2*MSL; an RST is
    ignored (RFC 1337)."""
    p = Peer(a, random.randrange(30000, 40000), ts=True)
    p.connect()
    check("timewait: SYN-ACK carries timestamps (RFC 7323)", ts_of(p.synack) is not None,
          "SYN-ACK options %s" % p.synack[TCP].options)
    data, fin_seq = p.get_close()
    p.rcv_nxt = fin_seq + 1
    p.send("A")
    c, good = srv.wait_state(p.sport, "FIN-WAIT-2")
    check("timewait: server in FIN-WAIT-2 once its FIN is acknowledged", good, "conns says %s" % c)
    our_fin = p.snd_nxt
    p.send("FA")
    fin_tsval = p.tsval
    p.snd_nxt += 1
    r = p.expect(lambda t: fl(t) & ACK and t.ack == (our_fin + 1) % M32, 2.0)
    if r is None:
        raise Abort("timewait: server acknowledges our FIN", "seen %s" % p.seen[-6:])
    c, good = srv.wait_state(p.sport, "TIME-WAIT")
    tw = 2 * a.msl_ms
    check("timewait: server in TIME-WAIT", good, "conns says %s" % c)
    before = srv.stats()
    time.sleep(1.5)  # so that a restarted deadline shows
    p.send("FA", seq=our_fin, ack=fin_seq + 1)
    r = p.expect(lambda t: True, 2.0)
    want = (fin_seq + 1) % M32, (our_fin + 1) % M32
    if r is None:
        check("timewait: retransmitted FIN answered with the final ACK", False,
              "no reply within 2 s; seen %s" % p.seen[-4:])
    else:
        t = r[TCP]
        check("timewait: retransmitted FIN answered with the final ACK",
              fl(t) == ACK and (t.seq, t.ack) == want and payload_len(r) == 0,
              "got %s, want A seq=%d ack=%d" % (seg_str(r), want[0], want[1]))
        ts = ts_of(r)
        check("timewait: the ACK echoes TS.Recent (TSecr = TSval of our first FIN)",
              ts is not None and ts[1] == fin_tsval,
              "timestamps %s, want TSecr %d" % (ts, fin_tsval))
    c = srv.conn(p.sport)
    check("timewait: the FIN restarted 2*MSL",
          c is not None and c["state"] == "TIME-WAIT" and c["ms_left"] is not None
          and tw - 700 < c["ms_left"] <= tw,
          "conns says %s; want more than %d of %d ms left 1.5 s into TIME-WAIT" % (c, tw - 700, tw))
    after = srv.stats()
    check("timewait: tw_reack and tw_fin counted it",
          after["tw_reack"] > before["tw_reack"] and after["tw_fin"] > before["tw_fin"],
          "tw_reack %d -> %d, tw_fin %d -> %d" % (before["tw_reack"], after["tw_reack"],
                                                  before["tw_fin"], after["tw_fin"]))
    # RFC 1337: an RST (even one at RCV.NXT) must not end TIME-WAIT early
    p.send("R", seq=our_fin + 1, ack=0)
    got = p.silence(1.0)
    check("timewait: RST in TIME-WAIT not answered", not got, "got %s" % got)
    c = srv.conn(p.sport)
    check("timewait: RST in TIME-WAIT ignored (RFC 1337), still TIME-WAIT",
          c is not None and c["state"] == "TIME-WAIT", "conns says %s" % c)
    p.send("FA", seq=our_fin, ack=fin_seq + 1)
    r = p.expect(lambda t: True, 2.0)
    check("timewait: after the RST, a FIN still gets the final ACK",
          r is not None and fl(r[TCP]) == ACK and (r[TCP].seq, r[TCP].ack) == want,
          "got %s" % (seg_str(r) if r is not None else "nothing in 2 s"))
    p.close()


def rst(a, srv):
    """RFC 5961 on an established connection (through the fast path's hand-off
    to the slow path): an RST inside the window but not at RCV.NXT gets a
    challenge ACK (3.2); an RST outside the window is dropped silently
    (3.2, RFC 9293 3.10.7.4); a SYN gets a challenge ACK (4.2); an RST at
    RCV.NXT resets the connection. Also: an ACK to the served port with no
    connection gets an RST from xdptcp (RFC 9293 3.10.7.2, LISTEN)."""
    p = Peer(a, random.randrange(40000, 50000))
    p.connect()
    c, good = srv.wait_state(p.sport, "ESTABLISHED")
    check("rst: connection ESTABLISHED in conns", good, "conns says %s" % c)
    srv_nxt = p.rcv_nxt

    def challenge(what):
        r = p.expect(lambda t: True, 1.5)
        check("rst: %s answered with a challenge ACK" % what,
              r is not None and fl(r[TCP]) == ACK and r[TCP].seq == srv_nxt % M32
              and r[TCP].ack == p.snd_nxt % M32,
              "got %s, want A seq=%d ack=%d" % (seg_str(r) if r is not None else "nothing in 1.5 s",
                                               srv_nxt, p.snd_nxt))
        c = srv.conn(p.sport)
        check("rst: still ESTABLISHED after the %s" % what,
              c is not None and c["state"] == "ESTABLISHED", "conns says %s" % c)

    p.send("R", seq=p.snd_nxt + 1000, ack=0)
    challenge("RST in the window but not at RCV.NXT (RFC 5961 3.2)")
    p.send("R", seq=p.snd_nxt + (1 << 30), ack=0)
    got = p.silence(1.0)
    check("rst: RST outside the window dropped silently", not got, "got %s" % got)
    c = srv.conn(p.sport)
    check("rst: still ESTABLISHED after the out-of-window RST",
          c is not None and c["state"] == "ESTABLISHED", "conns says %s" % c)
    p.send("S", seq=p.snd_nxt + 5000, ack=0)
    challenge("SYN on the established connection (RFC 5961 4.2)")
    p.send("R", seq=p.snd_nxt, ack=0)
    c, good = srv.wait_state(p.sport, None, 1.5)
    check("rst: RST at RCV.NXT resets the connection (gone from conns, no TIME-WAIT)", good,
          "conns says %s" % c)
    got = p.silence(0.5)
    check("rst: the reset is not answered", not got, "got %s" % got)
    p.close()

    q = Peer(a, random.randrange(50000, 60000))
    q.send("A", seq=12345, ack=67890)
    r = q.expect(lambda t: True, 1.5)
    check("rst: ACK without a connection answered with RST seq=SEG.ACK",
          r is not None and fl(r[TCP]) & RST and r[TCP].seq == 67890,
          "got %s" % (seg_str(r) if r is not None else "nothing in 1.5 s"))
    q.close()


def closed(a, srv):
    """A SYN to a port nobody serves: xdptcp passes it, the kernel answers
    RST,ACK (RFC 9293 3.10.7.1)."""
    p = Peer(a, random.randrange(20000, 60000), dport=a.closed_port)
    p.send("S", seq=p.iss, mss=True)
    r = p.expect(lambda t: True, 2.0)
    check("closed port %d: SYN answered with RST,ACK ack=ISS+1" % a.closed_port,
          r is not None and fl(r[TCP]) & (RST | ACK) == RST | ACK and r[TCP].ack == (p.iss + 1) % M32,
          "got %s" % (seg_str(r) if r is not None else "nothing in 2 s"))
    p.close()


def malformed_frames(a):
    """(what, frame bytes, source port) of frames XDP/userspace must reject."""
    eth = Ether(src=a.src_mac, dst=a.dst_mac)
    out = []

    def ip(**kw):
        return IP(src=a.src_ip, dst=a.dst_ip, **kw)

    def tcp(i, **kw):
        kw.setdefault("flags", "S")
        return TCP(sport=41000 + i, dport=a.port, seq=1000 + i, window=8192, **kw)

    def add(what, frame_bytes):
        out.append((what, bytes(frame_bytes), 41000 + len(out)))

    def flip(b, off):
        b = bytearray(b)
        b[off] ^= 0x5a
        return bytes(b)

    n = len
    add("bad IPv4 header checksum", flip(raw(eth / ip() / tcp(n(out))), 14 + 10))
    add("bad TCP checksum on a SYN", flip(raw(eth / ip() / tcp(n(out))), 14 + 20 + 16))
    add("IPv4 IHL 4", raw(eth / ip(ihl=4) / tcp(n(out))))
    add("IP version 6 in an IPv4 frame", raw(eth / ip(version=6) / tcp(n(out))))
    add("IP total length beyond the frame", raw(eth / ip(len=1400) / tcp(n(out))))
    add("IP total length shorter than the TCP header", raw(eth / ip(len=30) / tcp(n(out))))
    add("frame cut inside the TCP header", raw(eth / ip() / tcp(n(out)))[:14 + 20 + 10])
    add("IP header only, protocol TCP", raw(eth / ip(proto=6)))
    add("Ethernet header only (IPv4 type)", raw(Ether(src=a.src_mac, dst=a.dst_mac, type=0x0800)))
    add("TCP data offset 3", raw(eth / ip() / tcp(n(out), dataofs=3)))
    add("TCP data offset 15 past the frame", raw(eth / ip() / tcp(n(out), dataofs=15)))
    add("option length past the header", raw(eth / ip() / tcp(n(out), dataofs=6) / Raw(b"\x02\x0a\x05\xb4")))
    add("option length 0", raw(eth / ip() / tcp(n(out), dataofs=6) / Raw(b"\x08\x00\x01\x01")))
    add("option length 1", raw(eth / ip() / tcp(n(out), dataofs=6) / Raw(b"\x03\x01\x00\x00")))
    add("SYN+FIN", raw(eth / ip() / tcp(n(out), flags="SF")))
    add("SYN+RST", raw(eth / ip() / tcp(n(out), flags="SR")))
    add("no flags", raw(eth / ip() / tcp(n(out), flags="")))
    add("FIN+PSH+URG without ACK", raw(eth / ip() / tcp(n(out), flags="FPU")))
    add("first fragment (MF) of a SYN", raw(eth / ip(flags="MF") / tcp(n(out))))
    return out


def control_frame(a, i):
    """A well-formed SYN sent with the burst: its SYN-ACK shows the capture works."""
    return raw(Ether(src=a.src_mac, dst=a.dst_mac) / IP(src=a.src_ip, dst=a.dst_ip) /
               TCP(sport=41000 + i, dport=a.port, seq=777, flags="S", window=8192,
                   options=[("MSS", 1460)]))


def malformed(a, srv):
    """A burst of malformed frames, none answered, then a seeded burst of
    random segments; afterwards the service works."""
    frames = malformed_frames(a)
    sock = conf.L2socket(
        iface=a.iface,
        filter="tcp and src host %s and src port %d and dst portrange 41000-41099" % (a.dst_ip, a.port))
    before = srv.stats()
    ctl = 41000 + len(frames)
    for _ in range(3):
        for _, b, _ in frames:
            sock.send(Raw(b))
    sock.send(Raw(control_frame(a, len(frames))))
    answered = {}
    end = time.monotonic() + 1.5
    while time.monotonic() < end:
        r, _, _ = select.select([sock], [], [], max(0.0, end - time.monotonic()))
        if not r:
            break
        q = sock.recv()
        if q is not None and TCP in q:
            answered.setdefault(q[TCP].dport, seg_str(q))
    sock.close()
    check("malformed: the well-formed SYN sent after the burst is answered (SYN-ACK)",
          answered.get(ctl, "").startswith("SA"), "got %s" % answered.get(ctl))
    for what, _, sport in frames:
        check("malformed: %s not answered" % what, sport not in answered,
              "answered with %s" % answered.get(sport))
    after = srv.stats()
    drops = {k: after[k] - before[k] for k in after if k.startswith("drop_") and after[k] != before[k]}
    emit(comment="drop counters over the burst: %s" % (drops or "none moved"))
    structural = sum(after[k] - before[k] for k in after if k.startswith("drop_"))
    check("malformed: XDP dropped the structurally broken frames (drop_* counters)",
          structural >= 3 * 8, "drop_* moved by %d, want >= %d (8 frames x 3)" % (structural, 24))

    rnd = random.Random(5)
    fuzz = conf.L2socket(iface=a.iface)
    opts_pool = [b"", b"\x01", b"\x02\x04\x05\xb4", b"\x03\x03\x07", b"\x04\x02", b"\x08\x0a" + bytes(8),
                 b"\x05\x0a" + bytes(8), b"\xfe\x04\xab\xcd", b"\x00", b"\x02\x00"]
    for i in range(300):
        opt = b"".join(rnd.choice(opts_pool) for _ in range(rnd.randrange(3)))
        opt += b"\x00" * (-len(opt) % 4)
        opt = opt[:40]
        t = TCP(sport=42000 + i, dport=a.port, seq=rnd.randrange(M32), ack=rnd.randrange(M32),
                flags=rnd.randrange(256), window=rnd.randrange(65536), urgptr=rnd.randrange(65536),
                dataofs=5 + len(opt) // 4)
        f = Ether(src=a.src_mac, dst=a.dst_mac) / IP(src=a.src_ip, dst=a.dst_ip) / t / Raw(opt + bytes(rnd.randrange(64)))
        b = raw(f)
        if i % 3 == 0:  # a third with a random byte of the headers changed
            b = bytearray(b)
            b[rnd.randrange(14, 14 + 20 + 20)] = rnd.randrange(256)
            b = bytes(b)
        fuzz.send(Raw(b))
    fuzz.close()
    emit(comment="sent 300 random segments (seed 5) to port %d" % a.port)

    p = Peer(a, 43000)
    p.connect()
    data, fin_seq = p.get_close()
    check("malformed: service intact afterwards (handshake, GET, response, FIN)", http_ok(a, data),
          "response %r" % data[:100])
    p.rcv_nxt = fin_seq + 1
    p.send("A")
    p.send("FA")
    p.close()


SCENARIOS = {"simclose": simclose, "timewait": timewait, "rst": rst,
             "closed": closed, "malformed": malformed}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario", choices=sorted(SCENARIOS))
    for k in ("iface", "src_mac", "dst_mac", "src_ip", "dst_ip", "srv_ns", "xdptcp", "dev"):
        ap.add_argument("--" + k.replace("_", "-"), dest=k, required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--closed-port", type=int, default=9)
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--msl-ms", type=int, required=True)
    a = ap.parse_args()
    random.seed()
    try:
        SCENARIOS[a.scenario](a, Server(a))
    except Abort as e:
        emit(name="%s: %s" % (a.scenario, e.name), ok=False, why=e.why)
    except Exception as e:  # a crash must show as a failure, never as silence
        import traceback
        emit(name="%s: ran to the end" % a.scenario, ok=False,
             why="%s: %s" % (type(e).__name__, traceback.format_exc()[-800:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
