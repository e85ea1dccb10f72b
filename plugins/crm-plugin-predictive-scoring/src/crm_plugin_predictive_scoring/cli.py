"""`crm-predictive-scoring train|backtest --history FILE`: fit the model on a won/lost history, or measure it.

The history is the CSV `crm leads export-history --tenant T --output FILE` writes (lead_id, created_at, decided_at,
outcome won/lost, industry, region, employees, budget, channel, one count column per behaviour kind,
interactions). `backtest` splits it by time: it trains on the earlier leads and prints the ROC AUC of this model
and of the platform's default model on the later ones.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from crm_plugin_predictive_scoring.features import KINDS, history_lead

UNUSABLE_INPUT = 2


def read_history(path: Path):  # noqa: ANN201 - polars is imported lazily
    import polars as pl

    schema = {"lead_id": pl.String, "created_at": pl.String, "decided_at": pl.String, "outcome": pl.String,
              "industry": pl.String, "region": pl.String, "employees": pl.Int64, "budget": pl.Float64,
              "channel": pl.String, **{kind: pl.Int64 for kind in KINDS}, "interactions": pl.Float64}
    try:
        frame = pl.read_csv(path, schema_overrides=schema, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as error:
        click.echo(f"cannot read {path}: {str(error).splitlines()[0] if str(error) else type(error).__name__}",
                   err=True)
        sys.exit(UNUSABLE_INPUT)
    missing = [name for name in schema if name not in frame.columns]
    if missing:
        click.echo(f"{path} lacks the columns {', '.join(missing)}", err=True)
        sys.exit(UNUSABLE_INPUT)
    frame = frame.filter(pl.col("outcome").is_in(["won", "lost"])).with_columns(
        created=pl.col("created_at").str.to_datetime(time_zone="UTC"),
        **{kind: pl.col(kind).fill_null(0) for kind in KINDS},
        employees=pl.col("employees").fill_null(0), interactions=pl.col("interactions").fill_null(0.0),
        industry=pl.col("industry").fill_null(""), region=pl.col("region").fill_null(""),
        channel=pl.col("channel").fill_null(""),
    ).sort("created", "lead_id")
    return frame


def default_model_scores(frame, settings_path: Path | None) -> list[float]:  # noqa: ANN001
    """The platform's default model (services.leads.scoring) on history rows, with the tenant's settings if given.
    The history's interactions are as of the decision, so they are scored as if that were now."""
    import polars as pl

    from services.leads import scoring

    settings = scoring.validate_settings(json.loads(settings_path.read_text(encoding="utf-8"))) \
        if settings_path else scoring.ScoringSettings()
    now = datetime(2000, 1, 1, tzinfo=UTC)
    stamped = frame.with_columns(interactions_at=pl.lit(now), last_event_at=pl.lit(now))
    return scoring.score_frame(stamped, settings, now)["score"].to_list()


@click.group()
def main() -> None:
    """Predictive lead scoring trained on a tenant's won/lost history."""


@main.command()
@click.option("--history", "history_path", required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--output", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The plugin settings to install: crm leads scoring-model --plugin predictive_scoring --settings.")
@click.option("--min-count", default=20, show_default=True, help="Rarer industries, regions, channels count as other.")
def train(history_path: Path, output: Path, min_count: int) -> None:
    """Fit the model on the whole history and write its parameters as JSON."""
    from sklearn.metrics import roc_auc_score

    from crm_plugin_predictive_scoring.model import predict
    from crm_plugin_predictive_scoring.model import train as fit

    frame = read_history(history_path)
    leads, won = _examples(frame)
    params = fit(leads, won, min_count=min_count)
    output.write_text(json.dumps({"model": params}, ensure_ascii=False, indent=1), encoding="utf-8")
    auc = roc_auc_score(won, predict(params, leads))
    click.echo(f"trained on {len(leads)} leads ({sum(won)} won); ROC AUC on them {auc:.3f}; parameters in {output}")


@main.command()
@click.option("--history", "history_path", required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--train-fraction", default=0.75, show_default=True, type=click.FloatRange(0.1, 0.95),
              help="The earliest leads (by creation time) to train on; the rest is the test.")
@click.option("--scoring-settings", "settings_path", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="The tenant's default-model settings as JSON (GetScoringSettings fields); default: the defaults.")
@click.option("--min-count", default=20, show_default=True)
def backtest(history_path: Path, train_fraction: float, settings_path: Path | None, min_count: int) -> None:
    """Train on the earlier part of the history; print ROC AUC of this model and of the default on the later part."""
    from sklearn.metrics import roc_auc_score

    from crm_plugin_predictive_scoring.model import predict
    from crm_plugin_predictive_scoring.model import train as fit

    frame = read_history(history_path)
    cut = int(len(frame) * train_fraction)
    earlier, later = frame.head(cut), frame.slice(cut)
    train_leads, train_won = _examples(earlier)
    test_leads, test_won = _examples(later)
    if len(set(test_won)) < 2 or len(set(train_won)) < 2:
        click.echo("both parts of the history need won and lost leads", err=True)
        sys.exit(UNUSABLE_INPUT)
    params = fit(train_leads, train_won, min_count=min_count)
    predictive = roc_auc_score(test_won, predict(params, test_leads))
    default = roc_auc_score(test_won, default_model_scores(later, settings_path))
    click.echo(f"history: {len(frame)} leads; trained on the {len(earlier)} created before "
               f"{later['created'][0]:%Y-%m-%d} ({sum(train_won)} won), tested on the {len(later)} after "
               f"({sum(test_won)} won)")
    click.echo(f"ROC AUC on the later part: predictive {predictive:.3f}, default model {default:.3f}")


def _examples(frame) -> tuple[list[dict], list[bool]]:  # noqa: ANN001
    rows = frame.to_dicts()
    return [history_lead(row) for row in rows], [row["outcome"] == "won" for row in rows]
