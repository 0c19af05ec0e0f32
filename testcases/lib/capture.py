"""tcpdump captures inside the bench's network nodes, one pcap per node, stopped cleanly.

A node is a Mininet node (anything with .popen(argv, ...) and .intfNames()) or the name of a
network namespace (run through `ip netns exec`). start_capture() returns once tcpdump is
listening (bounded wait); Capture.stop() waits until the file stops growing (tcpdump has read
what the kernel queued for it), then sends SIGINT so tcpdump closes the file.
"""

import os
import signal
import subprocess
import time

from poll import wait_for

START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0
SETTLE_QUIET = 0.2  # the pcap has not grown for this long: tcpdump has caught up
SETTLE_TIMEOUT = 5.0


def _node_name(node):
    return node if isinstance(node, str) else node.name


def _popen(node, argv, stderr):
    if isinstance(node, str):
        return subprocess.Popen(["ip", "netns", "exec", node] + argv, stdout=subprocess.DEVNULL,
                                stderr=stderr, start_new_session=True)
    return node.popen(argv, stdout=subprocess.DEVNULL, stderr=stderr)


def _default_interface(node):
    """The node's only non-loopback interface, or "any" (Linux cooked capture) if it has more."""
    if isinstance(node, str):
        return "any"
    names = [n for n in node.intfNames() if n != "lo"]
    return names[0] if len(names) == 1 else "any"


class Capture:
    """A running tcpdump; use as a context manager or call stop()."""

    def __init__(self, node, path, interface, bpf=None):
        self.node, self.path, self.interface = node, path, interface
        self.log_path = path + ".log"
        argv = ["tcpdump", "-n", "-U", "--immediate-mode", "-s", "0", "-i", interface, "-w", path]
        if bpf:
            argv.append(bpf)
        self._log = open(self.log_path, "wb")
        self.proc = _popen(node, argv, self._log)
        wait_for(self._started_or_exited, START_TIMEOUT)
        if self.proc.poll() is not None or "listening on" not in self.log():
            self.stop()
            raise RuntimeError("tcpdump on %s:%s did not start: %s" % (
                _node_name(node), interface, self.log().strip()))

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def _started_or_exited(self):
        return self.proc.poll() is not None or "listening on" in self.log()

    def _size(self):
        try:
            return os.path.getsize(self.path)
        except OSError:
            return -1

    def settle(self, quiet=SETTLE_QUIET, timeout=SETTLE_TIMEOUT):
        """Wait until the pcap has not grown for `quiet` seconds (tcpdump writes each packet
        as it reads it, -U): what is already in its socket is then in the file."""
        last = [self._size(), time.monotonic()]

        def quiet_enough():
            size, now = self._size(), time.monotonic()
            if size != last[0]:
                last[:] = [size, now]
            return now - last[1] >= quiet

        return wait_for(quiet_enough, timeout)

    def stop(self):
        """Let tcpdump catch up (settle), stop it (SIGINT: it closes the file; SIGKILL after
        STOP_TIMEOUT); returns the pcap path."""
        if self.proc.poll() is None:
            self.settle()
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self._log.closed:
            self._log.close()
        return self.path

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def start_capture(node, directory, interface=None, name=None, bpf=None):
    """Start tcpdump in `node`, writing DIRECTORY/NAME.pcap (NAME defaults to the node name)."""
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, (name or _node_name(node)) + ".pcap")
    return Capture(node, path, interface or _default_interface(node), bpf)
