# SPDX-License-Identifier: GPL-2.0
# A client that writes and exits: write_close.py ADDR PORT FILE [hold].
# It writes FILE until the socket takes no more for 2 s (a peer that does
# not read), prints how many bytes its kernel took, closes and exits 0:
# what it handed over is then the kernel's to deliver.  With "hold" it
# neither reads nor closes, but sleeps until it is killed.
import socket, sys, time

s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=30)
s.settimeout(2)
total = 0
with open(sys.argv[3], "rb") as f:
    data = f.read()
try:
    while total < len(data):
        total += s.send(data[total:total + (1 << 20)])
except socket.timeout:
    pass
print(total, flush=True)
if sys.argv[4:] == ["hold"]:
    time.sleep(3600)
s.close()
