# SPDX-License-Identifier: GPL-2.0
# A TCP server that reads nothing until told to: hold_server.py ADDR PORT
# GO OUT [SEND_MIB].  It accepts one connection with a small receive
# buffer (so the sender's data backs up into its own queue), sends
# SEND_MIB MiB (0) of its own that the client need not read, waits until
# the file GO exists, then reads to the end into OUT and writes how the
# stream ended, "EOF BYTES" or "ECONNRESET BYTES", to OUT.end.
import os, socket, sys, threading, time

addr, port, go, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
send_mib = int(sys.argv[5]) if len(sys.argv) > 5 else 0
ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
ls.bind((addr, port))
ls.listen(1)
s, _ = ls.accept()


def send():
    try:
        s.sendall(b"r" * (send_mib << 20))
    except OSError:
        pass


if send_mib:
    threading.Thread(target=send, daemon=True).start()
deadline = time.monotonic() + 300
while not os.path.exists(go) and time.monotonic() < deadline:
    time.sleep(0.05)
n, how = 0, "EOF"
with open(out, "wb") as f:
    while True:
        try:
            d = s.recv(1 << 20)
        except ConnectionResetError:
            how = "ECONNRESET"
            break
        if not d:
            break
        f.write(d)
        n += len(d)
with open(out + ".end", "w") as f:
    f.write("%s %d\n" % (how, n))
