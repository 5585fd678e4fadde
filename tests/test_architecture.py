"""The architecture's rules (docs/architecture.md), checked on the source: what a review would otherwise
have to remember."""

from __future__ import annotations

import re
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
#: The project's own packages: the core and the domain apps.
CORE = "channelhub"
DOMAIN_APPS = ("partners", "visits", "kpi")


def source_files(*packages: str):
    for package in packages:
        for path in sorted((BASE_DIR / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def relative(path: Path) -> str:
    return str(path.relative_to(BASE_DIR))


def test_only_channelhub_db_branches_on_the_database_vendor():
    asking = [
        relative(path)
        for path in source_files(CORE, *DOMAIN_APPS, "bench")
        if re.search(r"\bvendor\s*[!=]=", path.read_text()) and relative(path) != "channelhub/db.py"
    ]
    assert asking == [], "branch on channelhub.db.is_postgresql()/supports_copy() instead"


def test_advisory_locks_go_through_channelhub_locking():
    taking = [
        relative(path)
        for path in source_files(CORE, *DOMAIN_APPS)
        if "pg_advisory" in path.read_text() and relative(path) != "channelhub/locking.py"
    ]
    assert taking == []
