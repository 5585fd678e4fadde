"""``make bench``: build the data sets, measure, print one table and write ``bench/results.json``.

    python -m bench            # what `make bench` runs
    BENCH_SCALE=10 python -m bench   # `make bench SCALE=10`: the ×10 tier, kept beside ×1 in the file
    python -m bench measure --scale 1 --out FILE   # one database's part (a child process)

Environment: ``BENCH_DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/channelhub_bench``);
the 2× data set goes to the same server, database name + ``_2x``. ``BENCH_REBUILD=1`` drops both
databases first; ``BENCH_REPEATS`` (5) the repetitions of each timing; ``BENCH_SKIP_2X=1`` leaves the
2× run out; ``BENCH_SCALE=N`` measures the ×N tier instead (its parts: ``BENCH_PARTS``, default
run,rebates,import,pages); ``BENCH_PAGE_REPEAT`` the requests per page (50). Each database is measured in a child process of its own (Django knows one database).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/channelhub_bench"
GOALS = {"run_ratio": 2.5, "growth_ratio": 2.2, "import_ratio": 10.0, "rebate_ratio": 3.0, "stock_import_ratio": 10.0}


def say(message: str) -> None:
    print(message, flush=True)


# --- the child: one database -------------------------------------------------------------------------


def measure(scale: float, parts: list[str], repeats: int, out: Path) -> None:
    import django

    django.setup()
    from bench import commission, dataset

    result: dict = {"scale": scale}
    say(f"[scale {scale:g}] data set")
    built = dataset.build(scale, log=say)
    size = built.size
    result["dataset"] = {
        "existed": built.existed,
        "seconds": round(built.seconds, 1),
        "phases": built.phases,
        "counts": built.counts,
        "run_month": str(size.run_month),
        "months": size.months,
    }
    say(f"  {'already there' if built.existed else f'built in {built.seconds:.1f} s'}: {built.counts}")
    if "run" in parts:
        say(f"[scale {scale:g}] commission run {size.run_month}, {size.reps} reps")
        result["run"] = commission.measure(str(size.run_month), repeats=repeats, reps=size.reps, log=say)
    if "rebates" in parts:
        from bench import rebates

        say(f"[scale {scale:g}] rebate settlement of the last quarter, {size.dealers} dealers")
        result["rebates"] = rebates.measure(size.run_month, repeats=repeats, log=say)
    if "import" in parts:
        from bench import importing

        say(f"[scale {scale:g}] import")
        result["import"] = importing.measure(
            size.month_list[0], product_repeats=max(1, repeats // 2), copy_repeats=repeats, log=say
        )
    if "stock" in parts:
        from bench import inventory

        say(f"[scale {scale:g}] stock: the health page's month, and an import of {inventory.ROWS:,} stock lines")
        inventory.prepare(size.run_month, log=say)
        result["stock_import"] = inventory.measure(size.month_list[0], repeats=repeats, log=say)
    if "photos" in parts:
        from bench import evidence

        say(f"[scale {scale:g}] photos")
        result["photos"] = evidence.measure(photos=4 * repeats, log=say)
    if "pages" in parts:
        try:
            from bench import pages
        except ImportError:
            say("  bench/pages.py is not there yet: no pages")
        else:
            say(f"[scale {scale:g}] pages")
            try:
                made = pages.prepare_scorecards()
                say(f"  {made} scorecards computed for the scorecard rows")
                from bench import funds

                result["funds"] = funds.prepare(size.run_month, log=say)
                repeat = int(os.environ.get("BENCH_PAGE_REPEAT") or pages.REPEAT)
                result["pages"] = pages.run(repeat=repeat, log=say)
            except Exception as error:  # the other parts' figures still count
                say(f"  the pages failed: {type(error).__name__}: {error}")
                result["pages_error"] = f"{type(error).__name__}: {error}"
    out.write_text(json.dumps(result, default=str))


# --- the parent: databases, children, the table ------------------------------------------------------


def _with_name(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def ensure_database(url: str, *, rebuild: bool) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(_with_name(url, "postgres"), autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and rebuild:
            say(f"dropping {name}")
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            say(f"creating {name}")
            connection.execute(f'CREATE DATABASE "{name}"')


def _child_env(url: str) -> dict:
    return {
        **os.environ,
        "BENCH_DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": str(ROOT),
    }


def run_database(url: str, scale: float, parts: list[str], repeats: int, rebuild: bool) -> dict:
    ensure_database(url, rebuild=rebuild)
    env = _child_env(url)
    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    say(f"  migrated in {time.perf_counter() - started:.1f} s")
    out = ROOT / "bench" / f".part-{scale:g}.json"
    command = [sys.executable, "-m", "bench", "measure", "--scale", str(scale), "--parts", ",".join(parts)]
    command += ["--repeats", str(repeats), "--out", str(out)]
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    try:
        return json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)


def machine(url: str | None = None) -> dict:
    import psycopg

    info = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
    }
    try:
        with open("/proc/meminfo") as meminfo:
            info["memory_gb"] = round(int(meminfo.readline().split()[1]) / 1024 / 1024, 1)
        with open("/proc/cpuinfo") as cpuinfo:
            models = [line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")]
            if models:
                info["processor"] = models[0]
    except OSError:
        pass
    url = url or os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    with psycopg.connect(url) as connection:
        info["postgresql"] = connection.execute("SHOW server_version").fetchone()[0]
    return info


def _verdict(value: float | None, goal: float) -> str:
    if value is None:
        return "—"
    return "ok" if value <= goal else "MISSED"


def table(results: dict) -> str:
    rows: list[tuple[str, str, str, str]] = []
    one, two = results.get("scale_1", {}), results.get("scale_2", {})
    for key, label in (("scale_1", "data set ×1"), ("scale_2", "data set ×2")):
        data = results.get(key, {}).get("dataset")
        if data:
            how = "already there" if data["existed"] else f"built in {data['seconds']:.1f} s"
            counts = data["counts"]
            rows.append((label, how, f"{counts.get('reps')} reps, {counts.get('sales')} sales", ""))
    summary = results["summary"]
    for key, label in (("scale_1", "run ×1"), ("scale_2", "run ×2")):
        run = results.get(key, {}).get("run")
        if run:
            rows.append(
                (
                    f"{label} ({run['reps']} reps)",
                    f"{run['product']['median_s']:.2f} s",
                    f"floor {run['floor']['median_s']:.2f} s",
                    f"ratio {run['ratio']:.2f}" + (f" (goal ≤ {GOALS['run_ratio']})" if key == "scale_1" else ""),
                )
            )
    rebate = one.get("rebates")
    if rebate:
        rows.append(
            (
                f"rebate run {rebate['period']} ({rebate['settlements']} settlements)",
                f"{rebate['product']['median_s']:.2f} s",
                f"floor {rebate['floor']['median_s']:.2f} s",
                f"ratio {rebate['ratio']:.2f} (goal ≤ {GOALS['rebate_ratio']:g})",
            )
        )
    if summary.get("growth_ratio") is not None:
        rows.append(("run growth ×2", f"{summary['growth_ratio']:.2f}", "", f"goal ≤ {GOALS['growth_ratio']}"))
    imported = one.get("import")
    if imported:
        rows.append(
            (
                f"import {imported['rows']} rows",
                f"{imported['product']['rows_per_s']:,.0f} rows/s",
                f"COPY {imported['floor']['rows_per_s']:,.0f} rows/s",
                f"ratio {imported['ratio']:.1f} (goal ≤ {GOALS['import_ratio']:g})",
            )
        )
    stock = one.get("stock_import")
    if stock:
        rows.append(
            (
                f"stock import {stock['rows']} lines",
                f"{stock['product']['rows_per_s']:,.0f} rows/s",
                f"COPY {stock['floor']['rows_per_s']:,.0f} rows/s",
                f"ratio {stock['ratio']:.1f} (goal ≤ {GOALS['stock_import_ratio']:g})",
            )
        )
    photos = one.get("photos")
    if photos and photos.get("upload"):
        rows.append(
            (
                f"{photos['photos']} photos of {photos['photo_bytes_median'] / 1e6:.1f} MB",
                f"upload p95 {photos['upload']['p95_s']:.2f} s",
                f"copies p95 {photos['copies']['p95_s']:.2f} s",
                f"medians {photos['upload']['median_s']:.2f} / {photos['copies']['median_s']:.2f} s",
            )
        )
    pages = one.get("pages") or []
    if pages:
        missed = [page for page in pages if not page.get("ok")]
        rows.append(
            ("pages and API lists", f"{len(pages)} measured", f"{len(missed)} missed", "goals p95 ≤ 150 ms, ≤ 15 q")
        )
    for name, goal in GOALS.items():
        rows.append((f"goal {name}", _verdict(summary.get(name), goal), "", ""))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    line = "+".join("-" * (w + 2) for w in widths)
    text = [line]
    for row in rows:
        text.append("|".join(f" {cell:<{w}} " for cell, w in zip(row, widths, strict=True)))
    text.append(line)
    del two
    return "\n".join(text)


def _ms(value) -> str:
    return "—" if value is None else f"{value:.0f}"


def pages_table(pages: list[dict]) -> str:
    """One line per page: who, p50/p95 ms, queries (and on a small data set), the goals' verdict."""
    head = ("page", "user", "p50 ms", "p95 ms", "queries", "small", "verdict")
    rows = [head]
    for page in pages:
        verdict = (
            "ok"
            if page.get("ok")
            else ("not measured: " + str(page.get("note")) if page.get("status") is None else "MISSED")
        )
        rows.append(
            (
                str(page.get("name")),
                f"{page.get('user')} ({page.get('role')})",
                _ms(page.get("p50_ms")),
                _ms(page.get("p95_ms")),
                "—" if page.get("queries") is None else str(page["queries"]),
                "—" if page.get("small_queries") is None else str(page["small_queries"]),
                verdict,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    return "\n".join("  ".join(f"{cell:<{w}}" for cell, w in zip(row, widths, strict=True)) for row in rows)


#: What a tier above the default measures (the photos and the stock import do not grow with the data).
TIER_PARTS = ["run", "rebates", "import", "pages"]


def _tier_url(url: str, scale: float) -> str:
    return _with_name(url, urlsplit(url).path.lstrip("/") + f"_{scale:g}x")


def _previous() -> dict:
    try:
        return json.loads(RESULTS.read_text())
    except (OSError, ValueError):
        return {}


def tier_summary(results: dict, scale: float) -> dict:
    """The figures of a tier against 1×: the run's growth, and each page's p95 growth and query counts."""
    one, tier = results.get("scale_1", {}), results.get(f"scale_{scale:g}", {})
    summary: dict = {}
    if "run" in one and "run" in tier:
        summary["run_growth"] = tier["run"]["product"]["median_s"] / one["run"]["product"]["median_s"]
        summary["run_ratio"] = tier["run"]["ratio"]
    pages_one = {(page["name"], page["role"]): page for page in one.get("pages") or []}
    compared = []
    for page in tier.get("pages") or []:
        small = pages_one.get((page["name"], page["role"]))
        compared.append(
            {
                "name": page["name"],
                "role": page["role"],
                "p95_ms": page.get("p95_ms"),
                "p95_ms_1x": small.get("p95_ms") if small else None,
                "queries": page.get("queries"),
                "queries_1x": small.get("queries") if small else None,
                "ok": page.get("ok"),
            }
        )
    summary["pages"] = compared
    summary["pages_missed"] = sum(1 for page in compared if not page["ok"])
    summary["queries_differ"] = [
        f"{page['name']} ({page['role']})"
        for page in compared
        if page["queries_1x"] is not None and page["queries"] != page["queries_1x"]
    ]
    return summary


def tier_table(results: dict, scale: float) -> str:
    summary = results.get("tiers", {}).get(f"{scale:g}", {})
    lines = [f"tier ×{scale:g} against ×1"]
    tier = results.get(f"scale_{scale:g}", {})
    data = tier.get("dataset")
    if data:
        how = "already there" if data["existed"] else f"built in {data['seconds']:.0f} s"
        lines.append(f"  data set: {how}: {data['counts']}; phases {data.get('phases')}")
    if "run_growth" in summary:
        run = tier["run"]
        lines.append(
            f"  run ({run['reps']} reps): {run['product']['median_s']:.2f} s, floor {run['floor']['median_s']:.2f} s, "
            f"ratio {summary['run_ratio']:.2f}; growth from ×1 {summary['run_growth']:.2f} (goal ≤ {scale * 1.1:g})"
        )
    for key in ("rebates", "import"):
        if key in tier:
            lines.append(f"  {key}: ratio {tier[key]['ratio']:.2f}, product {tier[key]['product']['median_s']:.2f} s")
    for page in summary.get("pages", []):
        lines.append(
            f"  {page['name']:<27} {page['role']:<16} p95 {_ms(page['p95_ms']):>5} ms (×1 {_ms(page['p95_ms_1x']):>5}) "
            f"q {page['queries']} (×1 {page['queries_1x']}) {'ok' if page['ok'] else 'MISSED'}"
        )
    return "\n".join(lines)


def main_tier(scale: float) -> None:
    """``make bench SCALE=N`` (N ≠ 1): the tier's own database (name + ``_Nx``), measured, and kept in the
    results file beside the ×1 figures (which stay as the last ``make bench`` left them)."""
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    rebuild = os.environ.get("BENCH_REBUILD", "") not in ("", "0")
    repeats = int(os.environ.get("BENCH_REPEATS", "5"))
    started = time.perf_counter()
    results = _previous()
    say(f"bench tier ×{scale:g} on {urlsplit(_tier_url(url, scale)).path.lstrip('/')}")
    parts = [part for part in os.environ.get("BENCH_PARTS", ",".join(TIER_PARTS)).split(",") if part]
    results[f"scale_{scale:g}"] = run_database(_tier_url(url, scale), scale, parts, repeats, rebuild)
    results.setdefault("tiers", {})[f"{scale:g}"] = {
        **tier_summary(results, scale),
        "date": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 1),
    }
    results["machine"] = machine(_tier_url(url, scale))  # the ×1 database need not exist
    say("")
    say(tier_table(results, scale))
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True, default=str) + "\n")


def main_all() -> None:
    scale = float(os.environ.get("BENCH_SCALE") or 1)
    if scale != 1:
        main_tier(scale)
        return
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    rebuild = os.environ.get("BENCH_REBUILD", "") not in ("", "0")
    repeats = int(os.environ.get("BENCH_REPEATS", "5"))
    started = time.perf_counter()
    # the other tiers' figures stay (``make bench SCALE=10`` wrote them)
    kept = {key: value for key, value in _previous().items() if key == "tiers" or key.startswith("scale_")}
    for measured_now in ("scale_1", "scale_2"):
        kept.pop(measured_now, None)
    results: dict = {"date": datetime.now(tz=UTC).isoformat(timespec="seconds"), "repeats": repeats, **kept}
    say(f"bench on {urlsplit(url).path.lstrip('/')} (×1) and its _2x (×2)")
    results["scale_1"] = run_database(
        url, 1, ["run", "rebates", "import", "stock", "photos", "pages"], repeats, rebuild
    )
    if os.environ.get("BENCH_SKIP_2X", "") in ("", "0"):
        url_2x = _with_name(url, urlsplit(url).path.lstrip("/") + "_2x")
        results["scale_2"] = run_database(url_2x, 2, ["run"], repeats, rebuild)
    one, two = results["scale_1"], results.get("scale_2", {})
    summary = {
        "run_ratio": one["run"]["ratio"] if "run" in one else None,
        "growth_ratio": (two["run"]["product"]["median_s"] / one["run"]["product"]["median_s"])
        if "run" in two and "run" in one
        else None,
        "import_ratio": one["import"]["ratio"] if "import" in one else None,
        "rebate_ratio": one["rebates"]["ratio"] if "rebates" in one else None,
        "stock_import_ratio": one["stock_import"]["ratio"] if "stock_import" in one else None,
    }
    results["summary"] = summary
    for tier in results.get("tiers", {}):  # compared again with the new ×1 figures
        results["tiers"][tier].update(tier_summary(results, float(tier)))
    results["goals"] = GOALS
    results["machine"] = machine()
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    say("")
    say(table(results))
    if results["scale_1"].get("pages"):
        say("")
        say(pages_table(results["scale_1"]["pages"]))
    say(f"total {results['total_seconds']:.0f} s; results in {RESULTS.relative_to(ROOT)}")
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True, default=str) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    commands = parser.add_subparsers(dest="command")
    child = commands.add_parser("measure")
    child.add_argument("--scale", type=float, default=1)
    child.add_argument("--parts", default="run,rebates,import,stock,photos,pages")
    child.add_argument("--repeats", type=int, default=5)
    child.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "measure":
        measure(args.scale, [part for part in args.parts.split(",") if part], args.repeats, args.out)
    else:
        main_all()


if __name__ == "__main__":
    main()
