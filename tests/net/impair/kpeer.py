"""A kernel TCP peer for the impairment pre-checks that never closes first,
so the server's side of the port is left without TIME-WAIT sockets (which
would keep `xdptcp serve` from binding it afterwards).

  kpeer.py recv HOST PORT FILE   accept one connection, write what comes to
                                 FILE, close after the peer's FIN
  kpeer.py send HOST PORT FILE   accept one connection, send FILE, close
                                 after the peer's FIN
  kpeer.py fetch HOST PORT N     connect, read N bytes to stdout, close
"""
import socket
import sys


def accept(host, port):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((host, port))
    ls.listen(1)
    ls.settimeout(15)
    c, _ = ls.accept()
    ls.close()
    c.settimeout(15)
    return c


def drain(c, out=None):
    while True:
        b = c.recv(1 << 16)
        if not b:
            return
        if out:
            out.write(b)


def main():
    cmd, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if cmd == "recv":
        c = accept(host, port)
        with open(sys.argv[4], "wb") as f:
            drain(c, f)
        c.close()
    elif cmd == "send":
        c = accept(host, port)
        with open(sys.argv[4], "rb") as f:
            c.sendall(f.read())
        drain(c)
        c.close()
    elif cmd == "fetch":
        n, out = int(sys.argv[4]), bytearray()
        c = socket.create_connection((host, port), timeout=15)
        while len(out) < n:
            b = c.recv(1 << 16)
            if not b:
                break
            out += b
        c.close()
        sys.stdout.buffer.write(out)
    else:
        sys.exit("kpeer.py: unknown command %s" % cmd)


if __name__ == "__main__":
    main()
