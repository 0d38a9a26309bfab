"""Load on the public pages: the Satu Data production stack against stock CKAN 2.12, same run.

    python benchmarks/load.py measure --candidate URL --baseline URL [--seconds 20] [--rounds 2]
    python benchmarks/load.py seed-baseline --source URL --target URL --token TOKEN

``scripts/bench-load.sh`` (``make bench-load``) builds both sides on this machine and runs it:
the candidate is the stack ``scripts/production.sh install`` leaves (gunicorn behind nginx)
with the demo catalogue; the baseline is stock CKAN (``activity scheming_datasets dcat``,
scheming's default dataset schema) with the same datasets and files, served by the same
gunicorn settings behind the same nginx configuration, on the same PostgreSQL, Solr and Redis.

Closed-loop clients (10, then 50) each request the six public pages in rotation (home, search,
a dataset page with its chart and preview, a resource page, ``/catalog.ttl``,
``package_search``), anonymously and without cookies, as a harvester or a crawler does. The two
sides alternate, ``--rounds`` times each, so that drift hits both alike. It prints req/s and
p50/p95 per side and as ratios (candidate / baseline), the 5xx count, and per page the p95 at
50 clients; it never compares absolute times with another run.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

import requests

PAGES = ("home", "search", "dataset", "resource", "catalog", "package_search")
CLIENTS = (10, 50)


@dataclass
class Run:
    """One measurement: every request's page, status and latency (ms), and its duration."""

    samples: list[tuple[str, int, float]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.samples) / self.seconds

    def latencies(self, page: str | None = None) -> list[float]:
        return sorted(ms for p, _, ms in self.samples if page is None or p == page)

    def server_errors(self) -> int:
        return sum(1 for _, status, _ in self.samples if status >= 500 or status == 0)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    index = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return sorted(values)[index]


def urls(base: str) -> dict[str, str]:
    """The six pages of a portal, on the dataset with the most resources (same name on both
    sides, since the baseline is seeded from the candidate)."""
    found = requests.get(
        f"{base}/api/3/action/package_search", params={"rows": 1000, "sort": "name asc"}, timeout=60
    ).json()["result"]["results"]
    dataset = max(found, key=lambda d: (len(d.get("resources", [])), d["name"]))
    resource = dataset["resources"][0]["id"]
    return {
        "home": f"{base}/",
        "search": f"{base}/dataset/",
        "dataset": f"{base}/dataset/{dataset['name']}",
        "resource": f"{base}/dataset/{dataset['name']}/resource/{resource}",
        "catalog": f"{base}/catalog.ttl",
        "package_search": f"{base}/api/3/action/package_search?q=penduduk",
    }


def load(targets: dict[str, str], clients: int, seconds: float) -> Run:
    """``clients`` closed-loop clients for ``seconds``, each over the pages in rotation."""
    run = Run()
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    names = list(targets)

    def client(offset: int) -> None:
        session = requests.Session()
        i = offset
        while time.monotonic() < stop:
            page = names[i % len(names)]
            i += 1
            session.cookies.clear()  # anonymous, cookie-less: a harvester, a crawler
            t0 = time.perf_counter()
            try:
                status = session.get(targets[page], timeout=60).status_code
            except requests.RequestException:
                status = 0
            ms = (time.perf_counter() - t0) * 1000
            with lock:
                run.samples.append((page, status, ms))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.monotonic() - started
    return run


def measure(candidate: str, baseline: str, seconds: float, rounds: int) -> int:
    sides = {"candidate": urls(candidate), "baseline": urls(baseline)}
    for targets in sides.values():  # warm both (templates, caches, connections)
        load(targets, 4, min(5.0, seconds))
    runs: dict[tuple[str, int], list[Run]] = defaultdict(list)
    for _ in range(rounds):
        for clients in CLIENTS:
            for side, targets in sides.items():
                runs[side, clients].append(load(targets, clients, seconds))

    def merged(side: str, clients: int) -> Run:
        out = Run()
        for run in runs[side, clients]:
            out.samples += run.samples
            out.seconds += run.seconds
        return out

    errors = 0
    print(f"load: candidate {candidate} vs baseline (stock CKAN) {baseline}; {rounds} x {seconds:.0f} s each")
    for clients in CLIENTS:
        ours, stock = merged("candidate", clients), merged("baseline", clients)
        errors += ours.server_errors()
        p = {
            (name, q): percentile(run.latencies(), q)
            for name, run in (("ours", ours), ("stock", stock))
            for q in (0.5, 0.95)
        }
        rate = ours.rate / stock.rate
        p50 = p["ours", 0.5] / p["stock", 0.5]
        p95 = p["ours", 0.95] / p["stock", 0.95]
        print(
            f"  {clients} clients: req/s {ours.rate:.1f} vs {stock.rate:.1f} (ratio {rate:.2f}); "
            f"p50 {p['ours', 0.5]:.0f} vs {p['stock', 0.5]:.0f} ms (ratio {p50:.2f}); "
            f"p95 {p['ours', 0.95]:.0f} vs {p['stock', 0.95]:.0f} ms (ratio {p95:.2f}); "
            f"5xx {ours.server_errors()} vs {stock.server_errors()}"
        )
        for page in PAGES:
            a, b = percentile(ours.latencies(page), 0.95), percentile(stock.latencies(page), 0.95)
            print(f"    {page:<15} p95 {a:7.0f} vs {b:7.0f} ms  ratio {a / b:5.2f}")
    ours50, stock50 = merged("candidate", 50), merged("baseline", 50)
    stock_dataset = percentile(stock50.latencies("dataset"), 0.95)
    for page in ("home", "dataset"):
        ratio = percentile(ours50.latencies(page), 0.95) / stock_dataset
        verdict = "ok" if ratio <= 2 else "MISSED"
        print(
            f"  our {page} page p95 / stock dataset page p95 at 50 clients = {ratio:.2f} "
            f"(target <= 2: {verdict})"
        )
    overall = percentile(ours50.latencies(), 0.95) / percentile(stock50.latencies(), 0.95)
    print(
        f"  p95 ratio at 50 clients = {overall:.2f} (target <= 1.5: {'ok' if overall <= 1.5 else 'MISSED'})"
    )
    print(f"  5xx on the candidate: {errors} (target 0: {'ok' if errors == 0 else 'MISSED'})")
    return 0 if errors == 0 else 1


def seed_baseline(source: str, target: str, token: str) -> int:
    """Copy the published datasets of ``source`` (their organisations, titles, descriptions,
    tags and files) into the stock CKAN at ``target``."""
    headers = {"Authorization": token}

    def call(action: str, files=None, **data):
        if files:
            response = requests.post(
                f"{target}/api/3/action/{action}", data=data, files=files, headers=headers
            )
        else:
            response = requests.post(
                f"{target}/api/3/action/{action}", json=data, headers=headers, timeout=60
            )
        body = response.json()
        if not body.get("success"):
            raise SystemExit(f"{action}: {body.get('error')}")
        return body["result"]

    found = requests.get(f"{source}/api/3/action/package_search", params={"rows": 1000}, timeout=60).json()
    orgs: set[str] = set()
    files = 0
    for dataset in found["result"]["results"]:
        org = dataset["organization"]
        if org["name"] not in orgs:
            existing = requests.get(f"{target}/api/3/action/organization_show", params={"id": org["name"]})
            if not existing.json().get("success"):
                call(
                    "organization_create",
                    name=org["name"],
                    title=org["title"],
                    description=org.get("description", ""),
                )
            orgs.add(org["name"])
        created = call(
            "package_create",
            name=dataset["name"],
            title=dataset["title"],
            notes=dataset.get("notes") or "",
            owner_org=org["name"],
            license_id=dataset.get("license_id") or "notspecified",
            tags=[{"name": t["name"]} for t in dataset.get("tags", [])],
        )
        for resource in dataset.get("resources", []):
            body = requests.get(resource["url"], timeout=60).content
            name = resource.get("name") or resource["url"].rsplit("/", 1)[-1]
            call(
                "resource_create",
                files={"upload": (resource["url"].rsplit("/", 1)[-1], body)},
                package_id=created["id"],
                name=name,
                format=resource.get("format") or "",
                description=resource.get("description") or "",
            )
            files += 1
    print(
        f"baseline seeded: {len(found['result']['results'])} datasets, {len(orgs)} organisations, "
        f"{files} files"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("measure")
    m.add_argument("--candidate", required=True)
    m.add_argument("--baseline", required=True)
    m.add_argument("--seconds", type=float, default=20)
    m.add_argument("--rounds", type=int, default=2)
    s = sub.add_parser("seed-baseline")
    s.add_argument("--source", required=True)
    s.add_argument("--target", required=True)
    s.add_argument("--token", required=True)
    args = parser.parse_args(argv)
    if args.command == "measure":
        return measure(args.candidate, args.baseline, args.seconds, args.rounds)
    return seed_baseline(args.source, args.target, args.token)


if __name__ == "__main__":
    sys.exit(main())
