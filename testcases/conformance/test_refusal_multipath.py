"""Multipath requests the LMA refuses with CANNOT_SUPPORT_MULTIPATH_BINDING (RFC 8278 §4.3,
§4.4): a mobile node not authorized for multipath, the B/O flag rules of the MAG Multipath
Binding option (§4.1); the MAG's reaction to status 180, the receiver's handling of reserved
fields. Crafted PBUs come from the test peer (dmm-send pbu ... --expect), and every refusal
leaves the binding cache unchanged."""

import pytest

from benchlib import PLAN, binding_keys

LMA_CONFIG = {"mns": {"mn2@example.com": ["multipath off"]}}
MAG_CONFIG = {}
LTE, WLAN = PLAN["wan"]["lte"], PLAN["wan"]["wlan"]
PEER_MN = "peer-mn1@example.com"


def mmb_arg(bid=1, label=9, att=4, flags=""):
    return "if-att=%d,if-label=%d,bid=%d%s" % (att, label, bid, flags)


def pbu_args(mn_id=PEER_MN, mmb=None, mag_id="peer@example.com", extra=()):
    args = ["--mn-id", mn_id]
    if mmb:
        args += ["--mmb", mmb]
    if mag_id:
        args += ["--mag-id", mag_id]
    return args + list(extra)


@pytest.fixture(scope="module")
def peer_binding(bench):
    """A multipath binding of PEER_MN made by the test peer (BID 1), for the refusals below."""
    pba, rc, err = bench.probe_pbu(*pbu_args(mmb=mmb_arg()), "--expect-status", "0")
    assert rc == 0 and pba is not None, (rc, err, pba)
    return pba


def refused(bench, *args, status=180):
    """Send a crafted PBU; assert the status and the unchanged binding cache; the PBA."""
    before = binding_keys(bench.bindings())
    pba, rc, err = bench.probe_pbu(*args, "--expect-status", str(status))
    assert pba is not None, "no PBA: %s" % err
    assert pba.status == status and rc == 0, pba
    assert binding_keys(bench.bindings()) == before, "binding cache changed"
    return pba


@pytest.mark.req("MPB-4.4-06", "MPB-4.3-01", "MPB-4.4-07")
def test_mn_not_authorized_for_multipath(bench):
    with bench.mag.subscribe() as events:
        mn_id = bench.attach(bench.mn2)
        disabled = events.wait_for("multipath-disabled", 10.0)
    msgs = bench.signaling(bench.mag)
    refusals = [m for m in msgs if m.kind == "pba" and m.status == 180]
    assert refusals, msgs
    pba = refusals[0]
    pbu = [m for m in msgs if m.kind == "pbu" and m.seq == pba.seq][0]
    assert pba.mmb is not None and pba.mmb["bid"] == pbu.mmb["bid"], (pba, pbu)
    assert pba.mmb["if_label"] == pbu.mmb["if_label"] and not pba.has("mag_id"), pba
    assert disabled is not None and disabled.get("mn_id") in (None, mn_id), events.seen
    # the MAG gave up multipath for mn2: never the second path, and no MMB after the refusal
    later = [m for m in msgs if m.kind == "pbu" and m.time > pba.time]
    assert all(m.mmb is None for m in later), later
    assert not [m for m in msgs if m.kind == "pbu" and m.src == WLAN["pcoa"]], msgs


@pytest.mark.req("MPB-4.4-07")
def test_mag_registers_without_multipath_after_180(bench):
    mn_id = PLAN["mns"]["mn2"]["id"]
    bindings = bench.wait_bindings(mn_id, 1)
    assert [b["pcoa"] for b in bindings if b["state"] == "active"] == [LTE["pcoa"]], bindings


@pytest.mark.req("MPB-4.1-01", "MPB-4.1-02", "MPB-4.3-01")
def test_b_and_o_together_refused(bench, peer_binding):
    pba = refused(bench, *pbu_args(mmb=mmb_arg(bid=2, label=11, att=8, flags=",b,o")))
    assert pba.mmb is not None and pba.mmb["bid"] == 2 and not pba.has("mag_id"), pba


@pytest.mark.req("MPB-4.1-03", "MPB-4.3-01")
def test_o_in_deregistration_refused(bench, peer_binding):
    pba = refused(bench, *pbu_args(mmb=mmb_arg(flags=",o"), extra=["--lifetime", "0"]))
    assert pba.mmb is not None and pba.mmb["o_flag"] == 1, pba
    active = [b for b in bench.bindings(mn_id=PEER_MN) if b["state"] == "active"]
    assert [b["bid"] for b in active] == [1], active


def test_bid_0_refused(bench, peer_binding):
    refused(bench, *pbu_args(mmb=mmb_arg(bid=0)))


@pytest.mark.req("MPB-4.1-05", "MPB-4.2-02")
def test_reserved_fields_ignored(bench, peer_binding):
    mag_id = b"peer@example.com"
    raw_mmb = "63:" + "04" + "09" + "03" + "3f" + "ffff"          # BID 3, reserved bits all 1
    raw_mag_id = "64:01ff" + mag_id.hex()                           # Reserved octet 0xff
    pba, rc, err = bench.probe_pbu("--mn-id", PEER_MN, "--raw-opt", raw_mmb, "--raw-opt",
                                   raw_mag_id, "--expect-status", "0")
    assert pba is not None and pba.status == 0 and rc == 0, (pba, err)
    assert pba.mmb is not None and pba.mmb["bid"] == 3, pba
    bids = {b["bid"] for b in bench.bindings(mn_id=PEER_MN) if b["state"] == "active"}
    assert 3 in bids, bids


@pytest.mark.req("MPB-4.1-03")
def test_deregistration_without_o_accepted(bench, peer_binding):
    pba, rc, err = bench.probe_pbu(*pbu_args(mmb=mmb_arg(bid=3)), "--lifetime", "0",
                                   "--expect-status", "0")
    assert pba is not None and pba.status == 0, (pba, err)
    left = {b["bid"]: b["state"] for b in bench.bindings(mn_id=PEER_MN)}
    assert left.get(3) in (None, "deleting") and left.get(1) == "active", left
