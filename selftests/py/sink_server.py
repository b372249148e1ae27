# SPDX-License-Identifier: GPL-2.0
# A TCP server that stores what each client sends: sink_server.py ADDR
# PORT DIR.  Connection N is written to DIR/N.part, renamed to DIR/N once
# it has ended with EOF (a reset leaves the .part behind).
import os, socket, sys, threading

addr, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((addr, port))
ls.listen(128)


def store(s, n):
    path = os.path.join(out, str(n))
    with s, open(path + ".part", "wb") as f:
        try:
            while True:
                d = s.recv(1 << 20)
                if not d:
                    break
                f.write(d)
        except ConnectionResetError:
            return
    os.rename(path + ".part", path)


n = 0
while True:
    s, _ = ls.accept()
    threading.Thread(target=store, args=(s, n), daemon=True).start()
    n += 1
