import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from consultations.parsing import DraftParseError, decode_text, parse_draft


class Command(BaseCommand):
    help = (
        "Parse a draft's text (plain text or Markdown, as pasted: title, amendment notes, 目录 and preamble "
        "are kept apart) into 编/章/节/条 or numbered items, and store it as the next version of a draft page. "
        "A line that cannot be placed stops the import, named by its number. With --dry-run nothing is "
        "stored; with --json the last line is the structure found."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="text or Markdown file: UTF-8, UTF-16 or GB18030 (GBK)")
        parser.add_argument("--draft", type=int, help="id of the DraftPage that receives the version")
        parser.add_argument("--label", default="", help="version label, e.g. 一审稿")
        parser.add_argument("--dry-run", action="store_true", help="parse and report, store nothing")
        parser.add_argument("--json", action="store_true", help="print the structure as JSON on the last line")

    def handle(self, *args, path: str, draft: int | None, label: str, dry_run: bool, json: bool, **options):
        source = Path(path)
        try:
            text = decode_text(source.read_bytes())
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file")
        except UnicodeDecodeError as error:
            raise CommandError(f"{path}: not UTF-8, UTF-16 or GB18030 text (byte {error.start})")
        try:
            parsed = parse_draft(text)
        except DraftParseError as error:
            raise CommandError(f"{path}: {error}")
        summary = parsed.summary()
        if not json:
            self.stdout.write(f"{path}: {parsed.title or '(no title)'}")
            self.stdout.write(
                "  {parts} parts, {chapters} chapters, {sections} sections, {articles} articles, {items} items".format(
                    **summary
                )
            )
            if parsed.preamble:
                self.stdout.write(f"  {len(parsed.preamble)} lines of notes and preamble before the first article")
        if not dry_run:
            if draft is None:
                raise CommandError("--draft is required unless --dry-run is given")
            from consultations.models import DraftPage
            from consultations.services import import_version

            page = DraftPage.objects.filter(pk=draft).first()
            if page is None:
                raise CommandError(f"no draft with id {draft}")
            version = import_version(draft=page, label=label, text=text, parsed=parsed)
            matched = version.provisions.filter(predecessor__isnull=False).count()
            if not json:
                self.stdout.write(
                    f"  stored as {version.label} (version {version.number}); {matched} articles matched to the previous version"
                )
        if json:
            self.stdout.write(_json_line(summary))


def _json_line(summary: dict) -> str:
    return json.dumps(summary, ensure_ascii=False)
