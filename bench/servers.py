"""Starting, measuring and stopping one server process for the comparison scripts."""
import os
import resource
import shlex
import signal
import socket
import subprocess
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def raise_nofile(limit=65536):
    """Raises RLIMIT_NOFILE as far as allowed (root may raise the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = max(soft, limit)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, max(hard, want)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))


class ServerProcess:
    """A server on a free loopback port, pinned to `cpu`; stopped by stop() or `with`.

    `command` is the binary, optionally followed by extra flags ("starling --event_loops 1");
    `-a 127.0.0.1 -p PORT` is appended (both Starling and nats-server take these flags).
    """

    def __init__(self, command, cpu="0", ready_timeout=15.0):
        self.port = free_port()
        binary = shlex.split(command)[0]
        cmd = ["taskset", "-c", cpu] + shlex.split(command) + ["-a", "127.0.0.1", "-p", str(self.port)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     preexec_fn=raise_nofile)
        deadline = time.monotonic() + ready_timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{binary} exited with {self.proc.returncode} before listening")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.recv(16)  # INFO: the server is serving
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"{binary} did not listen on {self.port}")
                time.sleep(0.05)

    @property
    def url(self):
        return f"nats://127.0.0.1:{self.port}"

    def cpu_seconds(self):
        """utime + stime from /proc/PID/stat."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        # fields[0] is state (field 3); utime and stime are fields 14 and 15.
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def status_kib(self, key):
        """A kB value from /proc/PID/status, e.g. VmHWM (peak RSS) or VmRSS."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
