"""The checklist templates that ship as data (SPEC §17) and their words in the reader's language.

The rows keep the Chinese name and text they were shipped with; a shipped template or item whose name or text
nobody changed is shown translated, one an admin wrote or changed is shown as written.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

#: code → (Chinese name, name in the reader's language, items); an item is
#: (code, Chinese text, text in the reader's language, weight, requires_photo, critical).
SHIPPED = {
    "display": (
        "门店形象与陈列",
        _("Display and branding"),
        [
            ("signage", "门头招牌完好、整洁", _("Shop sign intact and clean"), "15", True, False),
            (
                "shelf",
                "主推产品按约定陈列到位",
                _("Core products displayed in the agreed shelf space"),
                "30",
                True,
                True,
            ),
            ("pop", "宣传物料（POP）张贴到位", _("Promotion materials (POP) in place"), "20", True, False),
            ("tidy", "货架整洁、不缺货", _("Shelves tidy and stocked"), "20", False, False),
            ("staff", "店员熟悉产品卖点", _("Staff know the products"), "15", False, False),
        ],
    ),
    "price": (
        "价格与窜货",
        _("Prices and cross-territory goods"),
        [
            ("price_tags", "明码标价", _("Price tags shown"), "30", False, False),
            (
                "no_cross_goods",
                "无外区域窜货（已查批号）",
                _("No goods from other territories (batch codes checked)"),
                "40",
                True,
                True,
            ),
            ("no_promo", "无私自降价或促销", _("No unauthorised discounts or promotions"), "30", True, False),
        ],
    ),
    "stock": (
        "库存与物料",
        _("Stock and materials"),
        [
            ("fifo", "先进先出", _("Stock rotated first in, first out"), "25", False, False),
            ("no_expired", "无过期产品在售", _("No expired products on sale"), "30", True, True),
            ("storage", "仓储条件合格（防潮、离地）", _("Storage conditions (dry, off the floor)"), "20", False, False),
            ("materials", "物料账实相符", _("Promotion materials on hand match the ledger"), "25", True, False),
        ],
    ),
}

#: The text of a price item added for a product line (the line's name follows).
PRICE_ITEM_TEXT = "终端售价不低于最低限价"


def shipped_items(code: str) -> list[dict]:
    """The items of shipped template ``code`` as model field values."""
    return [
        {
            "code": item_code,
            "text": chinese,
            "weight": Decimal(weight),
            "requires_photo": photo,
            "critical": critical,
            "position": index * 10,
        }
        for index, (item_code, chinese, _label, weight, photo, critical) in enumerate(SHIPPED[code][2])
    ]


def ensure_shipped_templates(apps=None) -> None:
    """Create the three shipped checklist templates (with their items) where they do not exist yet: the data
    migration, and whatever finds them gone (a test database flushed after a live-server test, the demo)."""
    if apps is None:
        from inspections.models import ChecklistItem, ChecklistTemplate
    else:
        ChecklistTemplate = apps.get_model("inspections", "ChecklistTemplate")
        ChecklistItem = apps.get_model("inspections", "ChecklistItem")
    for code, (name, _label, _items) in SHIPPED.items():
        template, created = ChecklistTemplate.objects.get_or_create(code=code, defaults={"name": name})
        if created:
            ChecklistItem.objects.bulk_create(
                [ChecklistItem(template=template, kind="check", **item) for item in shipped_items(code)]
            )


def template_name(template) -> str:
    shipped = SHIPPED.get(template.code)
    if shipped is not None and template.name == shipped[0]:
        return str(shipped[1])
    return template.name


def item_text(item) -> str:
    """An item's text in the reader's language; a price item names its product line."""
    if item.kind == "price" and item.text == PRICE_ITEM_TEXT:
        return str(_("Shelf price of %(line)s not below the minimum")) % {"line": item.product_line}
    for code, chinese, label, *_rest in _SHIPPED_ITEMS:
        if code == item.code and item.text == chinese:
            return str(label)
    return item.text


#: Every shipped item (their codes differ across the templates, so an item is found without its template).
_SHIPPED_ITEMS = [item for _name, _label, items in SHIPPED.values() for item in items]
