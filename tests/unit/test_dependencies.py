"""Direction of dependencies: nothing in the application imports bench/.

Checked in a fresh interpreter, so modules other tests imported do not count.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Imports api and every module under it, then reports what got loaded.
PROBE = """
import importlib, json, pkgutil, sys
import api
for module in pkgutil.walk_packages(api.__path__, "api."):
    importlib.import_module(module.name)
print(json.dumps(sorted(sys.modules)))
"""


def test_importing_every_api_module_loads_nothing_from_bench():
    probe = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    loaded = json.loads(probe.stdout)
    assert {"api.demo", "api.generator.writing", "api.generator.__main__"} <= set(loaded)  # it did walk api/
    assert [name for name in loaded if name == "bench" or name.startswith("bench.")] == []
