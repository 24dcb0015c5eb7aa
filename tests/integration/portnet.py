#!/usr/bin/env python3
# tests/integration/portnet.py - servers (run in cells) and clients (run on
# the host) for tests/integration/ports.sh.  Every mode is bounded: servers
# serve a fixed number of requests and give up after a deadline, clients use
# timeouts, so nothing outlives its test.
#
#   serve-peer FAM PORT N        TCP: tell each of N clients "IP PORT\n"
#   serve-echo FAM PORT N        TCP: echo N connections (threads), to EOF
#   serve-sha  FAM PORT          TCP: read one connection to EOF, answer sha256
#   serve-udp  FAM PORT N        UDP: answer N datagrams with "DATA IP PORT"
#   peer HOST PORT [BIND]        connect (from BIND), print what the server said
#   sha HOST PORT FILE           send FILE, shut down writing, print the answer
#   echo HOST PORT N SIZE        N parallel clients, SIZE random bytes each;
#                                prints "ok N" when every echo matched
#   echo-long HOST PORT SECS     one connection echoing for SECS; "ok ROUNDS"
#   udp HOST PORT [BIND]         one datagram, print the answer
#   udp-many HOST PORT N [KEEP]  N clients one after another, each from its
#                                own socket, then the first KEEP of them again
#                                from the same sockets; prints "ok N+KEEP" when
#                                every answer carried the client's own
#                                datagram and port
import hashlib
import os
import socket
import sys
import threading
import time

DEADLINE = 60


def fam(f):
    return socket.AF_INET6 if f == "6" else socket.AF_INET


def anyaddr(f):
    return "::1" if f == "6" else "127.0.0.1"


def listener(f, port, kind=socket.SOCK_STREAM):
    s = socket.socket(fam(f), kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((anyaddr(f), int(port)))
    if kind == socket.SOCK_STREAM:
        s.listen(128)
    s.settimeout(DEADLINE)
    return s


def serve_peer(f, port, n):
    s = listener(f, port)
    for _ in range(int(n)):
        c, a = s.accept()
        c.sendall(("%s %d\n" % (a[0], a[1])).encode())
        c.close()


def echo_conn(c):
    c.settimeout(DEADLINE)
    try:
        while True:
            d = c.recv(65536)
            if not d:
                break
            c.sendall(d)
        c.shutdown(socket.SHUT_WR)
    finally:
        c.close()


def serve_echo(f, port, n):
    s = listener(f, port)
    ts = []
    for _ in range(int(n)):
        c, _ = s.accept()
        t = threading.Thread(target=echo_conn, args=(c,), daemon=True)
        t.start()
        ts.append(t)
    for t in ts:
        t.join(DEADLINE)


def serve_sha(f, port):
    s = listener(f, port)
    c, _ = s.accept()
    c.settimeout(DEADLINE)
    h = hashlib.sha256()
    while True:
        d = c.recv(1 << 20)
        if not d:
            break
        h.update(d)
    c.sendall(h.hexdigest().encode())
    c.close()


def serve_udp(f, port, n):
    s = listener(f, port, socket.SOCK_DGRAM)
    for _ in range(int(n)):
        d, a = s.recvfrom(65536)
        s.sendto(d + (" %s %d" % (a[0], a[1])).encode(), a)


def client_socket(host, kind, timeout, bind=None):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, kind)
    s.settimeout(timeout)
    if bind:
        s.bind((bind, 0))
    return s


def connect(host, port, bind=None):
    c = client_socket(host, socket.SOCK_STREAM, 20, bind)
    c.connect((host, int(port)))
    return c


def recv_all(c):
    out = b""
    while True:
        d = c.recv(65536)
        if not d:
            return out
        out += d


def peer(host, port, bind=None):
    c = connect(host, port, bind)
    me = c.getsockname()
    print(recv_all(c).decode().strip(), "me", me[0], me[1])


def sha(host, port, path):
    c = connect(host, port)
    c.settimeout(60)
    with open(path, "rb") as fh:
        c.sendfile(fh)
    c.shutdown(socket.SHUT_WR)
    print(recv_all(c).decode())


def echo_one(host, port, size, ok):
    data = os.urandom(size)
    c = connect(host, port)
    t = threading.Thread(target=lambda: c.sendall(data) or c.shutdown(socket.SHUT_WR))
    t.start()
    got = recv_all(c)
    t.join()
    c.close()
    if got == data:
        ok.append(1)


def echo(host, port, n, size):
    ok = []
    ts = [threading.Thread(target=echo_one, args=(host, port, int(size), ok)) for _ in range(int(n))]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    print("ok", len(ok))


def echo_long(host, port, secs):
    c = connect(host, port)
    end = time.time() + float(secs)
    rounds = 0
    while time.time() < end:
        data = os.urandom(4096)
        c.sendall(data)
        got = b""
        while len(got) < len(data):
            d = c.recv(len(data) - len(got))
            if not d:
                print("eof after", rounds)
                return
            got += d
        if got != data:
            print("mismatch after", rounds)
            return
        rounds += 1
        time.sleep(0.01)
    c.shutdown(socket.SHUT_WR)
    if recv_all(c) == b"":
        print("ok", rounds)


def udp(host, port, bind=None):
    u = client_socket(host, socket.SOCK_DGRAM, 5, bind)
    for _ in range(3):
        u.sendto(b"ping", (host, int(port)))
        try:
            print(u.recv(65536).decode(), "me", *u.getsockname()[:2])
            return
        except socket.timeout:
            continue
    print("timeout")


def udp_ok(u, host, port, msg, who):
    """one request from socket u; True when the answer is msg and u's port"""
    got = []
    for _ in range(3):
        u.sendto(msg, (host, int(port)))
        try:
            got = u.recv(65536).split()
            break
        except socket.timeout:
            continue
    me = u.getsockname()[1]
    if got[:1] == [msg] and got[2:3] == [str(me).encode()]:
        return True
    print("%s (port %d) got %r" % (who, me, got))
    return False


def udp_many(host, port, n, keep="0"):
    ok, kept = 0, []
    for i in range(int(n)):
        u = client_socket(host, socket.SOCK_DGRAM, 1)
        ok += udp_ok(u, host, port, b"c%d" % i, "client %d" % i)
        if i < int(keep):
            kept.append(u)
        else:
            u.close()
    # the first clients again, from the same sockets: their flows were the
    # least recently used ones
    for i, u in enumerate(kept):
        ok += udp_ok(u, host, port, b"again%d" % i, "kept client %d" % i)
        u.close()
    print("ok", ok)


MODES = {"serve-peer": serve_peer, "serve-echo": serve_echo, "serve-sha": serve_sha,
         "serve-udp": serve_udp, "peer": peer, "sha": sha, "echo": echo,
         "echo-long": echo_long, "udp": udp, "udp-many": udp_many}

if __name__ == "__main__":
    MODES[sys.argv[1]](*sys.argv[2:])
