"""Run services as separate `crm serve` processes on real PostgreSQL and RabbitMQ: for integration tests and
benchmarks (not used in production)."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from services.core.client import health_of
from services.core.settings import SERVICE_NAMES

TOKEN_KEY = "development-cluster-key-" + "x" * 32


def ephemeral_port_range() -> tuple[int, int]:
    """The ports the kernel gives outgoing connections (and bind to port 0), first and last."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999  # Linux's default


def free_port() -> int:
    """A port nothing is bound to that the kernel will not hand to an outgoing connection before a server binds it.

    A port from bind(0) is an ephemeral one: any connection opened before the server starts (to PostgreSQL,
    RabbitMQ, another service) may take it as its local port, and the server then fails to bind. So the port is
    drawn at random from the 12,000 below the ephemeral range, which the kernel never assigns by itself, and kept
    if it can be bound on every address, as the servers bind it."""
    first_ephemeral, _ = ephemeral_port_range()
    candidates = range(max(1024, first_ephemeral - 12_000), first_ephemeral)
    for _ in range(1_000):
        port = random.choice(candidates)
        if _bindable(port):
            return port
    raise RuntimeError(f"no free port in {candidates.start}-{candidates.stop - 1}")


def _bindable(port: int) -> bool:
    family, address = (socket.AF_INET6, "::") if socket.has_ipv6 else (socket.AF_INET, "0.0.0.0")  # noqa: S104
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            if family == socket.AF_INET6:
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)  # the IPv4 side too
            probe.bind((address, port))
    except OSError:
        return False
    return True


@dataclass
class Cluster:
    """Services of the platform as separate `crm serve` processes, on real PostgreSQL and RabbitMQ."""

    database_url: str
    bus_url: str
    workdir: Path
    ports: dict[str, int] = field(default_factory=dict)
    metrics_ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in SERVICE_NAMES:
            self.ports[name] = free_port()
            self.metrics_ports[name] = free_port()

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            CRM_DATABASE_URL=self.database_url,
            CRM_BUS_URL=self.bus_url,
            CRM_TOKEN_KEY=TOKEN_KEY,
            CRM_DATA_DIR=str(self.workdir),
            CRM_LOG_LEVEL="INFO",
            CRM_RETRY_DELAYS="0.5,1,2",
            CRM_OUTBOX_POLL_MS="200",
        )
        env.update({f"CRM_{name.upper()}_ADDR": f"127.0.0.1:{port}" for name, port in self.ports.items()})
        env.update(extra)
        return env

    def crm(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "services.core.cli", *args], env=self.env(), cwd=self.workdir,
            capture_output=True, text=True, check=check, timeout=timeout,
        )

    def start(self, name: str, *, wait: bool = True) -> None:
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it open
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", "services.core.cli", "serve", name],
            env=self.env(CRM_GRPC_PORT=str(self.ports[name]), CRM_METRICS_PORT=str(self.metrics_ports[name])),
            cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT,
        )
        if wait:
            self.wait_serving(name)

    def is_serving(self, name: str) -> bool:
        return health_of(f"127.0.0.1:{self.ports[name]}") == "SERVING"

    def wait_serving(self, name: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            process = self.processes[name]
            if process.poll() is not None:
                raise AssertionError(f"{name} exited with {process.returncode}:\n{self.log(name)}")
            if self.is_serving(name):
                return
            time.sleep(0.1)
        raise AssertionError(f"{name} not SERVING within {timeout}s:\n{self.log(name)}")

    def kill(self, name: str) -> None:
        """SIGKILL: no graceful shutdown, whatever was in flight is cut off."""
        process = self.processes.pop(name)
        process.kill()
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for name in list(self.processes):
            process = self.processes.pop(name)
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()

    def log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace")[-5000:] if path.exists() else ""
