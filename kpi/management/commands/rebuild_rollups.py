"""``manage.py rebuild_rollups``: write the roll-ups (each rep's and dealer's month of facts, each rep's
month of visits per dealer) again from the facts and visits; ``--check`` only compares them and exits
with 1 when they differ (naming the first keys that do)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from kpi.services.rollups import rollups_differences, rollups_rebuild
from visits.services.rollups import visit_rollups_differences, visit_rollups_rebuild

SHOWN = 10


class Command(BaseCommand):
    help = "Write the monthly roll-ups of facts and visits again from the facts and visits (--check: compare only)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Compare the roll-ups with the facts; change nothing.")

    def handle(self, *args, check: bool = False, **options):
        if check:
            differences = {**rollups_differences(), "visitmonth": visit_rollups_differences()}
            wrong = {table: rows for table, rows in differences.items() if rows}
            for table, rows in wrong.items():
                self.stdout.write(f"{table}: {len(rows)} keys differ")
                for key, stored, recomputed in rows[:SHOWN]:
                    self.stdout.write(f"  {key}: stored {stored}, from the rows {recomputed}")
            if wrong:
                raise CommandError("The roll-ups differ from the facts and visits: run rebuild_rollups.")
            self.stdout.write("The roll-ups agree with the facts and visits.")
            return
        started = time.perf_counter()
        written = {**rollups_rebuild(), "visitmonth": visit_rollups_rebuild()}
        rows = ", ".join(f"{table} {count}" for table, count in written.items())
        self.stdout.write(f"Roll-ups written in {time.perf_counter() - started:.1f} s: {rows}.")
