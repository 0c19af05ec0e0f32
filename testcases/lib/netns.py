"""Network namespaces joined by a veth pair, quiet (no IPv6, no ARP of their own), for tests
and benchmarks that send only to addresses inside namespaces they made themselves."""

import subprocess


def sh(*args, check=True):
    return subprocess.run(list(args), check=check, capture_output=True, text=True)


def remove_namespaces(*names):
    for ns in names:
        sh("ip", "netns", "del", ns, check=False)


def veth_between(ns_a, dev_a, ns_b, dev_b, mac_a=None, mac_b=None):
    """Make namespaces ns_a and ns_b (removed first if left over) and a veth pair dev_a/dev_b
    between them, up, with IPv6 and ARP off so that only what a test sends crosses it."""
    remove_namespaces(ns_a, ns_b)
    sh("ip", "netns", "add", ns_a)
    sh("ip", "netns", "add", ns_b)
    try:
        sh("ip", "link", "add", dev_a, "netns", ns_a, *(["address", mac_a] if mac_a else []),
           "type", "veth", "peer", "name", dev_b, "netns", ns_b,
           *(["address", mac_b] if mac_b else []))
        for ns, dev in ((ns_a, dev_a), (ns_b, dev_b)):
            sh("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.%s.disable_ipv6=1" % dev)
            sh("ip", "-n", ns, "link", "set", dev, "arp", "off", "up")
    except BaseException:
        remove_namespaces(ns_a, ns_b)
        raise
