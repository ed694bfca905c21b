"""Normalises `xdptcp conns --json` for the net tests.

As a program: reads that JSON on stdin and prints a JSON list of
{"laddr", "lport", "raddr", "rport", "state", "ms_left"} (ms_left None
unless the connection is in TIME-WAIT). As a module: normalise(doc).
The input is {"connections": [{"local_addr", "local_port", "remote_addr",
"remote_port", "state", "ms_left" (TIME-WAIT only), ...}, ...], ...}
(user/cli/conns_fmt.c); anything else is an error naming what it found.
"""
import json
import sys


class ShapeError(Exception):
    pass


def _conn(c):
    try:
        return {"laddr": c["local_addr"], "lport": int(c["local_port"]),
                "raddr": c["remote_addr"], "rport": int(c["remote_port"]),
                "state": c["state"],
                "ms_left": int(c["ms_left"]) if c.get("ms_left") is not None else None}
    except (KeyError, TypeError, ValueError) as e:
        raise ShapeError("connection %s: %r" % (json.dumps(c)[:300], e))


def normalise(doc):
    if not isinstance(doc, dict) or not isinstance(doc.get("connections"), list):
        raise ShapeError("no \"connections\" list in %s" % json.dumps(doc)[:300])
    return [_conn(c) for c in doc["connections"]]


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
