"""The three checklist templates of SPEC §17 as data: 门店形象与陈列, 价格与窜货, 库存与物料. Price items (one per
product line) are added by admins, as product lines are theirs; the demo adds them for its lines."""

from django.db import migrations


def ship(apps, schema_editor):
    from inspections.texts import SHIPPED, shipped_items

    Template = apps.get_model("inspections", "ChecklistTemplate")
    Item = apps.get_model("inspections", "ChecklistItem")
    for code, (name, _label, _items) in SHIPPED.items():
        template, created = Template.objects.get_or_create(code=code, defaults={"name": name})
        if created:
            Item.objects.bulk_create([Item(template=template, kind="check", **item) for item in shipped_items(code)])


def unship(apps, schema_editor):
    from inspections.texts import SHIPPED

    apps.get_model("inspections", "ChecklistTemplate").objects.filter(
        code__in=list(SHIPPED), inspections__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [migrations.RunPython(ship, unship)]
