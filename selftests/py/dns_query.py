# SPDX-License-Identifier: GPL-2.0
# DNS client: dns_query.py SERVER QUERY...; a QUERY is PROTO:NAME[:TYPE],
# PROTO udp or tcp, TYPE A (the default) or TXT.  One line per query:
#   QUERY rcode=N tc=0|1 an=COUNT ANSWER...
# an answer being an address or a TXT record's strings joined; or
#   QUERY ECONNREFUSED (TIMEOUT, ...)
import errno, os, socket, struct, sys

TYPES = {"A": 1, "TXT": 16}


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        d = s.recv(n - len(b))
        if not d:
            raise EOFError("short answer")
        b += d
    return b


def skip_name(m, i):
    while m[i]:
        if m[i] & 0xC0 == 0xC0:
            return i + 2
        i += 1 + m[i]
    return i + 1


def query(server, proto, name, qtype):
    qid = int.from_bytes(os.urandom(2), "big")
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack("!HH", TYPES[qtype], 1)
    try:
        if proto == "udp":
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(5)
            s.connect((server, 53))
            s.send(q)
            m = s.recv(65535)
        else:
            s = socket.create_connection((server, 53), timeout=10)
            s.sendall(struct.pack("!H", len(q)) + q)
            m = recv_exact(s, struct.unpack("!H", recv_exact(s, 2))[0])
        s.close()
    except socket.timeout:
        return "TIMEOUT"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e))
    except EOFError as e:
        return str(e)
    rid, flags, qd, an = struct.unpack("!HHHH", m[:8])
    if rid != qid:
        return "answer id %d for query %d" % (rid, qid)
    out = ["rcode=%d tc=%d an=%d" % (flags & 0xF, flags >> 9 & 1, an)]
    i = 12
    for _ in range(qd):
        i = skip_name(m, i) + 4
    for _ in range(an):
        i = skip_name(m, i)
        rtype, _, _, rdlen = struct.unpack("!HHIH", m[i:i + 10])
        rdata = m[i + 10:i + 10 + rdlen]
        i += 10 + rdlen
        if rtype == 1:
            out.append(socket.inet_ntoa(rdata))
        elif rtype == 16:
            parts, j = [], 0
            while j < len(rdata):
                parts.append(rdata[j + 1:j + 1 + rdata[j]].decode())
                j += 1 + rdata[j]
            out.append("".join(parts))
    return " ".join(out)


for spec in sys.argv[2:]:
    proto, name, qtype = (spec.split(":") + ["A"])[:3]
    print(spec, query(sys.argv[1], proto, name, qtype), flush=True)
