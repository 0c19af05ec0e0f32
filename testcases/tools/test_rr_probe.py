"""rr-probe in Mininet (topo/rr_topo.py): HAARO return routability and MR->CR registration
(seed 003 §3.2, §3.2.3, §3.3.3; RFC 6521 §3.2, §5.3-5.9) between an initiator in the mobile
router and `rr-probe --respond` in the correspondent router.

Every wait is bounded and polls: the responder's JSON lines, /proc counters, process exits.
"""

import hashlib
import json
import os
import signal
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "topo"))

from poll import wait_for  # noqa: E402  (testcases/lib, put on the path by the root conftest)

try:
    import rr_topo  # noqa: E402
except ImportError:  # Mininet missing: every test skips
    rr_topo = None

START_TIMEOUT = 10.0
RUN_TIMEOUT = 30.0
KRM_A = "00112233445566778899aabbccddeeff00112233"
KRM_B = "ffeeddccbbaa99887766554433221100ffeeddcc"
OWNED = "10.1.1.0/24"
FOREIGN = "10.66.0.0/16"


@pytest.fixture(scope="module")
def net():
    if rr_topo is None:
        pytest.skip("Mininet is not installed")
    if os.geteuid() != 0:
        pytest.skip("Mininet needs root")
    network = rr_topo.start()
    yield network
    if all_alive(network):
        network.stop()
    else:  # the node shells are gone: stop() would wait on them forever
        for host in network.hosts:
            host.shell and host.shell.poll() is None and host.shell.kill()


def all_alive(network):
    return all(h.shell is not None and h.shell.poll() is None for h in network.hosts)


def check_alive(network):
    """Fail fast (instead of waiting on a dead shell) if the topology was torn down."""
    if not all_alive(network):
        pytest.fail("the Mininet nodes of rr_topo are gone (torn down from outside the test)")


@pytest.fixture
def rr_probe(tool):
    return tool("rr-probe")


class Responder:
    """`rr-probe --respond --json` in a node; its JSON lines are read from a log file."""

    def __init__(self, node, binary, args, log_path):
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.proc = node.popen([binary, "--respond", "--json"] + args, stdout=self._log,
                               stderr=subprocess.STDOUT)
        if not wait_for(lambda: self.proc.poll() is not None or self.events("listening"),
                        START_TIMEOUT) or self.proc.poll() is not None:
            self.stop()
            raise RuntimeError("responder did not start: %s" % self.text())

    def text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def events(self, name=None):
        found = []
        for line in self.text().splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if name is None or event.get("event") == name:
                found.append(event)
        return found

    def last(self, name, count=1):
        """The last `name` event once at least `count` of them were logged (bounded wait)."""
        found = wait_for(lambda: len(self.events(name)) >= count and self.events(name),
                         START_TIMEOUT)
        assert found, "no %d %r event(s) from the responder: %s" % (count, name, self.text())
        return found[-1]

    def stop(self):
        """SIGTERM, bounded wait; returns the final "exit" event (bindings) or None."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self._log.closed:
            self._log.close()
        exits = self.events("exit")
        return exits[-1] if exits else None


@pytest.fixture
def responder(net, rr_probe, results_dir):
    """responder(*args, hoa=CR_HOA, table=[lines]) -> running Responder in rrcr."""
    running = []

    def start(*args, hoa=None, table=None):
        check_alive(net)
        argv = ["--hoa", hoa or rr_topo.CR_HOA, "--coa", rr_topo.CR_COA]
        if table is not None:
            path = os.path.join(results_dir, "prefix-table-%d.txt" % len(running))
            with open(path, "w") as f:
                f.write("# HoA and the prefixes it owns\n" + "".join(l + "\n" for l in table))
            argv += ["--prefix-table", path]
        r = Responder(net.get("rrcr"), rr_probe, argv + list(args),
                      os.path.join(results_dir, "responder-%d.jsonl" % len(running)))
        running.append(r)
        return r

    yield start
    for r in running:
        r.stop()


def initiator_argv(rr_probe, *args, cr=None):
    return [rr_probe, "--json", "--cr", cr or rr_topo.CR_HOA,
            "--hoa", rr_topo.MR_HOA, "--home-iface", "rrmr-eth0",
            "--coa", rr_topo.MR_COA, "--coa-iface", "rrmr-eth1",
            "--timeout", "300", "--max-timeout", "1200"] + list(args)


def run_initiator(net, rr_probe, *args, cr=None):
    """Run the initiator in rrmr to completion (bounded); returns (exit status, JSON)."""
    check_alive(net)
    proc = net.get("rrmr").popen(initiator_argv(rr_probe, *args, cr=cr),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail("rr-probe did not finish in %.0f s: %s" % (RUN_TIMEOUT, err.decode()))
    try:
        return proc.returncode, json.loads(out.decode())
    except ValueError:
        pytest.fail("rr-probe printed no JSON (status %d): %r %r" % (proc.returncode, out, err))


def mip4_datagrams(pcap):
    """[(time, src, dst, sport, dport, payload)] of the UDP 434 datagrams of a capture."""
    from scapy.all import IP, UDP, rdpcap  # noqa: PLC0415 - slow import, only when needed
    found = []
    for pkt in rdpcap(pcap):
        if IP in pkt and UDP in pkt and 434 in (pkt[UDP].sport, pkt[UDP].dport):
            found.append((float(pkt.time), pkt[IP].src, pkt[IP].dst, pkt[UDP].sport,
                          pkt[UDP].dport, bytes(pkt[UDP].payload)))
    return found


def captured(cap, count, timeout=5.0):
    """Poll the running capture until it holds `count` UDP 434 datagrams (tcpdump hands its
    packets over in blocks), stop it, and return its datagrams."""
    def enough():
        try:
            return len(mip4_datagrams(cap.path)) >= count
        except Exception:  # noqa: BLE001 - the header or a record not written yet
            return False
    wait_for(enough, timeout)
    return mip4_datagrams(cap.stop())


def udp_noports(node):
    """The node's Udp NoPorts counter (datagrams that found no socket)."""
    proc = node.popen(["cat", "/proc/net/snmp"], stdout=subprocess.PIPE)
    out, _ = proc.communicate(timeout=5)
    lines = [l.split() for l in out.decode().splitlines() if l.startswith("Udp:")]
    return int(lines[1][lines[0].index("NoPorts")])


# ---- the tests ----

@pytest.mark.req("HAARO-3.2-02", "HAARO-3.2-03", "HAARO-5.6-01", "HAARO-5.7-01",
                 "HAARO-3.3.3-01", "HAARO-3.3.3-02", "HAARO-3.3.3-03", "HAARO-3.3.3-04",
                 "HAARO-3.3.3-05", "HAARO-3.3.3-06", "HAARO-3.3.3-08", "HAARO-3.3.3-17",
                 "HAARO-3.3.3-20", "HAARO-3.3.3-21")
def test_success(net, rr_probe, responder, capture):
    """RR over both paths (HoTI through the home agent, CoTI direct), then an accepted
    registration; the CR keeps no state until the registration is verified."""
    cr = responder(table=["%s %s" % (rr_topo.MR_HOA, OWNED)])
    cap_ha = capture(net.get("rrha"), interface="rrha-eth0", bpf="udp port 434")
    cap_cr = capture(net.get("rrcr"), interface="any", bpf="udp port 434")

    status, rr_only = run_initiator(net, rr_probe)
    assert status == 0, rr_only
    assert rr_only["result"] == "accepted"
    assert cr.last("hot")["bindings"] == 0 and cr.last("cot")["bindings"] == 0

    status, out = run_initiator(net, rr_probe, "--register", "--prefix", OWNED,
                                "--ha", rr_topo.HA_HOME)
    assert status == 0, out
    hot, cot, reg = out["hot"], out["cot"], out["registration"]
    assert hot["received"] and cot["received"] and hot["sent"] == 1 and cot["sent"] == 1
    assert hot["rtt_ms"] > 0 and cot["rtt_ms"] > 0
    # the tokens are the CR's, and KRm = SHA1(home token | care-of token)
    assert cr.last("hot", 2)["token"] == hot["token"]
    assert cr.last("cot", 2)["token"] == cot["token"]
    tokens = bytes.fromhex(hot["token"][2:]) + bytes.fromhex(cot["token"][2:])
    assert out["krm"] == hashlib.sha1(tokens).hexdigest()
    assert reg["code"] == 0 and reg["auth"] == "good" and reg["lifetime"] == 600
    assert reg["mobile_network_acks"] == [{"prefix": OWNED, "code": 0, "code_name": "Success"}]
    assert reg["coas"] == [rr_topo.CR_COA]
    event = cr.last("registration")
    assert (event["hoa"], event["from"], event["hni"], event["cni"]) == (
        rr_topo.MR_HOA, rr_topo.MR_COA, hot["nonce_index"], cot["nonce_index"])
    assert event["bindings"] == 1
    final = cr.stop()
    assert [(b["hoa"], b["coa"]) for b in final["bindings"]] == [(rr_topo.MR_HOA, rr_topo.MR_COA)]

    # the paths: HoTI/HoT through the home agent, CoTI/CoT and the registration direct
    # RR-only run and registration run: two HoTIs and two HoTs through the home agent
    via_ha = [(d[1], d[2], d[5][0]) for d in captured(cap_ha, 4)]
    ports = {(d[5][0], d[3] == 434, d[4] == 434) for d in mip4_datagrams(cap_ha.path)}
    assert ports == {(24, False, True), (26, True, False)}  # random port -> 434 and back
    assert (rr_topo.MR_HOA, rr_topo.CR_HOA, 24) in via_ha
    assert (rr_topo.CR_HOA, rr_topo.MR_HOA, 26) in via_ha
    assert not [d for d in via_ha if d[2] in (1, 3, 25, 27)]
    # both runs: HoTI, CoTI and their answers, then the request and its reply
    at_cr = captured(cap_cr, 10)
    coti = [d for d in at_cr if d[5][0] == 25]
    request = [d for d in at_cr if d[5][0] == 1]
    assert coti and all((d[1], d[2], d[4]) == (rr_topo.MR_COA, rr_topo.CR_HOA, 434) for d in coti)
    assert len(request) == 1
    _, src, dst, _, dport, payload = request[0]
    assert (src, dst, dport) == (rr_topo.MR_COA, rr_topo.CR_HOA, 434)
    assert payload[12:16] == bytes([10, 0, 2, 2])  # Care-of Address field = the source
    # Mobile Network Request (148/0) for the prefix, then MC-Auth (49/2) last
    assert payload[24:32] == bytes([148, 6, 0, 24, 10, 1, 1, 0])
    assert payload[32:35] == bytes([49, 22, 2]) and len(payload) == 56


@pytest.mark.req("HAARO-3.2.3-01", "HAARO-3.2.2-01")
def test_expired_nonces(net, rr_probe, responder):
    """Nonces rotated every 0.5 s, two accepted: a registration with an older home, care-of
    or both nonce indices gets 201, 202 or 203, and a fresh one is accepted."""
    cr = responder("--nonce-lifetime", "0.5", "--nonces-kept", "2",
                   table=["%s %s" % (rr_topo.MR_HOA, OWNED)])
    status, out = run_initiator(net, rr_probe, "--register")
    assert status == 0 and out["registration"]["code"] == 0, out

    cases = [
        (["--coti-delay", "1500"], 201, "Expired Home Nonce Index"),
        (["--hoti-delay", "1500"], 202, "Expired Care-of Nonce Index"),
        (["--register-delay", "1500"], 203, "Expired Nonces"),
    ]
    for args, code, name in cases:
        status, out = run_initiator(net, rr_probe, "--register", *args)
        reg = out["registration"]
        assert status == 1 and out["result"] == "rejected", out
        assert (reg["code"], reg["code_name"]) == (code, name), out
        assert reg["auth"] == "absent" and reg["lifetime"] == 0
        event = cr.last("registration")
        assert event["code"] == code and event["why"] == "expired nonce index"
        if code != 203:  # the nonces rotated: one index is 3 periods behind the other
            assert abs(out["hot"]["nonce_index"] - out["cot"]["nonce_index"]) >= 3, out
    assert cr.stop()["bindings"][0]["hoa"] == rr_topo.MR_HOA  # only the first one


@pytest.mark.req("HAARO-3.3.3-01", "HAARO-3.3.3-04")
def test_wrong_key(net, rr_probe, responder):
    """A pre-shared KRm that differs from the CR's, and an authenticator over the wrong
    protected data after a real RR, both fail MC-Auth (131) with no binding."""
    cr = responder("--psk", "%s:%s" % (rr_topo.MR_HOA, KRM_A),
                   table=["%s %s" % (rr_topo.MR_HOA, OWNED)])
    status, out = run_initiator(net, rr_probe, "--register", "--krm", KRM_B)
    assert status == 1 and out["registration"]["code"] == 131, out
    assert out["registration"]["auth"] == "absent"
    assert cr.last("registration")["why"] == "MC-Auth authenticator mismatch"

    # return routability done, but MC-Auth computed over Type, Length, HNI, CNI only
    status, out = run_initiator(net, rr_probe, "--register", "--tba", "mcauth-hdr=6")
    assert status == 1 and out["hot"]["received"] and out["registration"]["code"] == 131, out
    assert cr.last("registration")["bindings"] == 0

    status, out = run_initiator(net, rr_probe, "--register", "--krm", KRM_A,
                                "--prefix", OWNED)
    assert status == 0, out
    assert out["registration"]["code"] == 0 and out["registration"]["auth"] == "good"
    assert "hot" not in out  # no return routability with a pre-shared key
    assert len(cr.stop()["bindings"]) == 1


@pytest.mark.req("HAARO-3.3.3-12", "HAARO-3.3.3-14", "HAARO-3.3.3-15", "HAARO-3.3.3-08",
                 "HAARO-11.2-01")
def test_unauthorized_prefix(net, rr_probe, responder):
    """A claimed prefix the HoA does not own is acked MOBNET_UNAUTHORIZED and not bound;
    with --reject-unauthorized the whole registration is refused (147)."""
    table = ["%s %s" % (rr_topo.MR_HOA, OWNED)]
    cr = responder(table=table)
    status, out = run_initiator(net, rr_probe, "--register", "--prefix", OWNED,
                                "--prefix", FOREIGN)
    reg = out["registration"]
    assert status == 1 and out["result"] == "rejected", out
    assert reg["code"] == 0 and reg["auth"] == "good"
    assert [(a["prefix"], a["code"], a["code_name"]) for a in reg["mobile_network_acks"]] == [
        (OWNED, 0, "Success"), (FOREIGN, 2, "MOBNET_UNAUTHORIZED")]
    final = cr.stop()
    assert [n["prefix"] for n in final["bindings"][0]["networks"]] == [OWNED]

    cr = responder("--reject-unauthorized", table=table)
    status, out = run_initiator(net, rr_probe, "--register", "--prefix", FOREIGN)
    reg = out["registration"]
    assert status == 1 and reg["code"] == 147, out
    assert [a["code"] for a in reg["mobile_network_acks"]] == [2]
    assert cr.stop()["bindings"] == []


@pytest.mark.req("HAARO-3.3.3-27")
def test_concurrent_registration(net, rr_probe, responder):
    """With its own registration to the MR pending, a CR whose HoA is numerically smaller
    answers code 2 (a success for the MR); a CR with a larger HoA answers 0."""
    assert rr_topo.CR_LOW_HOA < rr_topo.MR_HOA < rr_topo.CR_HOA  # as 32-bit integers too
    cr = responder("--pending", rr_topo.MR_HOA, hoa=rr_topo.CR_LOW_HOA,
                   table=["%s %s" % (rr_topo.MR_HOA, OWNED)])
    status, out = run_initiator(net, rr_probe, "--register", "--prefix", OWNED,
                                cr=rr_topo.CR_LOW_HOA)
    reg = out["registration"]
    assert status == 0 and out["result"] == "accepted", out
    assert (reg["code"], reg["code_name"]) == (2, "Concurrent registration")
    assert reg["auth"] == "good" and reg["coas"] == [rr_topo.CR_COA]
    final = cr.stop()
    assert final["bindings"][0]["concurrent"] is True

    cr = responder("--pending", rr_topo.MR_HOA, table=["%s %s" % (rr_topo.MR_HOA, OWNED)])
    status, out = run_initiator(net, rr_probe, "--register", "--prefix", OWNED)
    assert status == 0 and out["registration"]["code"] == 0, out
    assert cr.stop()["bindings"][0]["concurrent"] is False


@pytest.mark.req("HAARO-5.6-01", "HAARO-3.2-03")
def test_retransmission_while_responder_down(net, rr_probe, responder, capture):
    """HoTI/CoTI are retransmitted with a doubling timeout while nothing listens; once the
    responder starts, the next retransmission is answered."""
    node_cr = net.get("rrcr")
    cap = capture(node_cr, interface="any", bpf="udp dst port 434")
    before = udp_noports(node_cr)
    proc = net.get("rrmr").popen(
        initiator_argv(rr_probe, "--timeout", "200", "--max-timeout", "800", "--retries", "8"),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # two HoTIs and two CoTIs reached the CR with no socket to take them
        assert wait_for(lambda: udp_noports(node_cr) - before >= 4, 10.0), "no retransmission"
        responder()
        out, err = proc.communicate(timeout=RUN_TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    result = json.loads(out.decode())
    assert proc.returncode == 0 and result["result"] == "accepted", (result, err)
    hot = result["hot"]
    assert 3 <= hot["sent"] <= 9 and result["cot"]["sent"] >= 3

    sent = hot["sent"] + result["cot"]["sent"]
    hotis = [d for d in captured(cap, sent) if d[5][0] == 24]
    assert len(hotis) == hot["sent"]
    assert len({d[5][2:10] for d in hotis}) == 1  # the same Home Init Cookie
    assert {(d[1], d[2], d[4]) for d in hotis} == {(rr_topo.MR_HOA, rr_topo.CR_HOA, 434)}
    gaps = [b[0] - a[0] for a, b in zip(hotis, hotis[1:])]
    for i, gap in enumerate(gaps):
        expected = min(0.2 * 2 ** i, 0.8)
        assert expected * 0.9 <= gap <= expected + 0.5, gaps
