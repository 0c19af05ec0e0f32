#!/usr/bin/python3
"""Tests of dmm-send: every message it crafts, checked by dmm-decode and tshark.

Usage: /usr/bin/python3 testcases/send/run_send.py --build DIR [-v] [-k SUBSTRING] [--no-live]

  decode:MSG          each subcommand written with -w decodes with dmm-decode with an empty
                      dmm.error, as the message type it names
  tshark:MSG          tshark 4.0 gives the same -T fields values as dmm-decode for every field
                      both know (the comparison of testcases/crosscheck/run_crosscheck.py)
  defaults:pbu        the bare PBU: A and P, ::/0 HNP, HI 1, ATT 4, Timestamp of now (RFC 5213
                      §8.8 format), options in that order with RFC 6275 §6.2 alignment
  malformed:NAME      each malformed override gives the intended dmm.error (or field value)
  order:*             options keep command-line order and repeat
  vary:*              --count/--vary: per-packet sequence numbers, MN-IDs, HNPs, identifications,
                      checksums good on the rebuilt and on the patched paths
  auth:*              RFC 4285, MN-HA and MC-Auth authenticators verified by dmm-decode with the
                      same keys (and bad with another key)
  json:NAME           dmm-decode -T json | dmm-send --json - -w is byte-identical for each
                      golden capture without errors
  live:*              --expect over a veth pair in two namespaces made by the test, against a
                      responder (dmm-decode -i to read the request, dmm-send pba/rrp to answer)
  live:bounded *      every injection path ends in bounded time: a next hop that never
                      resolves (the LMA address on the peer's loopback), an interface that is
                      down, the per-packet path stalled; SIGINT/SIGTERM stop a long run at once;
                      100000 authenticated PBUs with per-packet MN-IDs all delivered
  usage:*             bad command lines exit 2
Prints one line per test and ends with "N passed, N failed"; exit status 1 on failure.
"""
import argparse
import glob
import hashlib
import importlib.util
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

MNHA = "0x100:1234567812345678"
V6 = ["--src", "2001:db8::1", "--dst", "2001:db8::2"]
V4 = ["--src", "192.0.2.1", "--dst", "192.0.2.2"]

# One command line per subcommand: (arguments, expected mip6.mhtype or mip.type)
MESSAGES = {
    "pbu": (V6 + ["--mn-id", "mn1@example.org"], ("mip6.mhtype", 5)),
    "pba": (V6 + ["--mn-id", "mn1@example.org", "--status", "0"], ("mip6.mhtype", 6)),
    "bu": (V6 + ["--hao", "2001:db8:9::5", "--seq", "3"], ("mip6.mhtype", 5)),
    "ba": (V6 + ["--status", "129", "--seq", "3"], ("mip6.mhtype", 6)),
    "be": (V6 + ["--status", "2", "--hoa", "2001:db8:9::5"], ("mip6.mhtype", 7)),
    "brr": (V6, ("mip6.mhtype", 0)),
    "hoti": (V6 + ["--cookie", "0x0102030405060708"], ("mip6.mhtype", 1)),
    "coti": (V6 + ["--cookie", "0x1112131415161718"], ("mip6.mhtype", 2)),
    "hot": (V6 + ["--cookie", "7", "--token", "0xa1a2a3a4a5a6a7a8", "--nonce-index", "5"],
            ("mip6.mhtype", 3)),
    "cot": (V6 + ["--cookie", "8", "--token", "0xb1b2b3b4b5b6b7b8", "--nonce-index", "6"],
            ("mip6.mhtype", 4)),
    "rrq": (V4 + ["--hoa", "10.0.0.1", "--ha", "192.0.2.2", "--coa", "192.0.2.1", "--flags", "T",
                  "--mnr", "10.1.0.0/16", "--rocap", "a,r", "--udp-tunnel-req", "f",
                  "--revocation-support", "i", "--mn-ha", MNHA], ("mip.type", 1)),
    "rrp": (V4 + ["--code", "0", "--hoa", "10.0.0.1", "--ha", "192.0.2.2", "--mnack",
                  "10.1.0.0/16,code=0", "--ror", "o,s", "--pfx",
                  "mr:10.0.0.1,10.9.0.0/16@example.net,10.9.1.0/24@example.net",
                  "--coa-ext", "192.0.2.50,192.0.2.51", "--udp-tunnel-reply", "keepalive=110",
                  "--mn-ha", MNHA], ("mip.type", 3)),
    "mip4-hoti": (V4 + ["--cookie", "0x0102030405060708"], ("mip.type", 24)),
    "mip4-coti": (V4 + ["--cookie", "9"], ("mip.type", 25)),
    "mip4-hot": (V4 + ["--cookie", "7", "--token", "5", "--nonce-index", "2"], ("mip.type", 26)),
    "mip4-cot": (V4 + ["--cookie", "8", "--token", "6", "--nonce-index", "3"], ("mip.type", 27)),
    "tunnel-data": (V4 + ["--next-header", "4"], ("mip.type", 4)),
    "revocation": (V4 + ["--hda", "192.0.2.2", "--fda", "192.0.2.3", "--hoa", "10.0.0.1",
                         "--rev-id", "77", "--flags", "AI", "--mn-ha", MNHA], ("mip.type", 7)),
    "revocation-ack": (V4 + ["--hoa", "10.0.0.1", "--rev-id", "77", "--flags", "I"],
                       ("mip.type", 15)),
}


class Runner:
    def __init__(self, build, verbose, only):
        self.send = os.path.abspath(os.path.join(build, "dmm-send"))
        self.decode = os.path.abspath(os.path.join(build, "dmm-decode"))
        self.verbose = verbose
        self.only = only
        self.passed = self.failed = 0
        self.tmp = tempfile.mkdtemp(prefix="dmm-send-test.")
        self.n = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print("ok   %s" % name)
        else:
            self.failed += 1
            print("FAIL %s %s" % (name, detail))
        sys.stdout.flush()

    def wanted(self, name):
        return not self.only or self.only in name

    def pcap(self):
        self.n += 1
        return os.path.join(self.tmp, "p%d.pcap" % self.n)

    def craft(self, args):
        """Run dmm-send ... -w FILE; returns (rc, path, stderr)."""
        path = self.pcap()
        p = subprocess.run([self.send] + args + ["-w", path], capture_output=True, text=True)
        return p.returncode, path, p.stderr

    def packets(self, path, extra=()):
        """dmm-decode -T json objects of a capture."""
        p = subprocess.run([self.decode, "-T", "json", "-r", path] + list(extra),
                           capture_output=True, text=True)
        return [json.loads(line) for line in p.stdout.splitlines() if line.strip()]

    def fields(self, path, names, extra=()):
        """[{name: value}] per packet, dmm-decode -T fields (occurrences joined by ',')."""
        cmd = [self.decode, "-r", path, "-T", "fields", "-E", "separator=/t"] + list(extra)
        for n in names:
            cmd += ["-e", n]
        p = subprocess.run(cmd, capture_output=True, text=True)
        return [dict(zip(names, line.split("\t"))) for line in p.stdout.split("\n")[:-1]]


def find_values(obj, key):
    """Every value stored under key anywhere in a dmm-decode JSON object, in order."""
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == key:
                out.extend(v if isinstance(v, list) else [v])
            else:
                out.extend(find_values(v, key))
    elif isinstance(obj, list):
        for v in obj:
            out.extend(find_values(v, key))
    return out


def raw_frames(path):
    """Frames of a pcap as bytes (little-endian or big-endian, micro or nano)."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    frames, pos = [], 24
    while pos + 16 <= len(data):
        caplen = struct.unpack(endian + "I", data[pos + 8:pos + 12])[0]
        frames.append(data[pos + 16:pos + 16 + caplen])
        pos += 16 + caplen
    return linktype, frames


def mh_of(frame):
    """The MH of a raw IPv6 frame without extension headers."""
    assert frame[0] >> 4 == 6 and frame[6] == 135
    return frame[40:]


# ---- tests ----

def test_messages(r, crosscheck):
    common = extra = None
    for name, (args, (type_field, type_value)) in MESSAGES.items():
        if not r.wanted("decode:" + name) and not r.wanted("tshark:" + name):
            continue
        rc, path, err = r.craft([name] + args)
        pk = r.packets(path, ["--mnha-key", MNHA]) if rc == 0 else []
        ok = rc == 0 and len(pk) == 1 and pk[0].get("dmm.error") == "" and \
            find_values(pk[0], type_field) == [type_value]
        statuses = find_values(pk[0], "mip.auth.status") if pk else []
        ok = ok and all(s == "good" for s in statuses)
        r.check("decode:" + name, ok, "rc=%d %s %s" % (rc, err.strip(), pk and pk[0].get(
            "dmm.error")))
        if rc != 0 or not r.wanted("tshark:" + name):
            continue
        if common is None:
            common, extra = crosscheck.compared_fields(r.decode)
        error, packets, compared = crosscheck.compare_capture(r.decode, path, common, extra)
        diffs = [d for _, bad in packets for d in bad]
        r.check("tshark:%s (%d values)" % (name, compared), not error and not diffs and compared,
                error or "; ".join(diffs)[:400])


def test_pbu_defaults(r):
    if not r.wanted("defaults"):
        return
    before = time.time()
    rc, path, err = r.craft(["pbu", "--dst", "2001:db8::2", "--mn-id", "mn1@example.org"])
    after = time.time()
    pk = r.packets(path)
    ok = rc == 0 and len(pk) == 1 and pk[0]["dmm.error"] == ""
    r.check("defaults:pbu decodes", ok, err)
    if not ok:
        return
    p = pk[0]
    v = lambda k: find_values(p, k)
    r.check("defaults:pbu A and P set, H clear", v("mip6.bu.a_flag") == [1] and
            v("mip6.bu.p_flag") == [1] and v("mip6.bu.h_flag") == [0])
    r.check("defaults:pbu MN-ID", v("mip6.mnid.identifier") == ["mn1@example.org"] and
            v("mip6.mnid.subtype") == [1])
    r.check("defaults:pbu all-zero HNP", v("mip6.nemo.mnp.mnp") == ["::"] and
            v("mip6.nemo.mnp.pfl") == [0], str(v("mip6.nemo.mnp.mnp")))
    r.check("defaults:pbu HI 1, ATT 4", v("mip6.hi") == [1] and v("mip6.att") == [4])
    ts = v("mip6.timestamp")
    ok = len(ts) == 1
    if ok:
        t = int(ts[0], 16) / 65536.0
        ok = before - 1 <= t <= after + 1
    r.check("defaults:pbu timestamp now (48.16 seconds since 1970)", ok, str(ts))
    r.check("defaults:pbu checksum good", v("mip6.csum.status") == ["good"])
    opts = [int(t) for t in r.fields(path, ["mip6.mobility_opt"])[0]["mip6.mobility_opt"].split(",")]
    want = [8, 1, 22, 23, 24, 1, 27, 1]  # MN-ID PadN HNP HI ATT PadN Timestamp PadN
    r.check("defaults:pbu option order MN-ID HNP HI ATT Timestamp", opts == want, str(opts))
    # alignment: HNP at 8n+4, Timestamp at 8n+2 (RFC 5213 §8.3, §8.8)
    _, frames = raw_frames(path)
    mh = mh_of(frames[0])
    offs, pos = {}, 12
    while pos < len(mh):
        t = mh[pos]
        if t == 0:
            pos += 1
            continue
        offs.setdefault(t, pos)
        pos += 2 + mh[pos + 1]
    r.check("defaults:pbu alignment HNP 8n+4, Timestamp 8n+2, length 8n",
            offs.get(22, 0) % 8 == 4 and offs.get(27, 0) % 8 == 2 and len(mh) % 8 == 0,
            str(offs))
    # lifetime and sequence defaults
    r.check("defaults:pbu sequence 1, lifetime 900", v("mip6.bu.seqnr") == [1] and
            v("mip6.bu.lifetime") == [900])


# name: (arguments, check) where check is ("error", text) or ("field", name, value)
MALFORMED = {
    "opt-len": (["pbu"] + V6 + ["--mn-id", "mn1", "--hnp", "::/0", "--opt-len", "17"],
                ("error", "invalid: option length out of range")),
    "bad-checksum": (["pbu"] + V6 + ["--mn-id", "mn1", "--bad-checksum"],
                     ("error", "bad checksum")),
    "truncate": (["pbu"] + V6 + ["--mn-id", "mn1", "--truncate", "20"], ("error", "truncated")),
    "raw-opt-short-hnp": (["pbu"] + V6 + ["--mn-id", "mn1", "--raw-opt", "22:0102"],
                          ("error", "invalid: option length out of range")),
    "raw-opt-unknown": (["pbu"] + V6 + ["--mn-id", "mn1", "--raw-opt", "200:0a0b0c"],
                        ("field", "mip6.option.data", "0a0b0c")),
    "reserved-bu": (["pbu"] + V6 + ["--mn-id", "mn1", "--reserved", "5"],
                    ("field", "mip6.bu.reserved", "0x0005")),
    "mh-reserved": (["pbu"] + V6 + ["--mn-id", "mn1", "--mh-reserved", "3"],
                    ("field", "mip6.reserved", "0x03")),
    "opt-reserved-hnp": (["pbu"] + V6 + ["--mn-id", "mn1", "--hnp", "::/0", "--opt-reserved",
                                         "9"], ("field", "mip6.hnp.reserved", "0x09")),
    "opt-reserved-mmb": (["pbu"] + V6 + ["--mn-id", "mn1", "--mmb",
                                         "if-att=4,if-label=9,bid=1,flags-reserved=3",
                                         "--opt-reserved", "7"],
                         ("field", "mip6.mmb.reserved", "0x0007")),
    "header-len": (["pbu"] + V6 + ["--mn-id", "mn1", "--header-len", "1"],
                   ("error", "truncated")),
    "rrq-ext-len": (["rrq"] + V4 + ["--mnr", "10.1.0.0/16", "--opt-len", "2"],
                    ("error", "invalid")),
    "rrq-raw-ext-nonskippable": (["rrq"] + V4 + ["--raw-ext", "100:00"],
                                 ("error", "invalid: unknown non-skippable extension 100")),
    "rrq-truncate": (["rrq"] + V4 + ["--truncate", "10"], ("error", "truncated")),
    "ack-reserved": (["revocation-ack"] + V4 + ["--reserved", "5"],
                     ("field", "mip.ack.reserved2", "0x0005")),
}


def test_malformed(r):
    for name, (args, check) in MALFORMED.items():
        if not r.wanted("malformed:" + name):
            continue
        rc, path, err = r.craft(args)
        if rc != 0:
            r.check("malformed:" + name, False, "rc=%d %s" % (rc, err.strip()))
            continue
        row = r.fields(path, ["dmm.error", check[1] if check[0] == "field" else "dmm.error"])
        if check[0] == "error":
            ok = len(row) == 1 and check[1] in row[0]["dmm.error"]
        else:
            ok = len(row) == 1 and row[0][check[1]] == check[2] and row[0]["dmm.error"] == ""
        r.check("malformed:" + name, ok, str(row))
    if r.wanted("malformed:no-align"):
        rc, path, err = r.craft(["pbu"] + V6 + ["--mn-id", "mn1", "--no-align"])
        _, frames = raw_frames(path)
        mh = mh_of(frames[0])
        # no PadN before the HNP: MN-ID (12..) then HNP directly at 12 + 2 + 4
        ok = rc == 0 and mh[12] == 8 and mh[18] == 22 and 1 not in (mh[12], mh[18])
        r.check("malformed:no-align (HNP right after MN-ID, at 8n+2)", ok, mh[:24].hex())
    if r.wanted("malformed:udp-bad-checksum"):
        rc, path, err = r.craft(["rrq"] + V4 + ["--bad-checksum"])
        rc2, good, _ = r.craft(["rrq"] + V4 + ["--ident", "5"])
        rc3, bad, _ = r.craft(["rrq"] + V4 + ["--ident", "5", "--bad-checksum"])
        _, fg = raw_frames(good)
        _, fb = raw_frames(bad)
        ok = rc == rc2 == rc3 == 0 and udp_checksum_ok(fg[0]) and not udp_checksum_ok(fb[0])
        r.check("malformed:udp-bad-checksum (recomputed in the test)", ok)


def udp_checksum_ok(frame):
    """RFC 768 checksum of an IPv4/UDP raw frame."""
    ihl = (frame[0] & 15) * 4
    total = struct.unpack("!H", frame[2:4])[0]
    udp = frame[ihl:total]
    pseudo = frame[12:20] + struct.pack("!BBH", 0, 17, len(udp))
    data = pseudo + udp + (b"\0" if len(udp) % 2 else b"")
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s == 0xffff


def test_order(r):
    if not r.wanted("order"):
        return
    args = ["pbu"] + V6 + ["--hnp", "2001:db8:2::/64", "--mn-id", "mn7@example.org", "--hnp",
                           "2001:db8:1::/64", "--vsm", "5535:3:0102", "--mmb",
                           "if-att=4,if-label=9,bid=1,b", "--mmb", "if-att=8,if-label=11,bid=2,o",
                           "--mag-id", "mag1@example.org", "--gre-key", "--gre-key", "0x1234"]
    rc, path, err = r.craft(args)
    pk = r.packets(path)
    ok = rc == 0 and len(pk) == 1 and pk[0]["dmm.error"] == ""
    r.check("order:decodes", ok, err)
    if not ok:
        return
    p = pk[0]
    order = [int(t) for t in r.fields(path, ["mip6.mobility_opt"])[0]["mip6.mobility_opt"].split(",")
             if t not in ("0", "1")]
    # HNP MN-ID HNP VSM MMB MMB MAG-ID GRE GRE, then the defaults HI ATT Timestamp
    want = [22, 8, 22, 19, 63, 63, 64, 33, 33, 23, 24, 27]
    r.check("order:command-line order, defaults appended", order == want, str(order))
    r.check("order:repeated HNPs in order",
            find_values(p, "mip6.nemo.mnp.mnp") == ["2001:db8:2::", "2001:db8:1::"])
    r.check("order:repeated MMBs in order", find_values(p, "mip6.mmb.bid") == [1, 2] and
            find_values(p, "mip6.mmb.if_label") == [9, 11] and
            find_values(p, "mip6.mmb.b_flag") == [1, 0] and
            find_values(p, "mip6.mmb.o_flag") == [0, 1])
    r.check("order:GRE key without and with key", find_values(p, "mip6.gre_key") == [0x1234])


def test_vary(r):
    if not r.wanted("vary"):
        return
    rc, path, err = r.craft(["pbu"] + V6 + ["--mn-id", "mn1@example.org", "--hnp",
                                            "2001:db8:10::/64", "--seq", "100", "-c", "5",
                                            "--vary", "seq,mn-id,hnp"])
    rows = r.fields(path, ["mip6.bu.seqnr", "mip6.mnid.identifier", "mip6.nemo.mnp.mnp",
                           "mip6.csum.status", "dmm.error"])
    ok = rc == 0 and len(rows) == 5
    ok = ok and [x["mip6.bu.seqnr"] for x in rows] == [str(100 + i) for i in range(5)]
    ok = ok and [x["mip6.mnid.identifier"] for x in rows] == [
        "mn%d@example.org" % (i + 1) for i in range(5)]
    ok = ok and [x["mip6.nemo.mnp.mnp"] for x in rows] == [
        "2001:db8:10:%x::" % i if i else "2001:db8:10::" for i in range(5)]
    ok = ok and all(x["mip6.csum.status"] == "good" and x["dmm.error"] == "" for x in rows)
    r.check("vary:seq,mn-id,hnp (rebuilt)", ok, str(rows)[:400])
    # the patched path: only the sequence number and the checksum change
    rc, path, err = r.craft(["pbu"] + V6 + ["--mn-id", "mn1", "--seq", "65534", "-c", "4",
                                            "--vary", "seq"])
    rows = r.fields(path, ["mip6.bu.seqnr", "mip6.csum.status"])
    ok = rc == 0 and [x["mip6.bu.seqnr"] for x in rows] == ["65534", "65535", "0", "1"]
    ok = ok and all(x["mip6.csum.status"] == "good" for x in rows)
    r.check("vary:seq patched in place, wraps, checksum good", ok, str(rows))
    rc, path, err = r.craft(["rrq"] + V4 + ["--ident", "0xfffffffffffffffe", "-c", "3",
                                            "--vary", "id"])
    rows = r.fields(path, ["mip.ident.value"])
    _, frames = raw_frames(path)
    ok = rc == 0 and [x["mip.ident.value"] for x in rows] == [
        "0xfffffffffffffffe", "0xffffffffffffffff", "0x0000000000000000"]
    ok = ok and all(udp_checksum_ok(f) for f in frames)
    r.check("vary:id patched in place, UDP checksum good", ok, str(rows))
    rc, path, err = r.craft(["rrq"] + V4 + ["--ident", "10", "-c", "3", "--vary", "id",
                                            "--mn-ha", MNHA])
    rows = r.fields(path, ["mip.ident.value", "mip.auth.status"], ["--mnha-key", MNHA])
    ok = rc == 0 and [x["mip.ident.value"] for x in rows] == [
        "0x000000000000000a", "0x000000000000000b", "0x000000000000000c"]
    ok = ok and all(x["mip.auth.status"] == "good" for x in rows)
    r.check("vary:id with MN-HA recomputed per packet", ok, str(rows))


def test_auth(r):
    if not r.wanted("auth"):
        return
    rc, path, err = r.craft(["pbu"] + V6 + ["--mn-id", "mn1@example.org", "--auth",
                                            "0x200:secretkey"])
    good = r.fields(path, ["mip6.auth.status", "mip6.auth.mobility_spi", "dmm.error",
                           "mip6.mobility_opt"], ["--mh-auth-key", "0x200:secretkey"])
    bad = r.fields(path, ["mip6.auth.status"], ["--mh-auth-key", "0x200:otherkey"])
    r.check("auth:rfc4285 good with the key, bad with another",
            rc == 0 and good[0]["mip6.auth.status"] == "good" and
            good[0]["mip6.auth.mobility_spi"] == "512" and bad[0]["mip6.auth.status"] == "bad",
            str(good) + str(bad))
    # RFC 4285 §5: the option is the last one, even when the default options (HNP, HI, ATT,
    # Timestamp) are added after a --auth given among the first options.
    kinds = [t for t in good[0]["mip6.mobility_opt"].split(",") if t not in ("0", "1")] \
        if good else []
    r.check("auth:rfc4285 option last after the default options",
            kinds[-1:] == ["9"] and {"22", "23", "24", "27"} <= set(kinds), str(kinds))
    rc, path, err = r.craft(["rrq"] + V4 + ["--mnr", "10.1.0.0/16", "--mn-ha", MNHA])
    good = r.fields(path, ["mip.auth.status", "mip.auth.spi"], ["--mnha-key", MNHA])
    bad = r.fields(path, ["mip.auth.status"], ["--mnha-key", "0x100:wrongwrongwrong!"])
    r.check("auth:mn-ha good with the key, bad with another",
            rc == 0 and good[0]["mip.auth.status"] == "good" and
            bad[0]["mip.auth.status"] == "bad", str(good) + str(bad))
    home, coa = 0x1122334455667788, 0x99aabbccddeeff00
    krm = hashlib.sha1(struct.pack("!QQ", home, coa)).hexdigest()
    rc, path, err = r.craft(["rrq"] + V4 + ["--mnr", "10.1.0.0/16", "--mcauth",
                                            "home-token=%d,coa-token=%d,hni=3,cni=4" % (home, coa)])
    good = r.fields(path, ["mip.haaro.mcauth.status", "mip.haaro.mcauth.hni",
                           "mip.haaro.mcauth.cni"], ["--krm", krm])
    bad = r.fields(path, ["mip.haaro.mcauth.status"], ["--krm", "00" * 20])
    r.check("auth:mc-auth from tokens good with KRm = SHA1(home|care-of)",
            rc == 0 and good and good[0]["mip.haaro.mcauth.status"] == "good" and
            good[0]["mip.haaro.mcauth.hni"] == "3" and bad[0]["mip.haaro.mcauth.status"] == "bad",
            err + str(good) + str(bad))
    rc, path, err = r.craft(["rrq"] + V4 + ["--mcauth", "krm=" + krm])
    good = r.fields(path, ["mip.haaro.mcauth.status"], ["--krm", krm])
    r.check("auth:mc-auth from krm", rc == 0 and good[0]["mip.haaro.mcauth.status"] == "good")


def test_json(r):
    if not r.wanted("json"):
        return
    for path in sorted(glob.glob(os.path.join(ROOT, "pcaps", "*.pcap"))):
        name = os.path.basename(path)[:-5]
        if not r.wanted("json:" + name):
            continue
        rows = r.fields(path, ["dmm.error"])
        if any(x["dmm.error"] for x in rows):
            continue  # malformed captures keep their own bytes only where JSON says so
        out = os.path.join(r.tmp, "json-%s.pcap" % name)
        dec = subprocess.run([r.decode, "-T", "json", "-r", path], capture_output=True)
        p = subprocess.run([r.send, "--json", "-", "-w", out], input=dec.stdout,
                           capture_output=True)
        ok = p.returncode == 0 and raw_frames(out) == raw_frames(path)
        r.check("json:%s byte-identical" % name, ok, p.stderr.decode()[:300])


def test_usage(r):
    if not r.wanted("usage"):
        return
    bad = [["nosuchmsg", "--dst", "::1", "-w", "x"],
           ["pbu", "--dst", "2001:db8::2", "-w", os.path.join(r.tmp, "u.pcap")],  # no --mn-id
           ["pbu", "--dst", "2001:db8::2", "--mn-id", "a", "--seq", "70000", "-w", "x"],
           ["rrq", "--dst", "2001:db8::2", "-w", "x"],  # MIPv4 over IPv6
           ["brr", "--dst", "2001:db8::2", "--seq", "1", "-w", "x"],  # BRR has no sequence
           ["pbu", "--dst", "2001:db8::2", "--mn-id", "a", "--mnr", "10.0.0.0/8", "-w", "x"],
           ["pbu", "--dst", "2001:db8::2", "--mn-id", "a", "--mmb", "bid=300", "-w", "x"],
           ["pbu", "--dst", "2001:db8::2", "--mn-id", "a", "--opt-len"],
           ["pbu", "--dst", "2001:db8::2", "--mn-id", "a", "--vary", "nothing", "-w", "x"],
           ["pbu", "--dst", "2001:db8::2", "--mn-id", "a", "--expect"],  # needs -i
           ["pbu", "--dst", "2001:db8::2", "--mn-id", "a"]]  # nothing to do
    for args in bad:
        p = subprocess.run([r.send] + args, capture_output=True, text=True, cwd=r.tmp)
        r.check("usage:exit 2 for %s" % " ".join(args[:6]), p.returncode == 2 and p.stderr,
                "rc=%d" % p.returncode)


# ---- live --expect over a veth pair ----

NS_A, NS_B = "dmmsendA%d" % os.getpid(), "dmmsendB%d" % os.getpid()
VETH_A, VETH_B = "dsa%d" % (os.getpid() % 100000), "dsb%d" % (os.getpid() % 100000)


def sh(*cmd, check=True):
    return subprocess.run(cmd, capture_output=True, text=True, check=check)


def live_setup():
    sh("ip", "netns", "add", NS_A)
    sh("ip", "netns", "add", NS_B)
    sh("ip", "link", "add", VETH_A, "netns", NS_A, "type", "veth", "peer", "name", VETH_B,
       "netns", NS_B)
    for ns, dev, a6, a4 in ((NS_A, VETH_A, "2001:db8:77::1/64", "198.18.0.1/24"),
                            (NS_B, VETH_B, "2001:db8:77::2/64", "198.18.0.2/24")):
        sh("ip", "-n", ns, "addr", "add", a6, "dev", dev, "nodad")
        sh("ip", "-n", ns, "addr", "add", a4, "dev", dev)
        sh("ip", "-n", ns, "link", "set", dev, "up")
        sh("ip", "-n", ns, "link", "set", "lo", "up")


def live_teardown():
    sh("ip", "netns", "del", NS_A, check=False)
    sh("ip", "netns", "del", NS_B, check=False)


def responder(r, request_filter, field, reply):
    """Start a one-shot responder in NS_B: wait for one request, read field, answer with reply
    (a dmm-send command line template with {value}). Returns the Popen."""
    # the reply arguments refer to $v: the shell expands them
    quoted = " ".join("'%s'" % a if "{value}" not in a else '"%s"' % a.replace("{value}", "$v")
                      for a in reply)
    script = ('v=$(timeout 10 %s -i %s -c 1 -f "%s" -T fields -e %s -l | head -n 1); '
              '[ -n "$v" ] || exit 3; exec %s') % (r.decode, VETH_B, request_filter, field, quoted)
    cmd = ["ip", "netns", "exec", NS_B, "sh", "-c", script]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_capture_ready(r):
    """The responder's capture is open once its interface is in promiscuous/packet mode; poll
    for the dmm-decode process instead of sleeping a fixed time."""
    deadline = time.time() + 5
    while time.time() < deadline:
        p = sh("ip", "netns", "pids", NS_B, check=False)
        pids = p.stdout.split()
        for pid in pids:
            try:
                with open("/proc/%s/cmdline" % pid, "rb") as f:
                    if b"dmm-decode" in f.read():
                        # the capture is set up right after start: give libpcap its activation
                        time.sleep(0.2)
                        return True
            except OSError:
                pass
        time.sleep(0.05)
    return False


def timed(r, args, timeout):
    """Run dmm-send in NS_A; (CompletedProcess or None when it had to be killed, seconds)."""
    t0 = time.time()
    try:
        p = subprocess.run(["ip", "netns", "exec", NS_A, r.send] + args, capture_output=True,
                           text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        p = None
    return p, time.time() - t0


def wait_until(pred, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.01)
    return False


def test_bounded(r, rx_packets):
    """No injection path waits without bound (each run is killed after a time limit, so a
    return of the hang fails the test instead of hanging it)."""
    lma = ["--mn-id", "mn1@example.org", "--vary", "seq,mn-id", "--auth",
           "256:0x00112233445566778899aabbccddeeff"]
    # the reported command, to the peer's own address: all of it delivered
    before = rx_packets()
    p, secs = timed(r, ["pbu", "-i", VETH_A, "--dst", "2001:db8:77::2"] + lma +
                    ["-c", "100000"], 30)
    got = rx_packets() - before
    m = re.search(r"\(([0-9]+) pkt/s", p.stderr if p else "")
    r.check("live:bounded reported command (-c 100000, --vary seq,mn-id, --auth): all "
            "delivered (%s pkt/s, %.2f s)" % (m.group(1) if m else "?", secs),
            p is not None and p.returncode == 0 and 100000 <= got <= 100010 and m,
            "killed after 30 s" if p is None else "rc=%d rx=%d %r" % (p.returncode, got,
                                                                       p.stderr))
    # an LMA address the peer holds on its loopback, on-link for the sender: neighbour
    # discovery is never answered, every raw frame would stay queued in the kernel (the old
    # behaviour: one packet out, then a send blocked on the full socket buffer)
    sh("ip", "-n", NS_B, "addr", "add", "2001:db8:78::1/128", "dev", "lo")
    sh("ip", "-n", NS_A, "-6", "route", "add", "2001:db8:78::/64", "dev", VETH_A)
    for extra in ([], ["--libnet"], ["--rate", "10000"], ["--rate", "10000", "--libnet"]):
        p, secs = timed(r, ["pbu", "-i", VETH_A, "--dst", "2001:db8:78::1"] + lma +
                        ["-c", "100000"] + extra, 15)
        r.check("live:bounded unresolved next hop %s: exit 1 naming it (%.2f s)"
                % (" ".join(extra) or "(AF_PACKET)", secs),
                p is not None and p.returncode == 1 and secs < 8 and
                "no link-layer address for the next hop towards 2001:db8:78::1" in p.stderr,
                "killed after 15 s" if p is None else "rc=%d %r" % (p.returncode, p.stderr))
    # the per-packet path (-v keeps the raw socket) stalls: bounded by the send-buffer wait
    p, secs = timed(r, ["pbu", "-i", VETH_A, "--dst", "2001:db8:78::1"] + lma +
                    ["-c", "100000", "-v"], 15)
    r.check("live:bounded per-packet raw path to an unresolved next hop stops (%.2f s)" % secs,
            p is not None and p.returncode == 1 and secs < 8 and "took no frame" in p.stderr,
            "killed after 15 s" if p is None else "rc=%d %r" % (p.returncode, p.stderr[-300:]))
    # an interface that is down: the first refusal ends every path
    dev = "dsc%d" % (os.getpid() % 100000)
    sh("ip", "link", "add", dev, "netns", NS_A, "type", "veth", "peer", "name",
       "dsd%d" % (os.getpid() % 100000), "netns", NS_B)
    for extra in (["--link"], ["--link", "--libnet"], []):
        p, secs = timed(r, ["pbu", "-i", dev, "--dst", "2001:db8:77::2"] + lma +
                        ["-c", "100000"] + extra, 15)
        r.check("live:bounded interface down %s: exit 1 (%.2f s)" % (" ".join(extra), secs),
                p is not None and p.returncode == 1 and secs < 3 and
                ("down" in p.stderr or "unreachable" in p.stderr),
                "killed after 15 s" if p is None else "rc=%d %r" % (p.returncode, p.stderr))
    # packet 1 is one interval after packet 0 (sent before the switch to AF_PACKET)
    p, secs = timed(r, ["pbu", "-i", VETH_A, "--dst", "2001:db8:77::2"] + lma +
                    ["-c", "5", "--rate", "10"], 10)
    m = re.search(r"\(([0-9]+) pkt/s", p.stderr if p else "")
    r.check("live:bounded --rate 10 paces packet 1 after packet 0 (%s pkt/s)" %
            (m.group(1) if m else "?"), p is not None and m and int(m.group(1)) == 10,
            "killed" if p is None else p.stderr)
    # SIGINT during a 20 s pacing interval, SIGTERM during a run at full speed: prompt exit
    for sig, extra in ((2, ["--rate", "0.05"]), (15, ["--rate", "max"]),
                       (2, ["--rate", "max", "--libnet"])):
        before = rx_packets()
        proc = subprocess.Popen(["ip", "netns", "exec", NS_A, r.send, "pbu", "-i", VETH_A,
                                 "--dst", "2001:db8:77::2"] + lma + ["-c", "100000000"] + extra,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        started = wait_until(lambda: rx_packets() - before >= (1 if "0.05" in extra else 1000),
                             10)
        if "0.05" in extra:  # past packet 0 and the neighbour look-up, into the interval
            wait_until(lambda: not os.path.exists("/proc/%d" % proc.pid) or
                       b"nanosleep" in open("/proc/%d/wchan" % proc.pid, "rb").read() or
                       b"hrtimer" in open("/proc/%d/wchan" % proc.pid, "rb").read(), 5)
        t0 = time.time()
        proc.send_signal(sig)
        try:
            err = proc.communicate(timeout=5)[1]
            rc = proc.returncode
        except subprocess.TimeoutExpired:
            proc.kill()
            err, rc = proc.communicate()[1], None
        secs = time.time() - t0
        r.check("live:bounded signal %d stops %s within 1 s (%.3f s)" % (sig, " ".join(extra),
                                                                         secs),
                started and rc == 0 and secs < 1.0, "rc=%r started=%r %r" % (rc, started, err))


def probe(r, args, timeout=20):
    t0 = time.time()
    p = subprocess.run(["ip", "netns", "exec", NS_A, r.send] + args, capture_output=True,
                       text=True, timeout=timeout)
    return p, time.time() - t0


def test_live(r):
    if not r.wanted("live"):
        return
    if os.geteuid() != 0:
        r.check("live:root needed", False, "run as root")
        return
    live_teardown()
    try:
        live_setup()
        base = ["pbu", "-i", VETH_A, "--src", "2001:db8:77::1", "--dst", "2001:db8:77::2",
                "--mn-id", "mn1@example.org", "--seq", "4242"]
        pba = [r.send, "pba", "-i", VETH_B, "--src", "2001:db8:77::2", "--dst",
               "2001:db8:77::1", "--mn-id", "mn1@example.org", "--seq", "{value}"]
        # success: status 0 expected and received
        resp = responder(r, "ip6 proto 135", "mip6.bu.seqnr", pba + ["--status", "0"])
        wait_capture_ready(r)
        p, secs = probe(r, base + ["--expect-status", "0", "--timeout", "500", "--retries",
                                   "4"])
        resp.wait(timeout=15)
        ok = p.returncode == 0 and "PBA" in p.stdout and "rtt=" in p.stdout and \
            "status=0" in p.stdout and "seqnr=4242" in p.stdout
        r.check("live:pbu --expect-status 0 answered by a PBA (%.2f s)" % secs, ok,
                "rc=%d out=%r err=%r resp=%r" % (p.returncode, p.stdout, p.stderr,
                                                 resp.stderr.read()))
        # mismatch: the responder answers 130, the probe wants 0
        resp = responder(r, "ip6 proto 135", "mip6.bu.seqnr", pba + ["--status", "130"])
        wait_capture_ready(r)
        p, secs = probe(r, base + ["--expect-status", "0", "--timeout", "500"])
        resp.wait(timeout=15)
        r.check("live:status 130 with --expect-status 0 exits 1",
                p.returncode == 1 and "status=130" in p.stdout, p.stdout + p.stderr)
        # a reply with another sequence number does not match; nobody answers: bounded retries
        resp = responder(r, "ip6 proto 135", "mip6.bu.seqnr",
                         [r.send, "pba", "-i", VETH_B, "--src", "2001:db8:77::2", "--dst",
                          "2001:db8:77::1", "--mn-id", "mn1@example.org", "--seq", "1"])
        wait_capture_ready(r)
        p, secs = probe(r, base + ["--expect", "--timeout", "100", "--retries", "2"])
        resp.wait(timeout=15)
        # 100 + 200 + 400 ms of waiting
        r.check("live:wrong sequence ignored, 3 attempts with backoff, exit 1 (%.2f s)" % secs,
                p.returncode == 1 and "after 3 attempts" in p.stderr and 0.65 < secs < 5,
                p.stdout + p.stderr)
        # MIPv4: RRQ answered by an RRP with the same identification
        resp = responder(r, "udp port 434", "mip.ident.value",
                         [r.send, "rrp", "-i", VETH_B, "--src", "198.18.0.2", "--dst",
                          "198.18.0.1", "--code", "0", "--ident", "{value}", "--mn-ha", MNHA])
        wait_capture_ready(r)
        p, secs = probe(r, ["rrq", "-i", VETH_A, "--src", "198.18.0.1", "--dst", "198.18.0.2",
                            "--hoa", "10.0.0.1", "--ha", "198.18.0.2", "--mn-ha", MNHA,
                            "--mnha-key", MNHA, "--expect-status", "0", "--timeout", "500",
                            "-V"])
        resp.wait(timeout=15)
        r.check("live:rrq --expect answered by an RRP (tree, MN-HA good)",
                p.returncode == 0 and "Registration Reply" in p.stdout and
                "Authenticator status: good" in p.stdout and "rtt=" in p.stdout,
                p.stdout[-500:] + p.stderr)
        # injection without --expect: link layer (AF_PACKET batches) and raw, counted by the
        # receiving interface (a capture may lose packets of a burst; the interface does not)
        def rx_packets():
            return int(sh("ip", "netns", "exec", NS_B, "cat",
                          "/sys/class/net/%s/statistics/rx_packets" % VETH_B).stdout)
        probe(r, base)  # neighbour discovery done before counting
        before = rx_packets()
        p, secs = probe(r, base + ["--link", "-c", "1000", "--vary", "seq", "--rate", "max"])
        p2, secs2 = probe(r, base + ["-c", "100", "--rate", "2000", "--libnet"])
        got = rx_packets() - before
        r.check("live:1000 link-layer (AF_PACKET) + 100 raw packets delivered (raw at 2000/s: "
                "%.3f s)" % secs2, p.returncode == 0 and p2.returncode == 0 and
                1100 <= got <= 1110 and 0.045 < secs2 < 1.0 and "AF_PACKET" in p.stderr and
                "libnet raw" in p2.stderr, "%d received %r %r" % (got, p.stderr, p2.stderr))
        # --rate: paced within 2% (the tool's own count of the time from first to last packet,
        # and the receiving interface's count)
        for rate in (1000, 20000, 100000):
            before = rx_packets()
            p, secs = probe(r, base + ["--link", "-c", str(rate), "--rate", str(rate)])
            got = rx_packets() - before
            m = re.search(r"\(([0-9]+) pkt/s", p.stderr)
            achieved = int(m.group(1)) if m else 0
            r.check("live:--rate %d within 2%% (%d pkt/s)" % (rate, achieved),
                    p.returncode == 0 and abs(achieved - rate) <= rate * 0.02 and
                    rate <= got <= rate + 5, p.stderr)
        # without --link the next hop's MAC comes from the neighbour table
        before = rx_packets()
        p, secs = probe(r, base + ["-c", "1000", "--vary", "seq"])
        got = rx_packets() - before
        m = re.search(r"in ([0-9.]+) s", p.stderr)
        r.check("live:several packets without --link switch to AF_PACKET, 1000 delivered",
                p.returncode == 0 and 1000 <= got <= 1005 and "AF_PACKET" in p.stderr and
                m and float(m.group(1)) < secs,
                "%d received %r" % (got, p.stderr))
        test_bounded(r, rx_packets)
    finally:
        live_teardown()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("-v", action="store_true")
    ap.add_argument("-k", default="", help="run the tests whose name contains this")
    ap.add_argument("--no-live", action="store_true")
    args = ap.parse_args()
    r = Runner(args.build, args.v, args.k)
    spec = importlib.util.spec_from_file_location(
        "run_crosscheck", os.path.join(ROOT, "testcases", "crosscheck", "run_crosscheck.py"))
    crosscheck = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(crosscheck)
    test_messages(r, crosscheck)
    test_pbu_defaults(r)
    test_malformed(r)
    test_order(r)
    test_vary(r)
    test_auth(r)
    test_json(r)
    test_usage(r)
    if not args.no_live:
        test_live(r)
    subprocess.run(["rm", "-rf", r.tmp])
    print("%d passed, %d failed" % (r.passed, r.failed))
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
