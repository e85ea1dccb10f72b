"""Static checks of deploy/docker/Dockerfile (no Docker engine needed)."""

from __future__ import annotations

import fnmatch
import json
import shlex

import pytest
from chart_env import REPO

DOCKERFILE = REPO / "deploy" / "docker" / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with continuations joined and comments dropped."""
    result, pending = [], ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        keyword, _, args = full.partition(" ")
        result.append((keyword.upper(), args.strip()))
    assert not pending, "dangling line continuation"
    return result


def stages() -> list[list[tuple[str, str]]]:
    out: list[list[tuple[str, str]]] = []
    for keyword, args in instructions():
        if keyword == "FROM":
            out.append([])
        if out:
            out[-1].append((keyword, args))
    return out


def copy_sources() -> list[str]:
    sources = []
    for keyword, args in instructions():
        if keyword not in ("COPY", "ADD"):
            continue
        parts = [p for p in shlex.split(args) if not p.startswith("--")]
        if "--from=" in args:
            continue
        sources.extend(parts[:-1])
    return sources


def test_known_instructions_only():
    known = {"FROM", "ARG", "ENV", "RUN", "COPY", "WORKDIR", "USER", "EXPOSE", "ENTRYPOINT", "CMD", "LABEL"}
    assert {k for k, _ in instructions()} <= known


def test_multi_stage_build():
    all_stages = stages()
    assert len(all_stages) >= 2
    names = [s[0][1].split()[-1] for s in all_stages]
    assert "builder" in names
    runtime = all_stages[-1]
    assert any(k == "COPY" and "--from=builder" in a for k, a in runtime)
    assert any(k == "RUN" and "pip install ." in a for k, a in all_stages[0])
    # No compilers in the final image.
    assert not any(k == "RUN" and "build-essential" in a for k, a in runtime)


def test_runtime_runs_as_non_root():
    users = [a for k, a in stages()[-1] if k == "USER"]
    assert users, "final stage has no USER"
    uid = users[-1].split(":")[0]
    assert uid == "10001"


def test_entrypoint_ports_and_command():
    final = dict(stages()[-1][::-1])  # last occurrence wins
    assert json.loads(final["ENTRYPOINT"]) == ["crm"]
    assert json.loads(final["CMD"])[0] == "serve"
    exposed = {p for k, a in stages()[-1] if k == "EXPOSE" for p in a.split()}
    assert {"50051", "9464", "8080"} <= exposed


def test_copy_sources_exist_and_are_in_the_allowed_set():
    allowed = {"pyproject.toml", "README.md", "services", "protos", "plugins"}
    sources = copy_sources()
    assert sources
    for source in sources:
        name = source.rstrip("/")
        assert name in allowed, f"unexpected COPY source {source}"
        assert (REPO / name).exists(), f"COPY source {source} is missing from the repository"


def _ignored(path: str, patterns: list[str]) -> bool:
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pat = pattern.lstrip("!").rstrip("/")
        if fnmatch.fnmatch(path, pat) or fnmatch.fnmatch(path, pat + "/*") or path.split("/")[0] == pat:
            ignored = not negate
    return ignored


def test_dockerignore():
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for must in (".venv", ".git", "**/__pycache__"):
        assert must in patterns, must
    for source in copy_sources():
        assert not _ignored(source.rstrip("/"), patterns), f"{source} is copied but excluded by .dockerignore"


@pytest.mark.parametrize("path", [".venv/bin/python", ".git/config", "tests/deploy/conftest.py"])
def test_dockerignore_excludes(path):
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert _ignored(path, patterns)
