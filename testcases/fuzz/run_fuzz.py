#!/usr/bin/python3
"""Seed, replay and time-box the libFuzzer targets of testcases/fuzz (make fuzz-check).

Time: --seconds (make: FUZZ_SECONDS) is the fuzzing time of one target, and --budget
(FUZZ_BUDGET in the environment, default 240 s) caps the whole run, corpus replays included:
before each target the time left is shared equally among the targets still to run, so a target
fuzzes min(--seconds, left / targets to go) seconds, never less than MIN_SLICE. With the 11
targets and FUZZ_SECONDS=20 every target gets its 20 s; FUZZ_SECONDS=60 becomes about 21 s each.
Replays always run in full (every seed, checked-in corpus file and earlier finding).

Seeds: the golden captures (pcaps/) give the payloads of each target (MH, MIPv4 and HAARO
messages, IP packets, Router Solicitations); testcases/fuzz/corpus/<target>/ holds checked-in
inputs (hand-made and regression seeds) for the targets whose input is not on the wire
(configuration text, control requests, policy text).
"""

import argparse
import glob
import os
import re
import shutil
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# target -> libFuzzer -max_len (octets)
TARGETS = {
    "fuzz_mh": 2048,
    "fuzz_mip4": 4096,
    "fuzz_haaro_pfx": 1024,
    "fuzz_ip": 4096,
    "fuzz_pcap": 16384,
    "fuzz_cr": 4096,
    "fuzz_ndp": 512,
    "fuzz_dp": 4096,
    "fuzz_conf": 4096,
    "fuzz_ctl": 4096,
    "fuzz_lma": 2048,
    "fuzz_json_build": 16384,
}

DEFAULT_BUDGET = 240  # seconds for the whole run (make check keeps its fuzzing under 5 minutes)
MIN_SLICE = 2  # seconds of fuzzing every target gets, even when the budget is spent

MIP4_PORT = 434
PMIP6_UDP_PORT = 5436  # RFC 5844: MH over UDP
HAARO_T3 = 50  # long-format extension carrying the Prefix Advertisement (sub-type 1)
MIP4_FIXED = {1: 24, 3: 20}  # Registration Request / Reply fixed parts
MAX_SEEDS = 400  # per target and capture, enough for coverage of golden captures


# ---------------------------------------------------------------- pcap reading


def read_pcap(path):
    """Yield (linktype, frame) of a classic pcap file; pcapng is handed over whole only."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        return  # pcapng: the pcap target still gets the file
    linktype = struct.unpack(end + "I", data[20:24])[0] & 0x0FFFFFFF
    pos = 24
    while pos + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(end + "IIII", data[pos : pos + 16])
        pos += 16
        if caplen > len(data) - pos:
            break
        yield linktype, data[pos : pos + caplen]
        pos += caplen


def link_to_ip(linktype, frame):
    """The IP packet inside a frame, or None."""
    if linktype == 1:  # Ethernet, with VLAN tags
        pos, etype = 12, None
        while pos + 2 <= len(frame):
            etype = struct.unpack(">H", frame[pos : pos + 2])[0]
            if etype in (0x8100, 0x88A8):
                pos += 4
                continue
            pos += 2
            break
        return frame[pos:] if etype in (0x0800, 0x86DD) else None
    if linktype in (101, 12, 14, 228, 229):  # raw IP
        return frame
    if linktype == 113:  # Linux cooked v1
        return frame[16:]
    if linktype == 276:  # Linux cooked v2
        return frame[20:]
    if linktype in (0, 108):  # BSD loopback
        return frame[4:]
    return None


def ip_layers(pkt, depth=0):
    """Yield ('mh', bytes) / ('mip4', bytes) / ('ip', bytes) found in an IP packet and its tunnels."""
    if depth > 8 or len(pkt) < 20:
        return
    yield "ip", pkt
    version = pkt[0] >> 4
    if version == 4:
        ihl = (pkt[0] & 15) * 4
        total = struct.unpack(">H", pkt[2:4])[0]
        proto, payload = pkt[9], pkt[ihl : max(ihl, min(total, len(pkt)))]
    elif version == 6 and len(pkt) >= 40:
        proto, pos = pkt[6], 40
        while proto in (0, 43, 60, 44) and pos + 8 <= len(pkt):
            nxt = pkt[pos]
            pos += 8 if proto == 44 else (pkt[pos + 1] + 1) * 8
            proto = nxt
        payload = pkt[pos:]
    else:
        return
    yield from proto_layers(proto, payload, depth)


def proto_layers(proto, payload, depth):
    if proto == 135:
        yield "mh", payload
    elif proto == 58 and payload[:1] == b"\x85":  # ICMPv6 Router Solicitation
        yield "ndp", payload
    elif proto in (4, 41):
        yield from ip_layers(payload, depth + 1)
    elif proto == 17 and len(payload) >= 8:
        sport, dport = struct.unpack(">HH", payload[:4])
        body = payload[8:]
        if MIP4_PORT in (sport, dport):
            yield "mip4", body
            if body[:1] == b"\x04" and len(body) >= 4:  # RFC 3519 Tunnel Data
                yield from proto_layers(body[1], body[4:], depth + 1)
        elif PMIP6_UDP_PORT in (sport, dport):
            yield "mh", body
        elif 5437 in (sport, dport):
            yield from ip_layers(body, depth + 1)
    elif proto == 47 and len(payload) >= 4:  # GRE
        flags, etype = struct.unpack(">HH", payload[:4])
        pos = 4 + (4 if flags & 0x8000 else 0) + (4 if flags & 0x2000 else 0)
        pos += 4 if flags & 0x1000 else 0
        if etype in (0x0800, 0x86DD):
            yield from ip_layers(payload[pos:], depth + 1)


def haaro_pfx_bodies(msg):
    """Prefix Advertisement data (after the 4-octet long header) in a MIPv4 message."""
    fixed = MIP4_FIXED.get(msg[0] if msg else -1)
    if fixed is None:
        return
    pos = fixed
    while pos < len(msg):
        t = msg[pos]
        if t == 0:
            pos += 1
        elif t == HAARO_T3:
            if pos + 4 > len(msg):
                return
            sub, ln = msg[pos + 1], struct.unpack(">H", msg[pos + 2 : pos + 4])[0]
            if sub == 1:
                yield msg[pos + 4 : pos + 4 + ln]
            pos += 4 + ln
        else:
            if pos + 2 > len(msg):
                return
            pos += 2 + msg[pos + 1]


def extract_seeds(pcaps, seed_root, targets):
    """Write the seed files of the selected targets derived from the captures; returns counts."""
    counts = {t: 0 for t in TARGETS}
    seen = set()

    def put(target, blob):
        if target not in targets or not blob or counts[target] >= MAX_SEEDS * max(1, len(pcaps)):
            return
        key = (target, blob)
        if key in seen:
            return
        seen.add(key)
        with open(os.path.join(seed_root, target, "seed-%05d" % counts[target]), "wb") as f:
            f.write(blob)
        counts[target] += 1

    for t in targets:
        d = os.path.join(seed_root, t)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d, exist_ok=True)
    for path in pcaps:
        with open(path, "rb") as f:
            whole = f.read()
        put("fuzz_pcap", whole)
        for linktype, frame in read_pcap(path):
            ip = link_to_ip(linktype, frame)
            if ip is None:
                continue
            for kind, blob in ip_layers(ip):
                if kind == "ip":
                    put("fuzz_ip", b"\x00" + blob)
                    put("fuzz_dp", blob)
                elif kind == "mh":
                    put("fuzz_mh", blob)
                    put("fuzz_lma", blob)
                elif kind == "ndp":
                    put("fuzz_ndp", blob)
                elif kind == "mip4":
                    put("fuzz_mip4", blob)
                    put("fuzz_cr", blob)
                    for pfx in haaro_pfx_bodies(blob):
                        put("fuzz_haaro_pfx", pfx)
        # dmm_json_build reads what dmm-decode -T json prints: the golden JSON lines.
        expected = os.path.join(os.path.dirname(path), "expected",
                                os.path.basename(path)[:-len(".pcap")] + ".json")
        if os.path.exists(expected):
            with open(expected, "rb") as f:
                for line in f:
                    put("fuzz_json_build", line.rstrip(b"\n"))
    return counts


# ---------------------------------------------------------------- running


def stat(text, name):
    m = re.findall(r"stat::%s:\s+(\d+)" % name, text)
    return int(m[-1]) if m else 0


def artifacts(adir):
    return sorted(glob.glob(os.path.join(adir, "*")))


def report_crash(target, adir, crash_dir, log):
    found = artifacts(adir)
    os.makedirs(crash_dir, exist_ok=True)
    saved = []
    for a in found:
        dst = os.path.join(crash_dir, "%s-%s" % (target, os.path.basename(a)))
        shutil.copyfile(a, dst)
        saved.append(dst)
    tail = "\n".join(log.strip().splitlines()[-40:])
    print(tail)
    for s in saved:
        print("  reproducer: %s  (%s)" % (os.path.relpath(s, REPO), open(s, "rb").read()[:64].hex()))
    if not saved:
        print("  (no reproducer written; see the log above)")


def run(cmd, timeout):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
        return p.returncode, p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode("utf-8", "replace") if e.stdout else ""
        return -999, out + "\n[run_fuzz] killed after %ds" % timeout


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build", required=True, help="directory holding the fuzz_* binaries")
    ap.add_argument("--seconds", type=int, default=20, help="fuzzing time per target")
    ap.add_argument("--budget", type=int, default=int(os.environ.get("FUZZ_BUDGET", DEFAULT_BUDGET)),
                    help="seconds for the whole run, replays included (env FUZZ_BUDGET; "
                    "default %d)" % DEFAULT_BUDGET)
    ap.add_argument("--pcaps", default=os.path.join(REPO, "pcaps"), help="seed capture directory")
    ap.add_argument("--targets", default="", help="comma-separated subset of targets")
    ap.add_argument("--no-fuzz", action="store_true", help="replay the corpus only")
    args = ap.parse_args()

    build = os.path.abspath(args.build)
    targets = [t for t in (args.targets.split(",") if args.targets else TARGETS) if t]
    pcaps = sorted(glob.glob(os.path.join(args.pcaps, "*.pcap")) +
                   glob.glob(os.path.join(args.pcaps, "*.pcapng")))
    seed_root = os.path.join(build, "seeds")
    counts = extract_seeds(pcaps, seed_root, [t for t in targets if t in TARGETS])
    crash_dir = os.path.join(HERE, "crashes")
    print("run_fuzz: %d captures; seeds: %s" % (
        len(pcaps), ", ".join("%s %d" % (t, counts[t]) for t in targets)))

    env_opts = ["-timeout=5", "-rss_limit_mb=2048", "-print_final_stats=1"]
    passed = failed = 0
    start = time.time()
    for index, t in enumerate(targets):
        binary = os.path.join(build, t)
        if t not in TARGETS or not os.access(binary, os.X_OK):
            print("FAIL %s: no binary %s (run make fuzz)" % (t, binary))
            failed += 1
            continue
        work = os.path.join(build, "corpus", t)
        adir = os.path.join(build, "artifacts", t) + "/"
        shutil.rmtree(adir, ignore_errors=True)
        os.makedirs(work, exist_ok=True)
        os.makedirs(adir)
        dirs = [os.path.join(seed_root, t)]
        repo_corpus = os.path.join(HERE, "corpus", t)
        if os.path.isdir(repo_corpus):
            dirs.append(repo_corpus)
        common = env_opts + ["-artifact_prefix=" + adir]

        # 1. replay: every seed, checked-in corpus file and earlier finding, once
        rc, log = run([binary, "-runs=0"] + common + [work] + dirs, timeout=300)
        if rc != 0 or artifacts(adir):
            print("FAIL %s: replay crashed (exit %d)" % (t, rc))
            report_crash(t, adir, crash_dir, log)
            failed += 1
            continue
        replayed = stat(log, "number_of_executed_units")

        # 2. bounded fuzzing: this target's share of the budget left
        execs = 0
        left = args.budget - (time.time() - start)
        seconds = min(args.seconds, max(MIN_SLICE, int(left / (len(targets) - index))))
        if not args.no_fuzz and args.seconds > 0:
            rc, log = run([binary, "-max_total_time=%d" % seconds,
                           "-max_len=%d" % TARGETS[t]] + common + [work] + dirs,
                          timeout=seconds + 120)
            execs = stat(log, "number_of_executed_units")
            if rc != 0 or artifacts(adir):
                print("FAIL %s: fuzzing found a failure after %d execs (exit %d)" % (t, execs, rc))
                report_crash(t, adir, crash_dir, log)
                failed += 1
                continue
        corpus = len(os.listdir(work))
        print("ok   %s: replayed %d inputs, %d execs in %ds, corpus %d, peak RSS %d MB" % (
            t, replayed, execs, seconds if not args.no_fuzz else 0, corpus,
            stat(log, "peak_rss_mb")))
        passed += 1
    print("run_fuzz: %.0fs total (budget %ds)" % (time.time() - start, args.budget))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
