"""The public search page: published drafts' articles, visible comments and public petitions."""

from __future__ import annotations

from django.shortcuts import render

from search.backends.base import SearchUnavailable
from search.forms import PublicSearchForm
from search.services import PAGE_SIZE, public_search


def search_page(request):
    form = PublicSearchForm(request.GET or None)
    results = None
    status = 200
    unavailable = False
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            try:
                results = public_search(text=data["q"], doc_type=data["type"] or None, page=data["page"] or 1)
            except SearchUnavailable:
                # The search server is down: say so and let the rest of the site carry on.
                unavailable, status = True, 503
        else:
            status = 400
    context = {"form": form, "results": results, "page_size": PAGE_SIZE, "unavailable": unavailable}
    if results is not None:
        page = form.cleaned_data["page"] or 1
        context["page"] = page
        context["previous_page"] = page - 1 if page > 1 else None
        context["next_page"] = page + 1 if page * PAGE_SIZE < results.total and page < 50 else None
    return render(request, "search/search.html", context, status=status)
