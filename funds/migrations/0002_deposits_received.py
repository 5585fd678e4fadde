"""The deposits finance confirmed before the ledger existed become its ``received`` entries (nothing lost)."""

from django.db import migrations


def forwards(apps, schema_editor):
    Agreement = apps.get_model("partners", "Agreement")
    DepositEntry = apps.get_model("funds", "DepositEntry")
    confirmed = Agreement.objects.filter(deposit_received_on__isnull=False, deposit_amount__gt=0).exclude(
        deposit_entries__kind="received"
    )
    DepositEntry.objects.bulk_create(
        [
            DepositEntry(
                dealer_id=agreement.dealer_id,
                agreement_id=agreement.pk,
                kind="received",
                amount=agreement.deposit_amount,
                date=agreement.deposit_received_on,
            )
            for agreement in confirmed.iterator()
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [("funds", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
