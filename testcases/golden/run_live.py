#!/usr/bin/python3
"""Live-capture test of dmm-decode -i/-f/-c/-w: golden captures are replayed over a veth pair
between two network namespaces made by this test, captured on the far end, and the decoded
fields must equal those decoded from the file. Bounded in count and time."""

import argparse
import os
import subprocess
import sys
import tempfile
import time

CAPTURES = ["pbu_multipath", "pba_status180", "dmm_relay_mode", "mip4_mr_ha", "haaro_mr_cr", "tunnels"]
FIELDS = ["mip6.mhtype", "mip6.bu.seqnr", "mip6.ba.status", "mip6.mmb.bid", "mip6.pmaar.addr",
          "mip6.smaar.addr", "mip.type", "mip.code", "mip.haaro.pfx.prefix", "mip.haaro.mcauth.status",
          "gre.key", "dmm.error"]
NS_TX, NS_RX = "dmmlive-tx", "dmmlive-rx"


def sh(*args, check=True, **kw):
    return subprocess.run(list(args), check=check, capture_output=True, text=True, **kw)


def netns_up():
    netns_down()
    sh("ip", "netns", "add", NS_TX)
    sh("ip", "netns", "add", NS_RX)
    sh("ip", "link", "add", "dmmlive0", "netns", NS_TX, "type", "veth", "peer", "name", "dmmlive1",
       "netns", NS_RX)
    for ns, dev in ((NS_TX, "dmmlive0"), (NS_RX, "dmmlive1")):
        sh("ip", "netns", "exec", ns, "ip", "link", "set", dev, "up")
        # no router solicitations or DAD noise on the captured link
        sh("ip", "netns", "exec", ns, "sysctl", "-qw", f"net.ipv6.conf.{dev}.disable_ipv6=1")


def netns_down():
    for ns in (NS_TX, NS_RX):
        sh("ip", "netns", "del", ns, check=False)


def packet_count(decode, pcap):
    out = sh(decode, "-q", "-r", pcap).stdout
    return int(out.split()[0])


def fields_cmd(decode):
    cmd = [decode, "-T", "fields", "--mnha-key", "0x100:1234567812345678",
           "--krm", "4ab3be1f5e861247041584e7df9b98996d9a9ee2"]
    for f in FIELDS:
        cmd += ["-e", f]
    return cmd


def run_one(decode, name, tmp):
    pcap = os.path.join("pcaps", name + ".pcap")
    expected = sh(*fields_cmd(decode), "-r", pcap).stdout
    count = packet_count(decode, pcap)
    saved = os.path.join(tmp, name + ".live.pcap")
    rx = subprocess.Popen(["ip", "netns", "exec", NS_RX, "timeout", "20"] + fields_cmd(decode) +
                          ["-i", "dmmlive1", "-f", "not arp", "-c", str(count), "-w", saved],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # poll until the receiver's packet socket exists, then replay the capture once
    deadline = time.monotonic() + 10
    while rx.poll() is None and time.monotonic() < deadline:
        if "dmm-decode" in sh("ip", "netns", "exec", NS_RX, "ss", "-0", "-p", check=False).stdout:
            sh("ip", "netns", "exec", NS_TX, "tcpreplay", "-q", "-i", "dmmlive0", pcap, check=False)
            break
        time.sleep(0.05)
    try:
        rx.wait(timeout=15)
    except subprocess.TimeoutExpired:
        rx.kill()
    out, err = rx.communicate()
    if rx.returncode != 0:
        return f"receiver exit {rx.returncode}: {err.strip()}"
    # the first complete replay captured must decode exactly like the file
    if out != expected:
        return "live fields differ from file fields:\n--- file\n" + expected + "--- live\n" + out
    resaved = sh(*fields_cmd(decode), "-r", saved).stdout
    if resaved != expected:
        return "-w capture decodes differently from the original"
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build", default="build")
    args = ap.parse_args()
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    decode = os.path.abspath(os.path.join(args.build, "dmm-decode"))
    passed = failed = 0
    try:
        netns_up()
        with tempfile.TemporaryDirectory() as tmp:
            for name in CAPTURES:
                problem = run_one(decode, name, tmp)
                if problem:
                    failed += 1
                    print(f"live:{name:<40} FAILED: {problem}")
                else:
                    passed += 1
                    print(f"live:{name:<40} passed")
    finally:
        netns_down()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
