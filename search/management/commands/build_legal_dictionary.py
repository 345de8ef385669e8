"""Write search/data/legal_terms.txt from law texts: titles, cited laws, defined terms, headings."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from search.dictionary import dictionary_lines, terms_from_law_text
from search.tokenize import LEGAL_TERMS

DEFAULT_LAWS = Path(__file__).resolve().parents[3] / "consultations" / "demo_data"


class Command(BaseCommand):
    help = "Build the segmenter's dictionary of legal terms from a folder of law texts (Markdown)."

    def add_arguments(self, parser):
        parser.add_argument("laws", nargs="*", help="folders or files of law texts (default: the demo laws)")
        parser.add_argument("--out", default=str(LEGAL_TERMS))

    def handle(self, *args, laws, out, **options):
        paths: list[Path] = []
        for name in laws or [str(DEFAULT_LAWS)]:
            path = Path(name)
            if path.is_dir():
                paths += sorted(p for p in path.glob("*.md") if p.name.lower() != "readme.md")
            elif path.is_file():
                paths.append(path)
            else:
                raise CommandError(f"{name}: no such file or folder")
        terms: set[str] = set()
        for number, path in enumerate(paths, start=1):
            found = terms_from_law_text(path.read_text(encoding="utf-8"))
            terms |= found
            self.stdout.write(f"[{number}/{len(paths)}] {path.name}: {len(found)} terms")
        lines = dictionary_lines(terms)
        header = "# Legal terms read from law texts by `manage.py build_legal_dictionary`; one a line.\n"
        Path(out).write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"{len(lines)} terms from {len(paths)} texts written to {out}"))
