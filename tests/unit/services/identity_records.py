"""A small seeded set of Chinese CRM records with known duplicates, for the matching tests.

bench/gen_chinese_crm.py makes the large, realistic one; this one is small enough for a unit test and
still has the hard parts: format variants, typos, missing fields and same-brand different companies.
"""

from __future__ import annotations

import random

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红"
BRANDS = [
    "华为",
    "腾讯",
    "阿里",
    "星河",
    "蓝海",
    "东方",
    "恒信",
    "瑞丰",
    "天成",
    "金桥",
    "宏图",
    "博远",
    "凯达",
    "泰和",
]
TRADES = ["科技", "贸易", "电子", "网络", "物流", "医药"]
SUFFIXES = ["有限公司", "有限责任公司", "股份有限公司", "", "（深圳）有限公司", " Co., Ltd."]
CITIES = ["北京", "上海", "深圳", "广州", "杭州", "成都"]


def _mobile(rng: random.Random) -> str:
    return "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9))


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 2:
        return text
    position = rng.randrange(len(text))
    return text[:position] + rng.choice(GIVEN) + text[position + 1 :]


def _phone_format(rng: random.Random, mobile: str) -> str:
    head, middle, tail = mobile[:3], mobile[3:7], mobile[7:]
    return rng.choice([mobile, f"+86 {head} {middle} {tail}", f"{head}-{middle}-{tail}", f"0086{mobile}"])


def records(entities: int = 300, seed: int = 3) -> tuple[list[dict[str, str]], dict[str, int]]:
    """(CRM records, record_id -> true entity)."""
    rng = random.Random(seed)
    rows, truth = [], {}
    for entity in range(entities):
        brand, trade, city = rng.choice(BRANDS), rng.choice(TRADES), rng.choice(CITIES)
        person = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        mobile = _mobile(rng)
        # Same brand and trade, different legal entities: distinguished by branch word, phone and e-mail.
        branch = rng.choice(["", "信息", "软件", "终端", "国际"])
        base = {
            "name": person,
            "company": brand + branch + trade,
            "phone": mobile,
            "email": f"user{entity}@{['qq.com', '163.com', 'corp.cn'][entity % 3]}",
            "city": city,
        }
        copies = rng.choices((1, 2, 3), weights=(6, 3, 1))[0]
        for copy in range(copies):
            row = dict(base)
            row["company"] = base["company"] + rng.choice(SUFFIXES)
            if copy:
                row["phone"] = _phone_format(rng, mobile)
                row["email"] = row["email"].upper() if rng.random() < 0.3 else row["email"]
                if rng.random() < 0.3:
                    row["name"] = _typo(rng, person)
                if rng.random() < 0.3:
                    row[rng.choice(["phone", "email", "city"])] = ""
            row["record_id"] = f"r{len(rows)}"
            truth[row["record_id"]] = entity
            rows.append(row)
    rng.shuffle(rows)
    return rows, truth


def pairwise_f1(clusters: dict[str, str], truth: dict[str, int]) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 of predicted clusters (record -> cluster) against the truth."""

    def pairs(assignment: dict[str, object]) -> set[tuple[str, str]]:
        groups: dict[object, list[str]] = {}
        for record, group in assignment.items():
            groups.setdefault(group, []).append(record)
        return {(a, b) for members in groups.values() for a in members for b in members if a < b}

    predicted, actual = pairs(clusters), pairs(truth)
    hits = len(predicted & actual)
    precision, recall = hits / max(len(predicted), 1), hits / max(len(actual), 1)
    return precision, recall, 2 * precision * recall / max(precision + recall, 1e-9)
