"""RFC 8278 Figure 2 call flow (§4.4) on the Figure 1 topology: a mobile node attaches, the MAG
registers it over LTE first, then over WLAN; PBU/PBA contents and echo rules, the home network
prefix, SLAAC on the mobile node, traffic through both tunnels, de-registration (RFC 5213
§6.9.1-6.9.2) and a clean SIGTERM."""

import ipaddress

import pytest

from benchlib import PLAN, binding_keys
from poll import wait_for

LMA_CONFIG = {}
MAG_CONFIG = {}
LTE, WLAN = PLAN["wan"]["lte"], PLAN["wan"]["wlan"]
PATH_BY_PCOA = {LTE["pcoa"]: LTE, WLAN["pcoa"]: WLAN}


class Flow:
    pass


@pytest.fixture(scope="module")
def flow(bench):
    """mn1 attaches (control socket `attach`, then its Router Solicitation) and registers."""
    f = Flow()
    with bench.mag.subscribe() as mag_events, bench.lma.subscribe() as lma_events:
        f.mn_id = bench.attach(bench.mn1)
        f.bindings = bench.wait_bindings(f.mn_id, 2)
        f.mag_msgs = bench.wait_signaling(bench.mag, lambda m: len(
            {(x.kind, x.src, x.dst) for x in m}) >= 4)  # a PBU and a PBA on each path
        f.lma_msgs = bench.signaling(bench.lma)
        f.hnp = f.bindings[0]["hnp"][0] if f.bindings and f.bindings[0].get("hnp") else None
        bench.mn1.send_rs()
        f.address = bench.wait_mn_address(bench.mn1, f.hnp) if f.hnp else None
        f.mag_events = mag_events.collect(0.2)
        f.lma_events = lma_events.collect(0.2)
    f.pbus = [m for m in f.mag_msgs if m.kind == "pbu" and m.mn_id == f.mn_id]
    f.pbas = [m for m in f.mag_msgs if m.kind == "pba"]
    return f


def reply_to(pbu, messages):
    """The PBA answering pbu (same sequence number, sent back to its source), or None."""
    for m in messages:
        if m.kind == "pba" and m.seq == pbu.seq and m.dst == pbu.src and m.time >= pbu.time:
            return m
    return None


@pytest.mark.req("MPB-4.4-01")
def test_lma_binds_each_wan_path(bench, flow):
    got = {(b["bid"], b["pcoa"], b["if_label"], b["if_att"], b["state"]) for b in flow.bindings}
    want = {(p["bid"], p["pcoa"], p["label"], p["att"], "active") for p in (LTE, WLAN)}
    assert got == want, flow.bindings
    assert all(b["lmaa"] == PLAN["lmaa"] for b in flow.bindings)
    mag_side = bench.wait_bindings(flow.mn_id, 2, node=bench.mag)
    assert {b["bid"] for b in mag_side if b["state"] == "active"} == {1, 2}, mag_side


@pytest.mark.req("MPB-4.4-03")
def test_first_path_alone_until_capability_known(flow):
    assert flow.pbus, "no PBU captured on the MAG"
    first = flow.pbus[0]
    assert first.src == LTE["pcoa"], "first PBU not on the first WAN path: %r" % first
    first_ack = reply_to(first, flow.pbas)
    assert first_ack is not None and first_ack.mmb is not None, "no PBA with MMB: %r" % flow.pbas
    wlan = [m for m in flow.pbus if m.src == WLAN["pcoa"]]
    assert wlan, "no PBU on the second path"
    assert wlan[0].time >= first_ack.time, (wlan[0], first_ack)


@pytest.mark.req("MPB-4.4-01", "MPB-4.4-02", "MPB-4.1-04", "MPB-4.2-01", "MPB-4.1-01",
                 "MPB-4.1-02")
def test_every_pbu_carries_mmb_and_mag_id(flow):
    assert {m.src for m in flow.pbus} == {LTE["pcoa"], WLAN["pcoa"]}
    for pbu in flow.pbus:
        path = PATH_BY_PCOA[pbu.src]
        assert pbu.fields["p_flag"] == 1 and pbu.fields["a_flag"] == 1, pbu
        for name in ("mnid", "hnp", "hi", "att", "ts", "mmb", "mag_id", "auth"):
            assert pbu.has(name), "PBU %r lacks option %s" % (pbu, name)
        mmb = pbu.mmb
        assert (mmb["if_att"], mmb["if_label"], mmb["bid"]) == (path["att"], path["label"],
                                                                path["bid"]), mmb
        assert not (mmb["b_flag"] and mmb["o_flag"]), "B and O both set: %r" % mmb
        assert int(mmb["reserved"], 16) == 0 and int(mmb["flags_reserved"], 16) == 0, mmb
        mag_id = pbu.opt("mag_id")
        assert mag_id["mip6.mag_id.id"] == PLAN["mag_id"], mag_id
        assert int(str(mag_id["mip6.mag_id.reserved"]), 0) == 0, mag_id


@pytest.mark.req("MPB-4.4-04")
def test_pba_echoes_mmb_without_mag_id(flow):
    for pbu in flow.pbus:
        pba = reply_to(pbu, flow.pbas)
        assert pba is not None, "no PBA for %r" % pbu
        assert pba.status == 0 and pba.fields["p_flag"] == 1, pba
        assert pba.mmb is not None, "PBA without MMB: %r" % pba
        assert pba.mmb["bid"] == pbu.mmb["bid"] and pba.mmb["if_label"] == pbu.mmb["if_label"]
        assert not pba.has("mag_id"), "PBA carries the MAG Identifier: %r" % pba
        assert pba.mn_id == pbu.mn_id and pba.src == PLAN["lmaa"]
    # the LMA's own capture shows the same replies leaving it
    sent = [m for m in flow.lma_msgs if m.kind == "pba"]
    assert sent and all(m.mmb is not None and not m.has("mag_id") for m in sent), sent


@pytest.mark.req("MPB-4.4-04")
def test_call_flow_order(flow):
    """PBU(LTE) -> PBA -> PBU(WLAN) -> PBA, each PBA matching its PBU's sequence number."""
    seen = [(m.kind, m.src if m.kind == "pbu" else m.dst) for m in flow.mag_msgs[:4]]
    assert seen == [("pbu", LTE["pcoa"]), ("pba", LTE["pcoa"]), ("pbu", WLAN["pcoa"]),
                    ("pba", WLAN["pcoa"])], flow.mag_msgs
    for pbu in flow.pbus:
        assert reply_to(pbu, flow.pbas) is not None, pbu


def test_hnp_delivered(bench, flow):
    pool = ipaddress.ip_network(PLAN["hnp_pool"])
    assert flow.hnp, flow.bindings
    assert ipaddress.ip_network(flow.hnp).subnet_of(pool), flow.hnp
    for pbu in flow.pbus:
        pba = reply_to(pbu, flow.pbas)
        assert pba.hnps == [flow.hnp], (pba, flow.hnp)
    assert all(b["hnp"] == [flow.hnp] for b in flow.bindings), flow.bindings


def test_signaling_authenticated(flow):
    for m in flow.mag_msgs:
        assert m.opt("auth") is not None, m
        assert m.opt("auth").get("mip6.auth.status") == "good", m.opt("auth")
        assert m.checksum == "good", m


def test_mn_address_from_hnp(bench, flow):
    assert flow.address, "mn1 has no address in %s: %s" % (flow.hnp,
                                                          bench.mn1.global_addrs6())
    assert ipaddress.ip_address(flow.address) in ipaddress.ip_network(flow.hnp)


def test_events_of_registration(flow):
    mag = [e["event"] for e in flow.mag_events]
    lma = [e["event"] for e in flow.lma_events]
    assert "mn-attached" in mag and mag.count("pbu-sent") >= 2 and "pba-received" in mag, mag
    assert mag.count("tunnel-up") >= 1, mag
    assert lma.count("pbu-received") >= 2 and lma.count("binding-added") >= 1, lma


def test_ping_through_both_tunnels(bench, flow):
    assert flow.address, "mn1 has no home address"
    before = {n.name: bench.tunnel_counters(n) for n in (bench.lma, bench.mag)}
    result = bench.mn1.ping6(PLAN["cn"], count=5, interval=0.1, timeout=2)
    assert result["received"] >= 4, result
    after = {n.name: bench.tunnel_counters(n) for n in (bench.lma, bench.mag)}
    for node in ("lma", "mag"):
        assert set(after[node]) == {LTE["label"], WLAN["label"]}, after[node]
        tx = sum(t["tx_packets"] - before[node][lbl]["tx_packets"]
                 for lbl, t in after[node].items())
        rx = sum(t["rx_packets"] - before[node][lbl]["rx_packets"]
                 for lbl, t in after[node].items())
        assert tx >= 4 and rx >= 4, (node, before[node], after[node])


def test_full_size_tcp_through_tunnel(bench, flow):
    """A TCP flow with the MN's default segment size: the tunnel's smaller MTU must reach the
    MN (RA MTU option, or ICMPv6 Packet Too Big from the tunnel entry, RFC 2473 §7)."""
    assert flow.address, "mn1 has no home address"
    sink = bench.cn.start_sink("tcp", 8080, timeout=8)
    try:
        sent = bench.mn1.tcp_send(PLAN["cn"], 8080, nbytes=200000, timeout=5)
    except RuntimeError as exc:
        sent = {"error": str(exc).splitlines()[-1]}
    got = bench.cn.sink_result(sink)
    assert got["bytes"] == 200000 and sent.get("acked") == 200000, (sent, got)


def test_second_mn_own_prefix(bench, flow):
    mn_id = bench.attach(bench.mn2)
    bindings = bench.wait_bindings(mn_id, 2)
    assert len(bindings) == 2, bindings
    hnp = bindings[0]["hnp"][0]
    assert hnp != flow.hnp
    bench.mn2.send_rs()
    assert bench.wait_mn_address(bench.mn2, hnp), bench.mn2.global_addrs6()
    assert bench.mn2.addr_in(flow.hnp) is None, "mn2 took mn1's prefix"
    assert bench.mn2.ping6(PLAN["cn"], count=3, interval=0.1)["received"] >= 2


@pytest.mark.req("MPB-4.1-03")
def test_detach_deregisters_every_path(bench, flow):
    before = bench.bindings(mn_id=flow.mn_id)
    assert before
    with bench.lma.subscribe() as events:
        reply = bench.mag.detach(flow.mn_id)
        assert reply.get("ok"), reply
        removed = events.wait_for(("binding-removed", "binding-updated"), 5.0,
                                  mn_id=flow.mn_id)
    msgs = bench.wait_signaling(bench.mag, lambda m: len(
        [x for x in m if x.kind == "pba" and x.lifetime == 0]) >= 2)
    dereg = [m for m in msgs if m.kind == "pbu" and m.lifetime == 0]
    assert {m.src for m in dereg} == {LTE["pcoa"], WLAN["pcoa"]}, msgs
    for pbu in dereg:
        assert pbu.mmb is not None and pbu.mmb["o_flag"] == 0, pbu.mmb
        assert reply_to(pbu, msgs).status == 0
    assert removed is not None
    left = bench.bindings(mn_id=flow.mn_id)
    assert all(b["state"] == "deleting" for b in left), left


def test_sigterm_removes_tunnels_and_routes(bench):
    assert binding_keys(bench.bindings()) is not None
    stopped = bench.stop_daemons()
    for name, result in stopped.items():
        assert result["exit"] == 0 and not result["killed"], (name, result)
        assert result["tunnels"] == [] and result["routes"] == [], (name, result)
    assert wait_for(lambda: not any(n.running() for n in (bench.lma, bench.mag)), 1.0)
