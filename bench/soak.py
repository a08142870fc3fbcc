#!/usr/bin/env python3
"""Soak test: `imgclf serve` under valid load (wrk) and hostile clients at once, for a
bounded time. Reports requests, errors, p99 latency, /ping latency and the server's RSS at
the start and at the end, then stops the server with SIGTERM and checks it exits 0.

    bench/soak.py [--duration 120] [--model Tests/Fixtures/Resources/models/resnet8-3x28x28] [--no-install]

The model and image are the serving tests' own (in the repository). wrk comes from Debian:
installed with apt-get when missing and running as root, unless --no-install."""
import argparse, json, os, random, re, shutil, signal, socket, subprocess, sys, threading, time, urllib.request

import benchlib

ROOT = benchlib.ROOT


def ensure_wrk(no_install):
    if shutil.which("wrk"):
        return
    if no_install or os.geteuid() != 0:
        sys.exit("wrk is missing; install it with: apt-get install -y wrk")
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(install, stdout=subprocess.DEVNULL).returncode != 0:
        # a fresh machine may have no package lists yet
        subprocess.run(["apt-get", "update", "-q"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(install, check=True, stdout=subprocess.DEVNULL)


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return -1


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ping(port, timeout=10):
    start = time.monotonic()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=timeout) as r:
        r.read()
        return r.status, time.monotonic() - start


class Hostile:
    """Clients that misbehave in every way the issue lists, in a loop until `stop`."""

    def __init__(self, port, image, stop):
        self.port, self.image, self.stop = port, image, stop
        self.counts, self.lock = {}, threading.Lock()

    def note(self, kind, outcome):
        with self.lock:
            key = f"{kind}:{outcome}"
            self.counts[key] = self.counts.get(key, 0) + 1

    def connect(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        s.settimeout(10)
        return s

    def exchange(self, kind, data, half_close=False):
        try:
            s = self.connect()
            s.sendall(data)
            if half_close:
                s.shutdown(socket.SHUT_WR)
            reply = s.recv(65536)
            status = reply.split(b" ", 2)[1].decode() if reply.startswith(b"HTTP/") else ("closed" if not reply else "garbage")
            self.note(kind, status)
            s.close()
        except OSError as e:
            self.note(kind, type(e).__name__)

    def post(self, body, ctype="image/png", extra=b""):
        return (b"POST /invocations HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: " + ctype.encode()
                + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n" + extra + b"\r\n" + body)

    def requests(self):
        rng = random.Random(1)
        while not self.stop.is_set():
            kind = rng.choice(["garbage", "truncated", "huge_header", "half_closed", "http10", "wrong_method", "lying_length"])
            if kind == "garbage":
                self.exchange(kind, self.post(bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 4096)))))
            elif kind == "truncated":
                self.exchange(kind, self.post(self.image[: rng.randint(1, len(self.image) - 1)]))
            elif kind == "huge_header":
                self.exchange(kind, b"GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n")
            elif kind == "half_closed":
                self.exchange(kind, self.post(self.image)[: rng.randint(10, 200)], half_close=True)
            elif kind == "http10":
                self.exchange(kind, b"GET /ping HTTP/1.0\r\n\r\n")
            elif kind == "wrong_method":
                self.exchange(kind, b"PUT /invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            elif kind == "lying_length":
                # Declares more body than it sends, then waits: the read timeout closes it.
                self.exchange(kind, self.post(self.image)[:-100])

    def slowloris(self, sockets=64):
        held = []
        while not self.stop.is_set():
            while len(held) < sockets:
                try:
                    s = self.connect()
                    s.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\n")
                    held.append(s)
                except OSError as e:
                    self.note("slowloris_connect", type(e).__name__)
                    break
            for s in list(held):
                try:
                    s.sendall(b"X")
                except OSError:
                    self.note("slowloris", "closed_by_server")
                    held.remove(s)
                    s.close()
            self.stop.wait(1.0)
        for s in held:
            s.close()

    def idle(self, sockets=128):
        held = []
        while not self.stop.is_set():
            while len(held) < sockets:
                try:
                    held.append(self.connect())
                except OSError as e:
                    self.note("idle_connect", type(e).__name__)
                    break
            for s in list(held):
                s.setblocking(False)
                try:
                    if s.recv(1) == b"":
                        self.note("idle", "closed_by_server")
                        held.remove(s)
                        s.close()
                except BlockingIOError:
                    pass
                except OSError:
                    held.remove(s)
                    s.close()
            self.stop.wait(0.5)
        for s in held:
            s.close()


def parse_wrk(text):
    def number(pattern, default=0.0):
        m = re.search(pattern, text)
        return float(m.group(1)) if m else default
    def duration_ms(value, unit):
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s|m)\b", text)
    socket_errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
    return {
        "requests": int(number(r"(\d+) requests in")),
        "non_2xx": int(number(r"Non-2xx or 3xx responses: (\d+)")),
        "socket_errors": socket_errors,
        "requests_per_s": number(r"Requests/sec:\s+([\d.]+)"),
        "p99_ms": duration_ms(*p99.groups()) if p99 else None,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=int, default=120, help="seconds of load (default 120)")
    ap.add_argument("--model", default=os.path.join(ROOT, "Tests/Fixtures/Resources/models/resnet8-3x28x28"))
    ap.add_argument("--image", default=os.path.join(ROOT, "Tests/Fixtures/Resources/images/rgb0.png"))
    ap.add_argument("--imgclf", default=benchlib.IMGCLF)
    ap.add_argument("--connections", type=int, default=32, help="wrk connections")
    ap.add_argument("--max-connections", type=int, default=256)
    ap.add_argument("--no-install", action="store_true", help="do not apt-get install wrk when it is missing")
    args = ap.parse_args()
    benchlib.check_imgclf(args.imgclf)
    ensure_wrk(args.no_install)
    image = open(args.image, "rb").read()
    port = free_port()
    server = subprocess.Popen([args.imgclf, "serve", "--model", args.model, "--host", "127.0.0.1", "--port", str(port),
                               "--idle-timeout", "5", "--read-timeout", "5", "--max-connections", str(args.max_connections)],
                              stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            ping(port, timeout=1)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"server did not start: {server.stderr.read()}")
            time.sleep(0.2)
    # Warm up the executors for the batch sizes the load will produce, then measure.
    subprocess.run(["wrk", "-t2", f"-c{args.connections}", "-d3s", "-s", lua_script(args.image), f"http://127.0.0.1:{port}/invocations"],
                   stdout=subprocess.DEVNULL, check=True)
    rss_start = rss_mb(server.pid)

    stop = threading.Event()
    hostile = Hostile(port, image, stop)
    threads = [threading.Thread(target=hostile.requests) for _ in range(4)]
    threads += [threading.Thread(target=hostile.slowloris), threading.Thread(target=hostile.idle)]
    pings = []
    def watch():
        while not stop.wait(1.0):
            try:
                pings.append(ping(port)[1])
            except OSError:
                pings.append(float("inf"))
    threads.append(threading.Thread(target=watch))
    for t in threads:
        t.start()
    wrk = subprocess.run(["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--latency", "-s", lua_script(args.image),
                          f"http://127.0.0.1:{port}/invocations"], capture_output=True, text=True, check=True)
    stop.set()
    for t in threads:
        t.join()
    time.sleep(1)
    rss_end = rss_mb(server.pid)
    alive = server.poll() is None
    server.send_signal(signal.SIGTERM)
    try:
        exit_code = server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        exit_code = "hung on SIGTERM"
    load = parse_wrk(wrk.stdout)
    report = {
        "duration_s": args.duration,
        "wrk": load,
        "errors": load["non_2xx"] + load["socket_errors"],
        "hostile": dict(sorted(hostile.counts.items())),
        "ping": {"count": len(pings), "max_s": max(pings) if pings else None,
                 "failed": sum(1 for p in pings if p == float("inf"))},
        "rss_mb": {"start": round(rss_start, 1), "end": round(rss_end, 1)},
        "server_alive_at_end": alive,
        "exit_code_after_sigterm": exit_code,
    }
    print(json.dumps(report, indent=2))
    ok = alive and exit_code == 0 and report["errors"] == 0 and report["ping"]["failed"] == 0
    sys.exit(0 if ok else 1)


def lua_script(image_path):
    os.makedirs(benchlib.WORK, exist_ok=True)
    script = os.path.join(benchlib.WORK, "soak-post.lua")
    with open(script, "w") as f:
        f.write('local f = io.open(%s, "rb")\nwrk.method = "POST"\nwrk.body = f:read("*all")\nf:close()\n'
                'wrk.headers["Content-Type"] = "image/png"\n' % json.dumps(image_path))
    return script


if __name__ == "__main__":
    main()
