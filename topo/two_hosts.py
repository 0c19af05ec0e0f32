"""Two hosts on one direct link (h1-eth0 <-> h2-eth0), no switch, no controller.

The bench's packet-tool tests inject in h1 and capture in h2. The hosts' own IPv6 stack is
off on the link (no router or neighbour solicitations, no MLD reports) so that only what a
test sends crosses it. Also usable from the Mininet CLI:

    mn --custom topo/two_hosts.py --topo twohosts --controller none
"""

from mininet.net import Mininet
from mininet.topo import Topo


class TwoHostsTopo(Topo):
    """h1 -- h2, MACs 02:00:00:00:01:01 and 02:00:00:00:01:02."""

    def build(self, names=("h1", "h2")):
        left = self.addHost(names[0], ip="10.0.0.1/24", mac="02:00:00:00:01:01")
        right = self.addHost(names[1], ip="10.0.0.2/24", mac="02:00:00:00:01:02")
        self.addLink(left, right)


def quiet_link(host):
    """Silence the host's own traffic on its interfaces: no IPv6, no ARP."""
    for intf in host.intfNames():
        if intf == "lo":
            continue
        host.cmd("sysctl -qw net.ipv6.conf.%s.disable_ipv6=1" % intf)
        host.cmd("ip link set dev %s arp off" % intf)


def start(names=("h1", "h2")):
    """Build and start the topology; returns the running Mininet (call .stop())."""
    net = Mininet(topo=TwoHostsTopo(names=names), controller=None, build=False,
                  autoSetMacs=False, waitConnected=False)
    try:
        net.build()
        net.start()
        for host in net.hosts:
            quiet_link(host)
    except BaseException:
        # interrupted (a test's time limit) or failed: remove what was made
        try:
            net.stop()
        except Exception:  # noqa: BLE001 - the original error is the one to report
            pass
        raise
    return net


topos = {"twohosts": TwoHostsTopo}
