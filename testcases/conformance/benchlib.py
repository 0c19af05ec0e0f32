"""The conformance bench's library (RFC 5213 / RFC 8278 on the RFC 8278 Figure 1 topology):
the running network with its daemons and tools (Bench), the PBU/PBA messages decoded from the
node captures by dmm-decode -T json (Message), bounded polling of bindings and signaling."""

import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)

sys.path.insert(0, os.path.join(ROOT, "testcases", "lib"))

from poll import wait_for  # noqa: E402
from topo.rfc8278 import FLOW_POLICY, PLAN, lma_config, lmaa_route, mag_config  # noqa: E402

__all__ = ["Bench", "Message", "binding_keys", "auth_keys", "FLOW_POLICY", "PLAN",
           "lmaa_route", "REGISTER_TIMEOUT"]

MH_TYPES = {5: "pbu", 6: "pba"}
# Time allowed for one registration round trip on the bench (signaling is local; the MAG
# first registers on one path, then on the others).
REGISTER_TIMEOUT = 10.0


def auth_keys():
    """--mh-auth-key arguments of every RFC 4285 key of the bench."""
    peer = PLAN["peer"]
    return ["%d:%s" % (PLAN["spi"], PLAN["key"]), "%d:%s" % (peer["spi"], peer["key"]),
            "%d:%s" % (peer["rogue_spi"], peer["rogue_key"])]


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _short_option_name(key):
    return key.rsplit(".", 1)[-1]


class Message:
    """One Mobility Header message of a capture (PBU or PBA), from dmm-decode -T json."""

    def __init__(self, packet):
        self.packet = packet
        self.time = float(packet["frame"]["frame.time_epoch"])
        ip6 = _as_list(packet.get("ipv6"))[-1]
        self.src, self.dst = ip6["ipv6.src"], ip6["ipv6.dst"]
        mip6 = packet["mip6"]
        self.mh_type = mip6["mip6.mhtype"]
        self.kind = MH_TYPES.get(self.mh_type, "mh%d" % self.mh_type)
        self.checksum = mip6.get("mip6.csum.status")
        body = mip6.get("mip6.bu") or mip6.get("mip6.ba") or {}
        prefix = "mip6.bu." if "mip6.bu" in mip6 else "mip6.ba."
        self.fields = {k[len(prefix):]: v for k, v in body.items() if k.startswith(prefix)}
        self.seq = self.fields.get("seqnr")
        self.lifetime = self.fields.get("lifetime")
        self.status = self.fields.get("status")
        self.options = {}
        for key, value in (body.get("mip6.options") or {}).items():
            if key.startswith("mip6.options."):
                self.options[_short_option_name(key)] = _as_list(value)
        self.order = [_short_option_name(k) for k in
                      (body.get("mip6.options") or {}).get("dmm.order", [])]
        self.error = packet.get("dmm.error", "")

    def opt(self, name):
        """The first option called name (mnid, hnp, hi, att, ts, mmb, mag_id, auth), or None."""
        found = self.options.get(name)
        return found[0] if found else None

    def has(self, name):
        return name in self.options

    @property
    def mn_id(self):
        mnid = self.opt("mnid")
        return mnid.get("mip6.mnid.identifier") if mnid else None

    @property
    def hnps(self):
        return ["%s/%d" % (h["mip6.nemo.mnp.mnp"], h["mip6.nemo.mnp.pfl"])
                for h in self.options.get("hnp", [])]

    @property
    def mmb(self):
        """The MAG Multipath Binding option as {if_att, if_label, bid, b, o, ...} or None."""
        opt = self.opt("mmb")
        if opt is None:
            return None
        return {k.split("mip6.mmb.", 1)[1]: v for k, v in opt.items() if k.startswith("mip6.mmb.")}

    @property
    def bid(self):
        mmb = self.mmb
        return mmb["bid"] if mmb else None

    def __repr__(self):
        return "<%s %s->%s seq=%s status=%s t=%.3f opts=%s>" % (
            self.kind, self.src, self.dst, self.seq, self.status, self.time, sorted(self.options))


class Bench:
    """The running RFC 8278 Figure 1 network, its daemons and its tools."""

    def __init__(self, net, build, module_dir):
        self.net, self.build, self.module_dir = net, build, module_dir
        for name in ("lma", "mag", "mn1", "mn2", "cn", "rlte", "rwlan", "peer"):
            setattr(self, name, net[name])
        self.test_dir = module_dir
        self.lma_text = self.mag_text = None

    def tool(self, name):
        path = os.path.join(self.build, name)
        if not os.access(path, os.X_OK):
            pytest.fail("%s is not built" % path)
        return path

    # daemons
    def start_daemons(self, lma=None, mag=None, directory=None):
        directory = directory or self.module_dir
        if lma is not None:
            self.lma_text = lma_config(**lma)
            self.lma.start_daemon(self.lma_text, directory)
        if mag is not None:
            self.mag_text = mag_config(**mag)
            self.mag.start_daemon(self.mag_text, directory)

    def stop_daemons(self):
        return {node.name: node.stop_daemon() for node in (self.mag, self.lma)
                if node.daemon is not None}

    # captures
    def start_captures(self, directory):
        self.test_dir = directory
        for host in self.net.hosts:
            host.start_capture(directory)

    def stop_captures(self):
        for host in self.net.hosts:
            host.stop_capture()

    def decode(self, pcap, bpf=None):
        """Every packet of a pcap as dmm-decode -T json prints it (RFC 4285 keys given)."""
        args = [self.tool("dmm-decode"), "-T", "json", "-r", pcap]
        for key in auth_keys():
            args += ["--mh-auth-key", key]
        if bpf:
            args += ["-f", bpf]
        proc = subprocess.run(args, capture_output=True, timeout=60)
        assert proc.returncode == 0, "dmm-decode %s: %s" % (pcap, proc.stderr.decode())
        return [json.loads(line) for line in proc.stdout.decode().splitlines() if line.strip()]

    def signaling(self, node, pcap=None):
        """The PBU/PBA messages of node's current capture (read while it runs), in order."""
        path = pcap or node.capture_path
        msgs = [Message(p) for p in self.decode(path) if "mip6" in p]
        # in time order: a capture on "any" may write packets of different interfaces late
        return sorted((m for m in msgs if m.kind in ("pbu", "pba")), key=lambda m: m.time)

    def wait_signaling(self, node, predicate, timeout=REGISTER_TIMEOUT):
        """Poll node's capture until predicate(messages) is true; the messages (bounded)."""
        found = wait_for(lambda: (lambda m: m if predicate(m) else None)(self.signaling(node)),
                         timeout, interval=0.1)
        return found if found else self.signaling(node)

    # state
    def bindings(self, node=None, mn_id=None):
        node = node or self.lma
        found = node.bindings()
        return [b for b in found if mn_id is None or b.get("mn_id") == mn_id]

    def wait_bindings(self, mn_id, count, node=None, state="active", timeout=REGISTER_TIMEOUT):
        """Poll show-bindings until mn_id has `count` bindings in `state`; the bindings."""
        def ready():
            found = [b for b in self.bindings(node, mn_id) if b.get("state") == state]
            return found if len(found) >= count else None
        return wait_for(ready, timeout, interval=0.05) or self.bindings(node, mn_id)

    def attach(self, mn, iface=None):
        """Attach mn (a MobileNode) at the MAG through the control socket `attach`."""
        info = PLAN["mns"][mn.name]
        reply = self.mag.attach(info["id"], iface or info["iface"], ll_id=info["mac"])
        assert reply.get("ok"), "attach %s: %s" % (mn.name, reply)
        return info["id"]

    def register(self, mn, paths=2):
        """Attach mn, wait for `paths` active bindings at the LMA, then its SLAAC address.

        Returns (mn_id, hnp, address); the test asserts on them (None when not reached)."""
        mn_id = self.attach(mn)
        bindings = self.wait_bindings(mn_id, paths)
        active = [b for b in bindings if b.get("state") == "active"]
        if len(active) < paths or not active[0].get("hnp"):
            return mn_id, None, None
        hnp = active[0]["hnp"][0]
        mn.send_rs()
        return mn_id, hnp, self.wait_mn_address(mn, hnp)

    def tunnel_delta(self, node, action):
        """Run action(); {if_label: {counter: increase}} of node's tunnels meanwhile."""
        before = self.tunnel_counters(node)
        action()
        after = self.tunnel_counters(node)
        names = ("tx_packets", "rx_packets", "tx_bytes", "rx_bytes")
        return {label: {n: t.get(n, 0) - before.get(label, {}).get(n, 0) for n in names}
                for label, t in after.items()}

    def wait_mn_address(self, mn, prefix, timeout=REGISTER_TIMEOUT):
        """Poll mn's addresses until one is inside prefix (SLAAC from the MAG's RA)."""
        return wait_for(lambda: mn.addr_in(prefix), timeout, interval=0.05)

    def tunnel_counters(self, node):
        """{if_label: tunnel object} of node's show-tunnels."""
        return {t.get("if_label"): t for t in node.tunnels()}

    # the test peer: crafted PBUs with dmm-send
    @staticmethod
    def explicit_pbu(args):
        """args with the PBU's defaults spelled out (P and A flags, timestamp now, all-zero HNP,
        HI 1, ATT 4) ahead of them and --no-defaults, so that every option is in the order
        given and the authentication option, added after them, is the last one (RFC 4285 §4,
        RFC 6275 §6.2.7)."""
        args = list(args)
        if "--no-defaults" in args:
            return args
        out = ["--no-defaults"]
        for flag, default in (("--flags", "AP"), ("--timestamp", "now"), ("--hnp", "::/0"),
                              ("--hi", "1"), ("--att", "4")):
            if flag not in args:
                out += [flag, default]
        return out + args

    def send_pbu(self, *args, src=None, key=True, expect=True, timeout_ms=500, retries=2):
        """dmm-send pbu from the test peer to the LMAA; (exit status, stdout JSON objects).

        args are dmm-send options (["--mn-id", "x", "--mmb", "..."]); key=True appends the
        peer's --auth option (last, as RFC 4285 requires), key=None sends no authentication.
        """
        peer = PLAN["peer"]
        src = src or peer["addr"]
        argv = [self.tool("dmm-send"), "pbu", "-i", peer["iface"], "--src", src,
                "--dst", PLAN["lmaa"]] + self.explicit_pbu(args)
        if key is True:
            spi, secret = ((peer["rogue_spi"], peer["rogue_key"]) if src == peer["rogue"]
                           else (peer["spi"], peer["key"]))
            argv += ["--auth", "%d:%s" % (spi, secret)]
        elif key:
            argv += ["--auth", key]
        if expect:
            argv += ["--expect", "--timeout", str(timeout_ms), "--retries", str(retries),
                     "-T", "json"]
            for k in auth_keys():
                argv += ["--mh-auth-key", k]
        rc, out, err = self.peer.run(argv, timeout=30)
        objs = []
        for line in out.splitlines():
            line = line.strip()
            if line.startswith("{"):
                objs.append(json.loads(line))
        return rc, objs, err

    def probe_pbu(self, *args, **kw):
        """send_pbu and return (the PBA Message or None, dmm-send exit status, stderr)."""
        rc, objs, err = self.send_pbu(*args, **kw)
        replies = [Message(o) for o in objs if "mip6" in o]
        pbas = [m for m in replies if m.kind == "pba"]
        return (pbas[-1] if pbas else None), rc, err


def binding_keys(bindings):
    """The durable part of show-bindings (no countdown), sorted, for before/after comparisons."""
    keep = ("mn_id", "hnp", "bid", "pcoa", "lmaa", "if_label", "if_att", "lifetime", "state",
            "tunnel", "flags")
    return sorted((json.dumps({k: b.get(k) for k in keep}, sort_keys=True) for b in bindings))


