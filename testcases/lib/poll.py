"""Polling helpers for the bench's tests: JSON-subset comparison and bounded retries.

json_cmp(actual, expected) follows the topotest convention: `expected` is a subset of `actual`.
  - dict: every key of `expected` must be in `actual` with a matching value; a key whose
    expected value is None must be absent from `actual`.
  - list: elements are matched position by position, each as a subset; `actual` may be longer.
  - anything else: equal (==), so 1 == 1.0 and True == 1 as in Python.
  With exact=True, dicts must have the same keys and lists the same length.
It returns None when `actual` matches, otherwise a text with one line per difference, each
naming the JSON path ("$.bindings[0].state: got 'down', expected 'up'").

run_and_expect(func, expected, count, wait) calls func() up to `count` times, `wait` seconds
apart, until its result matches `expected`; wait_for(predicate, timeout) polls a predicate.
"""

import json
import time

__all__ = ["json_cmp", "run_and_expect", "wait_for"]


def _show(value):
    text = json.dumps(value, sort_keys=True, default=repr) if isinstance(value, (dict, list)) \
        else repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def _cmp(actual, expected, path, exact, errors):
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            errors.append("%s: got %s, expected an object" % (path, _show(actual)))
            return
        for key, want in expected.items():
            sub = "%s.%s" % (path, key)
            if want is None:
                if key in actual:
                    errors.append("%s: present (%s), expected absent" % (sub, _show(actual[key])))
            elif key not in actual:
                errors.append("%s: missing, expected %s" % (sub, _show(want)))
            else:
                _cmp(actual[key], want, sub, exact, errors)
        if exact:
            for key in sorted(set(actual) - set(expected), key=str):
                errors.append("%s.%s: unexpected key" % (path, key))
    elif isinstance(expected, list):
        if not isinstance(actual, list):
            errors.append("%s: got %s, expected a list" % (path, _show(actual)))
            return
        if len(actual) < len(expected) or (exact and len(actual) != len(expected)):
            errors.append("%s: %d element(s), expected %s%d" % (
                path, len(actual), "" if exact else "at least ", len(expected)))
        for i, (got, want) in enumerate(zip(actual, expected)):
            _cmp(got, want, "%s[%d]" % (path, i), exact, errors)
    elif isinstance(actual, (dict, list)) or actual != expected:
        errors.append("%s: got %s, expected %s" % (path, _show(actual), _show(expected)))


def json_cmp(actual, expected, exact=False):
    """None when `expected` is a JSON subset of `actual`, else the differences as text."""
    errors = []
    _cmp(actual, expected, "$", exact, errors)
    return "\n".join(errors) if errors else None


def _check(result, expected):
    """None when one result matches, else why not."""
    if expected is None:
        # topotest style: func itself returns None on success or a difference text
        return None if result is None else str(result)
    if isinstance(expected, (dict, list)):
        return json_cmp(result, expected)
    return None if result == expected else "got %s, expected %s" % (_show(result), _show(expected))


def run_and_expect(func, expected, count=20, wait=0.5):
    """Call func() up to `count` times, `wait` seconds apart, until its result matches.

    `expected` is a dict/list (JSON subset of the result, see json_cmp), a scalar (equality),
    or None (func returns None on success and a difference text otherwise). An exception
    raised by func (a control socket not yet listening, say) counts as a failed attempt.
    Returns (ok, diff): diff is None on success, else the last attempt's difference text.
    """
    if count < 1:
        raise ValueError("count must be >= 1")
    diff = None
    for attempt in range(count):
        try:
            diff = _check(func(), expected)
        except Exception as exc:  # noqa: BLE001 - reported in the diff after the last attempt
            diff = "%s raised %s: %s" % (getattr(func, "__name__", "func"),
                                          type(exc).__name__, exc)
        if diff is None:
            return True, None
        if attempt + 1 < count:
            time.sleep(wait)
    return False, "after %d attempt(s) %.2f s apart: %s" % (count, wait, diff)


def wait_for(predicate, timeout, interval=0.02):
    """Poll predicate() until it returns a true value or `timeout` seconds pass.

    Returns that true value, or the last (false) value on timeout. The interval grows up to
    0.2 s so short waits stay fast and long ones stay cheap.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        left = deadline - time.monotonic()
        if left <= 0:
            return value
        time.sleep(min(interval, left))
        interval = min(interval * 1.5, 0.2)
