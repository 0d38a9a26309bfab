"""Benchmark runner: every ``benchmarks/bench_*.py`` module, in one process.

Each benchmark measures a baseline and a candidate in the same run and reports their ratio
(candidate / baseline); no absolute timing is compared with another run or machine.

    python benchmarks/run.py --ckan-ini test.ini [--only package_create] [--rounds 5]

``make bench`` runs it against the test database of the chosen CKAN version. A benchmark
module may return one Result or several, and declares ``NEEDS_CKAN = False`` when it runs
without CKAN (no app, no database): if every selected benchmark does, none is started.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import ckan.plugins as p
from ckan.cli import load_config
from ckan.common import config
from ckan.config.middleware import make_app

HERE = Path(__file__).resolve().parent


@dataclass
class Result:
    """One benchmark's outcome: per-sample measurements of baseline and candidate."""

    name: str
    unit: str
    baseline_label: str
    candidate_label: str
    baseline: list[float] = field(default_factory=list)
    candidate: list[float] = field(default_factory=list)
    target: float | None = None  # the ratio the candidate must stay under, if any
    at_least: float | None = None  # the ratio the candidate must reach, if any
    notes: list[str] = field(default_factory=list)  # extra lines printed after the ratio

    @property
    def ratio(self) -> float:
        return statistics.median(self.candidate) / statistics.median(self.baseline)

    @property
    def missed(self) -> bool:
        """Whether the ratio misses its target (stays under / reaches)."""
        under = self.target is not None and self.ratio >= self.target
        return under or (self.at_least is not None and self.ratio < self.at_least)

    def lines(self) -> list[str]:
        b, c = statistics.median(self.baseline), statistics.median(self.candidate)
        verdict = ""
        if self.target is not None:
            verdict = f"  (target < {self.target:.2f}: {'ok' if self.ratio < self.target else 'MISSED'})"
        if self.at_least is not None:
            verdict = (
                f"  (target >= {self.at_least:.2f}: {'ok' if self.ratio >= self.at_least else 'MISSED'})"
            )
        nb, nc = len(self.baseline), len(self.candidate)
        return [
            f"{self.name}",
            f"  baseline  {self.baseline_label}: median {b:.2f} {self.unit} (n={nb})",
            f"  candidate {self.candidate_label}: median {c:.2f} {self.unit} (n={nc})",
            f"  ratio candidate/baseline = {self.ratio:.3f}{verdict}",
            *(f"  {note}" for note in self.notes),
        ]


@dataclass
class Env:
    """What a benchmark gets: the CKAN app and a way to switch the enabled plugins."""

    app: object | None
    rounds: int

    @contextmanager
    def plugins(self, plugins: str, **settings: str) -> Iterator[None]:
        """Run the block with ``ckan.plugins`` (and other settings) switched, as CKAN's
        ``with_plugins`` test fixture does."""

        saved = {k: config.get(k) for k in ("ckan.plugins", *settings)}
        p.unload_all()
        config["ckan.plugins"] = plugins
        config.update(settings)
        p.load_all()
        try:
            yield
        finally:
            p.unload_all()
            for key, value in saved.items():
                if value is None:
                    config.pop(key, None)
                else:
                    config[key] = value
            p.load_all()


def discover(only: str | None) -> list[tuple[str, Callable[[Env], Result | list[Result]], bool]]:
    """(name, run, needs CKAN) of every selected benchmark module."""
    found = []
    for path in sorted(HERE.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if only and name != only:
            continue
        module = importlib.import_module(f"benchmarks.{path.stem}")
        found.append((name, module.run, getattr(module, "NEEDS_CKAN", True)))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ckan-ini", default="test.ini")
    parser.add_argument("--only", help="run one benchmark (name without bench_)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)

    sys.path.insert(0, str(HERE.parent))
    benches = discover(args.only)
    app = None
    if any(needs for _, _, needs in benches):
        app = make_app(load_config(args.ckan_ini))
    env = Env(app=app, rounds=args.rounds)
    failed = False
    for _name, bench, needs in benches:
        if needs:
            with app._wsgi_app.test_request_context():  # noqa: SLF001 - CKAN's Flask app, as its middleware reaches it
                results = bench(env)
        else:
            results = bench(env)
        for result in results if isinstance(results, list) else [results]:
            print("\n".join(result.lines()), flush=True)
            failed |= result.missed
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
