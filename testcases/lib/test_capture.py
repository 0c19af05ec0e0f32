"""Test of the capture helper (testcases/lib/capture.py) and the `capture` fixture: a golden
capture replayed over a veth pair between two namespaces made here is found, octet for octet,
in the pcap written for the receiving namespace."""

import os

import pytest

from netns import remove_namespaces, sh, veth_between

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GOLDEN = os.path.join(ROOT, "pcaps", "pbu_multipath.pcap")
NS_TX, NS_RX = "dmmcap-tx", "dmmcap-rx"


@pytest.fixture
def veth():
    if os.geteuid() != 0:
        pytest.skip("network namespaces need root")
    veth_between(NS_TX, "dmmcap0", NS_RX, "dmmcap1")
    yield
    remove_namespaces(NS_TX, NS_RX)


def frames(path):
    from scapy.utils import RawPcapReader
    return [bytes(frame) for frame, _meta in RawPcapReader(path)]


def test_capture_in_a_namespace(veth, capture, results_dir):
    cap = capture(NS_RX, interface="dmmcap1")
    assert cap.proc.poll() is None, cap.log()
    sh("ip", "netns", "exec", NS_TX, "tcpreplay", "-q", "--topspeed", "-i", "dmmcap0", GOLDEN)
    path = cap.stop()
    assert path == os.path.join(results_dir, NS_RX + ".pcap")
    assert cap.proc.returncode == 0, cap.log()
    assert frames(path) == frames(GOLDEN)
    assert "5 packets captured" in cap.log()


def test_capture_stop_is_idempotent_and_bad_interface_fails(veth, capture):
    cap = capture(NS_RX, interface="dmmcap1", name="second")
    cap.stop()
    cap.stop()
    assert os.path.basename(cap.path) == "second.pcap"
    with pytest.raises(RuntimeError, match="did not start"):
        capture(NS_RX, interface="no-such-if")
