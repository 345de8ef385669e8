from django.core.management.base import BaseCommand, CommandError

from monitoring.models import Domain, SourceSystem
from monitoring.services import create_source


class Command(BaseCommand):
    help = "Register a source system for the ingest API and print its token (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--domain", choices=Domain.values, required=True)

    def handle(self, *args, name: str, domain: str, **options):
        if SourceSystem.objects.filter(name=name).exists():
            raise CommandError(f"a source named {name!r} exists already")
        source, token = create_source(name=name, domain=domain)
        self.stdout.write(f"source {source.name} ({source.get_domain_display()}) created; its token, shown once:")
        self.stdout.write(token)
