"""Per-flow traffic distribution by interface label (RFC 8278 §3.2, §4.1 example: HTTP over the
label-9 path, falling back to label 11) and the move of flows when a path fails, measured by
the per-tunnel packet counters of the LMA and the MAG."""

import pytest

from benchlib import FLOW_POLICY, PLAN

LMA_CONFIG = {"policy": FLOW_POLICY}
MAG_CONFIG = {"policy": FLOW_POLICY}
LTE, WLAN = PLAN["wan"]["lte"], PLAN["wan"]["wlan"]
HTTP_BYTES = 300000
# Segments small enough for the tunnels whatever the path MTU handling (tested on its own in
# test_callflow.py): these tests measure where the flows go.
MSS = 1200


def http_flow(bench, nbytes=HTTP_BYTES):
    """A TCP flow to the CN's port 80 from mn1; the bytes the CN received."""
    sink = bench.cn.start_sink("tcp", 80, timeout=15)
    sent = bench.mn1.tcp_send(PLAN["cn"], 80, nbytes=nbytes, timeout=15, mss=MSS)
    got = bench.cn.sink_result(sink)
    assert sent["acked"] == nbytes and got["bytes"] == nbytes, (sent, got)
    return got


def test_http_flow_on_label_9(bench, mn1):
    delta = bench.tunnel_delta(bench.mag, lambda: http_flow(bench))
    assert delta[WLAN["label"]]["tx_bytes"] >= HTTP_BYTES, delta
    assert delta[LTE["label"]]["tx_bytes"] < HTTP_BYTES // 10, delta


def test_http_replies_on_label_9_at_lma(bench, mn1):
    delta = bench.tunnel_delta(bench.lma, lambda: http_flow(bench))
    assert delta[WLAN["label"]]["rx_bytes"] >= HTTP_BYTES, delta
    assert delta[WLAN["label"]]["tx_packets"] > 0, delta  # the CN's ACKs come back on label 9
    assert delta[LTE["label"]]["rx_bytes"] < HTTP_BYTES // 10, delta


def test_other_traffic_delivered(bench, mn1):
    sink = bench.cn.start_sink("udp", 5001, timeout=5, count=100)
    bench.mn1.udp_send(PLAN["cn"], 5001, count=100, size=200, interval=0.001)
    assert bench.cn.sink_result(sink)["received"] >= 95


def test_label_9_down_moves_http_to_label_11(bench, mn1):
    with bench.mag.subscribe() as events:
        reply = bench.mag.set_link("wlan", False)
        assert reply.get("ok"), reply
        assert events.wait_for("tunnel-down", 5.0) is not None, events.seen
    try:
        delta = bench.tunnel_delta(bench.mag, lambda: http_flow(bench))
        assert delta[LTE["label"]]["tx_bytes"] >= HTTP_BYTES, delta
        assert delta.get(WLAN["label"], {}).get("tx_bytes", 0) == 0, delta
    finally:
        with bench.mag.subscribe() as events:
            assert bench.mag.set_link("wlan", True).get("ok")
            restored = events.wait_for("tunnel-up", 10.0)
    assert restored is not None, events.seen


def test_label_9_restored_takes_http_back(bench, mn1):
    bindings = bench.wait_bindings(mn1["id"], 2)
    assert {b["if_label"] for b in bindings if b["state"] == "active"} == {9, 11}, bindings
    delta = bench.tunnel_delta(bench.mag, lambda: http_flow(bench))
    assert delta[WLAN["label"]]["tx_bytes"] >= HTTP_BYTES, delta
