# SPDX-License-Identifier: GPL-2.0
# A client for port_server.py: port_client.py MODE ADDR PORT [ARG]
#   peer        "LOCAL_ADDR LOCAL_PORT | ANSWER": our own address and port
#               (getsockname) and what the server saw
#   get PATH    the sha256 of what GET PATH returned
#   put FILE    the server's sha256 of FILE as it arrived
#   udp MSG     "LOCAL_ADDR LOCAL_PORT | ANSWER" for a datagram
#   reset       connect, send a line, read: EOF, ECONNRESET, TIMEOUT...
#               (what a client of a port nobody serves sees)
import errno, hashlib, socket, sys

mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])


def me(s):
    a = s.getsockname()
    return "%s %d" % (a[0], a[1])


def read_all(s):
    r = b""
    while True:
        d = s.recv(1 << 20)
        if not d:
            return r
        r += d


if mode == "udp":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(10)
    s.connect((addr, port))
    s.send(sys.argv[4].encode())
    print(me(s), "|", s.recv(65535).decode())
    sys.exit(0)

if mode == "reset":
    # The reset may come before connect() returns: a published port's
    # listener took the connection, the sandbox refused it.
    try:
        s = socket.create_connection((addr, port), timeout=40)
        s.sendall(b"PEER\n")
        print("EOF" if not s.recv(100) else "DATA")
    except socket.timeout:
        print("TIMEOUT")
    except OSError as e:
        print(errno.errorcode.get(e.errno, str(e)))
    sys.exit(0)

s = socket.create_connection((addr, port), timeout=60)
if mode == "peer":
    s.sendall(b"PEER\n")
    print(me(s), "|", read_all(s).decode())
elif mode == "get":
    s.sendall(b"GET %s\n" % sys.argv[4].encode())
    h = hashlib.sha256()
    while True:
        d = s.recv(1 << 20)
        if not d:
            break
        h.update(d)
    print(h.hexdigest())
elif mode == "put":
    s.sendall(b"PUT\n")
    with open(sys.argv[4], "rb") as fh:
        s.sendfile(fh)
    s.shutdown(socket.SHUT_WR)
    print(read_all(s).decode())
