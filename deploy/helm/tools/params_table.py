#!/usr/bin/env python3
"""Generate the parameters tables of deploy/helm/crm/README.md from the `## @param` comments of values.yaml.

python deploy/helm/tools/params_table.py          # print the tables
python deploy/helm/tools/params_table.py --write  # update README.md between the markers
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

CHART = Path(__file__).resolve().parents[1] / "crm"
BEGIN, END = "<!-- params:begin -->", "<!-- params:end -->"
_PARAM = re.compile(r"^\s*## @param (\S+)\s+(.*)$")
_SECTION = re.compile(r"^\s*## @section (.*)$")


def parse(values_text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(section, [(path, description)])] in file order."""
    sections: list[tuple[str, list[tuple[str, str]]]] = [("Parameters", [])]
    for line in values_text.splitlines():
        if m := _SECTION.match(line):
            sections.append((m.group(1).strip(), []))
        elif m := _PARAM.match(line):
            sections[-1][1].append((m.group(1), m.group(2).strip()))
    return [s for s in sections if s[1]]


def lookup(values: dict, path: str):
    node = values
    for key in path.split("."):
        node = node[key]
    return node


def table(values_text: str) -> str:
    values = yaml.safe_load(values_text)
    out = []
    for title, params in parse(values_text):
        out += [f"### {title}", "", "| Name | Description | Default |", "| --- | --- | --- |"]
        for path, description in params:
            default = json.dumps(lookup(values, path), separators=(",", ":"))
            out.append(f"| `{path}` | {description.replace('|', '&#124;')} | `{default}` |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_readme(readme: str, values_text: str) -> str:
    head, _, rest = readme.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n\n{table(values_text)}\n{END}{tail}"


def main() -> int:
    values_text = (CHART / "values.yaml").read_text()
    if "--write" in sys.argv[1:]:
        readme = CHART / "README.md"
        readme.write_text(render_readme(readme.read_text(), values_text))
    else:
        sys.stdout.write(table(values_text))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
