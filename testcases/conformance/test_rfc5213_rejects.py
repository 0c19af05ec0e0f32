"""RFC 5213 §5.3.1 and §5.5 checks of the LMA, each answered with its status code and with the
binding cache left unchanged (show-bindings before and after): MAG not authorized (154),
missing MN-ID (160), HNP (158), HI (161) or ATT (162) option, HNP not authorized (155),
timestamp lower than previously accepted (157) or out of the validity window (156).
The PBUs are crafted by the test peer with dmm-send pbu ... --expect --expect-status N."""

import time

import pytest

from benchlib import PLAN, binding_keys

WINDOW_MS = 5000
LMA_CONFIG = {"timestamp_window": WINDOW_MS,
              "mns": {"mn3@example.com": ["hnp 2001:db8:100:77::/64"]}}
MAG_CONFIG = {}
MANDATORY = {"mnid": ["--mn-id", "peer-mn2@example.com"], "hnp": ["--hnp", "::/0"],
             "hi": ["--hi", "1"], "att": ["--att", "4"]}


def timestamp(offset_s=0.0):
    """RFC 5213 §8.8 timestamp (48-bit seconds, 16-bit fraction) of now + offset."""
    return str(int((time.time() + offset_s) * 65536))


def without(option):
    """A PBU's options (--no-defaults: P and A flags, timestamp, all but `option`)."""
    args = ["--no-defaults", "--flags", "AP", "--timestamp", "now"]
    for name, opt in MANDATORY.items():
        if name != option:
            args += opt
    return args


def rejected(bench, status, *args, src=None):
    before = binding_keys(bench.bindings())
    counters = bench.lma.counters()
    pba, rc, err = bench.probe_pbu(*args, "--expect-status", str(status), src=src)
    assert pba is not None, "no PBA: %s" % err
    assert pba.status == status and rc == 0, pba
    assert binding_keys(bench.bindings()) == before, "binding cache changed"
    after = bench.lma.counters()
    name = "reject_%d" % status
    assert after.get(name, 0) == counters.get(name, 0) + 1, (name, counters, after)
    return pba


def test_mag_not_authorized_154(bench):
    rejected(bench, 154, "--mn-id", "peer-mn2@example.com", src=PLAN["peer"]["rogue"])


def test_missing_mn_id_160(bench):
    pba = rejected(bench, 160, *without("mnid"))
    assert pba.opt("mnid") is None or pba.mn_id in ("", None), pba


def test_missing_hnp_158(bench):
    pba = rejected(bench, 158, *without("hnp"))
    assert pba.hnps == ["::/0"], pba  # RFC 5213 §5.3.6: one ALL_ZERO prefix when none asked


def test_missing_hi_161(bench):
    rejected(bench, 161, *without("hi"))


def test_missing_att_162(bench):
    rejected(bench, 162, *without("att"))


def test_hnp_not_authorized_155(bench):
    pba = rejected(bench, 155, "--mn-id", "mn3@example.com", "--hnp", "2001:db8:100:99::/64")
    assert pba.hnps == ["2001:db8:100:99::/64"], pba  # the request's prefix echoed


def test_timestamp_lower_than_accepted_157(bench):
    first, rc, err = bench.probe_pbu("--mn-id", "peer-mn3@example.com", "--timestamp",
                                     timestamp(0.5), "--expect-status", "0")
    assert first is not None and first.status == 0, (first, err)
    rejected(bench, 157, "--mn-id", "peer-mn3@example.com", "--timestamp", timestamp(-0.5))


def test_timestamp_outside_window_156(bench):
    sent_at = time.time()
    pba = rejected(bench, 156, "--mn-id", "peer-mn4@example.com", "--timestamp",
                   timestamp(-3 * WINDOW_MS / 1000.0))
    lma_time = int(pba.opt("ts")["mip6.timestamp"], 16) / 65536.0
    assert abs(lma_time - sent_at) < 2.0, "PBA timestamp is not the LMA's current time"


@pytest.mark.req("MPB-4.4-04")
def test_valid_crafted_pbu_accepted(bench):
    """The control case of this module: the same peer, all options, accepted with MMB echo."""
    pba, rc, err = bench.probe_pbu("--mn-id", "peer-mn5@example.com", "--mmb",
                                   "if-att=4,if-label=9,bid=7", "--mag-id", "peer@example.com",
                                   "--expect-status", "0")
    assert pba is not None and pba.status == 0, (pba, err)
    assert pba.mmb["bid"] == 7 and not pba.has("mag_id"), pba
    assert [b["bid"] for b in bench.bindings(mn_id="peer-mn5@example.com")] == [7]
