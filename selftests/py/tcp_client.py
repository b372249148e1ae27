# SPDX-License-Identifier: GPL-2.0
# TCP client for tcp_server.py: tcp_client.py MODE ADDR PORT [ARG]
#   connect          OK, ECONNREFUSED, TIMEOUT or the errno's name
#   get PATH         sha256 of what GET PATH returned
#   put FILE         the server's sha256 of FILE as it arrived
#   half PATH        sends, shuts its write side, then reads: the sha256
#   many N           N connections at once, each an ECHO; how many came
#                    back intact
#   hold GOFILE      an ECHO connection, proven with one round trip
#                    ("UP"); once GOFILE exists, one more round trip:
#                    ECHOED, EOF, ECONNRESET, TIMEOUT...
#   slowget PATH GOFILE  GET, read 1 MiB ("UP"), wait for GOFILE, send a
#                    byte, read the rest: its sha256, or how the
#                    connection ended
import errno, hashlib, os, socket, sys, threading, time

mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])


def conn(timeout=60):
    return socket.create_connection((addr, port), timeout=timeout)


def read_all(s, h):
    n = 0
    while True:
        d = s.recv(1 << 20)
        if not d:
            return n
        h.update(d)
        n += len(d)


def error_name(e):
    if isinstance(e, socket.timeout):
        return "TIMEOUT"
    return errno.errorcode.get(e.errno, str(e))


def wait_file(path, limit=300):
    end = time.monotonic() + limit
    while not os.path.exists(path):
        if time.monotonic() > end:
            sys.exit("no " + path)
        time.sleep(0.05)


if mode == "connect":
    try:
        conn(5).close()
        print("OK")
    except OSError as e:
        print(error_name(e))
elif mode == "get":
    s = conn()
    s.sendall(b"GET %s\n" % sys.argv[4].encode())
    h = hashlib.sha256()
    read_all(s, h)
    print(h.hexdigest())
elif mode == "put":
    s = conn()
    s.sendall(b"PUT\n")
    with open(sys.argv[4], "rb") as fh:
        s.sendfile(fh)
    s.shutdown(socket.SHUT_WR)
    r = b""
    while True:
        d = s.recv(4096)
        if not d:
            break
        r += d
    print(r.decode())
elif mode == "half":
    s = conn()
    s.sendall(b"HALF %s\nsome bytes before the FIN" % sys.argv[4].encode())
    s.shutdown(socket.SHUT_WR)
    h = hashlib.sha256()
    read_all(s, h)
    print(h.hexdigest())
elif mode == "many":
    n, ok, lock = int(sys.argv[4]), [0], threading.Lock()
    barrier = threading.Barrier(n)

    def one(i):
        msg = (b"%d " % i) * 500
        try:
            barrier.wait(120)
            s = conn(120)
            s.sendall(b"ECHO\n" + msg)
            s.shutdown(socket.SHUT_WR)
            r = b""
            while True:
                d = s.recv(65536)
                if not d:
                    break
                r += d
            if r == msg:
                with lock:
                    ok[0] += 1
        except Exception as e:
            print("conn", i, e, file=sys.stderr)

    threading.stack_size(256 << 10)
    t = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for x in t:
        x.start()
    for x in t:
        x.join()
    print(ok[0])
elif mode == "hold":
    s = conn(20)
    s.sendall(b"ECHO\nbefore")
    r = b""
    while len(r) < 6:
        r += s.recv(6 - len(r))
    print("UP" if r == b"before" else "BAD " + repr(r), flush=True)
    wait_file(sys.argv[4])
    try:
        s.sendall(b"after")
        r = s.recv(5)
        print("ECHOED" if r == b"after" else "EOF" if not r else "BAD " + repr(r))
    except OSError as e:
        print(error_name(e))
elif mode == "slowget":
    s = conn(20)
    s.sendall(b"GET %s\n" % sys.argv[4].encode())
    h, n = hashlib.sha256(), 0
    while n < 1 << 20:
        d = s.recv((1 << 20) - n)
        if not d:
            break
        h.update(d)
        n += len(d)
    print("UP", flush=True)
    wait_file(sys.argv[5])
    try:
        # A receiver with an open window has nothing to say: one byte
        # makes the sandbox talk, so a dead connection shows.
        s.sendall(b"x")
        n += read_all(s, h)
        print("EOF after %d bytes, sha256 %s" % (n, h.hexdigest()))
    except OSError as e:
        print(error_name(e))
