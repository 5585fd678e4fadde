"""Rebate programs (返利政策, SPEC §15): a program, its bands and its product lines saved in one call.

``program_create`` / ``program_update`` (and ``program_save``, which both use, as does the admin) are for finance
and administrators (``policies.may_manage_programs``). They check the whole program before writing anything and
refuse it with one ``ValidationError`` whose keys are the fields (``tiers`` for the bands): the API answers 400.

* **Bands** ``[{"from_attainment": "0", "rate": "0"}, {"from_attainment": "80", "rate": "1"}, …]``: each from its
  lower edge (% of the prorated target, 0–999.99) up to the next band's, the whole basis at its ``rate`` (0–100 %).
  At least one band; the first starts at 0 %; the edges strictly ascend in the order given (no two alike). Every
  refusal names the band (its number in the list and its edge).
* **History**: each save writes a historical record of the program (django-simple-history, with its product
  lines) by the actor; its change reason lists the bands as they are after the save (``0%→0% 80%→1% …``), since
  the bands have no history table of their own.

**Changing a program in use.** A program that signed agreements name, even one with approved or paid settlements,
may still change — its name, bands, gate, penalty, basis, payout: approved and paid settlements keep their figures
and lines (they are never recomputed), a submitted one keeps them until finance rejects it, and draft ones follow
the new terms at the next run, as does every later period. A run computes with the terms it reads, so change a
program between runs. Only the ``frequency`` is fixed once the program has settlements: a quarterly program turned
annual would settle the same sales again in its year. Make a new program and name it in the agreements instead.

**Renaming and taking out of use.** Both are allowed. A name is unique; settlements show the current name, the
history keeps the old one. A program out of use (``is_active`` false) is offered to no new agreement (the
agreement services refuse it), while the agreements that already name it keep it and are settled under it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from channelhub.formatting import as_decimal
from partners.models import ProductLine
from rebates import policies
from rebates.models import RebateProgram, RebateSettlement, RebateTier

ZERO = Decimal("0.00")
HUNDRED = Decimal("100")
EDGE_MAX = Decimal("999.99")
CENT = Decimal("0.01")
#: The program's own fields that ``program_create`` / ``program_update`` take (bands and product lines apart).
PROGRAM_FIELDS = (
    "name",
    "basis",
    "frequency",
    "min_collection_rate",
    "conflict_penalty",
    "payout",
    "is_active",
)
#: What ``history_change_reason`` holds at most.
REASON_MAX = 100


@dataclass(frozen=True)
class Band:
    """A band as checked: its lower edge and rate (%), two decimals each."""

    from_attainment: Decimal
    rate: Decimal


def _pct(value: Decimal) -> str:
    """``80 %``, ``99.5 %``: a figure of a refusal, as it was given."""
    return f"{value.normalize():f} %"


def _two_places(value: Decimal) -> bool:
    return value == value.quantize(CENT)


# --- checks ----------------------------------------------------------------------------------------


def clean_bands(tiers: Iterable[Mapping[str, Any]] | None) -> tuple[list[Band], list[str]]:
    """The bands as given, and what is wrong with them (an empty list when nothing): a missing or bad figure, a
    first band not from 0 %, an edge not above the one before it."""
    problems: list[str] = []
    bands: list[Band | None] = []
    for number, row in enumerate(tiers or (), start=1):
        edge, rate = as_decimal(row.get("from_attainment")), as_decimal(row.get("rate"))
        values = {"n": number}
        if edge is None:
            problems.append(_("Band %(n)s: enter the attainment (%%) it starts from.") % values)
        elif edge < 0:
            problems.append(_("Band %(n)s starts below 0 %% (%(from)s).") % {**values, "from": _pct(edge)})
            edge = None
        elif edge > EDGE_MAX or not _two_places(edge):
            problems.append(_("Band %(n)s: an attainment is at most 999.99 %% with 2 decimals.") % values)
            edge = None
        if rate is None:
            problems.append(_("Band %(n)s: enter its rate (%%).") % values)
        elif not ZERO <= rate <= HUNDRED:
            problems.append(_("Band %(n)s: the rate must be between 0 and 100 %%.") % values)
            rate = None
        elif not _two_places(rate):
            problems.append(_("Band %(n)s: a rate has at most 2 decimals.") % values)
            rate = None
        bands.append(Band(edge.quantize(CENT), rate.quantize(CENT)) if edge is not None and rate is not None else None)
    if not bands:
        return [], [_("Give at least one band, starting at 0 %.")]
    first = bands[0]
    if first is not None and first.from_attainment != ZERO:
        problems.append(
            _("Band 1 starts at %(from)s: the first band must start at 0 %%, or attainments below it earn nothing.")
            % {"from": _pct(first.from_attainment)}
        )
    for number in range(2, len(bands) + 1):
        before, band = bands[number - 2], bands[number - 1]
        if before is None or band is None:
            continue
        values = {"n": number, "previous": number - 1, "from": _pct(band.from_attainment)}
        if band.from_attainment == before.from_attainment:
            problems.append(
                _("Band %(n)s starts at %(from)s like band %(previous)s: each band starts at its own attainment.")
                % values
            )
        elif band.from_attainment < before.from_attainment:
            problems.append(
                _(
                    "Band %(n)s starts at %(from)s, below band %(previous)s (%(before)s): list the bands from the "
                    "lowest attainment up."
                )
                % {**values, "before": _pct(before.from_attainment)}
            )
    return [band for band in bands if band is not None], problems


def bands_text(bands: Iterable[Band]) -> str:
    """``0%→0% 80%→1% 100%→2%``: the bands in a program's history (figures only: the same in every language)."""
    text = " ".join(f"{band.from_attainment.normalize():f}%→{band.rate.normalize():f}%" for band in bands)
    return text if len(text) <= REASON_MAX else text[: REASON_MAX - 1] + "…"


def frequency_problem(program: RebateProgram, frequency: str | None = None) -> str | None:
    """Why ``program`` may not take ``frequency`` (its own when None), or None: a program with settlements keeps
    its frequency (see the module's docstring)."""
    frequency = frequency or program.frequency
    if not program.pk:
        return None
    stored = RebateProgram.objects.filter(pk=program.pk).values_list("frequency", flat=True).first()
    if stored is None or stored == frequency:
        return None
    settled = RebateSettlement.objects.filter(program_id=program.pk).order_by("period").values_list("period", flat=True)
    first = settled.first()
    if first is None:
        return None
    return _(
        "Settlements of %(period)s were made under this program's frequency (%(frequency)s): it cannot change, or "
        "the same sales would be settled twice. Make a new program and name it in the agreements."
    ) % {"period": first, "frequency": RebateProgram.Frequency(stored).label}


def program_problems(program: RebateProgram) -> dict[str, list[str]]:
    """What the fields of ``program`` break, by field: each field's own rules (the model's validators, a unique
    name) and a frequency that may no longer change."""
    problems: dict[str, list[str]] = {}
    try:
        program.full_clean()
    except ValidationError as error:
        problems.update({field: list(messages) for field, messages in error.message_dict.items()})
    if problem := frequency_problem(program):
        problems.setdefault("frequency", []).append(problem)
    return problems


# --- writes ----------------------------------------------------------------------------------------


def _check_actor(actor) -> None:
    if actor is not None and not policies.may_manage_programs(actor):
        raise PermissionDenied(_("Only finance and administrators set up rebate programs."))


@transaction.atomic
def program_save(
    *,
    program: RebateProgram,
    tiers: Iterable[Mapping[str, Any]] | None,
    product_lines: Iterable[ProductLine] | None = None,
    actor=None,
) -> RebateProgram:
    """Save ``program`` (new or changed, its fields already set) with its bands and product lines, all or nothing.
    ``None`` keeps the current bands or lines; a list replaces them all (no lines: every product line). Refused
    with a ``ValidationError`` by field (``tiers`` for the bands), or ``PermissionDenied`` when ``actor`` (None: the
    system, e.g. the demo) may not manage programs."""
    _check_actor(actor)
    if tiers is None and not program.pk:
        tiers = []  # a new program without bands: refused below, "give at least one band"
    problems = program_problems(program)
    bands: list[Band] = []
    if tiers is not None:
        bands, band_problems = clean_bands(tiers)
        if band_problems:
            problems["tiers"] = band_problems
    if problems:
        raise ValidationError(problems)

    if tiers is None:
        bands = [Band(tier.from_attainment, tier.rate) for tier in program.tiers.order_by("from_attainment")]
    program._history_user = actor
    program._change_reason = bands_text(bands)
    if tiers is not None and program.pk:
        program.tiers.all().delete()
    program.save()
    if tiers is not None:
        RebateTier.objects.bulk_create(
            RebateTier(program=program, from_attainment=band.from_attainment, rate=band.rate) for band in bands
        )
    if product_lines is not None:
        program.product_lines.set(list(product_lines))
    # whoever reads the program next sees what was saved, not what was prefetched before
    getattr(program, "_prefetched_objects_cache", {}).clear()
    return program


def program_create(
    *,
    actor,
    name: str,
    basis: str = RebateProgram.Basis.SELL_IN,
    frequency: str = RebateProgram.Frequency.QUARTERLY,
    tiers: Iterable[Mapping[str, Any]],
    product_lines: Iterable[ProductLine] = (),
    min_collection_rate: Decimal | None = None,
    conflict_penalty: Decimal = ZERO,
    payout: str = RebateProgram.Payout.CREDIT_NOTE,
    is_active: bool = True,
) -> RebateProgram:
    """A new program with its bands (``[{"from_attainment", "rate"}]``, ascending from 0 %) and product lines
    (empty: every line)."""
    program = RebateProgram(
        name=name,
        basis=basis,
        frequency=frequency,
        min_collection_rate=min_collection_rate,
        conflict_penalty=conflict_penalty,
        payout=payout,
        is_active=is_active,
    )
    return program_save(program=program, tiers=tiers, product_lines=product_lines, actor=actor)


@transaction.atomic
def program_update(
    *,
    actor,
    program: RebateProgram,
    tiers: Iterable[Mapping[str, Any]] | None = None,
    product_lines: Iterable[ProductLine] | None = None,
    **fields: Any,
) -> RebateProgram:
    """Change ``fields`` (of ``PROGRAM_FIELDS``) of ``program``; ``tiers`` / ``product_lines``, when given, replace
    the program's. A program in use may change (see the module's docstring): settlements already approved or paid
    keep their figures, the next runs use the new terms."""
    _check_actor(actor)
    unknown = set(fields) - set(PROGRAM_FIELDS)
    if unknown:
        raise TypeError(f"Unknown rebate program fields: {', '.join(sorted(unknown))}")
    locked = RebateProgram.objects.select_for_update().get(pk=program.pk)
    for name, value in fields.items():
        setattr(locked, name, value)
    return program_save(program=locked, tiers=tiers, product_lines=product_lines, actor=actor)
