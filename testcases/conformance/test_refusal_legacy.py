"""Multipath refused by a legacy LMA (RFC 8278 §4.4): an RFC 5213-only LMA skips options 63/64
and answers without the MAG Multipath Binding option; the MAG then disables multipath for the
mobile node and keeps a single-path registration."""

import pytest

from benchlib import PLAN

LMA_CONFIG = {"multipath": "legacy"}
MAG_CONFIG = {}
LTE, WLAN = PLAN["wan"]["lte"], PLAN["wan"]["wlan"]


@pytest.fixture(scope="module")
def legacy(bench):
    with bench.mag.subscribe() as events:
        mn_id = bench.attach(bench.mn1)
        disabled = events.wait_for("multipath-disabled", 10.0)
        bindings = bench.wait_bindings(mn_id, 1)
        msgs = bench.wait_signaling(bench.mag, lambda m: any(x.kind == "pba" for x in m))
    return {"id": mn_id, "disabled": disabled, "bindings": bindings, "msgs": msgs}


@pytest.mark.req("MPB-4.4-05", "MPB-4.4-03")
def test_legacy_pba_disables_multipath(bench, legacy):
    pbus = [m for m in legacy["msgs"] if m.kind == "pbu"]
    pbas = [m for m in legacy["msgs"] if m.kind == "pba"]
    assert pbus and pbus[0].src == LTE["pcoa"] and pbus[0].mmb is not None, pbus
    assert pbas and pbas[0].status == 0 and pbas[0].mmb is None, pbas
    assert not pbas[0].has("mag_id"), pbas[0]
    assert legacy["disabled"] is not None, "no multipath-disabled event"
    assert legacy["disabled"].get("mn_id") in (None, legacy["id"]), legacy["disabled"]
    # one binding, on the first path only; the MAG never tried the second path
    assert [(b["pcoa"], b["state"]) for b in legacy["bindings"]] == [(LTE["pcoa"], "active")]
    assert not [m for m in bench.signaling(bench.mag) if m.src == WLAN["pcoa"]]
    mag_side = bench.bindings(bench.mag, legacy["id"])
    assert len(mag_side) == 1, mag_side


@pytest.mark.req("MPB-4.4-05")
def test_legacy_single_path_traffic(bench, legacy):
    hnp = legacy["bindings"][0]["hnp"][0]
    bench.mn1.send_rs()
    assert bench.wait_mn_address(bench.mn1, hnp), bench.mn1.global_addrs6()
    delta = bench.tunnel_delta(bench.mag, lambda: bench.mn1.ping6(PLAN["cn"], count=5,
                                                                    interval=0.05))
    assert list(delta) == [LTE["label"]] and delta[LTE["label"]]["tx_packets"] >= 5, delta
