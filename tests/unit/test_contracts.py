"""The contracts: committed stubs match the protos, buf lint is clean, every event declares its routing key."""

from __future__ import annotations

import filecmp
import importlib
import subprocess
import sys
from pathlib import Path

from services.core.events import event_type_of

ROOT = Path(__file__).resolve().parents[2]
BUF = ROOT / ".tools" / "node_modules" / ".bin" / "buf"


def _differences(left: Path, right: Path) -> list[str]:
    comparison = filecmp.dircmp(left, right, ignore=["__pycache__"])
    found = [str(left / name) for name in comparison.left_only + comparison.right_only + comparison.diff_files]
    for name in comparison.common_files:
        if (left / name).read_bytes() != (right / name).read_bytes():
            found.append(str(left / name))
    for name in comparison.common_dirs:
        found += _differences(left / name, right / name)
    return sorted(set(found))


def test_committed_stubs_are_not_stale(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "protos" / "generate.py"), str(tmp_path)], check=True)
    stale = _differences(ROOT / "protos" / "gen" / "python" / "crm", tmp_path / "crm")
    assert stale == [], f"run `make proto`: stale or missing stubs {stale}"


def test_buf_lint_is_clean():
    assert BUF.exists(), "buf is missing: `make test` installs it from npm (@bufbuild/buf)"
    result = subprocess.run([str(BUF), "lint"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_event_message_declares_its_routing_key():
    event_types = {}
    for proto in sorted((ROOT / "protos" / "crm" / "events" / "v1").glob("*.proto")):
        if proto.stem == "envelope":
            continue
        module = importlib.import_module(f"crm.events.v1.{proto.stem}_pb2")
        for message in module.DESCRIPTOR.message_types_by_name.values():
            cls = getattr(module, message.name)
            event_types[event_type_of(cls)] = message.full_name
    assert "lead.created" in event_types and "identity.resolved" in event_types
    # Routing keys are "<thing>.<happened>", lower case.
    assert all(key.count(".") == 1 and key == key.lower() for key in event_types)
