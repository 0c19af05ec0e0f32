"""Forged and replayed signaling (RFC 5213 §4 and §5.5, with the RFC 4285 authentication option
standing in for IPsec): a PBU captured on the MAG and replayed later is refused by the timestamp
check; PBUs with a wrong key, an unknown SPI, a spoofed MAG address or no authentication at
all are dropped without a reply and without creating state (drop counter and event)."""

import json
import os

import pytest

from benchlib import PLAN, binding_keys

LMA_CONFIG = {}
MAG_CONFIG = {}
LTE = PLAN["wan"]["lte"]


@pytest.fixture(scope="module")
def registered(bench):
    """mn1 registered; the MAG's first PBU as dmm-decode printed it."""
    bench.start_captures(os.path.join(bench.module_dir, "registration"))
    mn_id = bench.attach(bench.mn1)
    bindings = bench.wait_bindings(mn_id, 2)
    assert len(bindings) == 2, bindings
    packets = bench.decode(bench.mag.capture_path)
    pbus = [p for p in packets if p.get("mip6", {}).get("mip6.mhtype") == 5]
    assert pbus, "no PBU captured on the MAG"
    return {"id": mn_id, "pbu": pbus[0]}


def as_ethernet(packet, src_mac, dst_mac):
    """The packet's JSON with its Linux cooked header replaced by an Ethernet header."""
    out = {"frame": packet["frame"],
           "eth": {"eth.dst": dst_mac, "eth.src": src_mac, "eth.type": "0x86dd"}}
    out.update({k: v for k, v in packet.items() if k not in ("frame", "sll", "eth")})
    return out


def dropped(bench, *args, **kw):
    """Send a crafted PBU that must be dropped: no reply, drop_auth +1, a drop event, no state."""
    mn_id = args[args.index("--mn-id") + 1]
    before = binding_keys(bench.bindings())
    counters = bench.lma.counters()
    with bench.lma.subscribe() as events:
        pba, rc, err = bench.probe_pbu(*args, timeout_ms=300, retries=1, **kw)
        drop = events.wait_for("drop", 2.0)
    assert pba is None and rc != 0, "the LMA answered: %r" % pba
    assert drop is not None and drop.get("reason"), events.seen
    after = bench.lma.counters()
    assert after.get("drop_auth", 0) >= counters.get("drop_auth", 0) + 1, (counters, after)
    assert binding_keys(bench.bindings()) == before
    assert bench.bindings(mn_id=mn_id) == []
    return drop


def test_replayed_pbu_refused(bench, registered):
    pbu = registered["pbu"]
    seq = pbu["mip6"]["mip6.bu"]["mip6.bu.seqnr"]
    path = os.path.join(bench.test_dir, "replay.json")
    with open(path, "w") as f:
        f.write(json.dumps(as_ethernet(pbu, bench.mag.MAC(LTE["iface"]),
                                       bench.rlte.MAC("rlte-mag"))) + "\n")
    before = binding_keys(bench.bindings())
    rc, out, err = bench.mag.run([bench.tool("dmm-send"), "--json", path, "-i", LTE["iface"]])
    assert rc == 0, err
    msgs = bench.wait_signaling(bench.mag, lambda m: any(
        x.kind == "pba" and x.seq == seq for x in m), timeout=5.0)
    replies = [m for m in msgs if m.kind == "pba" and m.seq == seq]
    assert replies and replies[0].status in (156, 157), msgs
    assert binding_keys(bench.bindings()) == before
    active = [b for b in bench.bindings(mn_id=registered["id"]) if b["state"] == "active"]
    assert len(active) == 2, active


def test_wrong_key_dropped(bench):
    dropped(bench, "--mn-id", "forged1@example.com",
            key="%d:0x%s" % (PLAN["peer"]["spi"], "aa" * 16))


def test_unknown_spi_dropped(bench):
    dropped(bench, "--mn-id", "forged2@example.com", key="4000:0x%s" % ("bb" * 16))


def test_unauthenticated_dropped(bench):
    dropped(bench, "--mn-id", "forged3@example.com", key=None)


def test_spoofed_mag_address_refused(bench, registered):
    """An authorized peer (its own valid key) sending from the MAG's proxy CoA for the MAG's
    mobile node: that address is not the peer's, so 154 (RFC 5213 §5.3.1), nothing changes."""
    before = binding_keys(bench.bindings())
    rc, _, err = bench.send_pbu("--mn-id", registered["id"], src=LTE["pcoa"], expect=False)
    assert rc == 0, err
    msgs = bench.wait_signaling(bench.lma, lambda m: any(x.kind == "pba" for x in m), 5.0)
    replies = [m for m in msgs if m.kind == "pba"]
    assert replies and replies[0].status == 154 and replies[0].dst == LTE["pcoa"], msgs
    assert binding_keys(bench.bindings()) == before
    mag_side = [b for b in bench.bindings(bench.mag, registered["id"]) if b["state"] == "active"]
    assert len(mag_side) == 2, "the MAG acted on the unsolicited PBA: %s" % mag_side
