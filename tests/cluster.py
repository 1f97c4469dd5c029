"""Real processes for the tests that span several: gunicorn app servers and db_worker workers.

Each child runs the project's code with the Python running the tests and the environment the
test gives it, in a process group of its own (stopping a gunicorn stops its workers too), and
writes all it prints to one log file. `Process.tail()` is meant for assertion messages, so a
failure in CI can be diagnosed from the test report alone.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_ports(count: int) -> list[int]:
    """`count` distinct TCP ports on 127.0.0.1 that nothing listens on now (the OS picks them)."""
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:  # all held open at once, so no port is handed out twice
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


def wait_for(condition: Callable, *, timeout: float, what: str, logs: Callable[[], str] = str):
    """Poll `condition()` until it returns something truthy, and return that.

    After `timeout` seconds, fail with `what` was awaited and `logs()` (the processes' output).
    """
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"Gave up after {timeout:g} s waiting for {what}.\n{logs()}")
        time.sleep(0.05)


class Process:
    """A child process with its output in `log_dir/<name>.log`."""

    def __init__(self, name: str, command: list[str], *, env: dict, log_dir: Path):
        self.name = name
        self.log_path = Path(log_dir) / f"{name}.log"
        with self.log_path.open("wb") as log:
            self.popen = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def running(self) -> bool:
        return self.popen.poll() is None

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def tail(self, lines: int = 25) -> str:
        text = "\n".join(self.output().splitlines()[-lines:])
        state = "running" if self.running else f"exited with {self.popen.returncode}"
        return f"--- {self.name} ({state}), last lines of {self.log_path} ---\n{text}"

    def send(self, signum: int) -> None:
        """Send `signum` to this process alone (not its group)."""
        self.popen.send_signal(signum)

    def wait(self, timeout: float) -> int:
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"{self.name} still running {timeout:g} s later.\n{self.tail()}"
            ) from None

    def stop(self, timeout: float = 10) -> int:
        """SIGTERM to the whole group, SIGKILL if it is still there `timeout` seconds later."""
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
        return self.popen.returncode


class AppServer(Process):
    """gunicorn serving config.wsgi on 127.0.0.1:`port`, as the README deploys it."""

    def __init__(self, name: str, *, port: int, env: dict, log_dir: Path, workers: int = 2):
        self.url = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-m", "gunicorn", "config.wsgi",
                   "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
                   "--access-logfile", "-", "--error-logfile", "-",
                   # Not the one control socket every gunicorn on the box would share.
                   "--no-control-socket"]  # fmt: skip
        super().__init__(name, command, env=env, log_dir=log_dir)

    def wait_until_healthy(self, timeout: float = 30) -> None:
        """Until /healthz answers 200 (the database and the cache answer this server)."""

        def healthy():
            if not self.running:
                raise AssertionError(f"{self.name} exited while starting.\n{self.tail()}")
            try:
                return httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        wait_for(healthy, timeout=timeout, what=f"{self.url}/healthz", logs=self.tail)


class Worker(Process):
    """`manage.py db_worker`, the django-tasks-db worker, with `name` as its worker id."""

    def __init__(self, name: str, *, env: dict, log_dir: Path, interval: float = 0.1):
        command = [sys.executable, "manage.py", "db_worker", "--worker-id", name,
                   "--interval", str(interval), "--no-startup-delay", "--no-reload"]  # fmt: skip
        super().__init__(name, command, env=env, log_dir=log_dir)

    def wait_until_started(self, timeout: float = 30) -> None:
        def started():
            if not self.running:
                raise AssertionError(f"{self.name} exited while starting.\n{self.tail()}")
            return f"Starting worker worker_id={self.name}" in self.output()

        wait_for(started, timeout=timeout, what=f"{self.name} to start", logs=self.tail)
