"""Batch dedup speed: ours (`crm identity dedup`) against Splink 5 on DuckDB, on the same generated CRM records.

Generates (once, cached under bench/.data/) n Chinese CRM records with known duplicates (bench/gen_chinese_crm.py),
runs each engine in its own subprocess on the same CSV and prints, per engine: wall seconds, peak memory, pairwise
precision / recall / F1 against the truth, and the ratio of our time to Splink's. Targets (issue #3): faster than
Splink's fastest reasonable setting (u estimated from 1e6 sampled pairs) at no lower F1, under 2 GiB peak.

Peak memory is measured by a fresh wrapper process per run (this script with --measure), so that one run's peak
cannot leak into the next: the larger of the children's ru_maxrss (largest single process) and the sampled RSS of
the whole process tree (catches engines that fork workers).

Run it in the bench environment, which has Splink (`make bench-venv`; ours still runs from .venv):
  .venv-bench/bin/python bench/dedup.py [--n 1000000] [--seed 42] [--threshold 0.9] [--max-pairs 1e6] [--no-splink]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from linkage_metrics import Scores, pairwise_scores, read_clusters

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DATA = BENCH / ".data"
GIB = 1 << 30


@dataclass
class Run:
    engine: str
    seconds: float = 0.0
    peak_bytes: int = 0
    scores: Scores | None = None
    error: str = ""  # why the engine produced no clusters


# --- data ---------------------------------------------------------------------------------------------------------
def dataset(n: int, seed: int) -> tuple[Path, Path]:
    """records.csv and truth.csv of n generated records, generated on first use and cached in bench/.data/ under a
    name that includes a digest of the generator, so that a changed generator never reuses an old cache."""
    digest = hashlib.sha1((BENCH / "gen_chinese_crm.py").read_bytes()).hexdigest()[:8]
    target = DATA / f"crm_{n}_{seed}_{digest}"
    if not (target / "truth.csv").exists():
        from gen_chinese_crm import generate, write

        started = time.perf_counter()
        DATA.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=DATA, prefix=".tmp-"))  # an interrupted run leaves no half cache
        write(generate(n, seed), staging)
        staging.rename(target)
        print(f"generated {n:,} records in {time.perf_counter() - started:.1f} s -> {target}", flush=True)
    return target / "records.csv", target / "truth.csv"


# --- engines ------------------------------------------------------------------------------------------------------
def ours_command(records: Path, output: Path) -> list[str]:
    """Our CLI from the runtime environment (.venv), not the bench one: what users run is what we time."""
    crm = os.environ.get("CRM_BIN") or (str(REPO / ".venv/bin/crm") if (REPO / ".venv/bin/crm").exists() else "")
    prefix = [crm] if crm else [sys.executable, "-m", "services.core.cli"]
    return [*prefix, "identity", "dedup", "--input", str(records), "--output", str(output)]


def bench_python() -> str:
    """An interpreter that has Splink: this one when it has, else the bench venv's."""
    if importlib.util.find_spec("splink") is not None:
        return sys.executable
    return str(REPO / ".venv-bench/bin/python")


def splink_command(records: Path, output: Path, threshold: float, max_pairs: float) -> list[str]:
    return [bench_python(), str(BENCH / "splink_runner.py"), "crm", "--input", str(records), "--output", str(output),
            "--threshold", str(threshold), "--max-pairs", str(max_pairs)]


def run_engine(engine: str, command: list[str], output: Path, truth: Path | None) -> Run:
    """Runs one engine's command under the measuring wrapper and scores the clusters it wrote."""
    run = Run(engine)
    completed = subprocess.run([sys.executable, __file__, "--measure", "--", *command], cwd=REPO,
                               capture_output=True, text=True)
    report = json.loads(completed.stdout.strip().splitlines()[-1]) if completed.stdout.strip() else {}
    run.seconds, run.peak_bytes = report.get("seconds", 0.0), report.get("peak_bytes", 0)
    if report.get("returncode") != 0 or not output.exists():
        lines = [line for line in completed.stderr.strip().splitlines() if line.strip()]
        run.error = f"exit {report.get('returncode')}: {lines[-1] if lines else 'no output'}"
    elif truth is not None:
        run.scores = pairwise_scores(read_clusters(output), read_clusters(truth))
    return run


# --- measuring wrapper (this script re-run with --measure) ---------------------------------------------------------
def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants, from /proc (0 once they are gone)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(child) for child in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def _measure(command: list[str]) -> None:
    """Runs command, sends its output to stderr and prints one JSON line: returncode, seconds, peak_bytes."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=sys.stderr)
    sampled = 0
    while child.poll() is None:
        sampled = max(sampled, _tree_rss(child.pid))
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # Linux reports KiB
    print(json.dumps({"returncode": child.returncode, "seconds": seconds, "peak_bytes": max(largest, sampled)}))


# --- report -------------------------------------------------------------------------------------------------------
def print_table(title: str, runs: list[Run]) -> None:
    print(f"\n{title}")
    print(f"{'engine':<8} {'wall s':>8} {'peak MiB':>9} {'precision':>10} {'recall':>8} {'F1':>8}")
    for run in runs:
        if run.error:
            print(f"{run.engine:<8} not available ({run.error})")
            continue
        peak = f"{run.peak_bytes / (1 << 20):9.0f}" if run.peak_bytes else f"{'-':>9}"
        scores = run.scores
        quality = (f"{scores.precision:10.4f} {scores.recall:8.4f} {scores.f1:8.4f}" if scores
                   else f"{'-':>10} {'-':>8} {'-':>8}")
        print(f"{run.engine:<8} {run.seconds:8.1f} {peak} {quality}")


def verdict(ours: Run, splink: Run) -> str:
    if ours.error or splink.error or not (ours.scores and splink.scores):
        return "targets: not checked (an engine is not available)"
    ratio = ours.seconds / splink.seconds
    checks = {
        f"faster than Splink (ours/splink time {ratio:.2f}x)": ratio < 1,
        f"F1 not lower ({ours.scores.f1:.4f} vs {splink.scores.f1:.4f})": ours.scores.f1 >= splink.scores.f1,
        f"peak under 2 GiB ({ours.peak_bytes / GIB:.2f} GiB)": ours.peak_bytes < 2 * GIB,
    }
    return "\n".join(f"target {'PASS' if ok else 'FAIL'}: {text}" for text, ok in checks.items())


def main() -> None:
    if sys.argv[1:2] == ["--measure"]:
        _measure(sys.argv[3:] if sys.argv[2:3] == ["--"] else sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="records to generate (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--threshold", type=float, default=0.9, help="Splink's match probability threshold")
    parser.add_argument("--max-pairs", type=float, default=1e6, help="pairs Splink samples to estimate u")
    parser.add_argument("--no-splink", action="store_true", help="time ours only")
    args = parser.parse_args()
    records, truth = dataset(args.n, args.seed)
    work = Path(tempfile.mkdtemp(prefix="dedup-bench-"))
    try:
        ours = run_engine("ours", ours_command(records, work / "ours.csv"), work / "ours.csv", truth)
        runs = [ours]
        if not args.no_splink:
            output = work / "splink.csv"
            runs.append(run_engine("splink", splink_command(records, output, args.threshold, args.max_pairs),
                                   output, truth))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print_table(f"batch dedup of {args.n:,} generated CRM records ({records})", runs)
    if len(runs) == 2:
        print(verdict(*runs))


if __name__ == "__main__":
    main()
