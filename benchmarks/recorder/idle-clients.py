# N keep-alive clients for idle-connections.sh: each sends one request, reads its answer, then
# holds its connection idle for HOLD seconds and asks once more (is it still served?).
# usage: idle-clients.py N PORT HOLD_SECONDS
import socket, sys, time
n = int(sys.argv[1]); port = int(sys.argv[2]); hold = float(sys.argv[3])
socks = []
t0 = time.time()
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /api/data.json HTTP/1.1\r\nHost: x\r\n\r\n")
    socks.append(s)
got = 0
for s in socks:
    s.settimeout(30)
    data = b""
    while b"\r\n\r\n" not in data:
        data += s.recv(65536)
    head, _, rest = data.partition(b"\r\n\r\n")
    length = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
    while len(rest) < length:
        rest += s.recv(65536)
    got += 1
print("open and answered:", got, "in %.1f s" % (time.time() - t0), flush=True)
time.sleep(hold)
alive = 0
for s in socks:
    try:
        s.sendall(b"GET /api/data.json HTTP/1.1\r\nHost: x\r\n\r\n")
        s.settimeout(10)
        if s.recv(16):
            alive += 1
    except OSError:
        pass
print("still served after the hold:", alive, flush=True)
