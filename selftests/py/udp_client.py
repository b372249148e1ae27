# SPDX-License-Identifier: GPL-2.0
# UDP client: udp_client.py ADDR PORT [MESSAGE]; prints the answer,
# ECONNREFUSED or TIMEOUT.
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.connect((sys.argv[1], int(sys.argv[2])))
msg = (sys.argv[3] if len(sys.argv) > 3 else "hello").encode()
try:
    s.send(msg)
    print(s.recv(65535).decode())
except ConnectionRefusedError:
    print("ECONNREFUSED")
except socket.timeout:
    print("TIMEOUT")
