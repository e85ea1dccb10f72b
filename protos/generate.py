"""Generate the Python stubs of every .proto below protos/crm into protos/gen/python (or another directory).

Used by `make proto` and by the test that fails when the committed stubs are stale.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import grpc_tools
from grpc_tools import protoc

PROTO_ROOT = Path(__file__).resolve().parent
DEFAULT_OUT = PROTO_ROOT / "gen" / "python"


def proto_files() -> list[Path]:
    return sorted((PROTO_ROOT / "crm").rglob("*.proto"))


def generate(out_dir: Path = DEFAULT_OUT) -> None:
    """Regenerate every stub; the old ones stay untouched unless protoc succeeds (it writes to a scratch dir)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir) as scratch:
        _protoc(Path(scratch))
        if (out_dir / "crm").exists():
            shutil.rmtree(out_dir / "crm")
        (Path(scratch) / "crm").rename(out_dir / "crm")


def _protoc(out_dir: Path) -> None:
    well_known = Path(grpc_tools.__file__).parent / "_proto"
    files = [str(p.relative_to(PROTO_ROOT)) for p in proto_files()]
    args = [
        "grpc_tools.protoc",
        f"-I{PROTO_ROOT}",
        f"-I{well_known}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        *files,
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    # Regular packages (not namespace packages) so the distribution ships them.
    for directory in [out_dir / "crm", *(out_dir / "crm").rglob("*")]:
        if directory.is_dir():
            (directory / "__init__.py").touch()


if __name__ == "__main__":
    generate(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT)
