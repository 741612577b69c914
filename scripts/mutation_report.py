"""Figures of the last `make mutation` run, per module, as a Markdown table
(docs/testing.md, "Mutation run"). Reads the results mutmut keeps in mutants/."""

import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

COLUMNS = ("killed", "survived", "timeout", "no tests", "suspicious", "not checked")


def figures(mutants: Path) -> dict[str, Counter]:
    by_module: dict[str, Counter] = {}
    for meta in sorted(mutants.rglob("*.py.meta")):
        module = str(meta.relative_to(mutants)).removesuffix(".meta")
        exit_codes = json.loads(meta.read_text())["exit_code_by_key"]
        by_module[module] = Counter(status_by_exit_code[code] for code in exit_codes.values())
    return by_module


def table(by_module: dict[str, Counter]) -> str:
    lines = [
        "| module | mutants | " + " | ".join(COLUMNS) + " | survived % |",
        "|---|" + "---:|" * (len(COLUMNS) + 2),
    ]
    total = Counter()
    for module, counts in by_module.items():
        total.update(counts)
        lines.append(row(module, counts))
    lines.append(row("**all**", total))
    return "\n".join(lines)


def row(name: str, counts: Counter) -> str:
    """survived %: of the mutants checked so far (a run stopped halfway leaves some
    "not checked"; the figure is final once that column is 0)."""
    mutants = sum(counts.values())
    checked = mutants - counts["not checked"]
    survived = 100 * counts["survived"] / checked if checked else 0
    cells = " | ".join(str(counts[column]) for column in COLUMNS)
    return f"| {name} | {mutants} | {cells} | {survived:.1f} |"


if __name__ == "__main__":
    print(table(figures(Path(sys.argv[1] if len(sys.argv) > 1 else "mutants"))))
