"""Normalises `xdptcp conns --json` for the net tests.

As a program: reads that JSON on stdin and prints a JSON list of
{"laddr", "lport", "raddr", "rport", "state", "ms_left"} (ms_left None
unless the connection is in TIME-WAIT). As a module: normalise(doc).

It accepts a list of connections or an object holding one under "conns" /
"connections", and per connection either separate address and port fields or
"a.b.c.d:port" strings, so the tests depend on what `conns` says, not on how
it spells it. Anything else is an error naming the shape it found.
"""
import json
import sys

LIST_KEYS = ("conns", "connections", "flows")
LADDR = ("laddr", "local_addr", "local_ip", "saddr", "src_ip", "src")
LPORT = ("lport", "local_port", "sport", "src_port")
RADDR = ("raddr", "remote_addr", "remote_ip", "daddr", "dst_ip", "dst", "peer")
RPORT = ("rport", "remote_port", "dport", "dst_port", "peer_port")
LOCAL = ("local",)
REMOTE = ("remote",)
MS_LEFT = ("ms_left", "left_ms", "timewait_ms", "tw_ms_left", "ttl_ms",
           "expires_ms", "ms", "remaining_ms")


class ShapeError(Exception):
    pass


def _first(d, keys):
    for k in keys:
        if k in d:
            return d[k]
    return None


def _split(hostport):
    if isinstance(hostport, dict):
        return (_first(hostport, ("addr", "ip", "address")),
                _first(hostport, ("port",)))
    if isinstance(hostport, str) and ":" in hostport:
        host, _, port = hostport.rpartition(":")
        return host.strip("[]"), port
    return None, None


def _conn(c):
    if not isinstance(c, dict):
        raise ShapeError("connection is not an object: %r" % (c,))
    laddr, lport = _first(c, LADDR), _first(c, LPORT)
    raddr, rport = _first(c, RADDR), _first(c, RPORT)
    if lport is None and _first(c, LOCAL) is not None:
        laddr, lport = _split(_first(c, LOCAL))
    if rport is None and _first(c, REMOTE) is not None:
        raddr, rport = _split(_first(c, REMOTE))
    if isinstance(laddr, str) and ":" in laddr and lport is None:
        laddr, lport = _split(laddr)
    if isinstance(raddr, str) and ":" in raddr and rport is None:
        raddr, rport = _split(raddr)
    state = c.get("state")
    if lport is None or rport is None or not isinstance(state, str):
        raise ShapeError("no ports/state in connection %s" % json.dumps(c)[:300])
    ms = _first(c, MS_LEFT)
    return {"laddr": laddr, "lport": int(lport), "raddr": raddr,
            "rport": int(rport), "state": state.upper().replace("_", "-"),
            "ms_left": int(ms) if ms is not None else None}


def normalise(doc):
    if isinstance(doc, dict):
        lst = _first(doc, LIST_KEYS)
        if lst is None:
            raise ShapeError("object without %s: %s" % (
                "/".join(LIST_KEYS), json.dumps(doc)[:300]))
    else:
        lst = doc
    if not isinstance(lst, list):
        raise ShapeError("connections are not a list: %s" % json.dumps(doc)[:300])
    return [_conn(c) for c in lst]


def main():
    raw = sys.stdin.read()
    try:
        print(json.dumps(normalise(json.loads(raw))))
    except (ValueError, ShapeError) as e:
        print("conns.py: cannot read `xdptcp conns --json`: %s; input: %s"
              % (e, raw[:300]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
