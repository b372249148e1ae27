# SPDX-License-Identifier: GPL-2.0
# A server for the published-port tests: port_server.py tcp|udp ADDR PORT
#   tcp: per connection one command line:
#     PEER        answer "PEER_ADDR PEER_PORT LOCAL_PORT" (getpeername and
#                 our own port), then close
#     GET PATH    the file, then close
#     PUT         read to EOF, answer the sha256 of what came, close
#   udp: answer each datagram with "PEER_ADDR PEER_PORT LOCAL_PORT DATA"
import hashlib, socket, socketserver, sys

proto, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])


def who(peer, sock):
    return "%s %d %d" % (peer[0], peer[1], sock.getsockname()[1])


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        f = s.makefile("rb")
        cmd = f.readline().decode().split()
        if not cmd:
            return
        try:
            if cmd[0] == "PEER":
                s.sendall(who(s.getpeername(), s).encode())
            elif cmd[0] == "GET":
                with open(cmd[1], "rb") as fh:
                    s.sendfile(fh)
            elif cmd[0] == "PUT":
                h = hashlib.sha256()
                while True:
                    d = f.read1(1 << 20)
                    if not d:
                        break
                    h.update(d)
                s.sendall(h.hexdigest().encode())
        except OSError as e:
            print("port_server:", cmd[0], e, file=sys.stderr)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


if proto == "tcp":
    Server((addr, port), Handler).serve_forever()
else:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((addr, port))
    while True:
        d, a = u.recvfrom(65535)
        u.sendto(who(a, u).encode() + b" " + d, a)
