"""Per-packet weighted distribution over the paths of one mobile node (RFC 8278 §3.2: traffic
distribution policy; here n:m weights over the LTE and WLAN tunnels), measured by per-tunnel
packet counters, and the move of all traffic to the surviving path when one fails."""

import pytest

from benchlib import PLAN

POLICY = "packet 3:1"
LMA_CONFIG = {"policy": POLICY}
MAG_CONFIG = {"policy": POLICY}
LTE, WLAN = PLAN["wan"]["lte"], PLAN["wan"]["wlan"]
PACKETS = 400


def udp_burst(bench, count=PACKETS):
    sink = bench.cn.start_sink("udp", 5002, timeout=10, count=count)
    bench.mn1.udp_send(PLAN["cn"], 5002, count=count, size=100, interval=0.0005)
    got = bench.cn.sink_result(sink)
    assert got["received"] >= count * 0.95, got


def test_per_packet_weights_3_to_1(bench, mn1):
    delta = bench.tunnel_delta(bench.mag, lambda: udp_burst(bench))
    first, second = delta[LTE["label"]]["tx_packets"], delta[WLAN["label"]]["tx_packets"]
    assert first + second >= PACKETS, delta
    assert second > 0 and 2.7 <= first / second <= 3.3, delta


def test_per_packet_downlink_weights(bench, mn1):
    def downlink():
        result = bench.cn.ping6(mn1["address"], count=40, interval=0.01, timeout=2)
        assert result["received"] >= 38, result
    delta = bench.tunnel_delta(bench.lma, downlink)
    first, second = delta[LTE["label"]]["tx_packets"], delta[WLAN["label"]]["tx_packets"]
    assert first + second >= 40 and second > 0 and 2.0 <= first / second <= 4.0, delta


def test_failed_path_carries_nothing(bench, mn1):
    with bench.mag.subscribe() as events:
        assert bench.mag.set_link("lte", False).get("ok")
        assert events.wait_for("tunnel-down", 5.0) is not None, events.seen
    try:
        delta = bench.tunnel_delta(bench.mag, lambda: udp_burst(bench))
        assert delta.get(LTE["label"], {}).get("tx_packets", 0) == 0, delta
        assert delta[WLAN["label"]]["tx_packets"] >= PACKETS, delta
    finally:
        with bench.mag.subscribe() as events:
            assert bench.mag.set_link("lte", True).get("ok")
            assert events.wait_for("tunnel-up", 10.0) is not None, events.seen
