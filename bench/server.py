"""Start and stop the gunicorn server the benchmark talks to."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.client import Client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn (one sync worker unless told), in its own process group so it can be stopped whole."""

    def __init__(
        self, env: dict[str, str], cwd: Path, log: Path, port: int = 0, workers: int = 1, threads: int = 1
    ) -> None:
        self.env, self.cwd, self.log = env, cwd, log
        self.workers, self.threads = workers, threads
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        command = [
            sys.executable, "-m", "gunicorn", "fangyi.wsgi",
            "-b", f"127.0.0.1:{self.port}", "-w", str(self.workers), "--threads", str(self.threads),
            "--timeout", "300",
        ]  # fmt: skip
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        probe = Client("127.0.0.1", self.port, timeout=5)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                probe.get("/login/")
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self, grace: float = 10) -> None:
        """SIGTERM the server's process group; SIGKILL it if it is still there after `grace`."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""
