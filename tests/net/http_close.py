"""Sequential HTTP/1.1 `Connection: close` requests over kernel TCP.

  http_close.py HOST PORT COUNT SIZE [--deadline S] [--timeout S]

Each request: connect, GET with Connection: close, read to EOF (the server
closes first), check status 200 and a body of SIZE bytes matching
Content-Length, close. Prints one JSON object: ok (count), errors (the first
10), ports (local port of every successful request), seconds.
"""
import argparse
import json
import socket
import sys
import time


def one(host, port, size, timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect((host, port))
        lport = s.getsockname()[1]
        s.sendall(b"GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
                  % host.encode())
        buf = bytearray()
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break  # the server's FIN
            buf += chunk
    finally:
        s.close()
    head, sep, body = bytes(buf).partition(b"\r\n\r\n")
    if not sep:
        raise ValueError("no end of headers in %r" % bytes(buf[:120]))
    lines = head.split(b"\r\n")
    if not lines[0].startswith(b"HTTP/1.1 200"):
        raise ValueError("status line %r" % lines[0])
    clen = [int(l.split(b":", 1)[1]) for l in lines[1:]
            if l.lower().startswith(b"content-length:")]
    if clen != [size] or len(body) != size:
        raise ValueError("Content-Length %r, body %d bytes, want %d"
                         % (clen, len(body), size))
    return lport


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("count", type=int)
    ap.add_argument("size", type=int)
    ap.add_argument("--deadline", type=float, default=60.0)
    ap.add_argument("--timeout", type=float, default=3.0)
    a = ap.parse_args()
    ok, errors, ports = 0, [], []
    t0 = time.monotonic()
    for i in range(a.count):
        if time.monotonic() - t0 > a.deadline:
            errors.append("deadline of %.0f s reached after %d requests"
                          % (a.deadline, i))
            break
        try:
            ports.append(one(a.host, a.port, a.size, a.timeout))
            ok += 1
        except (OSError, ValueError) as e:
            if len(errors) < 10:
                errors.append("request %d: %s: %s" % (i, type(e).__name__, e))
    print(json.dumps({"ok": ok, "errors": errors, "ports": ports,
                      "seconds": round(time.monotonic() - t0, 3)}))
    return 0 if ok == a.count else 1


if __name__ == "__main__":
    sys.exit(main())
