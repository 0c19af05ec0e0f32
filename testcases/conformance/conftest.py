"""Fixtures of the RFC 5213 / RFC 8278 conformance bench: the RFC 8278 Figure 1 topology with
the LMA and MAG daemons, one capture per node and per test, decoded signaling (benchlib.py).

A test module chooses its daemons' configuration with module globals (defaults in brackets):
  LMA_CONFIG = {...}  keyword arguments of topo.rfc8278.lma_config  [{}]
  MAG_CONFIG = {...}  keyword arguments of topo.rfc8278.mag_config  [{}]
The module fixture `bench` builds the network, starts the captures of the module's set-up
(results/conformance/<module>/) and the daemons; the autouse fixture `node_captures` restarts
every node's capture in results/conformance/<test>/ for each test. Nothing sleeps: waits poll
the control socket or the event stream, each with a bound.
"""

import os
import re
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from benchlib import ROOT, Bench  # noqa: E402
from topo.nodes import CtlError  # noqa: E402
from topo.rfc8278 import make_net, start_net  # noqa: E402

SUITE = "conformance"


def _test_dir(request, name):
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")
    root = request.config.getoption("--results")
    if not os.path.isabs(root):
        root = os.path.join(ROOT, root)
    return os.path.join(root, SUITE, safe)


@pytest.fixture(scope="module")
def bench(request, build_dir):
    """The topology with captures and daemons started, for the whole test module."""
    if os.geteuid() != 0:
        pytest.skip("the Mininet bench needs root")
    module = request.module
    module_dir = _test_dir(request, module.__name__.rsplit(".", 1)[-1])
    os.makedirs(module_dir, exist_ok=True)
    net = make_net(results=module_dir, build=build_dir)
    start_net(net)
    bench = Bench(net, build_dir, module_dir)
    try:
        bench.start_captures(module_dir)
        bench.start_daemons(lma=getattr(module, "LMA_CONFIG", {}),
                            mag=getattr(module, "MAG_CONFIG", {}))
        yield bench
    finally:
        try:
            bench.stop_daemons()
        except (CtlError, OSError, RuntimeError):
            pass
        bench.stop_captures()
        net.stop()


@pytest.fixture(autouse=True)
def node_captures(request):
    """Per test: every node's capture restarted in the test's results_dir
    (results/conformance/<test>/, emptied by the root conftest)."""
    if "bench" not in request.fixturenames:
        yield None
        return
    bench = request.getfixturevalue("bench")
    directory = request.getfixturevalue("results_dir")
    logs = {node: log_size(node) for node in (bench.lma, bench.mag)}
    bench.start_captures(directory)
    yield directory
    bench.stop_captures()
    for node, start in logs.items():  # the daemons' log lines of this test, for the record
        if node.log_path and os.path.exists(node.log_path):
            with open(node.log_path, "rb") as log, \
                    open(os.path.join(directory, "%s.dmmd.log" % node.name), "wb") as out:
                log.seek(start)
                out.write(log.read())


def log_size(node):
    return os.path.getsize(node.log_path) if node.log_path and os.path.exists(
        node.log_path) else 0


@pytest.fixture(scope="module")
def mn1(bench):
    """mn1 registered (Router Solicitation at the MAG): its MN-ID, HNP and SLAAC address."""
    mn_id, hnp, address = bench.register(bench.mn1)
    assert address, "mn1 did not register (hnp %s)" % hnp
    return {"id": mn_id, "hnp": hnp, "address": address}
