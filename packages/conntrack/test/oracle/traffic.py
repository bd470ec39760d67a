#!/usr/bin/env python3
"""Generates one oracle experiment's traffic on loopback and captures it.

Run inside a network namespace (run.sh creates it): python3 traffic.py EXPERIMENT OUT.pcap
Every frame seen on `lo` (incoming copies only, as libpcap shows loopback) is
written to OUT.pcap (LINKTYPE_ETHERNET, microseconds). Standard library only.
"""
import os, socket, struct, sys, threading, time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


class Sniffer:
    def __init__(self):
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.s.bind(("lo", 0))
        self.s.settimeout(0.05)
        self.frames = []
        self.stop = False
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.stop:
            try:
                data, addr = self.s.recvfrom(65535)
            except socket.timeout:
                continue
            if addr[2] == PACKET_OUTGOING:
                continue
            self.frames.append((time.time(), data))

    def finish(self, path):
        time.sleep(0.3)
        self.stop = True
        self.t.join()
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for ts, data in self.frames:
                sec = int(ts)
                usec = int(round((ts - sec) * 1e6))
                if usec >= 1000000:
                    sec, usec = sec + 1, usec - 1000000
                f.write(struct.pack("<IIII", sec, usec, len(data), len(data)))
                f.write(data)


def pause():
    time.sleep(0.15)


def udp(sniff):
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); rx.bind(("127.0.0.1", 5000))
    tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); tx.bind(("127.0.0.1", 40000))
    tx.sendto(b"hello", ("127.0.0.1", 5000)); pause()
    data, peer = rx.recvfrom(100); rx.sendto(b"world", peer); pause()
    lone = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); lone.bind(("127.0.0.1", 40001))
    rx2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); rx2.bind(("127.0.0.1", 5001))
    lone.sendto(b"one way", ("127.0.0.1", 5001)); pause()
    rx6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); rx6.bind(("::1", 6000))
    tx6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); tx6.bind(("::1", 41000))
    tx6.sendto(b"v6", ("::1", 6000)); pause()
    z = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); z.bind(("127.0.0.1", 7000))
    zr = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); zr.bind(("127.0.0.1", 7777))
    z.sendto(b"zone", ("127.0.0.1", 7777)); pause()


def tcp(sniff):
    srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 8080)); srv.listen(4)
    # a connection that closes cleanly (ends in TIME_WAIT) ...
    c = socket.create_connection(("127.0.0.1", 8080), source_address=("127.0.0.1", 45000))
    a, _ = srv.accept(); pause()
    c.sendall(b"GET / HTTP/1.0\r\n\r\n"); pause(); a.recv(100)
    a.sendall(b"HTTP/1.0 200 OK\r\n\r\n"); pause(); c.recv(100)
    c.close(); pause(); a.close(); pause()
    # ... and one that stays established
    c2 = socket.create_connection(("127.0.0.1", 8080), source_address=("127.0.0.1", 45001))
    a2, _ = srv.accept(); pause()
    c2.sendall(b"ping"); pause(); a2.recv(10); a2.sendall(b"pong"); pause(); c2.recv(10); pause()
    sniff.keep = [c2, a2, srv]
    # and over IPv6
    srv6 = socket.socket(socket.AF_INET6); srv6.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv6.bind(("::1", 8086)); srv6.listen(1)
    c6 = socket.create_connection(("::1", 8086), source_address=("::1", 45006)); a6, _ = srv6.accept(); pause()
    c6.sendall(b"six"); pause(); a6.recv(10); pause()
    sniff.keep += [c6, a6, srv6]


def ftp_session(cport, commands, replies):
    """A fake FTP control session to 127.0.0.1:2121: every command and reply in its own segment."""
    srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 2121)); srv.listen(1)
    cl = socket.create_connection(("127.0.0.1", 2121), source_address=("127.0.0.1", cport))
    cl.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sv, _ = srv.accept(); sv.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    srv.close(); pause()
    sv.sendall(b"220 k ftp\r\n"); pause(); cl.recv(100)
    for cmd, rep in zip(commands, replies):
        cl.sendall(cmd); pause(); sv.recv(200)
        sv.sendall(rep); pause(); cl.recv(200)
    return cl, sv


def ftp(sniff):
    # master A: active mode, two PORT commands (max_expected 1: the second evicts the first), then EPRT
    a = ftp_session(50000, [b"USER anonymous\r\n", b"PORT 127,0,0,1,156,64\r\n", b"PORT 127,0,0,1,156,65\r\n", b"EPRT |1|127.0.0.1|40002|\r\n"],
                    [b"331 ok\r\n", b"200 ok\r\n", b"200 ok\r\n", b"200 ok\r\n"])
    # the data connection the EPRT expectation is for (server -> client:40002)
    lst = socket.socket(); lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); lst.bind(("127.0.0.1", 40002)); lst.listen(1)
    d = socket.create_connection(("127.0.0.1", 40002), source_address=("127.0.0.1", 20020)); da, _ = lst.accept(); pause()
    # master B: passive mode, the server's 227 reply
    b = ftp_session(50001, [b"USER anonymous\r\n", b"PASV\r\n"], [b"331 ok\r\n", b"227 Entering Passive Mode (127,0,0,1,156,72).\r\n"])
    # master C: extended passive mode, the server's 229 reply
    c = ftp_session(50002, [b"USER anonymous\r\n", b"EPSV\r\n"], [b"331 ok\r\n", b"229 Entering Extended Passive Mode (|||40009|)\r\n"])
    sniff.keep = [a, b, c, d, da, lst]


def sip(sniff):
    ua = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); ua.bind(("127.0.0.1", 5062))
    reg = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); reg.bind(("127.0.0.1", 5060))
    def msg(lines):
        return ("\r\n".join(lines) + "\r\n\r\n").encode()
    ua.sendto(msg(["REGISTER sip:127.0.0.1 SIP/2.0", "Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK1", "From: <sip:u@127.0.0.1>;tag=1",
                   "To: <sip:u@127.0.0.1>", "Call-ID: reg@127.0.0.1", "CSeq: 1 REGISTER", "Contact: <sip:u@127.0.0.1:5062>;expires=3600",
                   "Content-Length: 0"]), ("127.0.0.1", 5060)); pause()
    reg.recvfrom(2000)
    reg.sendto(msg(["SIP/2.0 200 OK", "Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK1", "From: <sip:u@127.0.0.1>;tag=1",
                    "To: <sip:u@127.0.0.1>;tag=2", "Call-ID: reg@127.0.0.1", "CSeq: 1 REGISTER", "Contact: <sip:u@127.0.0.1:5062>;expires=1800",
                    "Content-Length: 0"]), ("127.0.0.1", 5062)); pause()
    ua.recvfrom(2000)
    sniff.keep = [ua, reg]


EXPERIMENTS = {"udp": udp, "tcp": tcp, "ftp": ftp, "sip": sip}

if __name__ == "__main__":
    exp, out = sys.argv[1], sys.argv[2]
    sniff = Sniffer()
    time.sleep(0.1)
    EXPERIMENTS[exp](sniff)
    sniff.finish(out)
    print(f"{exp}: {len(sniff.frames)} frames", flush=True)
    # keep the sockets of established connections open while run.sh lists the tables
    if os.environ.get("HOLD"):
        time.sleep(float(os.environ["HOLD"]))
