"""A synthetic won/lost lead history in the format of `crm leads export-history` (SYNTHETIC: no real customer is in
it; the effects below are invented to look like a B2B software vendor's funnel, not measured anywhere).

Each lead has a hidden intent. Intent drives its behaviour (page views, e-mail opens, calls, demos, a look at the
contract template) and, with the channel (referrals convert best, cold calls worst), the budget, the company size
(a sweet spot between 50 and 2,000 people), the industry (software and manufacturing buy more) and the region
(tier-1 cities a little better), whether it was won. Some of that the default model sees (behaviour, the tenant's
target industries and ranges), some it cannot (channel, the shape of the size effect); the outcome is noisy, and
the effects drift a little over the two years so that a time-split backtest is not too kind.

Also writes the default model's settings for that vendor (its target industries, regions, size and budget
ranges) as JSON, for `crm-predictive-scoring backtest --scoring-settings`.

Usage: python bench/gen_lead_history.py --output history.csv [--settings-output settings.json] [--leads 20000]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

KINDS = ("page_view", "email_open", "call_answered", "demo_attended", "contract_template_viewed")
INDUSTRIES = {  # GB/T 4754 division: (share of leads, effect on winning)
    "65": (0.18, 0.5), "64": (0.08, 0.3), "63": (0.03, 0.2), "34": (0.07, 0.35), "35": (0.05, 0.3),
    "39": (0.06, 0.4), "38": (0.04, 0.25), "51": (0.07, -0.1), "52": (0.08, -0.2), "66": (0.05, 0.1),
    "70": (0.06, -0.4), "72": (0.07, 0.0), "83": (0.06, -0.3), "84": (0.04, -0.2), "47": (0.06, -0.35),
}
REGIONS = {"上海": (0.16, 0.3), "北京": (0.15, 0.3), "广东": (0.14, 0.2), "江苏": (0.1, 0.1), "浙江": (0.1, 0.15),
           "四川": (0.07, -0.1), "湖北": (0.06, -0.1), "山东": (0.08, -0.05), "河南": (0.06, -0.2),
           "陕西": (0.04, -0.15), "": (0.04, -0.3)}
CHANNELS = {"Baidu SEM": (0.3, 0.0), "Referral": (0.12, 0.9), "Offline Expo A": (0.15, 0.3),
            "Website": (0.2, 0.1), "Cold call": (0.13, -0.7), "WeChat": (0.1, -0.1)}
SETTINGS = {"target_industries": ["I", "C"], "target_regions": ["上海", "北京", "广东", "江苏", "浙江"],
            "employees_min": 50, "employees_max": 5000, "budget_min": "100000", "budget_max": "5000000"}
COLUMNS = ("lead_id", "created_at", "decided_at", "outcome", "industry", "region", "employees", "budget",
           "channel", *KINDS, "interactions")


def _pick(rng: np.random.Generator, table: dict, n: int) -> tuple[np.ndarray, np.ndarray]:
    names = list(table)
    shares = np.array([table[name][0] for name in names])
    chosen = rng.choice(len(names), size=n, p=shares / shares.sum())
    return np.array(names, dtype=object)[chosen], np.array([table[name][1] for name in names])[chosen]


def generate(leads: int, seed: int = 4) -> list[dict]:
    rng = np.random.default_rng(seed)
    start = datetime(2024, 11, 1, tzinfo=UTC)
    created = np.sort(rng.uniform(0, 730, leads))  # days over two years
    drift = created / 730.0
    industry, industry_effect = _pick(rng, INDUSTRIES, leads)
    region, region_effect = _pick(rng, REGIONS, leads)
    channel, channel_effect = _pick(rng, CHANNELS, leads)
    employees = np.where(rng.random(leads) < 0.85, np.round(rng.lognormal(math.log(80), 1.3, leads)), 0).astype(int)
    known_budget = rng.random(leads) < 0.6
    budget = np.round(rng.lognormal(math.log(200_000), 1.1, leads), -2)
    intent = rng.normal(0, 1, leads) + 0.35 * channel_effect
    counts = {
        "page_view": rng.poisson(np.exp(1.0 + 0.45 * intent)),
        "email_open": rng.poisson(np.exp(0.4 + 0.35 * intent)),
        "call_answered": rng.poisson(np.exp(-0.8 + 0.55 * intent)),
        "demo_attended": (rng.random(leads) < 1 / (1 + np.exp(1.6 - 1.1 * intent))).astype(int),
        "contract_template_viewed": (rng.random(leads) < 1 / (1 + np.exp(3.0 - 1.3 * intent))).astype(int),
    }
    total = sum(counts.values())
    recency = np.clip(rng.beta(2, 2, leads) + 0.15 * intent, 0.05, 1.0)
    interactions = total * recency * rng.uniform(0.3, 0.9, leads)
    size = np.where(employees == 0, -0.3, np.where((employees >= 50) & (employees <= 2000), 0.35, -0.25))
    money = np.where(known_budget, np.clip(np.log(budget / 200_000), -2, 2) * 0.35, -0.2)
    logit = (-2.0 + 0.9 * intent + channel_effect * (1 - 0.3 * drift) + industry_effect + 0.8 * region_effect
             + size + money + 0.3 * drift + rng.normal(0, 0.8, leads))
    won = rng.random(leads) < 1 / (1 + np.exp(-logit))
    decided = created + rng.uniform(7, 120, leads)
    rows = []
    for i in range(leads):
        rows.append({
            "lead_id": f"syn-{i:07d}",
            "created_at": (start + timedelta(days=float(created[i]))).isoformat(),
            "decided_at": (start + timedelta(days=float(decided[i]))).isoformat(),
            "outcome": "won" if won[i] else "lost",
            "industry": industry[i], "region": region[i], "employees": int(employees[i]),
            "budget": f"{budget[i]:.2f}" if known_budget[i] else "", "channel": channel[i],
            **{kind: int(counts[kind][i]) for kind in KINDS},
            "interactions": f"{interactions[i]:.4f}",
        })
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--settings-output", type=Path)
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    rows = generate(args.leads, args.seed)
    with args.output.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    if args.settings_output:
        args.settings_output.write_text(json.dumps(SETTINGS, ensure_ascii=False), encoding="utf-8")
    won = sum(row["outcome"] == "won" for row in rows)
    print(f"{len(rows)} synthetic leads ({won} won, {won / len(rows):.1%}) written to {args.output}")


if __name__ == "__main__":
    main()
