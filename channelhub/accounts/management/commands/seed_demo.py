from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from channelhub.accounts.demo import DEMO_PASSWORD, DEMO_USERS, seed_users
from channelhub.roles import Role
from kpi.demo import seed_kpi
from kpi.demo_commissions import seed_commissions
from partners.demo import seed_partners
from visits.demo import seed_visits


class Command(BaseCommand):
    help = "Build the demo company (SPEC §10). Safe to run again: it adds nothing twice."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args, quiet_logins=False, **options):
        users = seed_users()
        self.stdout.write(self.style.SUCCESS(f"Demo users: {len(users)}"))
        partners = seed_partners(users)
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo partners: %(territories)d territories, %(dealers)d dealers, %(agreements)d agreements")
                % partners
            )
        )
        visits = seed_visits(users)
        self.stdout.write(self.style.SUCCESS(_("Demo visits: %(visits)d visits, %(plans)d week plans") % visits))
        kpi = seed_kpi(users)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo figures: %(sales)d sales, %(collections)d collections, %(expenses)d expenses, "
                    "%(targets)d targets, %(scorecards)d scorecards"
                )
                % kpi
            )
        )
        commissions = seed_commissions(users)
        self.stdout.write(
            self.style.SUCCESS(_("Demo commissions: %(plans)d plans, %(statements)d statements") % commissions)
        )
        if quiet_logins:
            return
        self.stdout.write("")
        self.stdout.write(_("Demo logins (password for all: %(password)s)") % {"password": DEMO_PASSWORD})
        for demo in DEMO_USERS:
            manager = f"  → {demo.manager}" if demo.manager else ""
            self.stdout.write(f"  {demo.username:<10} {Role(demo.role).label:<10} {demo.name}{manager}")
