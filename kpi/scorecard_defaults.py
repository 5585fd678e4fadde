"""The two scorecard templates that ship with channelhub (SPEC §5): MBO and the balanced scorecard.

``ensure_default_templates`` creates them when missing (migration 0002, ``seed_demo``, and tests,
whose flushed database has no migration rows) and leaves existing ones as an admin edited them.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

# (perspective, metric, label, weight, method, extra fields)
MBO = (
    ("financial", "sales_achievement", "销售达成率", "50", "ratio", {}),
    ("financial", "expense_rate", "费用率", "25", "ratio", {"lower_is_better": True}),
    ("financial", "collection_rate", "回款率", "25", "ratio", {}),
)

BSC = (
    ("financial", "sales_achievement", "销售达成率", "15", "ratio", {}),
    ("financial", "collection_rate", "回款率", "10", "ratio", {}),
    ("customer", "new_dealers", "新开发经销商", "10", "ratio", {}),
    ("customer", "complaints_late", "客诉处理超时", "15", "deduction", {"points": Decimal("25")}),
    ("process", "visit_compliance", "拜访达成率", "15", "ratio", {"target": Decimal("100")}),
    ("process", "expense_rate", "费用率", "10", "ratio", {"lower_is_better": True}),
    ("learning", "trainings", "培训场次", "10", "threshold", {"target": Decimal("2")}),
    ("learning", "manual", "学习与成长自评", "15", "manual", {}),
)

DEFAULT_TEMPLATES = {
    "mbo": ("目标管理（MBO）", MBO),
    "bsc": ("平衡计分卡（BSC）", BSC),
}

#: The shipped templates' names in the reader's language (their stored names are the Chinese ones above,
#: kept for the data; an admin who renames a template gets the new name shown as typed).
TEMPLATE_LABELS = {
    "mbo": _("Management by objectives (MBO)"),
    "bsc": _("Balanced scorecard (BSC)"),
}
#: Each metric's name where an item has no label of its own (the shipped items have none).
ITEM_LABELS = {
    "sales_achievement": _("Sales achievement"),
    "expense_rate": _("Expense rate"),
    "collection_rate": _("Collection rate"),
    "category_share": _("Category share"),
    "new_dealers": _("New dealers"),
    "visits_counted": _("Visits counted"),
    "visit_compliance": _("Visit compliance"),
    "distinct_dealers": _("Distinct dealers visited"),
    "trainings": _("Trainings held"),
    "complaints_late": _("Complaints handled late"),
    "manual": _("Learning and growth (self-evaluation)"),
}


def template_label(code: str, name: str) -> str:
    """A template's name for people: the shipped ones in the reader's language, others as named."""
    shipped = DEFAULT_TEMPLATES.get(code)
    if shipped is not None and name in ("", shipped[0]):
        return str(TEMPLATE_LABELS[code])
    return name or code


def item_label(metric: str) -> str:
    return str(ITEM_LABELS.get(metric, metric))


def ensure_default_templates(apps=None) -> None:
    """Create MBO and BSC (with their items) if they do not exist yet."""
    if apps is None:
        from kpi.models import ScorecardTemplate, ScorecardTemplateItem
    else:
        ScorecardTemplate = apps.get_model("kpi", "ScorecardTemplate")
        ScorecardTemplateItem = apps.get_model("kpi", "ScorecardTemplateItem")
    for code, (name, items) in DEFAULT_TEMPLATES.items():
        template, created = ScorecardTemplate.objects.get_or_create(code=code, defaults={"name": name})
        if not created:
            continue
        ScorecardTemplateItem.objects.bulk_create(
            ScorecardTemplateItem(
                template=template,
                position=position,
                perspective=perspective,
                metric=metric,
                label="",  # the metric's name, rendered in the reader's language (``item_label``)
                weight=Decimal(weight),
                method=method,
                **extra,
            )
            for position, (perspective, metric, label, weight, method, extra) in enumerate(items, start=1)
        )
