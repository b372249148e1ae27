# SPDX-License-Identifier: GPL-2.0
# What a sandbox program learns from an ICMP error, through IP_RECVERR:
#   recverr.py udp ADDR PORT   one datagram on a connected UDP socket
#   recverr.py ping ADDR       one echo request on a ping socket
# Prints "ERRNO type=T code=C from=OFFENDER quote=ok|bad", or REPLY or
# TIMEOUT.  quote=ok: the error queue gave back what we sent (the UDP
# payload; the echo request's sequence number and payload), so the
# quote in the ICMP error matched our socket and carried our bytes.
import errno, select, socket, struct, sys

IP_RECVERR = 11
SO_EE_ORIGIN_ICMP = 2

mode, addr = sys.argv[1], sys.argv[2]
if mode == "udp":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((addr, int(sys.argv[3])))
    sent = b"probe-payload"
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP)
    s.connect((addr, 0))
    payload = b"ringnet-echo-probe"
    # Type 8, code 0; the kernel fills in the identifier and checksum.
    sent = struct.pack("!BBHHH", 8, 0, 0, 0, 4242) + payload
s.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
s.send(sent)

p = select.poll()
p.register(s, select.POLLIN | select.POLLERR)
if not p.poll(5000):
    print("TIMEOUT")
    sys.exit(0)
try:
    data, anc, _, _ = s.recvmsg(2048, 512, socket.MSG_ERRQUEUE)
except BlockingIOError:
    print("REPLY")
    sys.exit(0)
for level, kind, d in anc:
    if level != socket.IPPROTO_IP or kind != IP_RECVERR:
        continue
    err, origin, t, c, _, info, _ = struct.unpack("=IBBBBII", d[:16])
    offender = socket.inet_ntoa(d[20:24])
    if mode == "ping":
        # The quoted echo request; its identifier found this socket.
        ok = len(data) >= 8 and data[0] == 8 and data[6:8] == struct.pack("!H", 4242) \
            and data[8:] == payload
    else:
        ok = data == sent
    if origin != SO_EE_ORIGIN_ICMP:
        offender = "local"
    print("%s type=%d code=%d from=%s quote=%s" %
          (errno.errorcode.get(err, str(err)), t, c, offender, "ok" if ok else "bad"))
    break
else:
    print("NOERROR")
