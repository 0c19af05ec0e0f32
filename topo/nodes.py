"""Mininet nodes of the bench: PMIPv6 LMA and MAG (RFC 5213 §5-6, RFC 8278 §4.4), mobile and
correspondent nodes, routers.

Every node can capture its traffic (tcpdump on all its interfaces, one pcap per node) into a
results folder. The daemon nodes (LMA, MAG) write their dmmd configuration there, run
`dmmd -f -c CONF -S SOCK` with its log there, and talk to it over the control socket: one JSON
request and reply per call (`ctl`), or an event subscription (`subscribe`, `events`).

Run as a script inside a node, this file is also the bench's traffic tool (no ping on the
hosts): `nodes.py ping6 DST`, `nodes.py rs IFACE MAC` (a Router Solicitation),
`nodes.py udp-send/udp-sink`, `nodes.py tcp-send/tcp-sink`; each prints one JSON object.
"""

import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time

try:
    from mininet.node import Host
except ImportError:  # the traffic tool runs without Mininet
    Host = object

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = "/usr/bin/python3"
THIS = os.path.abspath(__file__)

try:
    sys.path.insert(0, os.path.join(ROOT, "testcases", "lib"))
    from capture import start_capture
except ImportError:  # the traffic tool runs without the test framework
    start_capture = None


class CtlError(Exception):
    """The control socket could not be reached or answered something that is not JSON."""


def _deadline_left(deadline):
    return max(0.0, deadline - time.monotonic())


def _read_line(sock, buf, deadline):
    """One newline-terminated line from sock before the deadline: (line, rest), else (None, buf)."""
    while b"\n" not in buf:
        left = _deadline_left(deadline)
        if left <= 0:
            return None, buf
        ready, _, _ = select.select([sock], [], [], left)
        if not ready:
            return None, buf
        chunk = sock.recv(65536)
        if not chunk:
            raise CtlError("control socket closed by the daemon")
        buf += chunk
    line, _, rest = buf.partition(b"\n")
    return line, rest


def ctl_request(path, cmd, timeout=3.0, **args):
    """Send one `{"cmd": cmd, ...args}` line on the Unix socket at path; return the reply object."""
    request = dict(args)
    request["cmd"] = cmd
    deadline = time.monotonic() + timeout
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(path)
            sock.sendall(json.dumps(request).encode() + b"\n")
        except OSError as exc:
            raise CtlError("%s: %s" % (path, exc)) from exc
        line, _ = _read_line(sock, b"", deadline)
    if line is None:
        raise CtlError("%s: no reply to %s within %.1f s" % (path, cmd, timeout))
    try:
        return json.loads(line)
    except ValueError as exc:
        raise CtlError("%s: reply to %s is not JSON: %r" % (path, cmd, line[:200])) from exc


def event_matches(event, name, fields):
    """True when event is named `name` (None: any; a tuple: one of them) and has every
    (key, value) of fields."""
    names = name if isinstance(name, (tuple, list, set)) else (name,)
    if name is not None and event.get("event") not in names:
        return False
    return all(event.get(key) == value for key, value in fields.items())


class EventStream:
    """A `subscribe` session on a daemon's control socket: events in arrival order.

    Open it before the action whose events you want, so that none is missed. Every event read
    is kept in `seen`.
    """

    def __init__(self, path, timeout=3.0):
        self.path = path
        self.seen = []
        self._buf = b""
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        deadline = time.monotonic() + timeout
        try:
            self._sock.settimeout(timeout)
            self._sock.connect(path)
            self._sock.sendall(b'{"cmd":"subscribe"}\n')
            line, self._buf = _read_line(self._sock, self._buf, deadline)
        except (OSError, CtlError) as exc:
            self._sock.close()
            raise CtlError("%s: subscribe: %s" % (path, exc)) from exc
        reply = json.loads(line) if line else None
        if not reply or not reply.get("ok"):
            self._sock.close()
            raise CtlError("%s: subscribe refused: %r" % (path, reply))

    def next(self, timeout):
        """The next event, or None if none comes within timeout seconds."""
        deadline = time.monotonic() + timeout
        line, self._buf = _read_line(self._sock, self._buf, deadline)
        if line is None:
            return None
        event = json.loads(line)
        self.seen.append(event)
        return event

    def iter(self, timeout):
        """Yield events until timeout seconds have passed in all."""
        deadline = time.monotonic() + timeout
        while True:
            event = self.next(_deadline_left(deadline))
            if event is None:
                return
            yield event

    def wait_for(self, name, timeout, **fields):
        """The first event named `name` (or one of a tuple of names) with the given field
        values; None after timeout."""
        for event in self.iter(timeout):
            if event_matches(event, name, fields):
                return event
        return None

    def collect(self, timeout, until=None):
        """Events until `until(event)` is true or timeout passes; the list read meanwhile."""
        got = []
        for event in self.iter(timeout):
            got.append(event)
            if until is not None and until(event):
                break
        return got

    def close(self):
        self._sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class BenchNode(Host):
    """A Mininet host with static IPv6 addressing, routes, sysctls and a per-node capture.

    Extra parameters (addHost(..., cls=..., name=value)):
      results: folder for the node's files (pcap, logs, configuration);
      build: the build folder holding dmmd, dmm-decode and dmm-send;
      addrs6: {interface: ["2001:db8::1/64", ...]} configured without DAD;
      routes6: ["2001:db8::/32 via 2001:db8:1::1", ...] (arguments of `ip -6 route add`);
      rules6: ["from 2001:db8:1::2 table 101", ...] (arguments of `ip -6 rule add`);
      sysctls: {name: value}.
    """

    forwarding = 0

    def __init__(self, name, results=None, build=None, addrs6=None, routes6=None, rules6=None,
                 sysctls=None, **params):
        self.results = results or os.environ.get("DMM_RESULTS", os.path.join(ROOT, "results",
                                                                              "topo"))
        self.build = build or os.environ.get("DMM_BUILD", os.path.join(ROOT, "build"))
        self.addrs6 = addrs6 or {}
        self.static_routes6 = routes6 or []
        self.rules6 = rules6 or []
        self.extra_sysctls = sysctls or {}
        self._capture = None
        self._capture_path = None
        super().__init__(name, **params)

    # configuration
    def config(self, **params):
        result = super().config(**params)
        self.cmd("ip link set lo up")
        sysctls = {
            "net.ipv6.conf.all.forwarding": self.forwarding,
            "net.ipv6.conf.all.accept_dad": 0,
            "net.ipv6.conf.default.accept_dad": 0,
            "net.ipv6.conf.all.disable_ipv6": 0,
        }
        for intf in self.intfNames():
            if intf != "lo":
                sysctls["net.ipv6.conf.%s.accept_dad" % intf] = 0
        sysctls.update(self.extra_sysctls)
        for key, value in sysctls.items():
            self.sysctl(key, value)
        for intf, addrs in self.addrs6.items():
            for addr in addrs:
                self.check_cmd("ip -6 addr add %s dev %s nodad" % (addr, intf))
        for rule in self.rules6:
            self.check_cmd("ip -6 rule add %s" % rule)
        for route in self.static_routes6:
            self.check_cmd("ip -6 route add %s" % route)
        return result

    def check_cmd(self, command):
        """Run a shell command in the node; raise with its output when it fails."""
        out = self.cmd(command + "; echo rc=$?")
        body, _, rc = out.strip().rpartition("rc=")
        if rc.strip() != "0":
            raise RuntimeError("%s: `%s` failed: %s" % (self.name, command, body.strip()))
        return body

    def sysctl(self, key, value):
        self.cmd("sysctl -q -w %s=%s" % (key, value))

    def run(self, args, timeout=30.0, check=False):
        """Run args (a list) in the node's namespace; (returncode, stdout, stderr), bounded."""
        proc = self.popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            raise RuntimeError("%s: %s timed out after %.0f s" % (self.name, args[0], timeout))
        out, err = out.decode(errors="replace"), err.decode(errors="replace")
        if check and proc.returncode != 0:
            raise RuntimeError("%s: %s exited %d: %s" % (self.name, " ".join(args),
                                                           proc.returncode, err.strip()))
        return proc.returncode, out, err

    def ip_json(self, *args):
        """`ip -j ARGS` in the node, decoded."""
        _, out, _ = self.run(["ip", "-j"] + list(args), timeout=10, check=True)
        return json.loads(out) if out.strip() else []

    def global_addrs6(self, intf=None):
        """Global IPv6 addresses as "addr/plen" strings (of intf, or of every interface)."""
        args = ["-6", "addr", "show"] + (["dev", intf] if intf else [])
        found = []
        for link in self.ip_json(*args):
            for info in link.get("addr_info", []):
                if info.get("scope") == "global" and not info.get("tentative"):
                    found.append("%s/%s" % (info["local"], info["prefixlen"]))
        return found

    def tentative_addrs6(self):
        return [info["local"] for link in self.ip_json("-6", "addr", "show", "tentative")
                for info in link.get("addr_info", []) if info.get("local")]

    def wait_addrs_ready(self, timeout=5.0):
        """Wait until no address of the node is tentative (link-local DAD done); bounded."""
        deadline = time.monotonic() + timeout
        while self.tentative_addrs6():
            if time.monotonic() > deadline:
                raise RuntimeError("%s: addresses still tentative after %.0f s: %s" % (
                    self.name, timeout, self.tentative_addrs6()))
            time.sleep(0.05)

    def routes6(self, table="all"):
        return self.ip_json("-6", "route", "show", "table", table)

    def link_names(self):
        return [link["ifname"] for link in self.ip_json("link", "show")]

    # capture (testcases/lib/capture.py: tcpdump in the node, stopped with SIGINT)
    def start_capture(self, directory):
        """Capture every interface of the node into DIRECTORY/<node>.pcap (tcpdump -i any,
        Linux cooked headers naming the interface index)."""
        self.stop_capture()
        self._capture = start_capture(self, directory, interface="any")
        self._capture_path = self._capture.path
        return self._capture_path

    def stop_capture(self):
        """Stop the capture; the pcap path (None if none ran)."""
        cap, self._capture = self._capture, None
        return cap.stop() if cap is not None else None

    @property
    def capture_path(self):
        return self._capture_path

    def terminate(self):
        self.stop_capture()
        super().terminate()

    # traffic (the script part of this file, run in the node)
    def traffic(self, args, timeout=30.0):
        """Run `nodes.py ARGS` in the node and return its JSON result."""
        rc, out, err = self.run([PYTHON, THIS] + list(args), timeout=timeout)
        if rc != 0 or not out.strip():
            raise RuntimeError("%s: nodes.py %s exited %d: %s" % (self.name, " ".join(args), rc,
                                                                   err.strip()))
        return json.loads(out.strip().splitlines()[-1])

    def ping6(self, dst, count=3, interval=0.2, timeout=2.0, size=56, src=None):
        """ICMPv6 echo to dst: {"sent", "received", "rtt_ms": [...]}."""
        args = ["ping6", dst, "-c", str(count), "-i", str(interval), "-W", str(timeout),
                "-s", str(size)]
        if src:
            args += ["-S", src]
        return self.traffic(args, timeout=count * interval + timeout + 10)

    def start_sink(self, proto, port, timeout=10.0, count=0):
        """Start a UDP/TCP sink in the background; returns the process once it listens."""
        args = [PYTHON, THIS, "%s-sink" % proto, str(port), "--timeout", str(timeout)]
        if count:
            args += ["--count", str(count)]
        proc = self.popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        ready, _, _ = select.select([proc.stdout], [], [], 5.0)
        line = proc.stdout.readline() if ready else b""
        if b"listening" not in line:
            proc.kill()
            raise RuntimeError("%s: %s sink did not start: %r" % (self.name, proto, line))
        return proc

    @staticmethod
    def sink_result(proc, timeout=20.0):
        """Wait for a sink started by start_sink and return its JSON result."""
        out, err = proc.communicate(timeout=timeout)
        lines = out.decode().strip().splitlines()
        if not lines:
            raise RuntimeError("sink printed nothing: %s" % err.decode().strip())
        return json.loads(lines[-1])

    def udp_send(self, dst, port, count=10, size=100, sport=0, interval=0.0):
        return self.traffic(["udp-send", dst, str(port), "--count", str(count), "--size",
                             str(size), "--sport", str(sport), "--interval", str(interval)])

    def tcp_send(self, dst, port, nbytes=10000, sport=0, timeout=10.0, mss=0):
        """A TCP flow of nbytes to dst:port (a sink there); mss clamps the segment size."""
        return self.traffic(["tcp-send", dst, str(port), "--bytes", str(nbytes), "--sport",
                             str(sport), "--timeout", str(timeout), "--mss", str(mss)],
                            timeout=timeout + 10)


class Router(BenchNode):
    """An IPv6 router: forwarding on, static routes only."""

    forwarding = 1

    def blackhole(self, prefix, on, restore):
        """Silently drop what the router forwards to prefix (on=True), or put back the route
        `restore` (arguments of `ip -6 route replace`). Unlike a link going down, this keeps
        the addresses and routes of every interface (IPv6 flushes them on ifdown)."""
        if on:
            self.check_cmd("ip -6 route replace blackhole %s" % prefix)
        else:
            self.check_cmd("ip -6 route replace %s" % restore)


class CorrespondentNode(BenchNode):
    """A correspondent node (RFC 8278 Figure 1 "CN") on the LMA's network side."""


class MobileNode(BenchNode):
    """A mobile node: a plain IPv6 host that autoconfigures from the MAG's Router Advertisement
    (SLAAC), with no mobility software (PMIPv6 is network-based).

    The kernel's own Router Solicitations are off (parameter solicit=False, the default), so
    that a node attaches when a test says so: send_rs() sends one Router Solicitation."""

    def __init__(self, name, solicit=False, **params):
        self.solicit_at_start = solicit
        super().__init__(name, **params)

    def config(self, **params):
        result = super().config(**params)
        for intf in self.intfNames():
            if intf != "lo":
                self.sysctl("net.ipv6.conf.%s.accept_ra" % intf, 1)
                self.sysctl("net.ipv6.conf.%s.autoconf" % intf, 1)
                self.sysctl("net.ipv6.conf.%s.router_solicitations" % intf,
                            -1 if self.solicit_at_start else 0)
        return result

    def send_rs(self):
        """One Router Solicitation to all-routers, with the Source Link-Layer Address option."""
        intf = self.access_intf()
        return self.traffic(["rs", intf, self.MAC(intf)])

    def access_intf(self):
        return [i for i in self.intfNames() if i != "lo"][0]

    def addr_in(self, prefix):
        """The MN's global address inside prefix ("p::/64"), or None."""
        import ipaddress
        net = ipaddress.ip_network(prefix, strict=False)
        for addr in self.global_addrs6(self.access_intf()):
            if ipaddress.ip_address(addr.split("/")[0]) in net:
                return addr.split("/")[0]
        return None


class DaemonNode(BenchNode):
    """A node running one dmmd role, with its control socket.

    Parameter conf: a dmmd configuration text started with the node (for `mn --custom`);
    tests rather call start_daemon(text, directory) themselves.
    """

    role = None
    forwarding = 1

    def __init__(self, name, conf=None, **params):
        self.autoconf = conf
        self.daemon = None
        self.conf_path = None
        self.log_path = None
        self._sockdir = tempfile.mkdtemp(prefix="dmmb-")
        self.sock_path = os.path.join(self._sockdir, "%s.sock" % name)
        super().__init__(name, **params)

    def config(self, **params):
        """Configure the node; with a `conf` parameter (mn --custom), also start dmmd with it."""
        result = super().config(**params)
        if self.autoconf:
            if os.path.exists(self.dmmd):
                self.start_daemon(self.autoconf)
            else:
                print("*** %s: %s not built, daemon not started" % (self.name, self.dmmd))
        return result

    @property
    def dmmd(self):
        return os.path.join(self.build, "dmmd")

    def write_config(self, text, directory=None):
        directory = directory or self.results
        os.makedirs(directory, exist_ok=True)
        self.conf_path = os.path.join(directory, "%s.conf" % self.name)
        with open(self.conf_path, "w") as conf:
            conf.write(text)
        return self.conf_path

    def check_config(self, text, directory=None):
        """`dmmd -n`: (exit status, output) for the configuration text."""
        path = self.write_config(text, directory)
        rc, out, err = self.run([self.dmmd, "-n", "-c", path], timeout=10)
        return rc, out + err

    def start_daemon(self, text, directory=None, debug=True, timeout=5.0):
        """Write the configuration, start `dmmd -f` and wait until its control socket answers."""
        if self.daemon is not None:
            raise RuntimeError("%s: dmmd already running" % self.name)
        directory = directory or self.results
        self.write_config(text, directory)
        self.log_path = os.path.join(directory, "%s.dmmd.log" % self.name)
        if os.path.exists(self.sock_path):
            os.unlink(self.sock_path)
        args = [self.dmmd, "-f", "-c", self.conf_path, "-S", self.sock_path]
        if debug:
            args.append("-d")
        log = open(self.log_path, "ab")
        self.daemon = self.popen(args, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.daemon.poll() is not None:
                code = self.daemon.returncode
                self.daemon = None
                raise RuntimeError("%s: dmmd exited %d at start: %s" % (self.name, code,
                                                                          self.log_tail()))
            try:
                if self.ctl("show-counters", timeout=1.0).get("ok"):
                    return self.daemon
            except CtlError:
                pass
            if time.monotonic() > deadline:
                self.daemon.kill()
                self.daemon = None
                raise RuntimeError("%s: control socket %s did not answer within %.0f s: %s" % (
                    self.name, self.sock_path, timeout, self.log_tail()))
            time.sleep(0.02)

    def log_tail(self, lines=20):
        if not self.log_path or not os.path.exists(self.log_path):
            return ""
        with open(self.log_path, errors="replace") as log:
            return "".join(log.readlines()[-lines:])

    def running(self):
        return self.daemon is not None and self.daemon.poll() is None

    def ctl(self, cmd, timeout=3.0, **args):
        """One control request; the reply object ({"ok": true, ...} or {"ok": false, "error"})."""
        return ctl_request(self.sock_path, cmd, timeout=timeout, **args)

    def ctl_ok(self, cmd, timeout=3.0, **args):
        """One control request that must succeed; the reply object."""
        reply = self.ctl(cmd, timeout=timeout, **args)
        if not reply.get("ok"):
            raise CtlError("%s: %s refused: %s" % (self.name, cmd, reply.get("error")))
        return reply

    def subscribe(self, timeout=3.0):
        """An EventStream on this daemon (open it before the action to observe)."""
        return EventStream(self.sock_path, timeout=timeout)

    def events(self, timeout):
        """An iterator over the daemon's events for at most timeout seconds. The subscription
        is made at once, before the iterator is returned, so no later event is missed."""
        stream = self.subscribe()

        def iterate():
            try:
                yield from stream.iter(timeout)
            finally:
                stream.close()
        return iterate()

    def bindings(self):
        return self.ctl_ok("show-bindings").get("bindings", [])

    def tunnels(self):
        return self.ctl_ok("show-tunnels").get("tunnels", [])

    def counters(self):
        return self.ctl_ok("show-counters").get("counters", {})

    def stop_daemon(self, timeout=5.0):
        """SIGTERM dmmd and wait for it; return what it left behind.

        The result is {"exit": status, "killed": bool, "tunnels": [names still present],
        "routes": [routes still pointing at its tunnels or at its bindings' prefixes]}.
        """
        if self.daemon is None:
            return None
        tunnels, prefixes = [], []
        if self.running():
            try:
                tunnels = [t["name"] for t in self.tunnels()]
                prefixes = [p for b in self.bindings() for p in b.get("hnp", [])]
            except (CtlError, ValueError):
                pass
        proc, self.daemon = self.daemon, None
        killed = False
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                killed = True
        links = set(self.link_names())
        left_routes = []
        for route in self.routes6():
            dst = route.get("dst", "")
            if route.get("dev") in tunnels or dst in prefixes:
                left_routes.append("%s dev %s table %s" % (dst, route.get("dev"),
                                                           route.get("table", "main")))
        return {"exit": proc.returncode, "killed": killed,
                "tunnels": sorted(links & set(tunnels)), "routes": left_routes}

    def terminate(self):
        if self.daemon is not None:
            self.stop_daemon()
        super().terminate()


class LMA(DaemonNode):
    """Local Mobility Anchor (RFC 5213 §5, RFC 8278 §4.4): dmmd with `role lma`."""

    role = "lma"


class MAG(DaemonNode):
    """Mobile Access Gateway (RFC 5213 §6, RFC 8278 §4.4): dmmd with `role mag`."""

    role = "mag"

    def attach(self, mn_id, iface, **args):
        return self.ctl("attach", mn_id=mn_id, iface=iface, **args)

    def detach(self, mn_id):
        return self.ctl("detach", mn_id=mn_id)

    def set_link(self, iface, up):
        """Administratively fail (up=False) or restore a WAN path (control command `link`)."""
        return self.ctl("link", iface=iface, up=bool(up))


# ---------------------------------------------------------------------------------------------
# Traffic tool: run inside a node as `nodes.py COMMAND ...`, prints one JSON object.


def _icmp6_echo(ident, seq, size):
    payload = bytes((i & 0xFF for i in range(size)))
    return bytes([128, 0, 0, 0]) + ident.to_bytes(2, "big") + seq.to_bytes(2, "big") + payload


def tool_ping6(opts):
    """ICMPv6 echo requests through a raw socket (the kernel computes the checksum)."""
    sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.getprotobyname("ipv6-icmp"))
    if opts.src:
        sock.bind((opts.src, 0))
    ident = os.getpid() & 0xFFFF
    sent, rtts, pending = 0, [], {}
    end = time.monotonic() + opts.count * opts.interval + opts.W
    next_send = time.monotonic()
    while time.monotonic() < end and len(rtts) < opts.count:
        now = time.monotonic()
        if sent < opts.count and now >= next_send:
            pending[sent] = now
            sock.sendto(_icmp6_echo(ident, sent, opts.s), (opts.dst, 0))
            sent += 1
            next_send = now + opts.interval
        wait = max(0.0, min(end, next_send if sent < opts.count else end) - time.monotonic())
        ready, _, _ = select.select([sock], [], [], wait)
        if not ready:
            continue
        data, _ = sock.recvfrom(65535)
        if len(data) >= 8 and data[0] == 129 and int.from_bytes(data[4:6], "big") == ident:
            seq = int.from_bytes(data[6:8], "big")
            if seq in pending:
                rtts.append(round((time.monotonic() - pending.pop(seq)) * 1000.0, 3))
    return {"dst": opts.dst, "sent": sent, "received": len(rtts), "rtt_ms": rtts}


def tool_rs(opts):
    """A Router Solicitation (RFC 4861 §4.1) from the link-local address, hop limit 255."""
    sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.getprotobyname("ipv6-icmp"))
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
    ifindex = socket.if_nametoindex(opts.iface)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, ifindex)
    mac = bytes(int(x, 16) for x in opts.mac.split(":"))
    message = bytes([133, 0, 0, 0, 0, 0, 0, 0]) + bytes([1, 1]) + mac
    sock.sendto(message, ("ff02::2", 0, 0, ifindex))
    return {"iface": opts.iface, "sent": 1}


def _bound_socket(kind, sport):
    sock = socket.socket(socket.AF_INET6, kind)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if sport:
        sock.bind(("::", sport))
    return sock


def tool_udp_send(opts):
    sock = _bound_socket(socket.SOCK_DGRAM, opts.sport)
    payload = b"x" * opts.size
    for _ in range(opts.count):
        sock.sendto(payload, (opts.dst, opts.port))
        if opts.interval:
            time.sleep(opts.interval)
    return {"dst": opts.dst, "port": opts.port, "sent": opts.count, "sport":
            sock.getsockname()[1]}


def tool_udp_sink(opts):
    sock = _bound_socket(socket.SOCK_DGRAM, opts.port)
    print("listening", flush=True)
    got, nbytes, sources = 0, 0, {}
    end = time.monotonic() + opts.timeout
    while time.monotonic() < end and (not opts.count or got < opts.count):
        ready, _, _ = select.select([sock], [], [], max(0.0, end - time.monotonic()))
        if not ready:
            break
        data, peer = sock.recvfrom(65535)
        got += 1
        nbytes += len(data)
        sources[peer[0]] = sources.get(peer[0], 0) + 1
    return {"port": opts.port, "received": got, "bytes": nbytes, "sources": sources}


def tool_tcp_send(opts):
    sock = _bound_socket(socket.SOCK_STREAM, opts.sport)
    if opts.mss:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, opts.mss)
    sock.settimeout(opts.timeout)
    start = time.monotonic()
    sock.connect((opts.dst, opts.port))
    sock.sendall(b"y" * opts.bytes)
    sock.shutdown(socket.SHUT_WR)
    reply = sock.recv(64)
    sock.close()
    return {"dst": opts.dst, "port": opts.port, "sent": opts.bytes,
            "acked": int(reply or b"0"), "seconds": round(time.monotonic() - start, 4)}


def tool_tcp_sink(opts):
    sock = _bound_socket(socket.SOCK_STREAM, opts.port)
    sock.listen(4)
    print("listening", flush=True)
    ready, _, _ = select.select([sock], [], [], opts.timeout)
    if not ready:
        return {"port": opts.port, "connections": 0, "bytes": 0}
    conn, peer = sock.accept()
    conn.settimeout(opts.timeout)
    nbytes, complete = 0, False
    try:
        while True:
            data = conn.recv(65536)
            if not data:
                complete = True
                break
            nbytes += len(data)
        conn.sendall(str(nbytes).encode())
    except OSError:  # timed out or reset: report what arrived
        pass
    conn.close()
    return {"port": opts.port, "connections": 1, "bytes": nbytes, "complete": complete,
            "peer": peer[0]}


def main(argv):
    import argparse
    parser = argparse.ArgumentParser(prog="nodes.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="tool", required=True)
    ping = sub.add_parser("ping6")
    ping.add_argument("dst")
    ping.add_argument("-c", dest="count", type=int, default=3)
    ping.add_argument("-i", dest="interval", type=float, default=0.2)
    ping.add_argument("-W", type=float, default=2.0)
    ping.add_argument("-s", type=int, default=56)
    ping.add_argument("-S", dest="src")
    for name in ("udp-send", "tcp-send"):
        send = sub.add_parser(name)
        send.add_argument("dst")
        send.add_argument("port", type=int)
        send.add_argument("--sport", type=int, default=0)
        send.add_argument("--count", type=int, default=10)
        send.add_argument("--size", type=int, default=100)
        send.add_argument("--interval", type=float, default=0.0)
        send.add_argument("--bytes", type=int, default=10000)
        send.add_argument("--timeout", type=float, default=10.0)
        send.add_argument("--mss", type=int, default=0)
    for name in ("udp-sink", "tcp-sink"):
        sink = sub.add_parser(name)
        sink.add_argument("port", type=int)
        sink.add_argument("--count", type=int, default=0)
        sink.add_argument("--timeout", type=float, default=10.0)
    rs = sub.add_parser("rs")
    rs.add_argument("iface")
    rs.add_argument("mac")
    opts = parser.parse_args(argv)
    tools = {"rs": tool_rs, "ping6": tool_ping6, "udp-send": tool_udp_send,
             "udp-sink": tool_udp_sink,
             "tcp-send": tool_tcp_send, "tcp-sink": tool_tcp_sink}
    print(json.dumps(tools[opts.tool](opts)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
