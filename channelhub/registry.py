"""Where the domain apps plug into the core. The core imports no domain app: each app's
``AppConfig.ready()`` registers what it brings, and the core reads these registries.

* ``register_pages(prefix, urlconf)`` — the app's page URLs under ``/<prefix>`` (``channelhub.urls``);
* ``register_api(module)`` — a module that registers viewsets on ``channelhub.api.router.router`` and
  may add ``urlpatterns`` (``channelhub.api.urls``);
* ``register_demo(order, seed)`` — a step of ``manage.py seed_demo``: ``seed(users)`` builds the app's
  demo rows (idempotent) and answers the line the command prints.

``register_app(config, …)`` makes, for a domain app, the registrations every one of them makes.

The other registries live beside what reads them: scope rules (``channelhub.scoping.scope_rule``),
dashboard panels (``channelhub.dashboard.register_panel``), navigation entries
(``channelhub.navigation.register_nav``), to-dos (``channelhub.todos.register_todo``), notification
kinds (``channelhub.notifications.kinds``) and state-change notes (``channelhub.workflow.notes``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

#: (URL prefix, URLconf module), in the order the apps registered them.
PAGES: list[tuple[str, str]] = []
#: Modules that register viewsets on the API router, in the order the apps registered them.
API_MODULES: list[str] = []


@dataclass(frozen=True)
class DemoStep:
    order: int
    seed: Callable[[dict], str]


DEMO_STEPS: list[DemoStep] = []


def register_pages(prefix: str, urlconf: str) -> None:
    if (prefix, urlconf) not in PAGES:
        PAGES.append((prefix, urlconf))


def register_api(*modules: str) -> None:
    for module in modules:
        if module not in API_MODULES:
            API_MODULES.append(module)


def register_demo(order: int, seed: Callable[[dict], str]) -> None:
    """``seed(users)`` runs after every step of a lower ``order`` (partners before visits before facts)."""
    if all(step.seed is not seed for step in DEMO_STEPS):
        DEMO_STEPS.append(DemoStep(order, seed))


def demo_steps() -> list[DemoStep]:
    return sorted(DEMO_STEPS, key=lambda step: step.order)


def register_app(config, *, prefix: str, api: tuple[str, ...], demo: int, urlconf: str = "") -> None:
    """What every domain app registers when it loads (``config`` its ``AppConfig``, in ``ready()``): its
    ``policies`` (their scope rules register on import), its notification kinds and to-dos
    (``<app>.notifications.register_kinds()``, ``<app>.todos.register_todos()``), its pages under
    ``/<prefix>`` (``urlconf``, else ``<app>.urls``), its ``api`` modules, and ``<app>.demo.demo_step`` as
    the demo step of order ``demo``. The core imports the modules the app names: it knows no app itself."""
    app = config.name
    import_module(f"{app}.policies")
    import_module(f"{app}.notifications").register_kinds()
    import_module(f"{app}.todos").register_todos()
    register_pages(prefix, urlconf or f"{app}.urls")
    register_api(*api)
    register_demo(demo, import_module(f"{app}.demo").demo_step)
