#!/usr/bin/python3
"""End-to-end test of the userspace RFC 2473 data plane (lib/dp_tun.c) and of the MAG access
link (lib/ndp.c), in network namespaces made by this test:

    mn --access-- mag ==LTE veth (label 11)== lma (LMAA, CN on lo)
                      ==WLAN veth (label 9)==
    ra-host --access-- mag
    dad-host --access-- dad-mag   (duplicate address detection on the MAG's access link)

testcases/progs/dp_peer runs the TUN backend in the LMA and in the MAG (two tunnels each, one
per path), driven by line commands; traffic is real (ping6, UDP, TCP from the namespaces) and
the assertions are on the per-tunnel counters of both ends and on the veth counters.

Run: /usr/bin/python3 testcases/dataplane/run_dataplane.py --build build [pytest args]
"""

import ipaddress
import json
import os
import select
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))

from poll import wait_for  # noqa: E402

TAG = "dp%d" % (os.getpid() % 100000)
NS = {name: "%s-%s" % (TAG, name)
      for name in ("lma", "mag", "mn", "ram", "ra", "dadm", "dadh", "probe")}
DP_NS = ("lma", "mag", "mn")  # the data-plane topology
RA_NS = ("ram", "ra")         # the access-link topology
DAD_NS = ("dadm", "dadh")     # the access link with DAD on the MAG's side
LMAA, CN = "2001:db8:ff::1", "2001:db8:cc::1"
PCOA_LTE, PCOA_WLAN = "2001:db8:1::2", "2001:db8:2::2"
HNP, MN_ADDR = "2001:db8:100::/64", "2001:db8:100::10"
RA_PREFIX = "2001:db8:200::/64"
LABEL_WLAN, LABEL_LTE = 9, 11  # RFC 8278 §4.1's example labels
HTTP_POLICY = "flow; tcp port 80,443 -> label 9,11"


def sh(*args, check=True, timeout=30):
    return subprocess.run(list(args), check=check, capture_output=True, text=True,
                          timeout=timeout)


def nsx(ns, *args, check=True, timeout=30):
    return sh("ip", "netns", "exec", NS[ns], *args, check=check, timeout=timeout)


def sysctl(ns, *settings):
    nsx(ns, "sysctl", "-qw", *settings)


def veth(ns_a, dev_a, ns_b, dev_b):
    sh("ip", "link", "add", dev_a, "netns", NS[ns_a], "type", "veth", "peer", "name", dev_b,
       "netns", NS[ns_b])


def namespaces_down(names):
    for ns in names:
        sh("ip", "netns", "del", NS[ns], check=False)


def namespaces_up(names):
    namespaces_down(names)
    for ns in names:
        sh("ip", "netns", "add", NS[ns])
        sysctl(ns, "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0")
        nsx(ns, "ip", "link", "set", "lo", "up")


def topology_down():
    namespaces_down(DP_NS)


def topology_up():
    namespaces_up(DP_NS)
    for ns in ("lma", "mag"):
        sysctl(ns, "net.ipv6.conf.all.forwarding=1")
    veth("mag", "lte-m", "lma", "lte-l")
    veth("mag", "wlan-m", "lma", "wlan-l")
    veth("mn", "mn0", "mag", "acc0")
    for ns, dev, addr in (("mag", "lte-m", PCOA_LTE + "/64"), ("lma", "lte-l", "2001:db8:1::1/64"),
                          ("mag", "wlan-m", PCOA_WLAN + "/64"),
                          ("lma", "wlan-l", "2001:db8:2::1/64"),
                          ("mag", "acc0", "fe80::1/64"), ("mn", "mn0", MN_ADDR + "/64"),
                          ("lma", "lo", LMAA + "/128"), ("lma", "lo", CN + "/128")):
        nsx(ns, "ip", "-6", "addr", "add", addr, "dev", dev, "nodad")
    for ns, dev in (("mag", "lte-m"), ("lma", "lte-l"), ("mag", "wlan-m"), ("lma", "wlan-l"),
                    ("mag", "acc0"), ("mn", "mn0")):
        nsx(ns, "ip", "link", "set", dev, "up")
    # the MAG reaches the LMAA over the path of each proxy CoA (source routing)
    nsx("mag", "ip", "-6", "route", "add", LMAA, "via", "2001:db8:1::1", "dev", "lte-m")
    nsx("mag", "ip", "-6", "rule", "add", "from", PCOA_WLAN, "table", "200", "pref", "100")
    nsx("mag", "ip", "-6", "route", "add", LMAA, "via", "2001:db8:2::1", "dev", "wlan-m",
        "table", "200")
    nsx("mn", "ip", "-6", "route", "add", "default", "via", "fe80::1", "dev", "mn0")


class JsonLines:
    """A process in a namespace that prints one JSON object per line."""

    def __init__(self, ns, argv):
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", NS[ns]] + argv, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
        self.name = os.path.basename(argv[0])
        self.fd = self.proc.stdout.fileno()
        self.buf = b""

    def _next_line(self, timeout):
        """One stdout line within timeout, or None (own buffer: select sees the fd only)."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                return None
            chunk = os.read(self.fd, 65536)
            if not chunk:
                raise AssertionError("%s exited: %s" % (self.name, self.proc.stderr.read()))
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def wait_line(self, predicate, timeout):
        """The first line within timeout for which predicate holds (earlier ones are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            msg = self._next_line(max(0, deadline - time.monotonic()))
            if msg is None:
                raise AssertionError("%s: no expected line within %ss" % (self.name, timeout))
            if predicate(msg):
                return msg

    def close(self):
        """End a process that runs until its stdin closes (bounded wait)."""
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Peer(JsonLines):
    """One dp_peer process in a namespace: a command in, one JSON line out."""

    def __init__(self, build, ns, *args):
        super().__init__(ns, [os.path.join(build, "testprog", "dp_peer")] + list(args))
        self.events = []
        self.ready = self.read_line(10)

    def read_line(self, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            msg = self._next_line(max(0, deadline - time.monotonic()))
            if msg is None:
                raise AssertionError("dp_peer: no answer within %ss" % timeout)
            if "event" not in msg:
                return msg
            self.events.append(msg)

    def cmd(self, line, ok=True):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        reply = self.read_line()
        if ok:
            assert reply.get("ok") is True, "%s -> %s" % (line, reply)
        return reply

    def wait_event(self, kind, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            for ev in self.events:
                if ev["event"] == kind:
                    self.events.remove(ev)
                    return ev
            msg = self._next_line(max(0, deadline - time.monotonic()))
            if msg is None:
                raise AssertionError("no %s event within %ss (events: %s)" % (
                    kind, timeout, self.events))
            self.events.append(msg)

    def counters(self):
        return {t["name"]: t for t in self.cmd("counters")["tunnels"]}

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.cmd("quit")
            except (AssertionError, BrokenPipeError, OSError):
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def delta(before, after, field="tx_packets"):
    return {name: after[name][field] - before[name][field] for name in after}


@pytest.fixture(scope="module")
def build(request):
    return os.path.abspath(request.config.getoption("--build"))


@pytest.fixture(scope="module")
def net(build):
    topology_up()
    lma = Peer(build, "lma")
    mag = Peer(build, "mag")
    try:
        assert lma.ready == {"ready": True, "backend": "tun"}, lma.ready
        assert mag.ready == {"ready": True, "backend": "tun"}, mag.ready
        lma.cmd("tunnel lte %s %s %d 3" % (LMAA, PCOA_LTE, LABEL_LTE))
        lma.cmd("tunnel wlan %s %s %d 1" % (LMAA, PCOA_WLAN, LABEL_WLAN))
        mag.cmd("tunnel lte %s %s %d 3" % (PCOA_LTE, LMAA, LABEL_LTE))
        mag.cmd("tunnel wlan %s %s %d 1" % (PCOA_WLAN, LMAA, LABEL_WLAN))
        mag.cmd("onlink %s acc0" % HNP)  # downlink: the HNP is on the access link
        net = {"lma": lma, "mag": mag}
        # links and neighbours settle: the first echo through both tunnels ends comes back
        set_routes(net, "flow")
        assert wait_for(lambda: ping6("mn", CN, 1) == 1, 10), "no end-to-end path"
        yield net
    finally:
        rc = (lma.stop(), mag.stop())
        leftovers = nsx("lma", "ip", "-6", "route", "show", HNP, check=False).stdout + \
            nsx("mag", "ip", "-6", "rule", "show", check=False).stdout + \
            nsx("mag", "ip", "-6", "route", "show", HNP, check=False).stdout
        topology_down()
    assert rc == (0, 0), rc
    # shutdown removed the HNP route (LMA), the source rule and access route (MAG)
    assert "2001:db8:100::" not in leftovers, leftovers


def set_routes(net, policy):
    net["lma"].cmd("route to %s lte,wlan %s" % (HNP, policy))
    net["mag"].cmd("route from %s lte,wlan %s" % (HNP, policy))


def set_path(net, name, up):
    for end in ("lma", "mag"):
        net[end].cmd("%s %s" % ("up" if up else "down", name))


def udp_flows(flows, packets, sport_base=20000, port=9000, size=200):
    """Send `packets` datagrams on each of `flows` source ports from the MN to the CN."""
    code = ("import socket,sys\n"
            "for f in range(%d):\n"
            "  s=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM)\n"
            "  s.bind(('%s',%d+f))\n"
            "  for i in range(%d): s.sendto(b'x'*%d,('%s',%d))\n"
            "  s.close()\n" % (flows, MN_ADDR, sport_base, packets, size, CN, port))
    nsx("mn", "/usr/bin/python3", "-c", code)


class UdpSender:
    """A sender in the MN namespace: each "SPORT COUNT" line sends COUNT datagrams from that
    source port to the CN and answers "done" (one process for many short flows)."""
    CODE = ("import socket,sys\n"
            "for line in sys.stdin:\n"
            "  sport,count=map(int,line.split())\n"
            "  s=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM)\n"
            "  s.bind(('%s',sport))\n"
            "  for i in range(count): s.sendto(b'x'*200,('%s',9000))\n"
            "  s.close(); print('done',flush=True)\n" % (MN_ADDR, CN))

    def __init__(self):
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", NS["mn"], "/usr/bin/python3", "-c", self.CODE],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def send(self, sport, count):
        self.proc.stdin.write("%d %d\n" % (sport, count))
        self.proc.stdin.flush()
        assert self.proc.stdout.readline().strip() == "done"

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def udp_sink(port=9000):
    """A UDP receiver on the CN counting datagrams; stop() returns the count."""
    code = ("import socket,sys,select\n"
            "s=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM)\n"
            "s.setsockopt(socket.SOL_SOCKET,socket.SO_RCVBUF,1<<22)\n"
            "s.bind(('%s',%d)); print('ready',flush=True); n=0\n"
            "while select.select([s,sys.stdin],[],[],20)[0]:\n"
            "  if select.select([s],[],[],0)[0]: s.recv(2048); n+=1\n"
            "  else: break\n"
            "print(n,flush=True)\n" % (CN, port))
    proc = subprocess.Popen(["ip", "netns", "exec", NS["lma"], "/usr/bin/python3", "-c", code],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"

    def stop():
        # let in-flight datagrams land, then close stdin to end the loop
        time.sleep(0.2)
        out, _ = proc.communicate(input="", timeout=30)
        return int(out.strip())
    return stop


PING6 = """
import socket, struct, sys, time
dst, count, src = sys.argv[1], int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
if src:
    s.bind((src, 0))
s.settimeout(1)
ident, got = 0x4d44, 0
for seq in range(count):
    s.sendto(struct.pack("!BBHHH", 128, 0, 0, ident, seq) + b"dmm" * 16, (dst, 0))
    deadline = time.monotonic() + 1
    while time.monotonic() < deadline:
        try:
            data, addr = s.recvfrom(2048)
        except socket.timeout:
            break
        if data[0] == 129 and struct.unpack("!HH", data[4:8]) == (ident, seq):
            got += 1
            break
print(got)
"""


def ping6(ns, dst, count, src=None):
    """ICMPv6 echo from namespace ns (kernel checksum, one outstanding request); replies."""
    args = [dst, str(count)] + ([src] if src else [])
    return int(nsx(ns, "/usr/bin/python3", "-c", PING6, *args).stdout)


def veth_tx(ns, dev):
    out = json.loads(nsx(ns, "ip", "-s", "-j", "link", "show", dev).stdout)
    return out[0]["stats64"]["tx"]["packets"]


def test_ip6tnl_probe_falls_back_to_tun(build):
    """The kernel has no ip6tnl: the probe says unsupported and auto selects tun."""
    namespaces_up(["probe"])
    try:
        peer = Peer(build, "probe", "--backend", "auto", "--tun", "dmmprobe")
        try:
            assert peer.ready == {"ready": True, "backend": "tun"}
            probe = peer.cmd("probe")
            assert probe["ip6tnl"] is False and probe["errno"] == 95, probe  # EOPNOTSUPP
            assert "unsupported" in probe["error"]
            # the probe leaves no link behind
            assert "dmm6probe0" not in nsx("probe", "ip", "link", "show").stdout
        finally:
            assert peer.stop() == 0
        forced = Peer(build, "probe", "--backend", "ip6tnl")
        assert forced.ready["ready"] is False and "unsupported" in forced.ready["error"]
        forced.proc.wait(timeout=5)
    finally:
        namespaces_down(["probe"])


def test_ping_through_both_ends(net):
    set_routes(net, "flow")
    lma0, mag0 = net["lma"].counters(), net["mag"].counters()
    assert ping6("mn", CN, 5) == 5
    lma1, mag1 = net["lma"].counters(), net["mag"].counters()
    # one ICMPv6 echo flow keeps one path in each direction
    up, down = delta(mag0, mag1), delta(lma0, lma1)
    assert sorted(up.values()) == [0, 5], up
    assert sorted(down.values()) == [0, 5], down
    assert delta(lma0, lma1, "rx_packets") == up  # what the MAG sent, the LMA received
    assert delta(mag0, mag1, "rx_packets") == down
    assert all(t["tx_errors"] == 0 for t in list(mag1.values()) + list(lma1.values()))
    for end in ("lma", "mag"):
        stats = net[end].cmd("counters")["stats"]
        assert stats["bad_packet"] == stats["rx_unknown"] == stats["rx_not_bound"] == 0, stats


def test_weighted_per_packet_split(net):
    set_routes(net, "packet 3:1")
    sink = udp_sink()
    mag0 = net["mag"].counters()
    lte0, wlan0 = veth_tx("mag", "lte-m"), veth_tx("mag", "wlan-m")
    udp_flows(1, 400)
    received = sink()
    mag1 = net["mag"].counters()
    up = delta(mag0, mag1)
    assert up["lte"] + up["wlan"] == 400, up
    # smooth weighted round robin: exactly 3:1 over every window of 4 packets
    assert abs(up["lte"] - 300) <= 4 and abs(up["wlan"] - 100) <= 4, up
    # the encapsulated packets really left by the veth of each path
    assert veth_tx("mag", "lte-m") - lte0 >= up["lte"]
    assert veth_tx("mag", "wlan-m") - wlan0 >= up["wlan"]
    assert received == 400, received


def test_per_flow_hash_sticky_and_failover(net):
    set_routes(net, "flow")
    sender = UdpSender()

    def assign():
        """Path of each of 32 UDP flows, measured flow by flow from the MAG counters."""
        paths = {}
        for f in range(32):
            before = net["mag"].counters()
            sender.send(30000 + f, 4)
            # the datagrams left the MN; poll until the MAG has tunnelled them
            d = wait_for(lambda: (lambda d: d if sum(d.values()) >= 4 else None)(
                delta(before, net["mag"].counters())), 2) or delta(before, net["mag"].counters())
            used = [name for name, n in d.items() if n]
            assert len(used) == 1 and d[used[0]] == 4, (f, d)  # one flow, one path
            paths[f] = used[0]
        return paths

    first = assign()
    assert set(first.values()) == {"lte", "wlan"}, first  # 3:1 weights, both used
    assert assign() == first  # a flow keeps its path
    set_path(net, "lte", False)
    during = assign()
    assert set(during.values()) == {"wlan"}, during  # flows of the failed path moved
    set_path(net, "lte", True)
    assert assign() == first  # and came back
    sender.close()


def tcp_exchange(port, rounds=5):
    """A TCP connection MN -> CN:port with a few request/response rounds."""
    server = ("import socket\n"
              "s=socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET,"
              "socket.SO_REUSEADDR,1)\n"
              "s.bind(('%s',%d)); s.listen(1); s.settimeout(10); print('ready',flush=True)\n"
              "c,_=s.accept(); c.settimeout(10)\n"
              "while True:\n"
              "  d=c.recv(100)\n"
              "  if not d: break\n"
              "  c.sendall(d)\n" % (CN, port))
    proc = subprocess.Popen(["ip", "netns", "exec", NS["lma"], "/usr/bin/python3", "-c", server],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    client = ("import socket\n"
              "c=socket.create_connection(('%s',%d),timeout=5)\n"
              "for i in range(%d):\n"
              "  c.sendall(b'GET /'); assert c.recv(100)==b'GET /'\n"
              "c.close()\n" % (CN, port, rounds))
    nsx("mn", "/usr/bin/python3", "-c", client)
    proc.wait(timeout=10)


def test_label_policy_http_over_label9_with_fallback(net):
    set_routes(net, HTTP_POLICY)
    for port, expect in ((80, "wlan"), (443, "wlan")):
        lma0, mag0 = net["lma"].counters(), net["mag"].counters()
        tcp_exchange(port)
        up, down = delta(mag0, net["mag"].counters()), delta(lma0, net["lma"].counters())
        other = "lte" if expect == "wlan" else "wlan"
        # HTTP (both directions) rides the label-9 (WLAN) path only
        assert up[expect] >= 7 and up[other] == 0, (port, up)
        assert down[expect] >= 7 and down[other] == 0, (port, down)
    # the label-9 path fails: HTTP falls back to label 11 (LTE)
    set_path(net, "wlan", False)
    try:
        lma0, mag0 = net["lma"].counters(), net["mag"].counters()
        tcp_exchange(80)
        up, down = delta(mag0, net["mag"].counters()), delta(lma0, net["lma"].counters())
        assert up["lte"] >= 7 and up["wlan"] == 0, up
        assert down["lte"] >= 7 and down["wlan"] == 0, down
    finally:
        set_path(net, "wlan", True)
    # and returns to label 9 when it is restored
    mag0 = net["mag"].counters()
    tcp_exchange(80)
    up = delta(mag0, net["mag"].counters())
    assert up["wlan"] >= 7 and up["lte"] == 0, up


def test_strict_rule_and_unbound_traffic_dropped(net):
    set_routes(net, "flow; udp port 9000 -> label 42 strict")
    stats0 = net["mag"].cmd("counters")["stats"]
    udp_flows(1, 10)
    stats1 = net["mag"].cmd("counters")["stats"]
    assert stats1["no_path"] - stats0["no_path"] == 10  # no tunnel has label 42
    # a packet from outside the HNP reaching the LMA through a tunnel is not accepted
    set_routes(net, "flow")
    nsx("mn", "ip", "-6", "addr", "add", "2001:db8:999::1/128", "dev", "mn0", "nodad")
    nsx("mag", "ip", "-6", "rule", "add", "from", "2001:db8:999::/64", "table", "4470",
        "pref", "4471")
    lma0 = net["lma"].cmd("counters")["stats"]
    assert ping6("mn", CN, 2, src="2001:db8:999::1") == 0
    lma1 = net["lma"].cmd("counters")["stats"]
    nsx("mag", "ip", "-6", "rule", "del", "pref", "4471")
    assert net["mag"].cmd("counters")["stats"]["no_route"] >= 2  # no route from that source
    assert lma1["rx_not_bound"] == lma0["rx_not_bound"]


UDP4_ECHO = """
import socket, sys
mode, addr, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
if mode == "server":
    s.bind((addr, 7000)); print("ready", flush=True)
    for i in range(count):
        try:
            data, peer = s.recvfrom(2048)
        except socket.timeout:
            break
        s.sendto(data, peer)
else:
    got = 0
    for i in range(count):
        s.sendto(b"v4" * 50, (addr, 7000))
        try:
            got += s.recv(2048) == b"v4" * 50
        except socket.timeout:
            pass
    print(got)
"""


def test_ipv4_home_address_over_ipv6_tunnels(net):
    """RFC 5844 IPv4 home address: IPv4 packets in the same IPv6 tunnels (protocol 4)."""
    nsx("mn", "ip", "addr", "add", "10.100.0.10/24", "dev", "mn0")
    nsx("mn", "ip", "route", "add", "default", "via", "10.100.0.1", "dev", "mn0", "onlink")
    nsx("mag", "ip", "addr", "add", "10.100.0.1/32", "dev", "acc0")
    nsx("mag", "sysctl", "-qw", "net.ipv4.ip_forward=1")
    nsx("lma", "ip", "addr", "add", "10.200.0.1/32", "dev", "lo")
    net["mag"].cmd("onlink 10.100.0.0/24 acc0")
    net["lma"].cmd("route to 10.100.0.0/24 lte,wlan packet 1:1")
    net["mag"].cmd("route from 10.100.0.0/24 lte,wlan packet 1:1")
    lma0, mag0 = net["lma"].counters(), net["mag"].counters()
    server = subprocess.Popen(["ip", "netns", "exec", NS["lma"], "/usr/bin/python3", "-c",
                               UDP4_ECHO, "server", "10.200.0.1", "20"],
                              stdout=subprocess.PIPE, text=True)
    assert server.stdout.readline().strip() == "ready"
    got = int(nsx("mn", "/usr/bin/python3", "-c", UDP4_ECHO, "client", "10.200.0.1",
                  "20").stdout)
    server.wait(timeout=10)
    assert got == 20
    up, down = delta(mag0, net["mag"].counters()), delta(lma0, net["lma"].counters())
    assert up == {"lte": 10, "wlan": 10}, up  # per packet 1:1, both ways
    assert down == {"lte": 10, "wlan": 10}, down
    net["mag"].cmd("unroute from 10.100.0.0/24")
    net["lma"].cmd("unroute to 10.100.0.0/24")
    assert "10.100.0.0/24" not in nsx("lma", "ip", "route", "show").stdout


def test_router_advertisement_configures_slaac_address(build):
    """RS on the access link -> attach event; RA with the HNP -> the host's kernel configures
    an address in it (SLAAC); withdraw deprecates it; carrier loss -> link-down + detach."""
    namespaces_up(RA_NS)
    veth("ra", "h0", "ram", "acc1")
    nsx("ram", "ip", "link", "set", "acc1", "up")
    peer = Peer(build, "ram", "--no-dp")
    try:
        peer.cmd("ndp acc1")
        sysctl("ra", "net.ipv6.conf.h0.accept_ra=1", "net.ipv6.conf.h0.autoconf=1")
        nsx("ra", "ip", "link", "set", "h0", "up")
        attach = peer.wait_event("attach", timeout=15)
        mac = json.loads(nsx("ra", "ip", "-j", "link", "show", "h0").stdout)[0]["address"]
        assert attach["ll_id"] == mac and attach["iface"] == "acc1", attach
        assert attach["src"].startswith("fe80:"), attach
        started = time.monotonic()
        peer.cmd("advertise acc1 %s %s 600 300" % (mac, RA_PREFIX))
        net6 = ipaddress.ip_network(RA_PREFIX)

        def slaac_addr():
            out = json.loads(nsx("ra", "ip", "-j", "-6", "addr", "show", "dev", "h0").stdout)
            for a in out[0].get("addr_info", []):
                if ipaddress.ip_address(a["local"]) in net6:
                    return a
            return None
        addr = wait_for(slaac_addr, 10)
        assert addr, "no SLAAC address in %s" % RA_PREFIX
        assert addr["valid_life_time"] <= 600 and addr["preferred_life_time"] <= 300, addr
        print("RA -> address configured in %.0f ms" % ((time.monotonic() - started) * 1000))
        # default router learnt from the RA
        assert "fe80:" in nsx("ra", "ip", "-6", "route", "show", "default").stdout
        peer.cmd("withdraw acc1 %s" % mac)
        assert wait_for(lambda: (slaac_addr() or {}).get("preferred_life_time") == 0, 10)
        nsx("ra", "ip", "link", "set", "h0", "down")
        assert peer.wait_event("link-down")["iface"] == "acc1"
        assert peer.wait_event("detach")["ll_id"] == mac
        nsx("ra", "ip", "link", "set", "h0", "up")
        assert peer.wait_event("link-up")["iface"] == "acc1"
    finally:
        assert peer.stop() == 0
        namespaces_down(RA_NS)


# Router Advertisements received on an interface, with their arrival time (CLOCK_MONOTONIC is
# the same in every namespace), until stdin closes.
RA_LISTENER = """
import json, select, socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, sys.argv[1].encode())
print(json.dumps({"ready": True}), flush=True)
while select.select([s, sys.stdin], [], [], 60)[0]:
    if not select.select([s], [], [], 0)[0]:
        break
    data, addr = s.recvfrom(2048)
    if data[0] == 134:
        print(json.dumps({"t": time.monotonic(), "src": addr[0], "ra": data.hex()}), flush=True)
"""

# RTM_NEWADDR of the link-local addresses of an interface (rtnetlink RTMGRP_IPV6_IFADDR): the
# time and whether the address is tentative (IFA_F_TENTATIVE, also from IFA_FLAGS). Linux
# notifies an address under DAD when DAD completes, not when it is added.
ADDR_WATCH = """
import json, select, socket, struct, sys, time
ifindex = socket.if_nametoindex(sys.argv[1])
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
s.bind((0, 0x100))
print(json.dumps({"ready": True}), flush=True)
while select.select([s, sys.stdin], [], [], 60)[0]:
    if not select.select([s], [], [], 0)[0]:
        break
    buf, off, now = s.recv(65536), 0, time.monotonic()
    while off + 24 <= len(buf):
        length, kind = struct.unpack_from("=IH", buf, off)
        if length < 16:
            break
        family, _, flags, scope, index = struct.unpack_from("=BBBBI", buf, off + 16)
        a = off + 24
        while a + 4 <= off + length:
            alen, atype = struct.unpack_from("=HH", buf, a)
            if alen < 4:
                break
            if atype == 8 and alen >= 8:
                flags = struct.unpack_from("=I", buf, a + 4)[0]
            a += (alen + 3) & ~3
        if kind == 20 and family == 10 and index == ifindex and scope == 253:
            print(json.dumps({"t": now, "tentative": bool(flags & 0x40)}), flush=True)
        off += (length + 3) & ~3
"""

DAD_ROUNDS = 3
DAD_RA_LATENCY_MS = 60  # a retry timer (250 ms) alone would rarely land this close, thrice


def test_first_ra_sent_when_dad_completes(build):
    """The prefix is to be advertised while the access interface's link-local address is
    still tentative (RFC 4862 §5.4 DAD; an RA's source must be link-local, RFC 4861 §4.2): the
    RA cannot go yet (EADDRNOTAVAIL). It goes as soon as DAD completes (the MAG watches
    RTM_NEWADDR), not at the next retry or periodic RA. Measured over a few link flaps."""
    namespaces_up(DAD_NS)
    procs, latencies = [], []
    try:
        # one probe, RetransTimer 1 s: the address stays tentative for 1 s at least
        sysctl("dadm", "net.ipv6.conf.all.accept_dad=1", "net.ipv6.conf.default.accept_dad=1",
               "net.ipv6.conf.default.dad_transmits=1")
        veth("dadh", "h1", "dadm", "acc2")
        # the host sends no RS (accept_ra 0): only the MAG's own logic can trigger the RA
        sysctl("dadh", "net.ipv6.conf.h1.accept_ra=0")
        nsx("dadh", "ip", "link", "set", "h1", "up")
        mac = json.loads(nsx("dadh", "ip", "-j", "link", "show", "h1").stdout)[0]["address"]
        prefix = ipaddress.ip_network(RA_PREFIX).network_address.packed.hex()
        ras = JsonLines("dadh", ["/usr/bin/python3", "-c", RA_LISTENER, "h1"])
        procs.append(ras)
        addrs = JsonLines("dadm", ["/usr/bin/python3", "-c", ADDR_WATCH, "acc2"])
        procs.append(addrs)
        assert ras.wait_line(lambda m: m.get("ready"), 10)
        assert addrs.wait_line(lambda m: m.get("ready"), 10)
        peer = Peer(build, "dadm", "--no-dp")
        procs.append(peer)
        peer.cmd("ndp acc2")
        for _ in range(DAD_ROUNDS):
            started = time.monotonic()
            nsx("dadm", "ip", "link", "set", "acc2", "up")
            # with the carrier the link-local address appears, tentative (not notified yet)
            assert wait_for(lambda: "tentative" in nsx(
                "dadm", "ip", "-6", "addr", "show", "dev", "acc2", "scope", "link").stdout, 5)
            reply = peer.cmd("advertise acc2 %s %s 600 300" % (mac, RA_PREFIX), ok=False)
            # the condition under test: DAD still runs and the first RA failed
            assert "tentative" in nsx("dadm", "ip", "-6", "addr", "show", "dev", "acc2",
                                      "scope", "link").stdout
            assert reply == {"ok": False, "error": "Cannot assign requested address"}, reply
            usable = addrs.wait_line(lambda m: m["t"] > started and not m["tentative"], 10)
            ra = ras.wait_line(lambda m: m["t"] > started, 5)
            assert ra["src"].startswith("fe80:") and prefix in ra["ra"], ra
            latencies.append((ra["t"] - usable["t"]) * 1000)
            nsx("dadm", "ip", "link", "set", "acc2", "down")
            assert peer.wait_event("detach")["ll_id"] == mac
        print("DAD end -> RA: %s ms" % ", ".join("%.1f" % ms for ms in latencies))
        assert all(ms <= DAD_RA_LATENCY_MS for ms in latencies), latencies
    finally:
        for proc in procs[:2]:
            proc.close()
        rc = procs[2].stop() if len(procs) > 2 else 0
        namespaces_down(DAD_NS)
    assert rc == 0

if __name__ == "__main__":
    argv = sys.argv[1:]
    sys.exit(pytest.main([os.path.abspath(__file__), "-p", "no:cacheprovider",
                          "--rootdir", os.path.dirname(HERE)] + argv))
