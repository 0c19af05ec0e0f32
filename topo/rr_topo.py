"""HAARO return routability topology (seed 003 §3.2, §3.3.3; RFC 6521 §3.2): a mobile router
with a home-side path through a home agent and a direct care-of path, and a correspondent router.

    rrmr-eth0 10.0.1.2 (HoA) --- 10.0.1.1 rrha-eth0   [home agent, forwards]
                                  10.0.3.1 rrha-eth1 --- 10.0.3.2 rrcr-eth0
    rrmr-eth1 10.0.2.2 (CoA) ------------------------- 10.0.2.1 rrcr-eth1 (CR CoA)
    rrcr lo: 192.0.2.1/32 (CR HoA), 10.0.0.1/32 (a second, numerically smaller HoA)

Messages sourced from the MR's HoA (HoTI) follow a source rule through the home agent; those
from the CoA (CoTI, registration) go straight to the CR. The CR answers HoTs to the HoA back
through the home agent. Direct links, no switch, no controller; also usable from the CLI:

    mn --custom topo/rr_topo.py --topo rr --controller none
"""

import subprocess

from mininet.net import Mininet
from mininet.node import Host
from mininet.topo import Topo

MR_HOA = "10.0.1.2"
MR_COA = "10.0.2.2"
HA_HOME = "10.0.1.1"
HA_CR_SIDE = "10.0.3.1"
CR_HA_SIDE = "10.0.3.2"
CR_COA = "10.0.2.1"
CR_HOA = "192.0.2.1"
CR_LOW_HOA = "10.0.0.1"
HOME_TABLE = 101


class RRHost(Host):
    """A host that runs its `setup` commands once its links are up (routes, sysctls)."""

    def config(self, setup=(), **params):
        result = super().config(**params)
        for intf in ["all", "default"] + [i for i in self.intfNames() if i != "lo"]:
            self.cmd("sysctl -qw net.ipv4.conf.%s.rp_filter=0" % intf)
            self.cmd("sysctl -qw net.ipv6.conf.%s.disable_ipv6=1" % intf)
        for command in setup:
            self.cmd(command)
        return result


class RRTopo(Topo):
    """Mobile router (rrmr), home agent (rrha), correspondent router (rrcr)."""

    def build(self):
        mr = self.addHost("rrmr", cls=RRHost, ip=MR_HOA + "/24", setup=[
            # the CR side by default over the care-of path
            "ip route add 192.0.2.0/24 via %s" % CR_COA,
            "ip route add 10.0.0.0/24 via %s" % CR_COA,
            # what the home address sends goes through the home agent
            "ip rule add from %s lookup %d priority 100" % (MR_HOA, HOME_TABLE),
            "ip route add default via %s dev rrmr-eth0 table %d" % (HA_HOME, HOME_TABLE),
        ])
        ha = self.addHost("rrha", cls=RRHost, ip=HA_HOME + "/24", setup=[
            "sysctl -qw net.ipv4.ip_forward=1",
            "ip route add 192.0.2.0/24 via %s" % CR_HA_SIDE,
            "ip route add 10.0.0.0/24 via %s" % CR_HA_SIDE,
        ])
        cr = self.addHost("rrcr", cls=RRHost, ip=CR_HA_SIDE + "/24", setup=[
            "ip addr add %s/32 dev lo" % CR_HOA,
            "ip addr add %s/32 dev lo" % CR_LOW_HOA,
            # answers to the MR's home address go back through the home agent
            "ip route add 10.0.1.0/24 via %s" % HA_CR_SIDE,
        ])
        self.addLink(mr, ha, intfName1="rrmr-eth0", intfName2="rrha-eth0",
                     params1={"ip": MR_HOA + "/24"}, params2={"ip": HA_HOME + "/24"})
        self.addLink(ha, cr, intfName1="rrha-eth1", intfName2="rrcr-eth0",
                     params1={"ip": HA_CR_SIDE + "/24"}, params2={"ip": CR_HA_SIDE + "/24"})
        self.addLink(mr, cr, intfName1="rrmr-eth1", intfName2="rrcr-eth1",
                     params1={"ip": MR_COA + "/24"}, params2={"ip": CR_COA + "/24"})


LINK_NAMES = ("rrmr-eth0", "rrha-eth0", "rrha-eth1", "rrcr-eth0", "rrmr-eth1", "rrcr-eth1")


def start():
    """Build and start the topology; returns the running Mininet (call .stop())."""
    for name in LINK_NAMES:  # left in the root namespace by an interrupted run
        subprocess.run(["ip", "link", "del", name], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False, timeout=10)
    net = Mininet(topo=RRTopo(), controller=None, build=True, autoSetMacs=True,
                  waitConnected=False)
    net.start()
    return net


topos = {"rr": RRTopo}
