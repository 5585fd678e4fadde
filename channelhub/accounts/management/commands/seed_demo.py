from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from channelhub.accounts.demo import DEMO_PASSWORD, DEMO_USERS, seed_users
from channelhub.registry import demo_steps
from channelhub.roles import Role


class Command(BaseCommand):
    help = "Build the demo company (SPEC §10). Safe to run again: it adds nothing twice."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args, quiet_logins=False, **options):
        users = seed_users()
        self.stdout.write(self.style.SUCCESS(f"Demo users: {len(users)}"))
        # each app's step, as its AppConfig.ready() registered it (channelhub.registry.register_demo)
        for step in demo_steps():
            self.stdout.write(self.style.SUCCESS(step.seed(users)))
        if quiet_logins:
            return
        self.stdout.write("")
        self.stdout.write(_("Demo logins (password for all: %(password)s)") % {"password": DEMO_PASSWORD})
        for demo in DEMO_USERS:
            manager = f"  → {demo.manager}" if demo.manager else ""
            self.stdout.write(f"  {demo.username:<10} {Role(demo.role).label:<10} {demo.name}{manager}")
