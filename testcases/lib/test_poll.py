"""Unit tests of the polling helpers (testcases/lib/poll.py); no network."""

import itertools
import time

import pytest

from poll import json_cmp, run_and_expect, wait_for

BINDINGS = {
    "ok": True,
    "bindings": [
        {"mn_id": "mn1@example.org", "hnp": ["2001:db8:1::/64"], "bid": 1, "state": "up",
         "flags": {"b": True, "o": False}},
        {"mn_id": "mn1@example.org", "hnp": ["2001:db8:1::/64"], "bid": 2, "state": "down",
         "flags": {"b": True, "o": False}},
    ],
}


def test_subset_of_dict_matches():
    assert json_cmp(BINDINGS, {"ok": True}) is None
    assert json_cmp(BINDINGS, {"bindings": [{"bid": 1}, {"flags": {"b": True}}]}) is None
    assert json_cmp(BINDINGS, {}) is None


def test_scalar_difference_names_the_path():
    diff = json_cmp(BINDINGS, {"bindings": [{"bid": 1}, {"state": "up"}]})
    assert diff == "$.bindings[1].state: got 'down', expected 'up'"


def test_missing_key_and_absent_key():
    assert "$.counters: missing" in json_cmp(BINDINGS, {"counters": {}})
    assert json_cmp(BINDINGS, {"error": None}) is None
    diff = json_cmp(BINDINGS, {"ok": None})
    assert diff.startswith("$.ok: present (True), expected absent")


def test_lists_are_positional_subsets():
    # the second expected element must match the second actual one, not any one
    assert json_cmp([1, 2, 3], [1, 2]) is None
    assert json_cmp([1, 2, 3], [2]) == "$[0]: got 1, expected 2"
    assert "1 element(s), expected at least 2" in json_cmp([1], [1, 2])
    assert json_cmp(BINDINGS, {"bindings": [{}, {}, {}]}).startswith("$.bindings: 2 element(s)")


def test_type_mismatch():
    assert json_cmp({"a": [1]}, {"a": {"b": 1}}) == "$.a: got [1], expected an object"
    assert json_cmp({"a": {"b": 1}}, {"a": [1]}) == '$.a: got {"b": 1}, expected a list'
    assert json_cmp({"a": {"b": 1}}, {"a": 1}) == '$.a: got {"b": 1}, expected 1'
    assert json_cmp({"a": "1"}, {"a": 1}) == "$.a: got '1', expected 1"


def test_exact_mode():
    assert json_cmp({"a": 1, "b": 2}, {"a": 1}, exact=True) == "$.b: unexpected key"
    assert "expected 1" in json_cmp([1, 2], [1], exact=True)
    assert json_cmp({"a": [1, {"c": 3}]}, {"a": [1, {"c": 3}]}, exact=True) is None


def test_several_differences_reported():
    diff = json_cmp({"a": 1, "b": 2}, {"a": 2, "b": 3, "c": 4})
    assert diff.splitlines() == ["$.a: got 1, expected 2", "$.b: got 2, expected 3",
                                 "$.c: missing, expected 4"]


def counter_source(values):
    it = iter(values)
    calls = []

    def func():
        calls.append(time.monotonic())
        return next(it)

    return func, calls


def test_run_and_expect_succeeds_once_the_state_converges():
    func, calls = counter_source([{"state": "init"}, {"state": "init"}, {"state": "up", "n": 3}])
    assert run_and_expect(func, {"state": "up"}, count=5, wait=0.01) == (True, None)
    assert len(calls) == 3


def test_run_and_expect_gives_up_after_count_attempts_with_the_last_diff():
    func, calls = counter_source(itertools.count())
    ok, diff = run_and_expect(func, 100, count=4, wait=0.01)
    assert not ok and len(calls) == 4
    assert diff == "after 4 attempt(s) 0.01 s apart: got 3, expected 100"
    # the waits happen between attempts only: three of them
    assert calls[-1] - calls[0] >= 0.03


def test_run_and_expect_topotest_style_none():
    func, _ = counter_source(["$.x: missing", None])
    assert run_and_expect(func, None, count=2, wait=0) == (True, None)
    func, _ = counter_source(["$.x: missing"] * 2)
    ok, diff = run_and_expect(func, None, count=2, wait=0)
    assert not ok and diff.endswith("$.x: missing")


def test_run_and_expect_counts_exceptions_as_failed_attempts():
    state = {"n": 0}

    def flaky():
        state["n"] += 1
        if state["n"] < 3:
            raise ConnectionRefusedError("not listening yet")
        return {"ok": True}

    assert run_and_expect(flaky, {"ok": True}, count=3, wait=0) == (True, None)
    state["n"] = -10
    ok, diff = run_and_expect(flaky, {"ok": True}, count=2, wait=0)
    assert not ok and "ConnectionRefusedError: not listening yet" in diff


def test_run_and_expect_rejects_zero_count():
    with pytest.raises(ValueError):
        run_and_expect(lambda: 1, 1, count=0, wait=0)


def test_wait_for_returns_the_true_value():
    func, calls = counter_source([0, None, "", "ready", "later"])
    assert wait_for(func, timeout=2) == "ready"
    assert len(calls) == 4


def test_wait_for_times_out_with_the_last_false_value():
    start = time.monotonic()
    assert wait_for(lambda: [], timeout=0.2) == []
    elapsed = time.monotonic() - start
    assert 0.2 <= elapsed < 1.0


@pytest.mark.time_limit(0.3)
def test_time_limit_stops_a_hung_call():
    # the root conftest's SIGALRM limit turns a blocking call into a failure of this test
    start = time.monotonic()
    with pytest.raises(Exception, match="exceeded its time limit of 0.3 s") as info:
        time.sleep(5)
    assert type(info.value).__name__ == "TimeLimitExceeded"
    assert time.monotonic() - start < 2
