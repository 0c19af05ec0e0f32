#!/usr/bin/python3
"""Golden-capture tests (tcpdump TESTLIST style).

Usage: /usr/bin/python3 testcases/golden/run_golden.py --build DIR [--update] [-k SUBSTR]

  (a) gen:NAME    DIR/testprog/gen_golden regenerates every capture into a temp dir;
                  each must equal the committed pcaps/NAME.pcap byte for byte.
  (b) scapy:NAME  pcaps/scapy_golden.py builds the same captures independently with
                  scapy; every packet must equal the C generator's packet byte for byte
                  (pcap file/record headers such as snaplen are ignored; the packet count
                  must match).
  (c) NAME        one test per pcaps/TESTLIST line "name pcap expected options...":
                  DIR/dmm-decode -r pcaps/PCAP OPTIONS must print exactly
                  pcaps/expected/EXPECTED (stdout; a crash by signal is a failure).
  (d) stdin:NAME  the same with the capture on standard input (-r -).
      pcapng:NAME the same with the capture converted to pcapng (one SHB, one IDB with
                  if_tsresol, one EPB per packet), read from a file and from stdin.
  --update        rewrite the committed pcaps and the expected files from the current
                  generator and decoder (review the diff by eye before committing).

The runner builds nothing except DIR/testprog/gen_golden when it is missing (make BUILD=DIR
DIR/testprog/gen_golden); `make golden` builds the tools first.
Prints one line per test and ends with exactly "N passed, N failed"; exit status 1 on failure.
"""
import argparse
import difflib
import os
import shlex
import shutil
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PCAPS = os.path.join(ROOT, "pcaps")
EXPECTED = os.path.join(PCAPS, "expected")
TESTLIST = os.path.join(PCAPS, "TESTLIST")
PYTHON = "/usr/bin/python3"


def read_pcap_records(path):
    """Header facts and records of a classic pcap file: (linktype, snaplen, nanosecond,
    [(ts_sec, ts_frac, orig_len, bytes)]), any byte order."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError("%s: short pcap header" % path)
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise ValueError("%s: not a pcap file" % path)
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    snaplen, linktype = struct.unpack(e + "II", data[16:24])
    records = []
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
        off += 16
        records.append((sec, frac, orig, data[off:off + incl]))
        off += incl
    return linktype, snaplen, nano, records


def pcapng_block(block_type, body):
    """One pcapng block (little endian): type, total length, body padded to 32 bits, length."""
    body += b"\0" * (-len(body) % 4)
    total = len(body) + 12
    return struct.pack("<II", block_type, total) + body + struct.pack("<I", total)


def pcap_to_pcapng(src, dst):
    """Write the packets of the classic pcap src as a pcapng file dst (pcapng spec, draft-ietf-
    opsawg-pcapng: SHB, IDB with if_tsresol 6 or 9, one Enhanced Packet Block each)."""
    linktype, snaplen, nano, records = read_pcap_records(src)
    shb = pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    tsresol = struct.pack("<HHB", 9, 1, 9 if nano else 6) + b"\0" * 3
    idb = pcapng_block(1, struct.pack("<HHI", linktype, 0, snaplen) + tsresol +
                       struct.pack("<HH", 0, 0))
    units = 10**9 if nano else 10**6
    blocks = [shb, idb]
    for sec, frac, orig, pkt in records:
        ts = sec * units + frac
        blocks.append(pcapng_block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF,
                                                  len(pkt), orig) + pkt))
    with open(dst, "wb") as f:
        f.write(b"".join(blocks))
    return len(records)


def read_pcap(path):
    """Packets of a classic pcap file as (ts_sec, ts_usec, bytes), any byte order."""
    linktype, _snaplen, _nano, records = read_pcap_records(path)
    return linktype, [(sec, frac, pkt) for sec, frac, _orig, pkt in records]


class Runner:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def result(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print("%-48s passed" % name)
        else:
            self.failed += 1
            print("%-48s FAILED%s" % (name, (": " + detail) if detail else ""))
        sys.stdout.flush()


def ensure_gen(build):
    gen = os.path.join(build, "testprog", "gen_golden")
    if not os.path.exists(gen):
        subprocess.run(["make", "--no-print-directory", "BUILD=" + build, gen], cwd=ROOT,
                       check=False)
    return gen


def check_generated(r, build, tmp, update):
    gen = ensure_gen(build)
    out = os.path.join(tmp, "gen")
    os.makedirs(out)
    p = subprocess.run([gen, out], cwd=ROOT, capture_output=True, text=True)
    if p.returncode != 0:
        r.result("gen:gen_golden", False, "exit %d: %s" % (p.returncode, p.stderr.strip()))
        return out
    made = sorted(f for f in os.listdir(out) if f.endswith(".pcap"))
    committed = sorted(f for f in os.listdir(PCAPS) if f.endswith(".pcap"))
    for f in sorted(set(made) | set(committed)):
        name = "gen:" + f[:-5]
        if f not in made:
            r.result(name, False, "committed capture no longer generated")
            continue
        if update:
            shutil.copyfile(os.path.join(out, f), os.path.join(PCAPS, f))
        if f not in committed and not update:
            r.result(name, False, "generated but not committed (run --update)")
            continue
        with open(os.path.join(out, f), "rb") as a, open(os.path.join(PCAPS, f), "rb") as b:
            same = a.read() == b.read()
        r.result(name, same, "" if same else "differs from pcaps/%s" % f)
    return out


def check_scapy(r, gen_dir, tmp):
    out = os.path.join(tmp, "scapy")
    p = subprocess.run([PYTHON, os.path.join(PCAPS, "scapy_golden.py"), out], cwd=ROOT,
                       capture_output=True, text=True)
    if p.returncode != 0:
        r.result("scapy:scapy_golden.py", False,
                 "exit %d: %s" % (p.returncode, p.stderr.strip().splitlines()[-1:]))
        return
    made = sorted(f for f in os.listdir(gen_dir) if f.endswith(".pcap"))
    for f in sorted(set(made) | set(os.listdir(out))):
        name = "scapy:" + f[:-5]
        if f not in made or not os.path.exists(os.path.join(out, f)):
            r.result(name, False, "made by only one of gen_golden and scapy_golden.py")
            continue
        lt_c, c = read_pcap(os.path.join(gen_dir, f))
        lt_s, s = read_pcap(os.path.join(out, f))
        problems = []
        if lt_c != lt_s:
            problems.append("linktype %d vs %d" % (lt_c, lt_s))
        if len(c) != len(s):
            problems.append("%d vs %d packets" % (len(c), len(s)))
        for i, (pc, ps) in enumerate(zip(c, s)):
            if pc[2] != ps[2]:
                k = next((j for j in range(min(len(pc[2]), len(ps[2])))
                          if pc[2][j] != ps[2][j]), min(len(pc[2]), len(ps[2])))
                problems.append("packet %d differs at octet %d (C %s / scapy %s)" % (
                    i + 1, k, pc[2][k:k + 8].hex(), ps[2][k:k + 8].hex()))
        r.result(name, not problems, "; ".join(problems))


def parse_testlist():
    tests = []
    with open(TESTLIST) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = shlex.split(line)
            if len(parts) < 3:
                raise SystemExit("TESTLIST:%d: need name pcap expected [options]" % n)
            tests.append((parts[0], parts[1], parts[2], parts[3:]))
    return tests


def run_decoder(build, pcap, opts):
    env = dict(os.environ, LC_ALL="C", TZ="UTC")
    cmd = [os.path.join(build, "dmm-decode"), "-r", os.path.join("pcaps", pcap)] + opts
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, env=env)
    return p


def check_input_forms(r, build, tmp, only):
    """Every TESTLIST test again with the capture on stdin, and as pcapng (file and stdin)."""
    env = dict(os.environ, LC_ALL="C", TZ="UTC")
    decode = os.path.join(build, "dmm-decode")
    ng_dir = os.path.join(tmp, "pcapng")
    os.makedirs(ng_dir, exist_ok=True)
    converted = {}
    for name, pcap, expected, opts in parse_testlist():
        if only and only not in name:
            continue
        path = os.path.join(EXPECTED, expected)
        if not os.path.exists(path):
            continue  # reported by check_testlist
        with open(path, "rb") as f:
            want = f.read()
        src = os.path.join(PCAPS, pcap)
        if pcap not in converted:
            converted[pcap] = os.path.join(ng_dir, pcap + "ng")
            pcap_to_pcapng(src, converted[pcap])
        ng = converted[pcap]
        for form, arg, stdin_path in (("stdin", "-", src), ("pcapng", ng, None),
                                      ("pcapng-stdin", "-", ng)):
            with open(stdin_path or os.devnull, "rb") as stdin:
                p = subprocess.run([decode, "-r", arg] + opts, cwd=ROOT, stdin=stdin,
                                   capture_output=True, env=env)
            if p.returncode < 0 or p.returncode == 1:
                r.result("%s:%s" % (form, name), False, "exit %d: %s" % (
                    p.returncode, p.stderr.decode(errors="replace").strip()))
                continue
            same = p.stdout == want
            r.result("%s:%s" % (form, name), same,
                     "" if same else "output differs from pcaps/expected/%s" % expected)


def check_testlist(r, build, update, only):
    names = set()
    for name, pcap, expected, opts in parse_testlist():
        if only and only not in name:
            continue
        if name in names:
            r.result(name, False, "duplicate test name in TESTLIST")
            continue
        names.add(name)
        p = run_decoder(build, pcap, opts)
        if p.returncode < 0:
            r.result(name, False, "dmm-decode killed by signal %d" % -p.returncode)
            continue
        if p.returncode == 1:
            r.result(name, False, "dmm-decode usage/input error: %s" % p.stderr.decode().strip())
            continue
        path = os.path.join(EXPECTED, expected)
        if update:
            os.makedirs(EXPECTED, exist_ok=True)
            with open(path, "wb") as f:
                f.write(p.stdout)
        if not os.path.exists(path):
            r.result(name, False, "missing pcaps/expected/%s (run --update)" % expected)
            continue
        with open(path, "rb") as f:
            want = f.read()
        if want == p.stdout:
            r.result(name, True)
            continue
        diff = difflib.unified_diff(want.decode(errors="replace").splitlines(),
                                    p.stdout.decode(errors="replace").splitlines(),
                                    "expected/" + expected, "dmm-decode", lineterm="", n=1)
        r.result(name, False, "output differs")
        for i, line in enumerate(diff):
            if i == 40:
                print("    ...")
                break
            print("    " + line)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build", help="build directory (default: build)")
    ap.add_argument("--update", action="store_true",
                    help="rewrite pcaps/*.pcap and pcaps/expected/* from the current build")
    ap.add_argument("-k", dest="only", default="", help="run only TESTLIST tests whose name "
                    "contains this string")
    a = ap.parse_args()
    build = os.path.abspath(os.path.join(ROOT, a.build)) if not os.path.isabs(a.build) else a.build
    r = Runner()
    if not os.path.exists(os.path.join(build, "dmm-decode")):
        r.result("dmm-decode", False, "%s/dmm-decode not built (make BUILD=%s all)" % (build, a.build))
    with tempfile.TemporaryDirectory(prefix="golden.") as tmp:
        if not a.only:
            gen_dir = check_generated(r, build, tmp, a.update)
            check_scapy(r, gen_dir, tmp)
        if os.path.exists(os.path.join(build, "dmm-decode")):
            check_testlist(r, build, a.update, a.only)
            if not a.update:
                check_input_forms(r, build, tmp, a.only)
    print("%d passed, %d failed" % (r.passed, r.failed))
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
