"""Root pytest configuration of the bench's test suites (testcases/*).

- `--build=DIR` (default: $DMM_BUILD or build): where the tools are; fixture `build_dir`,
  and `tool("dmm-send")` gives the path of one tool of that build (the test is skipped when
  that tool is not built). Write `--build=DIR` (or put the test paths first): pytest reads
  the test paths before it loads this file, and a separate "DIR" argument followed by other
  options would be taken for a test path.
- `@pytest.mark.req("MPB-4.1-01", ...)`: the requirement ids of testcases/requirements.tsv that a
  test covers. Each id is checked against the catalog (an unknown id fails the test) and all
  of them are written to the JUnit XML as the testcase property `requirements` ("ID ID ...").
- `results_dir`: results/<suite>/<test>/ (created empty), where <suite> is the test file's
  directory under testcases/; `--results DIR` moves the results/ root.
- Every phase (setup, call, teardown) of a test has a time limit: `--time-limit=SECONDS`
  (default 300, 0 = none) or `@pytest.mark.time_limit(SECONDS)`; past it, SIGALRM raises
  TimeLimitExceeded in the test, so a hung tool or topology fails the test instead of the run.
- `capture`: starts tcpdump in a Mininet node or network namespace, one pcap per node in
  the test's results_dir; every capture is stopped (SIGINT, file flushed) at teardown.
"""

import contextlib
import os
import re
import shutil
import signal
import sys

import pytest

TESTCASES = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TESTCASES)
DEFAULT_TIME_LIMIT = 300.0

sys.path.insert(0, os.path.join(TESTCASES, "lib"))
sys.path.insert(0, os.path.join(ROOT, "topo"))

from capture import start_capture  # noqa: E402
from requirements import REQUIREMENTS_TSV, load_requirements  # noqa: E402


def pytest_addoption(parser):
    group = parser.getgroup("dmm-bench")
    group.addoption("--build", default=os.environ.get("DMM_BUILD", "build"),
                    help="build directory with the tools (default: $DMM_BUILD or build)")
    group.addoption("--results", default=os.path.join(ROOT, "results"),
                    help="root of the results tree (default: results/)")
    group.addoption("--time-limit", type=float, default=DEFAULT_TIME_LIMIT,
                    help="seconds each phase (setup, call, teardown) of a test may take; "
                    "0: no limit (default: %g; marker time_limit(seconds) overrides)" %
                    DEFAULT_TIME_LIMIT)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "req(*ids): requirement ids of testcases/requirements.tsv the test covers")
    config.addinivalue_line(
        "markers", "time_limit(seconds): time limit of each phase of the test (SIGALRM)")
    config.dmm_requirements = {row["id"]: row for row in load_requirements()}


def requirement_ids(item):
    ids = []
    for mark in item.iter_markers("req"):
        for arg in mark.args:
            ids.extend(arg.split() if isinstance(arg, str) else arg)
    return list(dict.fromkeys(ids))


def pytest_collection_modifyitems(session, config, items):
    for item in items:
        ids = requirement_ids(item)
        if ids:
            item.user_properties.append(("requirements", " ".join(ids)))


class TimeLimitExceeded(Exception):
    """A test phase ran longer than its time limit."""


@contextlib.contextmanager
def time_limit(item, phase):
    """SIGALRM after the item's time limit (marker time_limit, else --time-limit)."""
    mark = item.get_closest_marker("time_limit")
    seconds = float(mark.args[0]) if mark else item.config.getoption("--time-limit")
    if seconds <= 0:
        yield
        return

    def expired(signum, frame):
        raise TimeLimitExceeded("%s of %s exceeded its time limit of %g s" % (
            phase, item.nodeid, seconds))

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    known = item.config.dmm_requirements
    unknown = [i for i in requirement_ids(item) if i not in known]
    if unknown:
        pytest.fail("unknown requirement id(s) %s (not in %s)" % (
            " ".join(unknown), os.path.relpath(REQUIREMENTS_TSV, ROOT)), pytrace=False)
    with time_limit(item, "setup"):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    with time_limit(item, "call"):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item):
    with time_limit(item, "teardown"):
        yield


@pytest.fixture(scope="session")
def build_dir(request):
    build = request.config.getoption("--build")
    return build if os.path.isabs(build) else os.path.join(ROOT, build)


@pytest.fixture(scope="session")
def tool(build_dir):
    """tool(name) -> path of BUILD/name; skips the test when that tool is not built."""
    def path_of(name):
        path = os.path.join(build_dir, name)
        if not os.access(path, os.X_OK):
            pytest.skip("%s is not built (make BUILD=%s)" % (
                path, os.path.relpath(build_dir, ROOT)))
        return path
    return path_of


def suite_name(item):
    rel = os.path.relpath(os.path.dirname(str(item.fspath)), TESTCASES)
    return "top" if rel == "." else rel.replace(os.sep, "-")


@pytest.fixture
def results_dir(request):
    """results/<suite>/<test>/, emptied at the start of the test."""
    test = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
    path = os.path.join(request.config.getoption("--results"), suite_name(request.node), test)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


@pytest.fixture
def capture(results_dir):
    """capture(node, interface=None, name=None, bpf=None) -> running Capture.

    The pcap is results_dir/<name or node name>.pcap; a node with a single interface is
    captured on it, otherwise on "any". All captures stop at teardown.
    """
    running = []

    def start(node, interface=None, name=None, bpf=None):
        cap = start_capture(node, results_dir, interface=interface, name=name, bpf=bpf)
        running.append(cap)
        return cap

    yield start
    for cap in running:
        cap.stop()
