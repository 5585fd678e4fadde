"""An agreement names its rebate program (SPEC §15) instead of a bare ``rebate_rate``.

Every distinct rate above zero becomes a one-band program ("Flat rebate 2.00 %": from 0 % attainment, the whole
net sales at the rate, quarterly, paid by credit note) and each agreement points at the program of its rate;
a rate of 0 was no rebate and stays so (no program). Run backwards, each agreement gets its program's first
band's rate back.
"""

from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models


def program_name(rate: Decimal) -> str:
    return f"Flat rebate {rate:.2f} %"


def rates_to_programs(apps, schema_editor):
    Agreement = apps.get_model("partners", "Agreement")
    Program = apps.get_model("rebates", "RebateProgram")
    Tier = apps.get_model("rebates", "RebateTier")
    rates = sorted(set(Agreement.objects.filter(rebate_rate__gt=0).values_list("rebate_rate", flat=True)))
    for rate in rates:
        program, created = Program.objects.get_or_create(
            name=program_name(rate),
            defaults={"basis": "sell_in", "frequency": "quarterly", "payout": "credit_note"},
        )
        if created:
            Tier.objects.create(program=program, from_attainment=Decimal("0"), rate=rate)
        Agreement.objects.filter(rebate_rate=rate).update(rebate_program=program)


def programs_to_rates(apps, schema_editor):
    Agreement = apps.get_model("partners", "Agreement")
    Tier = apps.get_model("rebates", "RebateTier")
    first_rate = {}
    for tier in Tier.objects.order_by("program_id", "from_attainment"):
        first_rate.setdefault(tier.program_id, tier.rate)
    for program_id, rate in first_rate.items():
        Agreement.objects.filter(rebate_program_id=program_id).update(rebate_rate=rate)


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0003_year_range"),
        ("rebates", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="agreement",
            name="rebate_program",
            field=models.ForeignKey(
                blank=True,
                help_text="The rebate policy of the agreement's commercial terms; empty: no rebate.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="agreements",
                to="rebates.rebateprogram",
                verbose_name="rebate program",
            ),
        ),
        migrations.AddField(
            model_name="historicalagreement",
            name="rebate_program",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The rebate policy of the agreement's commercial terms; empty: no rebate.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="rebates.rebateprogram",
                verbose_name="rebate program",
            ),
        ),
        migrations.RunPython(rates_to_programs, programs_to_rates),
        migrations.RemoveConstraint(model_name="agreement", name="agreement_rebate_range"),
        migrations.RemoveField(model_name="agreement", name="rebate_rate"),
        migrations.RemoveField(model_name="historicalagreement", name="rebate_rate"),
    ]
