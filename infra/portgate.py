#!/usr/bin/env python3
"""infra/portgate.py PORT CMD [ARG...]: hold a port for a server still being built.

`make run` must answer on its port from its first second, but its server is a
Go program that takes seconds to compile (minutes on a cold machine) and the
local stack takes as long to install. This gate binds 127.0.0.1:PORT at once
and answers every request with 503 UNAVAILABLE, a Retry-After and the API's
error envelope, while it runs CMD. CMD inherits the listening socket: its fd
number is in CIRCLES_LISTEN_FD, and CIRCLES_LISTEN_READY_FD names the write end
of a pipe that CMD closes once it accepts on the socket itself. The gate then
stops accepting (connections made in between wait in the socket's backlog,
never refused), waits for CMD and exits with its status.

PORT 0 picks a free port. The gate prints one line to stderr with the URL it
serves. It exits 1 at once if the port is taken.
"""

import json
import os
import select
import signal
import socket
import subprocess
import sys
import base64

RETRY_AFTER = 1
MAX_HEADER = 64 * 1024
MAX_BODY = 1024 * 1024


def request_id():
    # Shaped like API Gateway's ("JKJaXmPLvHcESHA="), as the Go gate's.
    return base64.b64encode(os.urandom(10)).decode()


def answer(conn):
    """Read one request (bounded, briefly) and answer 503."""
    conn.settimeout(2)
    data = b""
    try:
        while b"\r\n\r\n" not in data and len(data) < MAX_HEADER:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                try:
                    length = min(int(value.strip()), MAX_BODY)
                except ValueError:
                    length = 0
        # Read the body too: closing a socket with unread input resets the
        # connection, and the client would see a reset, not the 503.
        while len(body) < length:
            chunk = conn.recv(min(65536, length - len(body)))
            if not chunk:
                break
            body += chunk
    except OSError:
        pass
    rid = request_id()
    payload = json.dumps({"error": {
        "code": "UNAVAILABLE",
        "errCode": 500,
        "message": "the local stack is starting; retry after %d s" % RETRY_AFTER,
        "requestId": rid,
    }}).encode()
    head = (
        "HTTP/1.1 503 Service Unavailable\r\n"
        "Content-Type: application/json\r\n"
        "Retry-After: %d\r\n"
        "Apigw-Requestid: %s\r\n"
        "Content-Length: %d\r\n"
        "Connection: close\r\n\r\n" % (RETRY_AFTER, rid, len(payload))
    ).encode()
    try:
        conn.sendall(head + payload)
        conn.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    finally:
        conn.close()


def main(argv):
    if len(argv) < 3:
        print("usage: portgate.py PORT CMD [ARG...]", file=sys.stderr)
        return 2
    port, cmd = int(argv[1]), argv[2:]
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as e:
        print("portgate: cannot listen on 127.0.0.1:%d: %s" % (port, e.strerror), file=sys.stderr)
        return 1
    sock.listen(128)
    host, port = sock.getsockname()
    print("portgate: http://%s:%d answers 503 until the local API is ready" % (host, port),
          file=sys.stderr, flush=True)

    ready_r, ready_w = os.pipe()
    env = dict(os.environ, CIRCLES_LISTEN_FD=str(sock.fileno()), CIRCLES_LISTEN_READY_FD=str(ready_w))
    # The signals of Ctrl-C reach the whole process group (CMD too); the gate
    # outlives them only to report CMD's status.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    child = subprocess.Popen(cmd, env=env, pass_fds=(sock.fileno(), ready_w),
                             preexec_fn=lambda: (signal.signal(signal.SIGINT, signal.SIG_DFL),
                                                 signal.signal(signal.SIGTERM, signal.SIG_DFL)))
    os.close(ready_w)

    serving = True
    while serving:
        readable, _, _ = select.select([sock, ready_r], [], [], 0.5)
        if ready_r in readable:
            serving = False  # CMD accepts now (or is gone)
        elif sock in readable:
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            answer(conn)
        elif child.poll() is not None:
            serving = False
    sock.close()
    os.close(ready_r)
    return child.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
