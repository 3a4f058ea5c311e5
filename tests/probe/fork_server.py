"""A forking TCP server on loopback, asked a few questions by a client."""
import socket
import socketserver
import threading


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        n = int(self.rfile.readline())
        self.wfile.write(b"%d\n" % sum(i * i for i in range(n)))


with socketserver.ForkingTCPServer(("127.0.0.1", 0), Handler) as server:
    t = threading.Thread(target=server.serve_forever, name="acceptor")
    t.start()
    port = server.server_address[1]
    for n in (200_000, 300_000, 400_000):
        with socket.create_connection(("127.0.0.1", port)) as c:
            c.sendall(b"%d\n" % n)
            print(c.makefile().readline().strip())
    server.shutdown()
    t.join()
