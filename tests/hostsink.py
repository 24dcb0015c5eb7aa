#!/usr/bin/env python3
# tests/hostsink.py - whole streams to a host loopback service and back
# (t_host_port, bench/hostport.sh); traffic only to the sink it starts.
#   hostsink.py sink PORT [OTHER]   on the host's 127.0.0.1:PORT, a thread per
#                                   client reads the whole stream and answers
#                                   "got N" once; OTHER: a port that only
#                                   accepts and closes
#   hostsink.py send HOST PORT SIZE prints the seconds taken, or FAIL(reply),
#                                   exit 1 on a wrong or doubled reply
import socket, sys, threading, time


def drain(c):
    c.settimeout(60)
    n = 0
    try:
        while True:
            b = c.recv(1 << 20)
            if not b:
                break
            n += len(b)
        c.sendall(b"got %d" % n)
    finally:
        c.close()


def serve(port, sink):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(16)
    while True:
        c, _ = s.accept()
        if sink:
            threading.Thread(target=drain, args=(c,), daemon=True).start()
        else:
            c.close()


def send(host, port, size):
    t = time.monotonic()
    c = socket.create_connection((host, port), 5)
    c.settimeout(30)
    chunk = b"x" * (1 << 20)
    left = size
    while left:
        left -= c.send(chunk[:min(left, len(chunk))])
    c.shutdown(socket.SHUT_WR)
    r = b""
    while True:
        b = c.recv(64)
        if not b:
            break
        r += b
    if r != b"got %d" % size:
        print("FAIL(%r)" % r[:40])
        return 1
    print("%.2f" % (time.monotonic() - t))
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "sink":
        if len(sys.argv) > 3:
            threading.Thread(target=serve, args=(int(sys.argv[3]), False), daemon=True).start()
        serve(int(sys.argv[2]), True)
    else:
        sys.exit(send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
