import json

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Group the approved comments of one draft (--draft) or of every draft into campaigns and themes. "
        "Incremental by default: new comments join existing themes; --full clusters again, keeping the "
        "themes that already have a decision. The last line is a JSON summary."
    )

    def add_arguments(self, parser):
        parser.add_argument("--draft", type=int, help="id of the DraftPage (default: every draft with comments)")
        parser.add_argument("--k", type=int, help="number of themes (default: chosen from the comments)")
        parser.add_argument("--full", action="store_true", help="recompute the themes, not only add new comments")

    def handle(self, *args, draft: int | None, k: int | None, full: bool, **options):
        from consultations.clustering import CLUSTERED_STATUSES, cluster_draft
        from consultations.models import DraftPage

        if k is not None and not 1 <= k <= 200:
            raise CommandError(f"--k {k}: give a number of themes between 1 and 200")
        if draft is not None:
            drafts = list(DraftPage.objects.filter(pk=draft))
            if not drafts:
                raise CommandError(f"no draft with id {draft}")
        else:
            drafts = list(DraftPage.objects.filter(comments__status__in=CLUSTERED_STATUSES).distinct().order_by("pk"))
        summaries = []
        for number, page in enumerate(drafts, start=1):
            self.stdout.write(f"[{number}/{len(drafts)}] draft {page.pk}")
            summary = cluster_draft(draft=page, k=k, full=full, progress=self.stdout.write)
            summaries.append(summary.as_dict())
        total = {
            "drafts": len(summaries),
            "comments": sum(s["comments"] for s in summaries),
            "campaigns": sum(s["campaigns"] for s in summaries),
            "themes_created": sum(s["themes_created"] for s in summaries),
            "themes_updated": sum(s["themes_updated"] for s in summaries),
            "themes_removed": sum(s["themes_removed"] for s in summaries),
            "assigned": sum(s["assigned"] for s in summaries),
            "waiting": sum(s["waiting"] for s in summaries),
            "read": sum(s["read"] for s in summaries),  # comments whose text was read
            "seconds": round(sum(s["seconds"] for s in summaries), 3),
        }
        self.stdout.write(
            f"Done: {total['drafts']} drafts, {total['comments']} comments, {total['campaigns']} campaigns, "
            f"{total['themes_created']} themes created, {total['themes_updated']} updated, "
            f"{total['themes_removed']} removed, {total['assigned']} comments assigned, "
            f"{total['waiting']} waiting, {total['read']} comments read, {total['seconds']} s"
        )
        self.stdout.write(json.dumps({**total, "runs": summaries}, ensure_ascii=False))
