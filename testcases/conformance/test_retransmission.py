"""PBU retransmission while the path to the LMA is down (RFC 5213 §6.9.4; RFC 6275 §11.8
binding acknowledgement timeout, doubling): the first registration retransmits after 1.5 s,
then 3 s, then 6 s, each retransmission with the latest timestamp; the timing is read from the
MAG's capture (dmm-decode -T json frame times). The LTE router drops everything towards the
LMA (a blackhole route) during the outage; when the path comes back, the next retransmission
completes the registration."""

import pytest

from benchlib import PLAN, lmaa_route

LMA_CONFIG = {}
MAG_CONFIG = {}
LTE = PLAN["wan"]["lte"]
LMAA_ROUTE = lmaa_route(LTE)
TOLERANCE = 0.25  # relative


def lte_pbus(msgs):
    return [m for m in msgs if m.kind == "pbu" and m.src == LTE["pcoa"]]


@pytest.fixture(scope="module")
def outage(bench):
    """The LTE router's link towards the LMA is down while mn1 attaches (three PBUs lost),
    then up again before the third retransmission."""
    bench.rlte.blackhole(PLAN["lmaa"], True, LMAA_ROUTE)
    try:
        mn_id = bench.attach(bench.mn1)
        lost = bench.wait_signaling(bench.mag, lambda m: len(lte_pbus(m)) >= 3, timeout=8.0)
    finally:
        bench.rlte.blackhole(PLAN["lmaa"], False, LMAA_ROUTE)
    bindings = bench.wait_bindings(mn_id, 2, timeout=15.0)
    msgs = bench.wait_signaling(bench.mag, lambda m: len(
        [x for x in m if x.kind == "pba"]) >= 2, timeout=5.0)
    return {"id": mn_id, "lost": lost, "msgs": msgs, "bindings": bindings}


def test_retransmission_intervals(outage):
    pbus = lte_pbus(outage["msgs"])
    assert len(lte_pbus(outage["lost"])) >= 3, outage["lost"]
    assert len(pbus) >= 4, outage["msgs"]
    first_pba = min((m.time for m in outage["msgs"] if m.kind == "pba"), default=None)
    assert first_pba is None or first_pba > pbus[2].time, "a PBA came through the outage"
    gaps = [round(b.time - a.time, 3) for a, b in zip(pbus, pbus[1:4])]
    for gap, want in zip(gaps, (1.5, 3.0, 6.0)):
        assert abs(gap - want) <= want * TOLERANCE, "gaps %s s, expected 1.5, 3, 6" % gaps


def test_retransmissions_carry_latest_timestamp(outage):
    pbus = lte_pbus(outage["msgs"])[:4]
    stamps = [int(m.opt("ts")["mip6.timestamp"], 16) for m in pbus]
    assert len(stamps) == 4 and stamps == sorted(set(stamps)), stamps
    for m in pbus:
        assert m.mn_id == outage["id"] and m.mmb is not None, m


def test_registration_completes_after_restore(bench, outage):
    active = [b for b in outage["bindings"] if b["state"] == "active"]
    assert len(active) == 2, outage["bindings"]
    assert bench.mag.counters().get("retransmissions", 0) >= 3, bench.mag.counters()
