#!/usr/bin/env python3
"""Non-RDP listeners for the rdpdoctor testbed. Binds 127.0.0.1 only.

usage: fake_servers.py MODE PORT [--hold SECONDS] [--root DIR]
  http    a plain http.server serving DIR (default: a fresh temporary
          directory) with one index.html (HTTP/1.0 answers)
  silent  accepts connections and never sends anything; each connection is
          closed after --hold seconds (default 60)
  ssh     sends "SSH-2.0-OpenSSH_9.2\\r\\n" on connect, then reads and discards
          input without answering; closed after --hold seconds (default 60)
"""

import argparse
import http.server
import os
import socket
import socketserver
import sys
import tempfile
import threading
import time

HOST = "127.0.0.1"
SSH_BANNER = b"SSH-2.0-OpenSSH_9.2\r\n"


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def hold_handler(banner, hold):
    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            sock = self.request
            deadline = time.monotonic() + hold
            try:
                if banner:
                    sock.sendall(banner)
                while True:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    sock.settimeout(left)
                    try:
                        if not sock.recv(4096):  # peer closed
                            break
                    except socket.timeout:
                        break
            except OSError:
                pass

    return Handler


class QuietHTTPHandler(http.server.SimpleHTTPRequestHandler):
    # Like nginx/Apache, answer garbage (e.g. an X.224 request) with an
    # "HTTP/1.0 400" status line instead of a bare HTTP/0.9 error body.
    default_request_version = "HTTP/1.0"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))
        sys.stderr.flush()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["http", "silent", "ssh"])
    parser.add_argument("port", type=int)
    parser.add_argument("--hold", type=float, default=60.0)
    parser.add_argument("--root", help="directory served in http mode")
    args = parser.parse_args()

    if args.mode == "http":
        root = args.root or tempfile.mkdtemp(prefix="testbed-http-")
        os.makedirs(root, exist_ok=True)
        with open(os.path.join(root, "index.html"), "w") as fh:
            fh.write("<html><body>rdpdoctor testbed: not an RDP server</body></html>\n")
        os.chdir(root)
        server = Server((HOST, args.port), QuietHTTPHandler)
    else:
        banner = SSH_BANNER if args.mode == "ssh" else b""
        server = Server((HOST, args.port), hold_handler(banner, args.hold))
    print("%s listening on %s:%d" % (args.mode, HOST, args.port), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
