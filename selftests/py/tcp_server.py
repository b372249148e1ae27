# SPDX-License-Identifier: GPL-2.0
# TCP server: tcp_server.py ADDR PORT.  Per connection one command line:
#   GET PATH    the file, then close
#   PUT         read to EOF, answer the sha256 of what came, close
#   HALF PATH   read to EOF (the client's write side is shut), then send
#               the file: data flows after the client's FIN
#   ECHO        echo to EOF
import hashlib, socket, socketserver, sys


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        f = s.makefile("rb")
        cmd = f.readline().decode().split()
        if not cmd:
            return
        try:
            if cmd[0] == "GET":
                with open(cmd[1], "rb") as fh:
                    s.sendfile(fh)
            elif cmd[0] in ("PUT", "HALF"):
                h = hashlib.sha256()
                while True:
                    d = f.read1(1 << 20)
                    if not d:
                        break
                    h.update(d)
                if cmd[0] == "PUT":
                    s.sendall(h.hexdigest().encode())
                else:
                    with open(cmd[1], "rb") as fh:
                        s.sendfile(fh)
            elif cmd[0] == "ECHO":
                while True:
                    d = f.read1(65536)
                    if not d:
                        break
                    s.sendall(d)
        except OSError as e:
            # A reset peer (a killed gateway) is a test's business.
            print("tcp_server:", cmd[0], e, file=sys.stderr)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 1024


Server((sys.argv[1], int(sys.argv[2])), Handler).serve_forever()
