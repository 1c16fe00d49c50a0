"""Start the node OpenID Provider (``oidc_provider.mjs``) on loopback for tests and the demo."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

SCRIPT = Path(__file__).with_name("oidc_provider.mjs")


class OidcProvider:
    def __init__(self, *, clients: list[dict], accounts: dict[str, dict], port: int = 0):
        self._dir = tempfile.TemporaryDirectory(prefix="mmm-op-")
        self._config = Path(self._dir.name, "config.json")
        self._config.write_text(json.dumps({"port": port, "clients": clients, "accounts": accounts}))
        self._process: subprocess.Popen | None = None
        self.issuer = ""

    def start(self) -> OidcProvider:
        node = shutil.which("node") or "/usr/bin/node"
        self._process = subprocess.Popen(
            [node, str(SCRIPT), str(self._config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={"PATH": "/usr/bin:/bin", "NODE_ENV": "development"},
        )
        for line in self._process.stdout:
            if line.startswith("ready "):
                self.issuer = line.split(" ", 1)[1].strip()
                # Keep reading its output so a chatty provider never blocks on a full pipe.
                threading.Thread(target=self._process.stdout.read, daemon=True).start()
                return self
        raise RuntimeError(f"the OpenID Provider did not start (exit {self._process.wait()})")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
        self._dir.cleanup()
