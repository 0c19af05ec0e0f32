"""Cross-check of dmm-send against independent oracles: every subcommand's output (-w) is
decoded by tshark with the same field values as dmm-decode wherever tshark knows the field
(the comparison of testcases/crosscheck/run_crosscheck.py), and scapy recomputes the same
MH checksum (RFC 6275 §6.1.1; 0 for MH over UDP, RFC 5844 §4) and UDP checksum (RFC 768,
Mobile IPv4 over UDP 434 and MH over UDP 5436)."""

import importlib.util
import json
import os
import re
import socket
import struct
import subprocess

import pytest

from poll import json_cmp

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def _load_crosscheck():
    path = os.path.join(ROOT, "testcases", "crosscheck", "run_crosscheck.py")
    spec = importlib.util.spec_from_file_location("run_crosscheck", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


crosscheck = _load_crosscheck()

MNHA = "0x100:1234567812345678"
KRM = "4ab3be1f5e861247041584e7df9b98996d9a9ee2"
V6 = ["--src", "2001:db8::1", "--dst", "2001:db8::2"]
V4 = ["--src", "203.0.113.7", "--dst", "198.51.100.1"]
LINK = ["--link", "--src-mac", "02:00:00:00:03:01", "--dst-mac", "02:00:00:00:03:02"]

# Each subcommand with the variants that exercise its header fields and options.
VARIANTS = {
    "pbu": {
        "defaults": V6 + ["--mn-id", "mn1@example.org"],
        "multipath": V6 + ["--seq", "7", "--lifetime", "100", "--mn-id", "mn1@example.com",
                           "--hnp", "2001:db8:1::/64", "--hi", "1", "--att", "4",
                           "--timestamp", "0x00006553f1008000",
                           "--mmb", "if-att=4,if-label=9,bid=1,b",
                           "--mag-id", "mag1@example.com"],
        "pmipv6-options": V6 + ["--mn-id", "mn1@example.org", "--mn-ll-id", "020000000001",
                                "--lla", "fe80::1", "--gre-key", "0x1234",
                                "--ipv4-hoa-req", "0.0.0.0/0", "--ipv4-dsm", "relay",
                                "--vsm", "5535:3:0102030405", "--natd", "f,refresh=30",
                                "--ipv4-coa", "198.51.100.9"],
        "dmm": V6 + ["--flags", "APD", "--mn-id", "mn1@example.org",
                     "--smaar", "2001:db8:5::1"],
        "rfc4285-auth": V6 + ["--mn-id", "mn1@example.org", "--auth", MNHA],
        "over-udp-5436": V4 + ["--mn-id", "mn1@example.org"],
    },
    "pba": {
        "defaults": V6 + ["--mn-id", "mn1@example.org"],
        "multipath": V6 + ["--seq", "7", "--status", "0", "--mn-id", "mn1@example.com",
                           "--hnp", "2001:db8:1::/64", "--mmb", "if-att=4,if-label=9,bid=1"],
        "status-180": V6 + ["--status", "180", "--mn-id", "mn1@example.org"],
        "ipv4-options": V6 + ["--status", "171", "--mn-id", "mn1@example.org",
                              "--ipv4-hoa-rep", "10.1.0.5/24,status=0",
                              "--ipv4-dra", "10.1.0.1", "--gre-key"],
        "dmm": V6 + ["--mn-id", "mn1@example.org", "--pmaar", "2001:db8:6::1,2001:db8:7::/64",
                     "--pmaar", "2001:db8:6::2,2001:db8:8::/64"],
    },
    "bu": {
        "hao": V6 + ["--hao", "2001:db8:9::5", "--seq", "3", "--flags", "AHLKMR",
                     "--lifetime", "60"],
    },
    "ba": {"status": V6 + ["--status", "129", "--seq", "3", "--flags", "KR", "--lifetime", "30"]},
    "be": {"status": V6 + ["--status", "2", "--hoa", "2001:db8:9::5"]},
    "brr": {"defaults": V6},
    "hoti": {"cookie": V6 + ["--cookie", "0x0102030405060708"]},
    "coti": {"cookie": V6 + ["--cookie", "0x1112131415161718"]},
    "hot": {"token": V6 + ["--cookie", "0x0102030405060708", "--token", "0xa1a2a3a4a5a6a7a8",
                           "--nonce-index", "5"]},
    "cot": {"token": V6 + ["--cookie", "0x1112131415161718", "--token", "0xb1b2b3b4b5b6b7b8",
                           "--nonce-index", "6"]},
    "rrq": {
        "mr-ha": V4 + ["--hoa", "192.0.2.1", "--ha", "198.51.100.1", "--coa", "203.0.113.7",
                       "--flags", "SBDMGRT", "--lifetime", "600", "--mnr", "10.1.1.0/24",
                       "--rocap", "a,r,s,o", "--udp-tunnel-req", "f,encap=4",
                       "--revocation-support", "i", "--mn-ha", MNHA],
        "mr-cr": V4 + ["--hoa", "192.0.2.1", "--ha", "198.51.100.1", "--coa", "203.0.113.7",
                       "--mnr", "10.1.1.0/24", "--mcauth", "krm=" + KRM],
    },
    "rrp": {
        "ha-mr": V4 + ["--code", "0", "--hoa", "192.0.2.1", "--ha", "198.51.100.1",
                       "--lifetime", "600", "--mnack", "10.1.1.0/24,code=0",
                       "--ror", "o,s,code=0", "--pfx", "mr:192.0.2.9,10.9.0.0/16@example.net",
                       "--udp-tunnel-reply", "code=0,keepalive=110", "--mn-ha", MNHA],
        "cr-mr": V4 + ["--code", "201", "--hoa", "192.0.2.1", "--ha", "198.51.100.1",
                       "--coa-ext", "203.0.113.50,203.0.113.51", "--mcauth", "krm=" + KRM],
    },
    "mip4-hoti": {"cookie": V4 + ["--cookie", "0x0102030405060708"]},
    "mip4-coti": {"cookie": V4 + ["--cookie", "0x1112131415161718"]},
    "mip4-hot": {"token": V4 + ["--cookie", "0x0102030405060708", "--token", "0xa1a2a3a4a5a6a7a8",
                                "--nonce-index", "5"]},
    "mip4-cot": {"token": V4 + ["--cookie", "0x1112131415161718", "--token", "0xb1b2b3b4b5b6b7b8",
                                "--nonce-index", "6"]},
    "tunnel-data": {
        # an inner IPv4 ICMP echo request (RFC 3519 keepalive shape), checksums filled in
        "icmp": V4 + ["--next-header", "4", "--payload",
                      "4500001c000100004001f4a3c0000201c6336401"
                      "0800f7ff00000000"],
    },
    "revocation": {"mn": V4 + ["--hda", "198.51.100.1", "--fda", "203.0.113.1",
                               "--hoa", "192.0.2.1", "--rev-id", "77", "--flags", "AI",
                               "--mn-ha", MNHA]},
    "revocation-ack": {"mn": V4 + ["--hoa", "192.0.2.1", "--rev-id", "77", "--flags", "I"]},
}
CASES = [(sub, name) for sub in VARIANTS for name in VARIANTS[sub]]
pytestmark = pytest.mark.time_limit(60)


def listed_subcommands(dmm_send):
    """Subcommands of `dmm-send -h` (the "Messages:" section)."""
    text = subprocess.run([dmm_send, "-h"], capture_output=True, text=True).stdout
    section = text.split("Messages:", 1)[1].split("\n", 1)[1]
    names = []
    for line in section.splitlines():
        m = re.match(r"  ([a-z0-9][a-z0-9-]*)\s", line)
        if not m:
            break
        names.append(m.group(1))
    return names


def udp_checksums(path):
    """[(packet number, 'good'|'bad'|'zero')] for the outer IPv4 UDP datagram of each frame,
    the checksum recomputed by scapy (in4_chksum over the octets as captured)."""
    from scapy.all import IP, UDP, Ether, RawPcapReader
    from scapy.layers.inet import in4_chksum
    out = []
    for n, (frame, _meta) in enumerate(RawPcapReader(path), 1):
        pkt = Ether(frame)
        if IP not in pkt or UDP not in pkt or pkt[IP].proto != 17:
            continue
        ip_octets = pkt[IP].original
        ihl, total = (ip_octets[0] & 15) * 4, struct.unpack("!H", ip_octets[2:4])[0]
        segment = ip_octets[ihl:total]
        got = struct.unpack("!H", segment[6:8])[0]
        if got == 0:
            out.append((n, "zero"))
            continue
        want = in4_chksum(17, IP(ip_octets), segment[:6] + b"\0\0" + segment[8:])
        out.append((n, "good" if (want or 0xffff) == got else "bad"))
    return out


@pytest.fixture(scope="module")
def fields(tool):
    return crosscheck.compared_fields(tool("dmm-decode"))


def test_every_subcommand_is_cross_checked(tool):
    listed = listed_subcommands(tool("dmm-send"))
    assert listed, "no subcommand in dmm-send -h"
    assert sorted(set(listed) - set(VARIANTS)) == [], "subcommands without a cross-check"
    assert sorted(set(VARIANTS) - set(listed)) == [], "cross-checked names dmm-send lacks"


@pytest.mark.parametrize("sub,variant", CASES, ids=["%s-%s" % c for c in CASES])
def test_send_crosscheck(tool, fields, results_dir, sub, variant):
    pcap = os.path.join(results_dir, "%s-%s.pcap" % (sub, variant))
    argv = [tool("dmm-send"), sub] + VARIANTS[sub][variant] + LINK + ["-w", pcap]
    run = subprocess.run(argv, capture_output=True, text=True)
    assert run.returncode == 0, "%s\n%s" % (" ".join(argv), run.stderr)

    # dmm-decode finds no error in what dmm-send wrote
    strict = subprocess.run([tool("dmm-decode"), "--strict", "-r", pcap, "--mnha-key", MNHA,
                             "--mh-auth-key", MNHA, "--krm", KRM, "-T", "fields",
                             "-e", "dmm.error"], capture_output=True, text=True)
    assert strict.returncode == 0 and not strict.stdout.strip(), strict.stdout + strict.stderr

    common, extra = fields
    error, packets, compared = crosscheck.compare_capture(tool("dmm-decode"), pcap, common, extra)
    assert error is None, error
    assert len(packets) == 1
    differences = [d for _, bad in packets for d in bad]
    assert not differences, "tshark and dmm-decode differ:\n" + "\n".join(differences)
    # tshark dissects at least the link and IP layers of every message
    assert compared >= 8, "only %d field values compared" % compared

    mh = crosscheck.mh_checksums(pcap)
    udp = udp_checksums(pcap)
    assert [s for _, s in mh] + [s for _, s in udp], "no MH and no UDP checksum found"
    assert all(s == "good" for _, s in mh), "MH checksum (scapy): %s" % mh
    assert all(s == "good" for _, s in udp), "UDP checksum (scapy): %s" % udp
    if "--dst" in argv and ":" not in argv[argv.index("--dst") + 1]:
        assert udp, "an IPv4 message without a UDP checksum"


@pytest.mark.parametrize("override", ["--bad-checksum"])
@pytest.mark.parametrize("sub", ["pbu", "rrq"])
def test_oracles_see_a_forced_bad_checksum(tool, results_dir, sub, override):
    """The oracles can fail: a checksum dmm-send breaks on purpose is bad to scapy too."""
    pcap = os.path.join(results_dir, "%s-bad.pcap" % sub)
    args = VARIANTS[sub]["defaults" if sub == "pbu" else "mr-cr"]
    run = subprocess.run([tool("dmm-send"), sub] + args + LINK + [override, "-w", pcap],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    sums = crosscheck.mh_checksums(pcap) if sub == "pbu" else udp_checksums(pcap)
    assert [s for _, s in sums] == ["bad"]


def decode_json(tool, pcap):
    run = subprocess.run([tool("dmm-decode"), "-T", "json", "-r", pcap], capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stderr
    return [json.loads(line) for line in run.stdout.splitlines()]


def send_and_decode(tool, results_dir, name, argv):
    pcap = os.path.join(results_dir, name + ".pcap")
    run = subprocess.run([tool("dmm-send")] + argv + LINK + ["-w", pcap], capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stderr
    packets = decode_json(tool, pcap)
    assert len(packets) == 1
    return packets[0]


# Rules the sender of a message must follow, checked on what dmm-send encodes by default.
@pytest.mark.req("MPB-4.1-04", "MPB-4.2-01")
def test_send_zeroes_multipath_reserved_fields(tool, results_dir):
    pkt = send_and_decode(tool, results_dir, "pbu-mmb", ["pbu"] + V6 + [
        "--mn-id", "mn1@example.org", "--mmb", "if-att=4,if-label=9,bid=2,b",
        "--mag-id", "mag1@example.org"])
    options = pkt["mip6"]["mip6.bu"]["mip6.options"]
    assert json_cmp(options, {
        "mip6.options.mmb": {"mip6.mmb.bid": 2, "mip6.mmb.b_flag": 1, "mip6.mmb.o_flag": 0,
                             "mip6.mmb.flags_reserved": "0x00", "mip6.mmb.reserved": "0x0000"},
        "mip6.options.mag_id": {"mip6.mag_id.reserved": "0x00",
                                "mip6.mag_id.id": "mag1@example.org"}}) is None


@pytest.mark.req("DMM-3.6.1-03", "DMM-3.6.1-04", "DMM-3.6.1-05", "DMM-3.6.1-06",
                 "DMM-3.6.2-02", "DMM-3.6.2-03")
def test_send_encodes_maar_options(tool, results_dir):
    pkt = send_and_decode(tool, results_dir, "pba-maar", ["pba"] + V6 + [
        "--mn-id", "mn1@example.org", "--pmaar", "2001:db8:6::1,2001:db8:7::/56",
        "--smaar", "2001:db8:5::1"])
    options = pkt["mip6"]["mip6.ba"]["mip6.options"]
    diff = json_cmp(options, {
        "mip6.options.pmaar": {"mip6.mobility_opt": 67, "mip6.mobility_opt.len": 34,
                               "mip6.pmaar.prefix_len": 56, "mip6.pmaar.addr": "2001:db8:6::1",
                               "mip6.pmaar.hnp": "2001:db8:7::"},
        "mip6.options.smaar": {"mip6.mobility_opt": 68, "mip6.mobility_opt.len": 16,
                               "mip6.smaar.addr": "2001:db8:5::1"}})
    assert diff is None, diff


def ipv4_bits(prefix):
    address, plen = prefix.split("/")
    return struct.unpack("!I", socket.inet_aton(address))[0], int(plen)


@pytest.mark.req("HAARO-5.5-02", "HAARO-5.5-03", "HAARO-5.5-05", "HAARO-4.1-01")
def test_send_encodes_prefix_advertisement(tool, results_dir):
    # 11.9.0.0/16 differs from the master 10.9.0.0/16 above its last 8 bits: a delta cannot
    # carry it, so a new master must be declared (D = 0)
    items = ["mr:192.0.2.9", "10.9.0.0/16@example.net", "10.9.1.0/24@example.net",
             "10.9.1.128/25", "11.9.0.0/16", "11.9.64.0/18"]
    pkt = send_and_decode(tool, results_dir, "rrp-pfx", ["rrp"] + V4 + [
        "--hoa", "192.0.2.1", "--ha", "198.51.100.1", "--pfx", ",".join(items)])
    structures = pkt["mip"]["mip.ext"]["mip.haaro.pfx.structure"]
    assert len(structures) == len(items)
    first = structures[0]
    assert (first["mip.haaro.pfx.m_flag"], first["mip.haaro.pfx.d_flag"]) == (1, 0)
    assert first["mip.haaro.pfx.hoa"] == "192.0.2.9"
    master = None
    for item, s in zip(items[1:], structures[1:]):
        assert s["mip.haaro.pfx.prefix"] == item.split("@")[0]
        value, plen = ipv4_bits(s["mip.haaro.pfx.prefix"])
        if s["mip.haaro.pfx.d_flag"]:
            assert master is not None and plen >= 8, item
            keep = plen - 8  # bits 1..PLen-8 come from the master
            mask = (0xffffffff << (32 - keep)) & 0xffffffff if keep else 0
            assert value & mask == master & mask, "%s is not a one-octet delta" % item
        else:
            master = value
    assert structures[items.index("11.9.0.0/16")]["mip.haaro.pfx.d_flag"] == 0
