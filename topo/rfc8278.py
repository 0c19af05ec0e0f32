r"""RFC 8278 Figure 1 as a Mininet topology: MN_1 and MN_2 behind a MAG whose "LTE" and "WLAN"
WAN paths reach the LMA through one router each, and a correspondent node behind the LMA
(RFC 8278 §3.1; RFC 5213 §2.2 roles).

                                                                 PEER (test MAG: dmm-send)
    MN_1 --- mag-mn1                          (LTE, TBF 20 Mbit/s)         |
                      MAG  mag-lte  ==== rlte-mag  R_LTE  rlte-peer, rlte-lma ==== lma-lte
    MN_2 --- mag-mn2       mag-wlan ==== rwlan-mag R_WLAN rwlan-lma ==== lma-wlan  LMA --- CN
                                         (WLAN, HTB 10 Mbit/s)

IPv6 addressing plan (documentation prefix 2001:db8::/32):

    LMAA (LMA loopback)             2001:db8:ff::1/128
    LTE access network  MAG-R_LTE   2001:db8:11::/64   MAG 11::2 (proxy CoA 1), R_LTE 11::1
    WLAN access network MAG-R_WLAN  2001:db8:12::/64   MAG 12::2 (proxy CoA 2), R_WLAN 12::1
    LTE core            R_LTE-LMA   2001:db8:21::/64   R_LTE 21::1, LMA 21::2
    WLAN core           R_WLAN-LMA  2001:db8:22::/64   R_WLAN 22::1, LMA 22::2
    CN network          LMA-CN      2001:db8:30::/64   LMA 30::1, CN 30::2
    Test peer network   PEER-R_LTE  2001:db8:13::/64   R_LTE 13::1, PEER 13::2 (an authorized
                                    MAG for crafted PBUs) and 13::3 (a MAG with proxy-reg off)
    Home network prefixes           2001:db8:100::/48, one /64 per mobile node (LMA pool)
    MN access links     MAG-MN_x    point-to-point (RFC 5213 §6.2 link model), one MAG access
                                    interface per MN (MACs 02:00:00:00:01:01, 02:00:00:00:02:01),
                                    link-local only: each MN autoconfigures from the HNP in the
                                    MAG's Router Advertisement (SLAAC)

The MAG chooses the WAN path of its signaling and tunnel packets by their source (the proxy
CoA): policy routing tables 101 (LTE) and 102 (WLAN). RFC 8278 §4.1 labels: WLAN = 9 (ATT 4,
IEEE 802.11), LTE = 11 (ATT 8, E-UTRAN), as in the RFC's example policy "HTTP on label 9,
fall back to label 11". The WAN links are shaped with TBF (LTE) and HTB (WLAN) through
TCLink bw=; no delay or loss (no netem).

Standalone: `mn --custom topo/rfc8278.py --topo rfc8278 --controller none` builds the
topology and, when $DMM_BUILD/dmmd exists (default build/dmmd), starts the LMA and MAG
daemons with the configurations below (results in $DMM_RESULTS, default results/topo).
Topology options: `--topo rfc8278,daemons=0` (no daemons), `lte_bw=`, `wlan_bw=`.
"""

import os
import sys

# `mn --custom` runs this file through exec() without __file__; the code object knows the path.
_THIS_FILE = globals().get("__file__") or sys._getframe().f_code.co_filename
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(_THIS_FILE))))

from mininet.link import TCLink  # noqa: E402
from mininet.net import Mininet  # noqa: E402
from mininet.topo import Topo  # noqa: E402

from topo.nodes import LMA, MAG, CorrespondentNode, MobileNode, Router  # noqa: E402

# The addressing plan above, for tests and configurations.
PLAN = {
    "lmaa": "2001:db8:ff::1",
    "hnp_pool": "2001:db8:100::/48",
    "cn": "2001:db8:30::2",
    "lma_cn": "2001:db8:30::1",
    "mag_id": "mag1@example.com",
    "spi": 256,
    "key": "0x0102030405060708090a0b0c0d0e0f10",
    "mns": {"mn1": {"id": "mn1@example.com", "iface": "mag-mn1", "mac": "02:00:00:00:01:01"},
            "mn2": {"id": "mn2@example.com", "iface": "mag-mn2", "mac": "02:00:00:00:02:01"}},
    # the test peer: crafted PBUs from an authorized MAG address and from a refused one
    "peer": {"iface": "peer-eth0", "addr": "2001:db8:13::2", "rogue": "2001:db8:13::3",
             "spi": 300, "key": "0x11223344556677889900aabbccddeeff",
             "rogue_spi": 301, "rogue_key": "0x0f0e0d0c0b0a09080706050403020100"},
    # WAN paths of the MAG: RFC 8278 If-Label, If-ATT, Binding ID, proxy CoA, next hop
    "wan": {
        "lte": {"iface": "mag-lte", "pcoa": "2001:db8:11::2", "gw": "2001:db8:11::1",
                "label": 11, "att": 8, "bid": 1, "table": 101, "router": "rlte",
                "router_lma_iface": "rlte-lma", "lma_hop": "2001:db8:21::2"},
        "wlan": {"iface": "mag-wlan", "pcoa": "2001:db8:12::2", "gw": "2001:db8:12::1",
                 "label": 9, "att": 4, "bid": 2, "table": 102, "router": "rwlan",
                 "router_lma_iface": "rwlan-lma", "lma_hop": "2001:db8:22::2"},
    },
}

# The HTTP label policy of RFC 8278 §4.1: TCP 80/443 on label 9 (WLAN), else label 11 (LTE).
FLOW_POLICY = "flow; tcp port 80,443 -> label 9,11"


def _block(name, lines):
    return "%s {\n%s}\n" % (name, "".join("\t%s\n" % line for line in lines))


def lma_config(multipath="on", auth="on", policy=FLOW_POLICY, mns=None, peers=None,
               timestamp_window=300, extra=()):
    """dmmd configuration of the LMA (see tools/examples/lma.conf).

    multipath: on | off (status 180) | legacy (ignore options 63/64);
    mns: {mn_id: ["hnp 2001:db8:100:1::/64", "multipath off", ...]};
    peers: extra peer blocks {name: [lines]} (the MAG is always a peer).
    """
    wan = PLAN["wan"]
    text = ["role lma", "log-level debug", "address %s" % PLAN["lmaa"],
            "hnp-pool %s 64" % PLAN["hnp_pool"], "multipath %s" % multipath, "auth %s" % auth,
            "timestamp-window %d" % timestamp_window, "min-delay-before-bce-delete 10000",
            "max-lifetime 3600",
            "dataplane tun", "tun-name lmatun0", 'policy "%s"' % policy]
    text += list(extra)
    out = "# RFC 8278 Figure 1 bench: LMA\n" + "\n".join(text) + "\n"
    out += _block("peer mag1", ["address %s" % wan["lte"]["pcoa"],
                                "address %s" % wan["wlan"]["pcoa"],
                                "spi %d" % PLAN["spi"], "key %s" % PLAN["key"]])
    peer = PLAN["peer"]
    out += _block("peer tmag", ["address %s" % peer["addr"], "spi %d" % peer["spi"],
                                "key %s" % peer["key"]])
    out += _block("peer rogue", ["address %s" % peer["rogue"], "spi %d" % peer["rogue_spi"],
                                 "key %s" % peer["rogue_key"], "proxy-reg off"])
    for name, lines in (peers or {}).items():
        out += _block("peer %s" % name, lines)
    for mn_id, lines in (mns or {}).items():
        out += _block("mn %s" % mn_id, lines)
    return out


def mag_config(multipath="on", auth="on", policy=FLOW_POLICY, lifetime=3600, paths=("lte",
                                                                                     "wlan"),
               extra=()):
    """dmmd configuration of the MAG (see tools/examples/mag.conf): both access links, the
    WAN paths named in `paths` (LTE first: it discovers the LMA's capability)."""
    text = ["role mag", "log-level debug", "mag-id %s" % PLAN["mag_id"],
            "multipath %s" % multipath, "auth %s" % auth, "lifetime %d" % lifetime]
    text += ["access-interface %s" % mn["iface"] for mn in PLAN["mns"].values()]
    text += ["access-att 4", "dataplane tun", "tun-name magtun0", 'policy "%s"' % policy]
    text += list(extra)
    out = "# RFC 8278 Figure 1 bench: MAG\n" + "\n".join(text) + "\n"
    out += _block("peer lma", ["address %s" % PLAN["lmaa"], "spi %d" % PLAN["spi"],
                               "key %s" % PLAN["key"]])
    for name in paths:
        path = PLAN["wan"][name]
        out += _block("wan %s" % name, ["interface %s" % path["iface"],
                                        "address %s" % path["pcoa"], "label %d" % path["label"],
                                        "att %d" % path["att"], "bid %d" % path["bid"]])
    return out


def lmaa_route(path):
    """The route of a WAN path's router towards the LMAA (arguments of `ip -6 route add`)."""
    return "%s via %s dev %s" % (PLAN["lmaa"], path["lma_hop"], path["router_lma_iface"])


class RFC8278Topo(Topo):
    """RFC 8278 Figure 1 (see the module docstring for the addressing plan)."""

    # Configuration order: the routers and the other hosts first, then the LMA, the MAG and
    # the mobile nodes, so that daemons started with their node (mn --custom) find the paths
    # configured when the first Router Solicitation comes.
    CONFIG_ORDER = ("rlte", "rwlan", "cn", "peer", "lma", "mag", "mn1", "mn2")

    def hosts(self, sort=True):
        names = super().hosts(sort)
        rank = {name: i for i, name in enumerate(self.CONFIG_ORDER)}
        return sorted(names, key=lambda name: rank.get(name, len(rank)))

    def build(self, results=None, build=None, lte_bw=20, wlan_bw=10, daemons=True):
        common = {"results": results, "build": build}
        wan = PLAN["wan"]
        lte, wlan = wan["lte"], wan["wlan"]
        lmaa = PLAN["lmaa"]
        mag_rules = []
        mag_routes = ["%s via %s dev %s metric 100" % (lmaa, lte["gw"], lte["iface"]),
                      "%s via %s dev %s metric 200" % (lmaa, wlan["gw"], wlan["iface"])]
        for path in (lte, wlan):
            mag_rules.append("from %s table %d" % (path["pcoa"], path["table"]))
            mag_routes.append("default via %s dev %s table %d" % (path["gw"], path["iface"],
                                                                    path["table"]))
        lma = self.addHost("lma", cls=LMA, ip=None, conf=lma_config() if daemons else None,
                           addrs6={"lo": [lmaa + "/128"], "lma-lte": ["2001:db8:21::2/64"],
                                   "lma-wlan": ["2001:db8:22::2/64"],
                                   "lma-cn": [PLAN["lma_cn"] + "/64"]},
                           routes6=["2001:db8:11::/64 via 2001:db8:21::1 dev lma-lte",
                                    "2001:db8:13::/64 via 2001:db8:21::1 dev lma-lte",
                                    "2001:db8:12::/64 via 2001:db8:22::1 dev lma-wlan"],
                           **common)
        mag = self.addHost("mag", cls=MAG, ip=None, rules6=mag_rules, routes6=mag_routes,
                           addrs6={lte["iface"]: [lte["pcoa"] + "/64"],
                                   wlan["iface"]: [wlan["pcoa"] + "/64"]},
                           conf=mag_config() if daemons else None, **common)
        rlte = self.addHost("rlte", cls=Router, ip=None,
                            addrs6={"rlte-mag": [lte["gw"] + "/64"],
                                    "rlte-peer": ["2001:db8:13::1/64"],
                                    "rlte-lma": ["2001:db8:21::1/64"]},
                            routes6=[lmaa_route(lte)], **common)
        rwlan = self.addHost("rwlan", cls=Router, ip=None,
                             addrs6={"rwlan-mag": [wlan["gw"] + "/64"],
                                     "rwlan-lma": ["2001:db8:22::1/64"]},
                             routes6=[lmaa_route(wlan)], **common)
        cn = self.addHost("cn", cls=CorrespondentNode, ip=None,
                          addrs6={"cn-eth0": [PLAN["cn"] + "/64"]},
                          routes6=["default via %s dev cn-eth0" % PLAN["lma_cn"]], **common)
        peer = PLAN["peer"]
        tpeer = self.addHost("peer", cls=CorrespondentNode, ip=None,
                             addrs6={peer["iface"]: [peer["addr"] + "/64", peer["rogue"] + "/64"]},
                             routes6=["default via 2001:db8:13::1 dev %s" % peer["iface"]],
                             **common)
        self.addLink(tpeer, rlte, intfName1=peer["iface"], intfName2="rlte-peer")
        for name, mn in PLAN["mns"].items():
            node = self.addHost(name, cls=MobileNode, ip=None, mac=mn["mac"], solicit=daemons,
                                **common)
            self.addLink(node, mag, intfName1="%s-eth0" % name, intfName2=mn["iface"])
        # WAN paths: shaped, no delay or loss
        self.addLink(mag, rlte, cls=TCLink, intfName1=lte["iface"], intfName2="rlte-mag",
                     bw=lte_bw, use_tbf=True)
        self.addLink(mag, rwlan, cls=TCLink, intfName1=wlan["iface"], intfName2="rwlan-mag",
                     bw=wlan_bw)
        self.addLink(rlte, lma, intfName1="rlte-lma", intfName2="lma-lte")
        self.addLink(rwlan, lma, intfName1="rwlan-lma", intfName2="lma-wlan")
        self.addLink(lma, cn, intfName1="lma-cn", intfName2="cn-eth0")


def make_net(results=None, build=None, daemons=False, **opts):
    """A Mininet of the topology (not started): no controller, no switch."""
    topo = RFC8278Topo(results=results, build=build, daemons=daemons, **opts)
    return Mininet(topo=topo, controller=None, autoSetMacs=True, waitConnected=False)


def start_net(net, timeout=10.0):
    """Start the network and wait until every node's addresses left DAD (bounded)."""
    net.start()
    for host in net.hosts:
        host.wait_addrs_ready(timeout)
    return net


topos = {"rfc8278": RFC8278Topo}
