"""Fund budget import (CSV and XLSX): the service behind ``POST /api/v1/fund-budgets/import/``, and the
resource (django-import-export) of the admin's import and export of budgets.

* Columns (row 1, any order; unknown ones are ignored and listed): ``territory`` (its code),
  ``category`` (a code or its label in either language), ``year``, ``quarter`` (1–4, empty for the whole
  year), ``amount``, ``max_cost_ratio`` (费销比 in %). Headers may also be the column labels below, in
  Chinese or English.
* All or nothing: a file with any bad row saves nothing and reports every bad row with its row number
  (the header is row 1), its column and the reason.
* A row names a budget by territory, category, year and quarter: a new one is created, a stored one with
  other figures is updated (through ``funds.services.budgets``, so an amount never drops below what is
  committed and spent), an identical one is skipped — importing the same file again adds nothing.
* Finance and admins only (``funds.policies.may_set_budgets``).
"""

from __future__ import annotations

import copy
from collections import Counter
from typing import IO, Any

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import resources, widgets
from import_export.fields import Field
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import Result, RowResult

from channelhub.errors import Conflict
from channelhub.exports import Column, header_codes
from channelhub.importing import RowError, UpdatingImportReport, cell_text, file_content, normalise_header, read_table
from funds import policies
from funds.models import Category, FundBudget
from funds.services.budgets import budget_create, budget_update
from partners.models import Territory
from partners.resources import ChoiceWidget, DecimalWidget

MAX_ROWS = 5_000
COLUMNS = ("territory", "category", "year", "quarter", "amount", "max_cost_ratio")
REQUIRED_COLUMNS = ("territory", "category", "year", "amount", "max_cost_ratio")
#: What identifies a budget: a row with these of a stored budget updates it.
KEY_COLUMNS = ("territory", "category", "year", "quarter")
FILE_COLUMNS = (
    Column("territory", gettext_lazy("Territory")),
    Column("category", gettext_lazy("Category")),
    Column("year", gettext_lazy("Year"), "number"),
    Column("quarter", gettext_lazy("Quarter"), "number"),
    Column("amount", gettext_lazy("Amount"), "money"),
    Column("max_cost_ratio", gettext_lazy("Maximum cost ratio (%)"), "number"),
)


class BudgetImportReport(UpdatingImportReport):
    """The report of this import (``channelhub.importing.UpdatingImportReport``)."""


# --- widgets: one cell ⇄ one value; a ValueError's message is the reason shown for the cell ----------


class TerritoryCodeWidget(widgets.Widget):
    """A territory by its code, from the codes its resource read once for the file."""

    resource: BudgetResource | None = None

    def clean(self, value, row=None, **kwargs):
        code = cell_text(value)
        if not code:
            raise ValueError(_("A territory code is required."))
        territory = self.resource.territories.get(code)
        if territory is None:
            raise ValueError(_("Unknown territory code “%(code)s”.") % {"code": code})
        return territory

    def render(self, value, obj=None, **kwargs):
        return value.code if value is not None else ""


class WholeNumberWidget(widgets.Widget):
    """A whole number (``2026``, ``2026.0`` from a spreadsheet); empty is ``None`` unless required."""

    def __init__(self, *, required_message=None, **kwargs):
        self.required_message = required_message
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value).upper().removeprefix("Q")
        if not text:
            if self.required_message:
                raise ValueError(str(self.required_message))
            return None
        if not (text.isascii() and text.isdigit()):
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": cell_text(value)})
        return int(text)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value


class RequiredDecimalWidget(DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        number = super().clean(value, row, **kwargs)
        if number is None:
            raise ValueError(_("A number is required."))
        return number


class _KnownBudgets(BaseInstanceLoader):
    """Stored budgets come from the resource's lookup (read once per file), not one query a row."""

    def get_instance(self, row):
        return self.resource.existing_budget(row)


# --- the resource --------------------------------------------------------------------------------------


class BudgetResource(resources.ModelResource):
    territory = Field(attribute="territory", column_name="territory", widget=TerritoryCodeWidget())
    category = Field(attribute="category", column_name="category", widget=ChoiceWidget(Category))
    year = Field(
        attribute="year",
        column_name="year",
        widget=WholeNumberWidget(required_message=gettext_lazy("A year is required.")),
    )
    quarter = Field(attribute="quarter", column_name="quarter", widget=WholeNumberWidget())
    amount = Field(attribute="amount", column_name="amount", widget=RequiredDecimalWidget())
    max_cost_ratio = Field(attribute="max_cost_ratio", column_name="max_cost_ratio", widget=RequiredDecimalWidget())

    class Meta:
        model = FundBudget
        fields = COLUMNS
        import_order = export_order = COLUMNS
        import_id_fields = KEY_COLUMNS
        instance_loader_class = _KnownBudgets
        skip_unchanged = True  # the same file again writes nothing, not even history rows
        report_skipped = True
        use_transactions = True

    def __init__(self, *, actor=None, **kwargs):
        super().__init__(**kwargs)
        self.actor = actor
        self.territories: dict[str, Territory] = {}
        self.budgets: dict[tuple, FundBudget] = {}
        self.file_keys: Counter[tuple] = Counter()
        self.fields["territory"].widget.resource = self

    def get_queryset(self):
        return FundBudget.objects.select_related("territory")

    def import_data(self, dataset, **kwargs):
        """All or nothing, whoever calls (the API, the admin): one bad row rolls back every row."""
        self.actor = kwargs.get("user") or self.actor
        if self.actor is None or not policies.may_set_budgets(self.actor):
            result = self.get_result_class()()
            result.total_rows = len(dataset)
            error = PermissionDenied(_("Only finance imports fund budgets."))
            result.append_base_error(self.get_error_result_class()(error))
            return result
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, **kwargs)

    def before_import(self, dataset, **kwargs):
        codes = header_codes(FILE_COLUMNS)
        dataset.headers = [codes.get(name, name) for name in map(normalise_header, dataset.headers or [])]
        territory_codes = (
            {cell_text(code) for code in dataset["territory"]} if "territory" in dataset.headers else set()
        )
        self.territories = {t.code: t for t in Territory.objects.filter(code__in=territory_codes - {""})}
        self.budgets = {
            self._key_of(budget): budget
            for budget in self.get_queryset().filter(territory__in=list(self.territories.values()))
        }
        self.file_keys = Counter(filter(None, (self._row_key(row) for row in dataset.dict)))

    @staticmethod
    def _key_of(budget: FundBudget) -> tuple:
        return (budget.territory_id, budget.category, budget.year, budget.quarter)

    def _row_key(self, row) -> tuple | None:
        """The budget a row names, or None when one of its key cells cannot be read."""
        try:
            territory = self.fields["territory"].clean(row)
            return (territory.pk, *(self.fields[name].clean(row) for name in KEY_COLUMNS[1:]))
        except (ValueError, KeyError):
            return None

    def existing_budget(self, row) -> FundBudget | None:
        key = self._row_key(row)
        budget = self.budgets.get(key) if key else None
        # a copy: a row that fails must not leave its values on the budget later rows look up
        return copy.copy(budget) if budget is not None else None

    def before_import_row(self, row, **kwargs):
        key = self._row_key(row)
        if key is not None and self.file_keys[key] > 1:
            raise ValidationError(
                {NON_FIELD_ERRORS: _("This territory, category and period appear more than once in the file.")}
            )

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or original is None or original.pk is None:
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The cells' errors; the rest is the services' (``full_clean`` and the figures)."""
        if import_validation_errors:
            raise ValidationError(import_validation_errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        """Through the budget services, so a file obeys the rules of the form and the API."""
        values = {name: getattr(instance, name) for name in COLUMNS}
        try:
            if instance.pk is None:
                saved = budget_create(actor=self.actor, **values)
            else:
                saved = budget_update(actor=self.actor, budget=instance, **values)
        except Conflict as conflict:
            raise ValidationError({"amount": str(conflict)}) from None
        instance.pk = saved.pk
        self.budgets[self._key_of(saved)] = saved

    def after_import(self, dataset, result, **kwargs):
        """Nothing: ``ModelResource`` resets sequences here, for files carrying primary keys; ours do not."""


# --- the service ----------------------------------------------------------------------------------------


def budget_import(*, actor, file: bytes | IO[bytes], file_format: str, dry_run: bool = False) -> BudgetImportReport:
    """Create and update budgets from a CSV or XLSX file, all rows or none (see the module's docstring)."""
    policies.require(policies.may_set_budgets(actor), _("Only finance imports fund budgets."))
    report = BudgetImportReport(dry_run=dry_run)
    table = read_table(
        file_content(file),
        file_format,
        columns=COLUMNS,
        required=REQUIRED_COLUMNS,
        max_rows=MAX_ROWS,
        errors=report.file_errors,
        header_codes=header_codes(FILE_COLUMNS),
    )
    if table is None:
        return report
    report.ignored_columns = table.ignored_columns
    report.total_rows = len(table.rows)
    numbers = [number for number, _cells in table.rows]
    dataset = tablib.Dataset(*[[cells[name] for name in COLUMNS] for _number, cells in table.rows], headers=COLUMNS)
    resource = BudgetResource(actor=actor)
    # a cell with a control character reads as blank: its row is reported, and nothing is saved
    result = resource.import_data(dataset, dry_run=dry_run or bool(table.bad_cells), raise_errors=False, user=actor)
    report.errors = [RowError.of(bad) for bad in table.bad_cells]
    _fill_report(report, result, table.rows, numbers, {(bad.row, bad.column) for bad in table.bad_cells})
    return report


def _fill_report(
    report: BudgetImportReport,
    result: Result,
    rows: list[tuple[int, dict[str, Any]]],
    numbers: list[int],
    blanked: set[tuple[int, str]],
) -> None:
    report.new = result.totals[RowResult.IMPORT_TYPE_NEW]
    report.updated = result.totals[RowResult.IMPORT_TYPE_UPDATE]
    report.unchanged = result.totals[RowResult.IMPORT_TYPE_SKIP]
    report.file_errors.extend(str(error.error) for error in result.base_errors)
    for invalid in result.invalid_rows:
        number, cells = numbers[invalid.number - 1], rows[invalid.number - 1][1]
        for column, messages in invalid.error_dict.items():
            column = "" if column == NON_FIELD_ERRORS else column
            if (number, column) in blanked:  # about the blank the bad cell reads as
                continue
            value = cell_text(cells.get(column)) if column else ""
            report.errors.extend(RowError(number, column, str(message), value) for message in messages)
    for failed in result.error_rows:
        for error in failed.errors:
            message = _("This row could not be saved: %(error)s") % {"error": error.error}
            report.errors.append(RowError(numbers[failed.number - 1], "", message))
    order = {name: position for position, name in enumerate(COLUMNS)}
    report.errors.sort(key=lambda error: (error.row, order.get(error.column, -1)))
