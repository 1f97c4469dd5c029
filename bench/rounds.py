"""Loading pages in rounds, and what the rounds add up to."""

import os
import statistics
from dataclasses import dataclass

from .pages import Page

WARM_UP_SECONDS = 1


@dataclass(frozen=True)
class Target:
    """A page on one server; `label` names it in the progress lines and the results."""

    label: str
    port: int
    page: Page
    scheme: str = "http"


def measure(targets: list[Target], run, *, rounds: int, duration: int):
    """Warm up, then load every target in each round, rotating the order between rounds.

    Returns the runs of each target by label, and the 1-minute load average after each round.
    """
    for target in targets:
        run(target.port, target.page, duration=WARM_UP_SECONDS, scheme=target.scheme)
    runs = {target.label: [] for target in targets}
    load_averages = []
    width = max(len(target.label) for target in targets)
    for round_number in range(rounds):
        shift = round_number % len(targets)
        for target in targets[shift:] + targets[:shift]:
            result = run(target.port, target.page, duration=duration, scheme=target.scheme)
            runs[target.label].append(result)
            print(
                f"  round {round_number + 1}/{rounds}  {target.label:<{width}} "
                f"{result.rps:8.1f} req/s  p50 {result.p50_ms:6.1f} ms  "
                f"p99 {result.p99_ms:7.1f} ms",
                flush=True,
            )
        load_averages.append(round(os.getloadavg()[0], 1))
    return runs, load_averages


def totals(page: Page, page_runs) -> dict:
    """Requests/s over all rounds; p50 and p99 as the median of the rounds' values."""
    rps = sum(r.requests for r in page_runs) / sum(r.seconds for r in page_runs)
    return {
        "name": page.name,
        "method": page.method,
        "path": page.path,
        "note": page.note,
        "rps": round(rps, 1),
        "p50_ms": round(statistics.median(r.p50_ms for r in page_runs), 2),
        "p99_ms": round(statistics.median(r.p99_ms for r in page_runs), 2),
        "errors": sum(r.errors for r in page_runs),
        "rounds": [vars(r) | {"rps": round(r.rps, 1)} for r in page_runs],
    }
