"""Live path: in the two-host topology (topo/two_hosts.py), dmm-send in h1 injects every
message of the well-formed golden captures, rebuilt from `dmm-decode -T json` of the capture
(`dmm-send --json - -i h1-eth0`), while `dmm-decode -T json -i h2-eth0` captures in h2; each
packet decoded live must equal the golden JSON output (pcaps/expected/), frame numbers and
timestamps aside."""

import glob
import json
import os
import subprocess

import pytest

from poll import json_cmp, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PCAPS = os.path.join(ROOT, "pcaps")
# Fields of the "frame" layer that depend on when and in which order a packet was read.
CAPTURE_FIELDS = ("frame.number", "frame.time_epoch")
SEND_TIMEOUT = 30
CAPTURE_TIMEOUT = 15
# topology start-up (first test) plus one capture's send and decode
pytestmark = pytest.mark.time_limit(90)


def golden_json_outputs():
    """[(capture name, expected JSON file)] for every well-formed capture of pcaps/
    (malformed.pcap holds deliberately broken packets): the `-T json` golden output that
    pcaps/TESTLIST names for it, or None when it names none."""
    expected = {}
    with open(os.path.join(PCAPS, "TESTLIST")) as f:
        for line in f:
            parts = line.split(None, 3)
            if len(parts) == 4 and not parts[0].startswith("#") and \
                    parts[3].split() == ["-T", "json"]:
                expected[parts[1]] = os.path.join(PCAPS, "expected", parts[2])
    names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(PCAPS, "*.pcap")))
    return [(n[:-len(".pcap")], expected.get(n)) for n in names if n != "malformed.pcap"]


GOLDEN = golden_json_outputs()


def packet_layers(obj):
    """A decoded packet without its capture-dependent frame fields."""
    obj = dict(obj)
    obj["frame"] = {k: v for k, v in obj.get("frame", {}).items() if k not in CAPTURE_FIELDS}
    return obj


@pytest.fixture(scope="module")
def net():
    if os.geteuid() != 0:
        pytest.skip("Mininet needs root")
    two_hosts = pytest.importorskip("two_hosts")
    network = two_hosts.start()
    yield network
    network.stop()


@pytest.fixture(scope="module")
def dmm_send_json(tool):
    """dmm-send, once it has --json (the rebuild from dmm-decode -T json)."""
    path = tool("dmm-send")
    text = subprocess.run([path, "-h"], capture_output=True, text=True).stdout
    if "--json" not in text:
        pytest.skip("this dmm-send has no --json option (rebuild from dmm-decode -T json)")
    return path


def capture_ready(host, interface):
    """dmm-decode's packet socket is bound to the interface (ss -0 lists it)."""
    for line in host.cmd("ss -0 -p").splitlines():
        if '"dmm-decode"' in line and interface in line:
            return True
    return False


def test_golden_set_is_complete():
    assert len(GOLDEN) >= 19
    missing = [name for name, expected in GOLDEN if not expected or not os.path.exists(expected)]
    assert not missing, "captures without a -T json golden output in pcaps/TESTLIST"


@pytest.mark.parametrize("name,expected", GOLDEN, ids=[n for n, _ in GOLDEN])
def test_live_send(net, tool, dmm_send_json, capture, results_dir, name, expected):
    h1, h2 = net.get("h1", "h2")
    with open(expected, "rb") as f:
        golden = [json.loads(line) for line in f.read().splitlines()]
    # the packets to send: this build's decode of the capture, as dmm-send --json reads it
    decoded = subprocess.run([tool("dmm-decode"), "-T", "json", "-r",
                              os.path.join(PCAPS, name + ".pcap")], capture_output=True)
    assert decoded.returncode == 0, decoded.stderr.decode()

    capture(h1)
    capture(h2)
    live_path = os.path.join(results_dir, "h2.json")
    with open(live_path, "wb") as live_out, \
            open(os.path.join(results_dir, "h2.dmm-decode.log"), "wb") as live_err:
        rx = h2.popen([tool("dmm-decode"), "-T", "json", "-l", "-i", "h2-eth0",
                       "-c", str(len(golden))], stdout=live_out, stderr=live_err)
        try:
            assert wait_for(lambda: rx.poll() is not None or capture_ready(h2, "h2-eth0"), 10)
            assert rx.poll() is None, "dmm-decode -i exited with %s" % rx.returncode
            tx = h1.popen([dmm_send_json, "--json", "-", "-i", "h1-eth0"],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            out, err = tx.communicate(decoded.stdout, timeout=SEND_TIMEOUT)
            assert tx.returncode == 0, "dmm-send --json: %s" % (err or out).decode()
            rx.wait(timeout=CAPTURE_TIMEOUT)
        except subprocess.TimeoutExpired:
            pass
        finally:
            if rx.poll() is None:
                rx.kill()
                rx.wait()
    with open(live_path) as f:
        live = [json.loads(line) for line in f if line.strip()]
    assert len(live) == len(golden), "captured %d of %d packets" % (len(live), len(golden))
    assert rx.returncode == 0
    for number, (got, want) in enumerate(zip(live, golden), 1):
        diff = json_cmp(packet_layers(got), packet_layers(want), exact=True)
        assert diff is None, "packet %d of %s differs from the golden JSON:\n%s" % (
            number, name, diff)
