"""The architecture's rules (docs/architecture.md), checked on the source: what a review would otherwise
have to remember."""

from __future__ import annotations

import ast
import re
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
#: The project's own packages: the core and the domain apps.
CORE = "channelhub"
DOMAIN_APPS = ("partners", "visits", "kpi", "commissions")


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


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports (at the top or inside a function), as absolute dotted names."""
    tree = ast.parse(path.read_text())
    package = ".".join(path.relative_to(BASE_DIR).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                found.add(".".join([*base, node.module] if node.module else base))
            else:
                found.add(node.module)
    return found


def test_the_core_imports_no_domain_app():
    """channelhub is the core: the apps plug into its registries (channelhub.registry); it never
    names them in an import, nor through ``import_module``/``include`` with a literal."""
    offenders = []
    for path in source_files(CORE):
        for module in imported_modules(path):
            if module.split(".")[0] in DOMAIN_APPS:
                offenders.append(f"{relative(path)} imports {module}")
        for app in DOMAIN_APPS:
            if re.search(rf"""(import_module|include)\(\s*["']{app}[."']""", path.read_text()):
                offenders.append(f"{relative(path)} loads {app} by name")
    assert offenders == []


def test_the_apps_have_the_same_rooms():
    """``forms.py``/``forms/``, ``filters.py``, ``views.py``/``views/`` …: no ``forms_*.py`` or ``filters_*.py``
    beside them, and URL patterns only in ``urls.py``."""
    siblings = [
        relative(path)
        for app in DOMAIN_APPS
        for path in (BASE_DIR / app).glob("*.py")
        if re.match(r"(forms|filters|views|urls)_\w+\.py$", path.name) or re.match(r"\w+_(urls|views)\.py$", path.name)
    ]
    assert siblings == []
    patterns_in_views = [
        relative(path)
        for app in DOMAIN_APPS
        for path in source_files(app)
        if "views" in path.relative_to(BASE_DIR).parts[1:] or path.name == "views.py"
        if re.search(r"(?m)^urlpatterns\s*=", path.read_text())
    ]
    assert patterns_in_views == []


def test_reads_and_policies_live_beside_the_services():
    """``services/`` holds the writes: the lists and details a page reads are in ``selectors``, and who may
    do what (``can_…``, ``may_…``) in ``policies``; every app has both."""
    misplaced = [
        f"{relative(path)}: {name}"
        for app in DOMAIN_APPS
        for path in (BASE_DIR / app / "services").glob("*.py")
        for name in re.findall(r"(?m)^def (\w+)\(", path.read_text())
        if re.match(r"(can|may)_", name) or re.search(r"_(list|detail)$", name)
    ]
    assert misplaced == []
    rooms = {
        app: [room for room in ("selectors", "policies") if not any((BASE_DIR / app).glob(f"{room}*"))]
        for app in DOMAIN_APPS
    }
    assert {app: missing for app, missing in rooms.items() if missing} == {}
