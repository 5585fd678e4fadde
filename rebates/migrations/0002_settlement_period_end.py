"""A settlement keeps its period's last day (``period_end``): the day an approved credit-note rebate is credited
to the dealer's account (SPEC §15's statement of account shows the quarter's rebate in its last month)."""

import calendar
import datetime

from django.db import migrations, models


def last_day(period: str) -> datetime.date:
    year = int(period[:4])
    month = 12 if len(period) == 4 else 3 * int(period[-1])
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def fill(apps, schema_editor):
    Settlement = apps.get_model("rebates", "RebateSettlement")
    for period in Settlement.objects.values_list("period", flat=True).distinct():
        Settlement.objects.filter(period=period).update(period_end=last_day(period))
    History = apps.get_model("rebates", "HistoricalRebateSettlement")
    for period in History.objects.values_list("period", flat=True).distinct():
        History.objects.filter(period=period).update(period_end=last_day(period))


class Migration(migrations.Migration):
    dependencies = [("rebates", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="rebatesettlement",
            name="period_end",
            field=models.DateField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="historicalrebatesettlement",
            name="period_end",
            field=models.DateField(editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="rebatesettlement",
            name="period_end",
            field=models.DateField(
                editable=False,
                help_text="The period's last day: an approved credit-note rebate is credited to the dealer's account then.",
                verbose_name="credited on",
            ),
        ),
        migrations.AlterField(
            model_name="historicalrebatesettlement",
            name="period_end",
            field=models.DateField(
                editable=False,
                help_text="The period's last day: an approved credit-note rebate is credited to the dealer's account then.",
                verbose_name="credited on",
            ),
        ),
        migrations.AddIndex(
            model_name="rebatesettlement",
            index=models.Index(fields=["dealer", "period_end"], name="rebatesettlement_dealer_end"),
        ),
    ]
