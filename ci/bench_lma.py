#!/usr/bin/python3
"""LMA benchmark (make bench-lma): RFC 5213 §5.3 PBU processing of the real dmmd over veth,
and attach-to-first-packet latency through the RFC 2473 tunnel (RFC 5213 §6.9, RFC 8278 §3.1).

1. PBU processing. Two namespaces joined by a veth pair (made here, removed at exit): dmmd,
   role lma (RFC 4285 authentication on; rows with it off), in one; dmm-send in the other
   sending N PBUs with distinct MN-IDs (--vary seq,mn-id) at --rate max and at fixed rates; a
   row replays the same PBUs with tcpreplay --topspeed. A fresh daemon per run. tcpdump on the
   sender's side records PBUs and PBAs; each PBA is matched to its PBU by (Sequence Number,
   MN-ID) (dmm-decode -T fields): PBA latency p50/p99/max, bindings/s = accepted PBAs / (last
   accepted PBA - first PBU), cross-checked with the daemon's show-counters and the length of
   show-bindings; memory per binding = VmRSS growth / bindings; the daemon's CPU time and
   run-queue wait (/proc/PID/schedstat) and the drops of its raw socket (/proc/net/raw6).
   The in-process figure of testprog/bench_lma (--inprocess) is added as a reference.
2. Attach to first packet. MN - MAG - LMA - CN in four namespaces, one WAN path; both daemons
   with a TUN data plane and RFC 4285 authentication. The MN streams UDP datagrams to the CN
   from its home address (preconfigured from the HNP the LMA is configured to give it); the MAG
   drops them until the binding exists. Time from the MAG control socket's `attach` to the
   first datagram received by the CN: the first attach after start, then --attach-reps - 1
   repeated ones (detach, wait until the LMA's binding is gone and the CN receives nothing,
   attach again): median and max; the MAG's pba-received event splits off the signaling part.

Writes results/bench/lma.md and results/bench/lma.json with the targets of the issue
(>= 100k bindings/s, <= 1 KiB per binding, attach-to-traffic < 10 ms) and whether each is met.
A benchmark: exits 0 when every run completed (a missed target is reported, not failed), 1 when
a run failed. Every duration is bounded; namespaces and processes are removed even on failure.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TAG = "dmmb%d" % (os.getpid() % 100000)
KEY = "0x0102030405060708090a0b0c0d0e0f10"
SPI = 256
LMAA, PCOA = "2001:db8:ff::1", "2001:db8:ff::2"
LMA_MAC, MAG_MAC = "02:00:00:00:0b:01", "02:00:00:00:0b:02"
TARGET_BPS, TARGET_BYTES, TARGET_ATTACH_MS = 100000, 1024, 10.0
SETTLE_S, RUN_DEADLINE_S = 0.5, 60.0


def log(msg):
    print(msg, flush=True)


# ---- processes and namespaces, all removed at exit ----

class Cleanup:
    def __init__(self):
        self.procs, self.namespaces = [], []

    def spawn(self, args, **kw):
        proc = subprocess.Popen(args, **kw)
        self.procs.append(proc)
        return proc

    def stop(self, proc, sig=signal.SIGTERM, timeout=5.0):
        if proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc in self.procs:
            self.procs.remove(proc)

    def netns(self, name):
        sh("ip", "netns", "del", name, check=False)
        sh("ip", "netns", "add", name)
        self.namespaces.append(name)
        sh("ip", "-n", name, "link", "set", "lo", "up")
        return name

    def close(self):
        for proc in list(self.procs):
            self.stop(proc, timeout=3.0)
        for name in self.namespaces:
            sh("ip", "netns", "del", name, check=False)
        self.namespaces = []


CLEAN = Cleanup()


def sh(*args, check=True, timeout=30):
    return subprocess.run(list(args), check=check, capture_output=True, text=True,
                          timeout=timeout)


def nsx(ns, *args, **kw):
    return sh("ip", "netns", "exec", ns, *args, **kw)


def veth(ns_a, dev_a, ns_b, dev_b, mac_a=None, mac_b=None):
    sh("ip", "link", "add", dev_a, *(["address", mac_a] if mac_a else []), "netns", ns_a,
       "type", "veth", "peer", "name", dev_b, *(["address", mac_b] if mac_b else []),
       "netns", ns_b)
    for ns, dev in ((ns_a, dev_a), (ns_b, dev_b)):
        sh("ip", "-n", ns, "link", "set", dev, "up")


def addr(ns, dev, address):
    sh("ip", "-n", ns, "addr", "add", address, "dev", dev, "nodad")


# ---- the daemon ----

NICE = [0]  # niceness of the measured processes (--nice)


def pin(cpu):
    """nice and taskset prefix (both exec the command: the pid stays the command's)."""
    prefix = ["nice", "-n", str(NICE[0])] if NICE[0] else []
    return prefix + (["taskset", "-c", str(cpu)] if cpu is not None else [])


def ctl(path, cmd, timeout=5.0, **args):
    """One control-socket request; the reply object (raises on error or timeout)."""
    req = dict(args, cmd=cmd)
    deadline = time.monotonic() + timeout
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(path)
        s.sendall((json.dumps(req) + "\n").encode())
        buf = bytearray()
        while not buf.endswith(b"\n"):
            s.settimeout(max(0.01, deadline - time.monotonic()))
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            buf += chunk
    reply = json.loads(buf)
    if not reply.get("ok"):
        raise RuntimeError("%s: %s" % (cmd, reply.get("error")))
    return reply


class Daemon:
    def __init__(self, build, ns, conf_text, workdir, name, cpu=None):
        self.sock = os.path.join(workdir, name + ".sock")
        self.conf = os.path.join(workdir, name + ".conf")
        self.logpath = os.path.join(workdir, name + ".log")
        with open(self.conf, "w") as f:
            f.write(conf_text.replace("@SOCK@", self.sock))
        check = sh(os.path.join(build, "dmmd"), "-c", self.conf, "-n", check=False)
        if check.returncode != 0:
            raise RuntimeError("dmmd -n %s: %s" % (self.conf, check.stderr.strip()))
        self.logf = open(self.logpath, "w")
        # ip netns exec execs dmmd: the Popen pid is the daemon's
        self.proc = CLEAN.spawn(["ip", "netns", "exec", ns, *pin(cpu),
                                 os.path.join(build, "dmmd"), "-c", self.conf, "-f"],
                                stdout=self.logf, stderr=self.logf)
        deadline = time.monotonic() + 5.0
        while True:
            try:
                ctl(self.sock, "show-counters", timeout=1.0)
                break
            except (OSError, ValueError):
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("dmmd %s did not start: see %s" % (name, self.logpath))
                time.sleep(0.02)

    def counters(self, timeout=5.0):
        return ctl(self.sock, "show-counters", timeout=timeout)["counters"]

    def rss_kib(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def schedstat(self, field):
        with open("/proc/%d/schedstat" % self.proc.pid) as f:
            return int(f.read().split()[field]) / 1e9

    def cpu_s(self):
        """CPU time of the daemon, ns resolution (/proc/PID/schedstat)."""
        return self.schedstat(0)

    def sched_wait_s(self):
        """Time the daemon spent runnable but waiting for a CPU (/proc/PID/schedstat)."""
        return self.schedstat(1)

    def stop(self):
        CLEAN.stop(self.proc)
        self.logf.close()
        return self.proc.returncode


class Events:
    """A control-socket `subscribe` stream read by a thread: (name, time_ms, event) tuples
    (time_ms is CLOCK_MONOTONIC, as Python's time.monotonic())."""

    def __init__(self, path):
        self.events, self.lock = [], threading.Lock()
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(5.0)
        self.sock.connect(path)
        self.sock.sendall(b'{"cmd":"subscribe"}\n')
        self.file = self.sock.makefile("r")
        if not json.loads(self.file.readline()).get("ok"):
            raise RuntimeError("subscribe refused")
        self.sock.settimeout(None)
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        try:
            for line in self.file:
                ev = json.loads(line)
                with self.lock:
                    self.events.append((ev.get("event"), ev.get("time_ms", 0), ev))
        except (OSError, ValueError):
            pass

    def timeline(self, since_ms, until_ms, who):
        with self.lock:
            return [(round(t - since_ms, 1), who, n) for n, t, _ in self.events
                    if since_ms <= t <= until_ms]

    def first(self, name, since_ms):
        with self.lock:
            for ev_name, t, _ in self.events:
                if ev_name == name and t >= since_ms:
                    return t
        return None

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


def raw6_drops(ns, proto=135):
    """Drops of the raw IPv6 sockets of protocol proto in namespace ns (/proc/net/raw6)."""
    out = nsx(ns, "cat", "/proc/net/raw6").stdout.splitlines()[1:]
    total = 0
    for line in out:
        cols = line.split()
        if len(cols) > 12 and int(cols[1].split(":")[1], 16) == proto:
            total += int(cols[-1])
    return total


# ---- captures ----

class Capture:
    """tcpdump -w on an interface of a namespace, started before the run (waits until it
    listens) and stopped with SIGINT; stats = its kernel drop count."""

    def __init__(self, ns, dev, path, bpf, cpu=None):
        self.path = path
        self.err = tempfile.TemporaryFile(mode="w+")
        self.proc = CLEAN.spawn(["ip", "netns", "exec", ns, *pin(cpu), "tcpdump", "-i", dev,
                                 "-n", "-s",
                                 "256", "-B", "262144", "-U", "-w", path, bpf],
                                stdout=subprocess.DEVNULL, stderr=self.err)
        deadline = time.monotonic() + 5.0
        while "listening on" not in self._stderr():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("tcpdump did not start: " + self._stderr())
            time.sleep(0.02)
        time.sleep(0.2)  # "listening on" comes just before the capture loop starts

    def _stderr(self):
        self.err.seek(0)
        return self.err.read()

    def stop(self):
        # let tcpdump write what its buffer still holds: wait until the file stops growing
        deadline, size = time.monotonic() + 5.0, -1
        while time.monotonic() < deadline:
            now = os.path.getsize(self.path) if os.path.exists(self.path) else 0
            if now == size:
                break
            size = now
            time.sleep(0.25)
        CLEAN.stop(self.proc, signal.SIGINT)
        text = self._stderr()
        dropped = 0
        for line in text.splitlines():
            if "dropped by kernel" in line:
                dropped = int(line.split()[0])
        return dropped


def pba_latencies(build, pcap):
    """From the capture: PBU times by (seq, MN-ID), PBA (time, status) by the same key."""
    out = sh(os.path.join(build, "dmm-decode"), "-r", pcap, "-T", "fields",
             "-e", "frame.time_epoch", "-e", "mip6.bu.seqnr", "-e", "mip6.ba.seqnr",
             "-e", "mip6.ba.status", "-e", "mip6.mnid.identifier", timeout=300).stdout
    pbu, pba = {}, {}
    for line in out.splitlines():
        cols = line.split("\t")
        if len(cols) < 5 or not cols[4]:
            continue
        t = float(cols[0])
        if cols[1]:
            pbu.setdefault((int(cols[1]), cols[4]), t)
        elif cols[2]:
            pba.setdefault((int(cols[2]), cols[4]), (t, int(cols[3] or -1)))
    return pbu, pba


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    k = min(len(sorted_values) - 1, max(0, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


# ---- 1. PBU processing ----

def lma_conf(auth):
    return "\n".join([
        "# bench-lma: LMA under PBU load (signaling only)",
        "role lma", "log-level warn", "control-socket @SOCK@",
        "address %s" % LMAA, "hnp-pool 2001:db8::/32 64", "auth %s" % auth,
        # every PBU carries dmm-send's start-up timestamp: accept it for the whole run
        "timestamp-window 600000", "dataplane none",
        "peer mag1 {", "\taddress %s" % PCOA, "\tspi %d" % SPI, "\tkey %s" % KEY, "}", ""])


def pbu_args(count, auth, first=1):
    # the RFC 4285 option must be the last option: give every PBU option before it
    args = ["pbu", "--dst", LMAA, "--src", PCOA, "--mn-id", "mn%d@bench.example" % first,
            "--hnp", "::/0", "--hi", "1", "--att", "4", "--timestamp", "now"]
    if auth == "on":
        args += ["--auth", "%d:%s" % (SPI, KEY)]
    return args + ["--vary", "seq,mn-id", "-c", str(count)]


class PbuBench:
    def __init__(self, build, workdir, pin_cpus):
        self.build, self.workdir = build, workdir
        # the daemon on a CPU of its own, the sender and the capture on another
        ncpu = os.cpu_count() or 1
        self.cpu_daemon, self.cpu_load = (ncpu - 1, 0) if pin_cpus and ncpu > 1 else (None, None)
        self.ns_lma = CLEAN.netns(TAG + "l")
        self.ns_mag = CLEAN.netns(TAG + "m")
        self.dev_lma, self.dev_mag = TAG + "l0", TAG + "m0"
        veth(self.ns_lma, self.dev_lma, self.ns_mag, self.dev_mag, LMA_MAC, MAG_MAC)
        addr(self.ns_lma, self.dev_lma, LMAA + "/64")
        addr(self.ns_mag, self.dev_mag, PCOA + "/64")
        sh("ip", "-n", self.ns_mag, "neigh", "replace", LMAA, "lladdr", LMA_MAC, "dev",
           self.dev_mag, "nud", "permanent")
        sh("ip", "-n", self.ns_lma, "neigh", "replace", PCOA, "lladdr", MAG_MAC, "dev",
           self.dev_lma, "nud", "permanent")

    def send_cmd(self, count, auth, rate):
        return ["ip", "netns", "exec", self.ns_mag, *pin(self.cpu_load),
                os.path.join(self.build, "dmm-send"),
                *pbu_args(count, auth), "-i", self.dev_mag, "--src-mac", MAG_MAC, "--dst-mac",
                LMA_MAC, "--rate", str(rate)]

    def replay_pcap(self, count, auth):
        path = os.path.join(self.workdir, "pbus-%d-%s.pcap" % (count, auth))
        sh(os.path.join(self.build, "dmm-send"), *pbu_args(count, auth), "--src-mac", MAG_MAC,
           "--dst-mac", LMA_MAC, "-w", path, timeout=120)
        return path

    def run(self, count, auth, rate, replay=False):
        name = "%d-auth%s-%s" % (count, auth, "replay" if replay else rate)
        log("== PBUs: %d nodes, auth %s, %s" % (count, auth,
                                               "tcpreplay --topspeed" if replay else
                                               "dmm-send --rate %s" % rate))
        send = (["ip", "netns", "exec", self.ns_mag, *pin(self.cpu_load), "tcpreplay", "-q",
                 "--topspeed", "-i", self.dev_mag, self.replay_pcap(count, auth)] if replay else
                self.send_cmd(count, auth, rate))
        d = Daemon(self.build, self.ns_lma, lma_conf(auth), self.workdir, "lma-" + name,
                   cpu=self.cpu_daemon)
        drops0, veth0 = raw6_drops(self.ns_lma), self.veth_drops()
        try:
            rss0, cpu0, wait0 = d.rss_kib(), d.cpu_s(), d.sched_wait_s()
            pcap = os.path.join(self.workdir, "pbu-%s.pcap" % name)
            cap = Capture(self.ns_mag, self.dev_mag, pcap, "ip6 and ip6[6] == 135",
                          cpu=self.cpu_load)
            t0 = time.monotonic()
            sender = sh(*send, timeout=RUN_DEADLINE_S)
            send_s = time.monotonic() - t0
            c = self.settle(d, count)
            rss1, cpu1, wait1 = d.rss_kib(), d.cpu_s(), d.sched_wait_s()
            t1 = time.monotonic()
            nb = len(ctl(d.sock, "show-bindings", timeout=60.0)["bindings"])
            show_s = time.monotonic() - t1
            drops, veth1 = raw6_drops(self.ns_lma) - drops0, self.veth_drops()
            cap_drops = cap.stop()
        finally:
            rc = d.stop()
        pbu, pba = pba_latencies(self.build, pcap)
        lat, ok_times = [], []
        for key, (t, status) in pba.items():
            if key in pbu:
                lat.append((t - pbu[key]) * 1e3)
                if status == 0:
                    ok_times.append(t)
        lat.sort()
        first_pbu = min(pbu.values()) if pbu else None
        accepted = len(ok_times)
        span = (max(ok_times) - first_pbu) if ok_times and first_pbu else None
        bindings = c.get("bindings", 0)
        row = {
            "name": name, "nodes": count, "auth": auth,
            "sender": "tcpreplay --topspeed" if replay else "dmm-send --rate %s" % rate,
            "sender_s": round(send_s, 3), "sender_output": sender.stdout.strip()[-200:],
            "offered_pps": sender_rate(sender.stdout + sender.stderr, count, send_s),
            "pbu_captured": len(pbu), "pba_captured": len(pba), "pba_matched": len(lat),
            "accepted_pbas": accepted, "capture_drops": cap_drops,
            "span_s": round(span, 4) if span else None,
            "bindings_per_s": round(accepted / span) if span else None,
            "latency_ms": {"p50": rnd(percentile(lat, 50)), "p99": rnd(percentile(lat, 99)),
                           "max": rnd(lat[-1] if lat else None)},
            "counters": {k: c.get(k) for k in ("pbu_received", "pba_sent", "accepted",
                                               "rejected", "drop_auth", "drop_malformed",
                                               "send_errors", "mobile_nodes", "bindings")},
            "show_bindings": nb, "show_bindings_s": round(show_s, 3),
            "socket_drops": drops,
            "rss_kib": [rss0, rss1],
            "bytes_per_binding": round((rss1 - rss0) * 1024 / bindings) if bindings else None,
            "daemon_cpu_s": round(cpu1 - cpu0, 4),
            "daemon_runqueue_wait_s": round(wait1 - wait0, 3),
            "cpu_bindings_per_s": (round(bindings / (cpu1 - cpu0))
                                   if bindings and cpu1 > cpu0 else None),
            "daemon_exit": rc,
        }
        row["pba_lost_before_capture"] = (c.get("pba_sent") or 0) - len(pba)
        row["veth_drops"] = {k: veth1[k] - veth0[k] for k in veth0}
        # the daemon's view: accepted counter, binding count and show-bindings agree
        row["consistent"] = c.get("accepted") == bindings == nb
        log("   %s" % summary(row))
        return row

    def veth_drops(self):
        """Drop counters of the veth ends (a full backlog of the receiving end drops)."""
        out = {}
        for side, ns, dev in (("lma", self.ns_lma, self.dev_lma), ("mag", self.ns_mag,
                                                                   self.dev_mag)):
            st = json.loads(sh("ip", "-n", ns, "-j", "-s", "link", "show", "dev", dev).stdout)
            st = st[0]["stats64"]
            out[side + "_rx_dropped"] = st["rx"]["dropped"]
            out[side + "_tx_dropped"] = st["tx"]["dropped"]
        return out

    @staticmethod
    def settle(d, count):
        """Poll show-counters until every PBU is answered or nothing moved for SETTLE_S."""
        deadline = time.monotonic() + RUN_DEADLINE_S
        last, since = None, time.monotonic()
        while time.monotonic() < deadline:
            c = d.counters(timeout=10.0)
            done = c.get("pba_sent", 0) + c.get("drop_auth", 0) + c.get("drop_malformed", 0)
            if done >= count:
                return c
            state = (c.get("pbu_received"), c.get("pba_sent"))
            if state != last:
                last, since = state, time.monotonic()
            elif time.monotonic() - since > SETTLE_S:
                return c
            time.sleep(0.05)
        return d.counters()


def sender_rate(text, count, wall_s):
    """Packets/s as the sender reports it (dmm-send "(R pkt/s", tcpreplay "Rated: ... pps"),
    else count over the sender's wall time (process start-up included)."""
    m = re.search(r"\(([0-9.]+) pkt/s", text) or re.search(r"([0-9.]+) pps", text)
    if m:
        return round(float(m.group(1)))
    return round(count / wall_s) if wall_s > 0 else None


def rnd(v, digits=3):
    return None if v is None else round(v, digits)


def summary(row):
    return ("%d/%d accepted, %s bindings/s, PBA p50 %s ms p99 %s ms max %s ms, %s B/binding, "
            "socket drops %d, daemon CPU %s s (runqueue wait %s s)" % (
                row["accepted_pbas"], row["nodes"], row["bindings_per_s"],
                row["latency_ms"]["p50"], row["latency_ms"]["p99"], row["latency_ms"]["max"],
                row["bytes_per_binding"], row["socket_drops"], row["daemon_cpu_s"],
                row["daemon_runqueue_wait_s"]))


# ---- 2. attach to first packet ----

MN_ID = "mn1@bench.example"
HNP = "2001:db8:100:1::"
HOA = HNP + "100"
CN = "2001:db8:30::2"
UDP_PORT = 9999

SINK = r"""
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::", int(sys.argv[1])))
s.settimeout(0.2)
end = time.time() + float(sys.argv[2])
last = 0.0
while time.time() < end:
    try:
        s.recv(64)
    except socket.timeout:
        continue
    now = time.time()
    if now - last > float(sys.argv[3]):
        print("%.6f" % now, flush=True)
    last = now
"""

SOURCE = r"""
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
end = time.time() + float(sys.argv[4])
interval = float(sys.argv[3])
while time.time() < end:
    try:
        s.sendto(b"x" * 16, (sys.argv[2], int(sys.argv[5])))
    except OSError:
        pass
    time.sleep(interval)
"""


def attach_confs():
    lma = "\n".join([
        "role lma", "log-level warn", "control-socket @SOCK@", "address %s" % LMAA,
        "hnp-pool 2001:db8:100::/48 64", "auth on", "dataplane tun", "tun-name %st" % TAG,
        "min-delay-before-bce-delete 50",
        "peer mag1 {", "\taddress %s" % PCOA, "\tspi %d" % SPI, "\tkey %s" % KEY, "}",
        "mn %s {" % MN_ID, "\thnp %s/64" % HNP, "}", ""])
    mag = "\n".join([
        "role mag", "log-level warn", "control-socket @SOCK@", "mag-id mag1@bench.example",
        "multipath on", "auth on", "lifetime 3600", "access-interface %s" % (TAG + "ma"),
        "dataplane tun", "tun-name %st" % TAG,
        "peer lma {", "\taddress %s" % LMAA, "\tspi %d" % SPI, "\tkey %s" % KEY, "}",
        "wan w1 {", "\tinterface %s" % (TAG + "mw"), "\taddress %s" % PCOA, "\tlabel 11",
        "\tatt 8", "\tbid 1", "}", ""])
    return lma, mag


class AttachBench:
    def __init__(self, build, workdir, duration, static_neigh=False):
        self.build, self.workdir = build, workdir
        ns = {n: CLEAN.netns(TAG + n) for n in ("mn", "mag", "lma", "cn")}
        self.ns = ns
        mn_dev, acc_dev = TAG + "n0", TAG + "ma"
        veth(ns["mn"], mn_dev, ns["mag"], acc_dev)
        veth(ns["mag"], TAG + "mw", ns["lma"], TAG + "lw", "02:00:00:00:0c:01",
             "02:00:00:00:0c:02")
        veth(ns["lma"], TAG + "lc", ns["cn"], TAG + "c0", "02:00:00:00:0c:03",
             "02:00:00:00:0c:04")
        if static_neigh:
            # diagnostic: no Neighbor Discovery on the WAN and CN links
            for n, ip6, mac, dev in (("mag", LMAA, "02:00:00:00:0c:02", TAG + "mw"),
                                     ("lma", PCOA, "02:00:00:00:0c:01", TAG + "lw"),
                                     ("lma", CN, "02:00:00:00:0c:04", TAG + "lc"),
                                     ("cn", "2001:db8:30::1", "02:00:00:00:0c:03", TAG + "c0")):
                sh("ip", "-n", ns[n], "neigh", "replace", ip6, "lladdr", mac, "dev", dev,
                   "nud", "permanent")
        for n in ("mag", "lma"):
            nsx(ns[n], "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1")
        nsx(ns["mn"], "sysctl", "-qw", "net.ipv6.conf.%s.accept_ra=0" % mn_dev)
        addr(ns["mag"], TAG + "mw", PCOA + "/64")
        addr(ns["lma"], TAG + "lw", LMAA + "/64")
        addr(ns["lma"], TAG + "lc", "2001:db8:30::1/64")
        addr(ns["cn"], TAG + "c0", CN + "/64")
        sh("ip", "-n", ns["cn"], "-6", "route", "add", "default", "via", "2001:db8:30::1")
        # the MN's home address from the HNP the LMA gives it (no SLAAC/DAD wait), and its
        # default route through the MAG's link-local address on the access link
        addr(ns["mn"], mn_dev, HOA + "/64")
        mag_ll = self.link_local(ns["mag"], acc_dev)
        sh("ip", "-n", ns["mn"], "-6", "route", "add", "default", "via", mag_ll, "dev", mn_dev)
        lma_text, mag_text = attach_confs()
        self.lma = Daemon(build, ns["lma"], lma_text, workdir, "attach-lma")
        self.mag = Daemon(build, ns["mag"], mag_text, workdir, "attach-mag")
        self.sink = CLEAN.spawn(["ip", "netns", "exec", ns["cn"], "/usr/bin/python3", "-c", SINK,
                                 str(UDP_PORT), str(duration), "0.05"],
                                stdout=subprocess.PIPE, text=True)
        self.bursts, self.lock = [], threading.Lock()
        threading.Thread(target=self.read_sink, daemon=True).start()
        self.source = CLEAN.spawn(["ip", "netns", "exec", ns["mn"], "/usr/bin/python3", "-c",
                                   SOURCE, HOA, CN, "0.0002", str(duration), str(UDP_PORT)])
        self.acc_dev = acc_dev
        self.mag_events = Events(self.mag.sock)
        self.lma_events = Events(self.lma.sock)

    def link_local(self, ns, dev):
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            info = json.loads(sh("ip", "-n", ns, "-j", "-6", "addr", "show", "dev", dev).stdout)
            for a in info[0].get("addr_info", []):
                if a.get("scope") == "link" and not a.get("tentative"):
                    return a["local"]
            time.sleep(0.05)
        raise RuntimeError("no link-local address on %s" % dev)

    def read_sink(self):
        for line in self.sink.stdout:
            with self.lock:
                self.bursts.append(float(line))

    def first_burst_after(self, t0, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                later = [t for t in self.bursts if t >= t0]
            if later:
                return later[0]
            time.sleep(0.005)
        return None

    def mn_tx(self):
        """Packets sent by the MN (its interface counter)."""
        info = json.loads(sh("ip", "-n", self.ns["mn"], "-j", "-s", "link", "show", "dev",
                             TAG + "n0").stdout)
        return info[0]["stats64"]["tx"]["packets"]

    def lma_bindings(self):
        return len(ctl(self.lma.sock, "show-bindings", mn_id=MN_ID)["bindings"])

    def wait_quiet(self, timeout=5.0):
        """Detached: the LMA has no binding and the CN received nothing for 100 ms."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            quiet = time.time()
            time.sleep(0.1)
            with self.lock:
                recent = [t for t in self.bursts if t >= quiet]
            if not recent and self.lma_bindings() == 0 and self.sink_silent(0.1):
                return True
        return False

    def sink_silent(self, window):
        before = time.time()
        time.sleep(window)
        with self.lock:
            return not [t for t in self.bursts if t >= before - window]

    def run(self, reps):
        log("== attach to first packet: %d repetitions" % reps)
        tx0, w0 = self.mn_tx(), time.monotonic()
        samples, signaling, failures, cold = [], [], 0, []
        for i in range(reps):
            if i:
                ctl(self.mag.sock, "detach", mn_id=MN_ID)
            if not self.wait_quiet():
                failures += 1
                continue
            t0, m0 = time.time(), time.monotonic() * 1e3
            ctl(self.mag.sock, "attach", mn_id=MN_ID, iface=self.acc_dev)
            t1 = self.first_burst_after(t0, 3.0)
            if t1 is None:
                failures += 1
                log("   rep %d: no packet at the CN within 3 s" % i)
                continue
            samples.append((t1 - t0) * 1e3)
            # signaling part of it: the MAG's pba-received event (ms resolution)
            pba = self.mag_events.first("pba-received", int(m0))
            if pba is not None:
                signaling.append(max(0.0, pba - m0))
            if i == 0:
                end_ms = m0 + samples[-1] + 1
                cold = sorted(self.mag_events.timeline(m0, end_ms, "mag") +
                              self.lma_events.timeline(m0, end_ms, "lma"))
            log("   rep %d: %.3f ms (PBA received at the MAG after %s ms)" % (
                i, samples[-1], rnd(signaling[-1], 1) if pba is not None else "?"))
        ok = self.lma_bindings()
        interval = (time.monotonic() - w0) / max(1, self.mn_tx() - tx0) * 1e3
        return {"reps": reps, "samples_ms": [round(s, 3) for s in samples],
                "failures": failures,
                # the first attach after the daemons started (cold) apart from the others
                "first_ms": rnd(samples[0]) if samples else None,
                "median_ms": rnd(statistics.median(samples[1:])) if len(samples) > 1 else None,
                "max_ms": rnd(max(samples[1:])) if len(samples) > 1 else None,
                "min_ms": rnd(min(samples[1:])) if len(samples) > 1 else None,
                "signaling_median_ms": rnd(statistics.median(signaling)) if signaling else None,
                "signaling_ms": [round(x, 1) for x in signaling],
                "first_attach_events_ms": cold,
                "source_interval_ms": round(interval, 3), "bindings_at_end": ok}

    def close(self):
        self.mag_events.close()
        self.lma_events.close()
        for d in (self.mag, self.lma):
            d.stop()


# ---- report ----

def verdict(value, target, higher_better):
    if value is None:
        return "not measured"
    return "met" if (value >= target if higher_better else value <= target) else "MISSED"


def run_inprocess(path, nodes):
    """testprog/bench_lma: the LMA's PBU processing called directly (no sockets, no kernel)."""
    log("== in-process reference: %s" % path)
    try:
        out = sh(path, *[str(n) for n in nodes], timeout=120).stdout
        return [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    except (subprocess.SubprocessError, OSError, ValueError) as e:
        log("   FAILED: %s" % e)
        return []


def report(rows, attach, inproc, meta, out_dir):
    auth_on = [r for r in rows if r["auth"] == "on"]
    best = max((r["bindings_per_s"] or 0 for r in auth_on), default=None)
    # capacity on a core of its own: bindings per daemon CPU-second over the saturating runs
    sat = [r for r in auth_on if "max" in r["sender"] or "topspeed" in r["sender"]]
    cpu_total = sum(r["daemon_cpu_s"] for r in sat)
    cpu_best = (round(sum(r["counters"].get("bindings") or 0 for r in sat) / cpu_total)
                if cpu_total > 0 else None)
    biggest = max(rows, key=lambda r: r["counters"].get("bindings") or 0, default=None)
    mem = biggest["bytes_per_binding"] if biggest else None
    targets = [
        {"target": "bindings/s (auth on, best run, wall clock)", "goal": ">= %d" % TARGET_BPS,
         "value": best, "verdict": verdict(best, TARGET_BPS, True)},
        {"target": "bindings per daemon CPU-second (auth on, runs at max rate)",
         "goal": ">= %d" % TARGET_BPS, "value": cpu_best,
         "verdict": verdict(cpu_best, TARGET_BPS, True)},
        {"target": "memory per binding (run with the most bindings: %s)" % (
            biggest["counters"].get("bindings") if biggest else None),
         "goal": "<= %d B" % TARGET_BYTES, "value": mem,
         "verdict": verdict(mem, TARGET_BYTES, False)},
    ]
    for label, key in (("attach to first packet (repeated attach, max)", "max_ms"),
                       ("attach to first packet (first attach after start)", "first_ms")):
        value = attach.get(key) if attach else None
        targets.append({"target": label, "goal": "< %g ms" % TARGET_ATTACH_MS, "value": value,
                        "verdict": verdict(value, TARGET_ATTACH_MS - 1e-9, False)})
    lines = ["# LMA benchmark (dmmd over veth)", "",
             "Host: %s, %d CPUs, kernel %s. Build: %s." % (
                 meta["host"], meta["cpus"], meta["kernel"], meta["build"]), "",
             "## PBU processing (distinct MN-IDs, fresh daemon per run)", "",
             "| nodes | auth | sender | offered pkt/s | accepted | bindings/s | PBA p50 ms "
             "| PBA p99 ms | PBA max ms | B/binding | socket drops | PBAs not captured "
             "| daemon CPU s "
             "| CPU wait s | bindings/CPU-s | consistent |",
             "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        lat = r["latency_ms"]
        lines.append("| %d | %s | %s | %s | %d | %s | %s | %s | %s | %s | %d | %d | %s | %s | %s "
                     "| %s |" % (
            r["nodes"], r["auth"], r["sender"], r["offered_pps"], r["accepted_pbas"],
            r["bindings_per_s"], lat["p50"], lat["p99"], lat["max"], r["bytes_per_binding"],
            r["socket_drops"], r["pba_lost_before_capture"], r["daemon_cpu_s"],
            r["daemon_runqueue_wait_s"], r["cpu_bindings_per_s"],
            "yes" if r["consistent"] else "no"))
    lines += ["",
              "accepted = PBAs with status 0 matched to their PBU by (Sequence Number, MN-ID) "
              "in the sender-side capture; bindings/s = accepted / (last accepted PBA - first "
              "PBU); consistent = the daemon's `accepted` counter, its `bindings` counter and "
              "the length of show-bindings agree. B/binding = VmRSS growth / bindings (the "
              "daemon exposes no memory accounting). socket drops = PBUs dropped by the "
              "daemon's full raw MH socket (/proc/net/raw6); PBAs not captured = PBAs the "
              "daemon sent that the sender-side capture did not see (veth drops are in the "
              "JSON). CPU wait = time the "
              "daemon was runnable but waiting for a CPU (/proc/PID/schedstat); "
              "bindings/CPU-s = bindings per second of daemon CPU time (its capacity on a "
              "core of its own). %s Load average before/after: %s / %s." % (
                  meta["pinning"], meta["loadavg_before"], meta.get("loadavg_after")), ""]
    if inproc:
        lines += ["In-process reference (testprog/bench_lma: lma_input() called directly, "
                  "auth on, no socket or kernel):", "",
                  "| nodes | registrations/s | p50 us | p99 us | B/binding |",
                  "|---:|---:|---:|---:|---:|"]
        lines += ["| %s | %s | %s | %s | %s |" % (r.get("nodes"), r.get("registrations_per_s"),
                                                r.get("p50_us"), r.get("p99_us"),
                                                r.get("bytes_per_binding")) for r in inproc]
        lines.append("")
    if attach:
        lines += ["## Attach to first packet (MN - MAG - LMA - CN, TUN data plane)", "",
                  "| reps | failures | first attach ms | repeated: median ms | min ms | max ms "
                  "| PBA at the MAG, median ms |", "|---:|---:|---:|---:|---:|---:|---:|",
                  "| %d | %d | %s | %s | %s | %s | %s |" % (
                      attach["reps"], attach["failures"], attach["first_ms"],
                      attach["median_ms"], attach["min_ms"], attach["max_ms"],
                      attach["signaling_median_ms"]), "",
                  "From the MAG control socket's `attach` to the first UDP datagram of the MN "
                  "(sent every %.2f ms on average from its home address) received by the CN. "
                  "The first attach after the daemons started is listed apart; the others follow a "
                  "detach. Events of the first attach (ms after `attach`, control-socket "
                  "event times): %s." % (attach["source_interval_ms"], ", ".join(
                      "%s %s %s" % e for e in attach["first_attach_events_ms"])), ""]
    lines += ["## Targets", "", "| target | goal | value | verdict |", "|---|---|---:|---|"]
    for t in targets:
        lines.append("| %s | %s | %s | %s |" % (t["target"], t["goal"], t["value"],
                                                t["verdict"]))
    text = "\n".join(lines) + "\n"
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "lma.md"), "w") as f:
        f.write(text)
    with open(os.path.join(out_dir, "lma.json"), "w") as f:
        json.dump({"meta": meta, "pbu": rows, "inprocess": inproc, "attach": attach,
                   "targets": targets}, f,
                  indent=1)
    print(text, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--out", default=os.path.join(REPO, "results", "bench"))
    ap.add_argument("--nodes", default="10000,100000", help="node counts at --rate max")
    ap.add_argument("--rates", default="10000,50000", help="fixed rates (every node count)")
    ap.add_argument("--attach-reps", type=int, default=20)
    ap.add_argument("--no-replay", action="store_true", help="skip the tcpreplay row")
    ap.add_argument("--no-attach", action="store_true")
    ap.add_argument("--nice", type=int, default=0,
                    help="niceness of dmmd, the sender and tcpdump (e.g. -10 on a busy host)")
    ap.add_argument("--pin", action="store_true",
                    help="pin dmmd to the last CPU, the sender and tcpdump to CPU 0")
    ap.add_argument("--inprocess", help="testprog/bench_lma: in-process reference row")
    ap.add_argument("--keep", action="store_true", help="keep the work files (pcaps, logs)")
    ap.add_argument("--static-neigh", action="store_true",
                    help="attach: permanent neighbour entries on the WAN and CN links")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    for tool in ("dmmd", "dmm-send", "dmm-decode"):
        if not os.access(os.path.join(build, tool), os.X_OK):
            sys.exit("bench_lma: %s/%s missing (make BUILD=%s)" % (build, tool, args.build))
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))
    nodes = [int(n) for n in args.nodes.split(",") if n]
    rates = [int(r) for r in args.rates.split(",") if r]
    meta = {"host": os.uname().nodename, "cpus": os.cpu_count(), "kernel": os.uname().release,
            "loadavg_before": [round(x, 2) for x in os.getloadavg()],
            "build": args.build, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    rows, attach, failed = [], None, False
    NICE[0] = args.nice
    meta["pinning"] = ("dmmd pinned to CPU %d, dmm-send/tcpreplay and tcpdump to CPU 0" %
                       (os.cpu_count() - 1) if args.pin and (os.cpu_count() or 1) > 1
                       else "No CPU pinning") + ", niceness %d." % args.nice
    inproc = run_inprocess(args.inprocess, nodes) if args.inprocess else []
    workdir = tempfile.mkdtemp(prefix="bench-lma-")
    try:
        plan = [(n, "on", "max", False) for n in nodes]
        plan += [(n, "on", r, False) for n in nodes for r in rates]
        plan += [(n, "off", "max", False) for n in nodes]
        if nodes and not args.no_replay:
            plan += [(nodes[-1], "on", "max", True)]
        bench = PbuBench(build, workdir, args.pin) if plan else None
        for n, auth, rate, replay in plan:
            try:
                rows.append(bench.run(n, auth, rate, replay))
            except (RuntimeError, subprocess.SubprocessError, OSError, ValueError) as e:
                log("   FAILED: %s" % e)
                failed = True
        if not args.no_attach:
            ab = None
            try:
                ab = AttachBench(build, workdir, duration=20 + 2 * args.attach_reps,
                                 static_neigh=args.static_neigh)
                attach = ab.run(args.attach_reps)
                failed |= attach["failures"] == args.attach_reps
            except (RuntimeError, subprocess.SubprocessError, OSError, ValueError) as e:
                log("   attach FAILED: %s" % e)
                failed = True
            finally:
                if ab:
                    ab.close()
    finally:
        CLEAN.close()
    meta["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    report(rows, attach, inproc, meta, args.out)
    if args.keep:
        log("work files: %s" % workdir)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
