#!/usr/bin/python3
"""JSON round trip of the golden captures: decode, JSON, rebuild, same octets.

Usage: /usr/bin/python3 testcases/roundtrip/run_roundtrip.py --build DIR
           [--tool auto|prog|send|all] [-k SUBSTR]

For every golden capture pcaps/NAME.pcap, once per set of decoder options its pcaps/TESTLIST
lines use (keys, --tba/--profile numbers; output options dropped), at least once plain:
  1. DIR/dmm-decode -T json [OPTIONS] -r pcaps/NAME.pcap  (one JSON object per packet)
  2. the packets not listed in SKIP are fed to the rebuild tool on stdin, with the
     --tba/--profile options of the case:
       prog: DIR/testprog/json_rebuild -w OUT             (lib/json_build.c directly)
       send: DIR/dmm-send --json - -w OUT                  (the same library through dmm-send)
  3. OUT must have the capture's link type and, packet by packet, the same octets.
--tool auto (default) uses dmm-send when DIR/dmm-send exists and its --help offers --json,
otherwise the helper program; --tool all runs every available tool.
A mismatch prints a hex diff of the differing packet; the run ends with "N passed, N failed"
(one test per capture, option set and tool) and exit status 1 on any failure.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PCAPS = os.path.join(ROOT, "pcaps")
sys.path.insert(0, os.path.join(ROOT, "testcases", "golden"))
from run_golden import parse_testlist, read_pcap  # noqa: E402  (shared with the golden runner)

# Deliberately malformed packets whose JSON does not hold every octet of the frame,
# so no rebuild can give the same bytes. Every other packet of every capture,
# malformed.pcap's other nine included, must round-trip. Each entry must still be
# reported as malformed (non-empty dmm.error), so this list cannot hide a good packet.
SKIP = {
    ("malformed", 2): "truncated Mobility Header: dissection stops at the cut-off option "
                      "after the PadN, whose 4 octets are not in the JSON",
    ("malformed", 7): "Prefix Advertisement with an empty realm dictionary slot: its body "
                      "is shown as raw mip.extension without the long format's Sub-Type octet",
    ("malformed", 10): "MH Header Len shorter than the Binding Update minimum: the IPv6 "
                       "payload beyond the declared MH length is not in the JSON",
}

HEX_CONTEXT = 32  # octets shown around the first difference
NUMBERS_OPTIONS = ("--tba", "--profile")  # the rebuild needs the decoder's numbers too
KEY_OPTIONS = ("--mnha-key", "--krm", "--mh-auth-key")  # change verification fields only
OUTPUT_OPTIONS = {"-V": 0, "-T": 1, "-e": 1, "-E": 1}  # option -> arguments it takes


def cases():
    """(capture name, decoder options) for every capture: plain, and each option set of its
    TESTLIST lines (a line with an option not known here is left out, with a note)."""
    found = {(f[:-5], ()) for f in os.listdir(PCAPS) if f.endswith(".pcap")}
    for name, pcap, _expected, opts in parse_testlist():
        keep, i = [], 0
        while i < len(opts):
            if opts[i] in OUTPUT_OPTIONS:
                i += 1 + OUTPUT_OPTIONS[opts[i]]
            elif opts[i] in NUMBERS_OPTIONS + KEY_OPTIONS and i + 1 < len(opts):
                keep += opts[i:i + 2]
                i += 2
            else:
                print("note: TESTLIST %s: option %s unknown here, only the plain case runs"
                      % (name, opts[i]))
                break
        else:
            found.add((pcap[:-5], tuple(keep)))
    return sorted(found)


def numbers_options(opts):
    out = []
    for i in range(0, len(opts), 2):
        if opts[i] in NUMBERS_OPTIONS:
            out += opts[i:i + 2]
    return out


def hex_lines(data, start, end, other):
    """16-octet hex lines of data[start:end]; octets differing from other are marked with *."""
    out = []
    for off in range(start - start % 16, end, 16):
        cells = []
        for i in range(off, min(off + 16, len(data))):
            mark = "*" if i >= len(other) or other[i] != data[i] else " "
            cells.append("%02x%s" % (data[i], mark))
        out.append("    %04x  %s" % (off, "".join(cells)))
    return out


def hex_diff(want, got):
    first = next((i for i in range(min(len(want), len(got))) if want[i] != got[i]),
                 min(len(want), len(got)))
    start = max(0, first - HEX_CONTEXT // 2)
    end = first + HEX_CONTEXT
    lines = ["  length %d (original) vs %d (rebuilt), first difference at offset %d"
             % (len(want), len(got), first), "  original:"]
    lines += hex_lines(want, start, min(end, len(want)), got)
    lines.append("  rebuilt:")
    lines += hex_lines(got, start, min(end, len(got)), want)
    return "\n".join(lines)


def send_supports_json(build):
    exe = os.path.join(build, "dmm-send")
    if not os.access(exe, os.X_OK):
        return False
    try:
        r = subprocess.run([exe, "--help"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return b"--json" in r.stdout + r.stderr


def tool_command(build, tool, out, opts):
    if tool == "send":
        return [os.path.join(build, "dmm-send"), "--json", "-", "-w", out, "-q"] + opts
    return [os.path.join(build, "testprog", "json_rebuild"), "-w", out] + opts


def decode(build, pcap, opts):
    r = subprocess.run([os.path.join(build, "dmm-decode"), "-T", "json", "-r", pcap] + list(opts),
                       capture_output=True, timeout=120)
    if r.returncode not in (0, 2):  # 2: --strict style "malformed packets seen"
        raise RuntimeError("dmm-decode exit %d: %s" % (r.returncode, r.stderr.decode()))
    return [line for line in r.stdout.decode().splitlines() if line.strip()]


def check_capture(build, tool, name, opts, tmp):
    """Returns (ok, message)."""
    pcap = os.path.join(PCAPS, name + ".pcap")
    linktype, packets = read_pcap(pcap)
    lines = decode(build, pcap, opts)
    if len(lines) != len(packets):
        return False, "dmm-decode printed %d objects for %d packets" % (len(lines), len(packets))
    kept, skipped = [], []
    for number, line in enumerate(lines, 1):
        if (name, number) not in SKIP:
            kept.append(number)
            continue
        if not json.loads(line).get("dmm.error"):
            return False, "packet %d is listed in SKIP but decodes without error" % number
        skipped.append(number)
    out = os.path.join(tmp, "%s-%s.pcap" % (name, tool))
    stdin = "".join(lines[n - 1] + "\n" for n in kept)
    r = subprocess.run(tool_command(build, tool, out, numbers_options(opts)), input=stdin.encode(),
                       capture_output=True, timeout=120)
    if r.returncode != 0:
        return False, "rebuild failed (exit %d): %s" % (r.returncode, r.stderr.decode().strip())
    got_linktype, rebuilt = read_pcap(out)
    problems = []
    if got_linktype != linktype:
        problems.append("link type %d, original %d" % (got_linktype, linktype))
    if len(rebuilt) != len(kept):
        problems.append("%d packets rebuilt, %d expected" % (len(rebuilt), len(kept)))
    identical = 0
    for number, (_s, _u, got) in zip(kept, rebuilt):
        want = packets[number - 1][2]
        if got == want:
            identical += 1
        else:
            problems.append("packet %d differs\n%s" % (number, hex_diff(want, got)))
    counts = "%d packets: %d identical, %d skipped%s" % (
        len(packets), identical, len(skipped),
        " (%s)" % ",".join(map(str, skipped)) if skipped else "")
    if problems:
        return False, counts + "\n  " + "\n  ".join(problems)
    return True, counts


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--tool", choices=("auto", "prog", "send", "all"), default="auto")
    ap.add_argument("-k", dest="only", default="", help="only captures whose name contains this")
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    has_send = send_supports_json(build)
    if a.tool == "auto":
        tools = ["send" if has_send else "prog"]
    elif a.tool == "all":
        tools = ["prog"] + (["send"] if has_send else [])
    else:
        tools = [a.tool]
    if "prog" in tools and not os.access(os.path.join(build, "testprog", "json_rebuild"), os.X_OK):
        subprocess.run(["make", "--no-print-directory", "BUILD=" + a.build,
                        os.path.join(a.build, "testprog", "json_rebuild")], cwd=ROOT, check=True)
    todo = [(name, opts) for name, opts in cases() if a.only in name]
    for (name, number), why in sorted(SKIP.items()):
        print("skip %s packet %d: %s" % (name, number, why))
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="roundtrip-") as tmp:
        for tool in tools:
            for name, opts in todo:
                try:
                    ok, msg = check_capture(build, tool, name, opts, tmp)
                except (RuntimeError, ValueError, subprocess.TimeoutExpired) as e:
                    ok, msg = False, str(e)
                label = name + ("[%s]" % " ".join(opts) if opts else "")
                print("%s %s:%s: %s" % ("PASS" if ok else "FAIL", tool, label, msg))
                passed += ok
                failed += not ok
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
