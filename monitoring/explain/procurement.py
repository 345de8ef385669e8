"""Procurement rules (P101–P104) and Cardinal's indicators (R003…R058) in words.

Cardinal's evidence names organisations by their OCDS ids; `names` turns an id into the organisation's name
(from the process's parties), falling back on the id.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from monitoring.explain import text
from monitoring.explain.base import Distribution, Explanation, cardinal, fence_method, law, method, num

ORGANISATION_ROLES = {
    "buyer": gettext_lazy("Buyer"),
    "procuringEntity": gettext_lazy("Procuring entity"),
    "tenderer": gettext_lazy("Tenderer"),
    "supplier": gettext_lazy("Supplier"),
}


def role_label(role: str) -> str:
    label = ORGANISATION_ROLES.get(role)
    return str(label) if label is not None else str(ORGANISATION_ROLES["tenderer"])


def _organisation(evidence, names) -> tuple[str, str]:
    organisation = evidence.get("organisation") or {}
    role = organisation.get("role") or "tenderer"
    record = evidence.get("record") if isinstance(evidence.get("record"), dict) else {}
    identifier = str(organisation.get("id") or "")
    if record.get("name") and record.get("organisation") == identifier:
        return role, str(record["name"])
    return role, names(identifier) or text.DASH


def _population_n(evidence) -> str:
    population = evidence.get("population")
    if isinstance(population, dict):
        return text.number(population.get("n"))
    return text.number(population)


def _ratio_distribution(evidence, value, side: str, label, caption) -> Distribution | None:
    fence_key = "lower_fence" if side == "lower" else "upper_fence"
    fence = num(evidence, fence_key)
    if fence is None:
        fence = num(evidence, "threshold")
    if value is None or fence is None:
        return None
    q1, q3 = num(evidence, "q1"), num(evidence, "q3")
    return Distribution(
        value=value,
        fence=fence,
        side=side,
        q1=q1,
        q3=q3,
        labels={
            "value": label(value),
            "fence": label(fence),
            "q1": label(q1) if q1 is not None else "",
            "q3": label(q3) if q3 is not None else "",
        },
        caption=str(caption),
    )


def _limit_sentence(evidence, side: str, label) -> str:
    """ "…the lower limit is X (middle half between A and B)" or "…the limit set is X"."""
    fence = num(evidence, "lower_fence" if side == "lower" else "upper_fence")
    if fence is None:
        return _("The limit set for this indicator is %(limit)s.") % {"limit": label(num(evidence, "threshold"))}
    return _(
        "Compared over the %(n)s processes of this source, the middle half of the values lies between %(q1)s and "
        "%(q3)s; the limit is %(limit)s."
    ) % {
        "n": _population_n(evidence),
        "q1": label(num(evidence, "q1")),
        "q3": label(num(evidence, "q3")),
        "limit": label(fence),
    }


def _flagged_processes(evidence) -> Explanation | None:
    """An organisation flagged through processes (Cardinal's tenderer results): how many, which."""
    ocids = evidence.get("ocids")
    if not isinstance(ocids, list):
        return None
    return Explanation(
        summary=ngettext(
            "This organisation is named in %(n)s process flagged by this indicator.",
            "This organisation is named in %(n)s processes flagged by this indicator.",
            len(ocids),
        )
        % {"n": text.number(len(ocids))}
    )


# --- beyond Cardinal ---------------------------------------------------------------------------------------


def p101(evidence, names) -> Explanation:
    currency = evidence.get("currency", "")
    if evidence.get("grouped_by") == "supplier":
        grouping = _("to the same supplier, %(supplier)s") % {"supplier": text.listing(evidence.get("supplier") or [])}
    else:
        grouping = _("for items of the same class (classification beginning %(prefix)s)") % {
            "prefix": evidence.get("classification_prefix") or text.DASH
        }
    awards = evidence.get("awards") or []
    summary = _(
        "The buyer made %(n)s awards of between %(low)s and %(threshold)s each, just under the open-tender "
        "threshold of %(threshold)s, %(grouping)s within %(window)s; together they come to %(sum)s."
    ) % {
        "n": text.number(len(awards)),
        "low": text.money(evidence.get("just_under_from"), currency),
        "threshold": text.money(evidence.get("threshold"), currency),
        "grouping": grouping,
        "window": text.days(evidence.get("window_days")),
        "sum": text.money(evidence.get("sum"), currency),
    }
    items = [
        _("%(date)s: %(amount)s to %(suppliers)s")
        % {
            "date": text.day(a.get("date")),
            "amount": text.money(a.get("amount"), a.get("currency", currency)),
            "suppliers": text.listing(a.get("suppliers") or []),
        }
        for a in awards
        if isinstance(a, dict)
    ]
    return Explanation(
        summary=summary,
        items=items,
        basis=[law("procurement", 28), law("procurement_regulation", 28)],
        people=[(role_label("supplier"), name) for name in (evidence.get("supplier") or []) if isinstance(name, str)],
    )


def p102(evidence, names) -> Explanation:
    currency = evidence.get("currency", "")
    summary = _(
        "The awards total %(awarded)s against an estimated value of %(estimate)s: %(share)s of it, at or below "
        "the %(limit)s flagged."
    ) % {
        "awarded": text.money(evidence.get("awarded"), currency),
        "estimate": text.money(evidence.get("estimate"), currency),
        "share": text.percent(evidence.get("share")),
        "limit": text.percent(evidence.get("threshold"), 0),
    }
    if evidence.get("lot"):
        summary += text.space() + _("Lot %(lot)s.") % {"lot": evidence["lot"]}
    return Explanation(
        summary=summary,
        basis=[
            method(
                _("Risk indicator of Ukraine's State Audit Service: an award at least 30 %% below the expected value")
                % {}
            )
        ],
    )


def p103(evidence, names) -> Explanation:
    currency = evidence.get("currency", "")
    parts = []
    amendments = evidence.get("amendments") or 0
    if amendments >= (evidence.get("min_amendments") or 0):
        parts.append(
            _("was amended %(times)s (flagged from %(minimum)s)")
            % {"times": text.times(amendments), "minimum": text.times(evidence.get("min_amendments"))}
        )
    growth = num(evidence, "growth")
    if growth is not None and growth > (num(evidence, "max_growth") or 0):
        parts.append(
            _("grew in value from %(awarded)s to %(value)s, by %(growth)s, more than the %(limit)s allowed")
            % {
                "awarded": text.money(evidence.get("awarded"), currency),
                "value": text.money(evidence.get("contract_value"), currency),
                "growth": text.percent(growth),
                "limit": text.percent(evidence.get("max_growth"), 0),
            }
        )
    summary = _("Contract %(contract)s %(what)s.") % {
        "contract": evidence.get("contract") or text.DASH,
        "what": _(" and ").join(parts) or text.DASH,
    }
    items = [_("Amended on %(date)s") % {"date": text.day(d)} for d in evidence.get("amendment_dates") or [] if d]
    return Explanation(summary=summary, items=items, basis=[law("procurement", 49)])


def p104(evidence, names) -> Explanation:
    summary = _(
        "%(supplier)s won %(wins)s of the %(total)s awards of %(buyer)s (%(share)s); the rule flags a supplier "
        "from %(minimum)s awards and %(min_share)s of them."
    ) % {
        "supplier": evidence.get("supplier") or text.DASH,
        "wins": text.number(evidence.get("wins")),
        "total": text.number(evidence.get("buyer_awards")),
        "buyer": evidence.get("buyer") or text.DASH,
        "share": text.percent(evidence.get("share")),
        "minimum": text.number(evidence.get("min_awards")),
        "min_share": text.percent(evidence.get("min_share"), 0),
    }
    return Explanation(
        summary=summary,
        basis=[method(_("Open Contracting Partnership red-flag methodology: supplier concentration"))],
        people=[
            (role_label("supplier"), evidence.get("supplier") or ""),
            (role_label("buyer"), evidence.get("buyer") or ""),
        ],
    )


# --- Cardinal --------------------------------------------------------------------------------------------


def r003(evidence, names) -> Explanation:
    summary = _("The tender period ran from %(start)s to %(end)s: %(days)s, fewer than the %(threshold)s required.") % {
        "start": text.moment(evidence.get("start")),
        "end": text.moment(evidence.get("end")),
        "days": text.days(evidence.get("days")),
        "threshold": text.days(evidence.get("threshold")),
    }
    return Explanation(
        summary=summary,
        basis=[cardinal("R003"), law("procurement", 35, note=_("at least 20 days for a tender")), law("bidding", 24)],
    )


def r018(evidence, names) -> Explanation:
    summary = _("Only one tenderer took part in an open or selective procedure.")
    if evidence.get("counted_from_bids") is True:
        summary += text.space() + _("Counted from the bids received.")
    elif isinstance(evidence.get("numberOfTenderers"), int | float):
        summary += text.space() + _("The record declares %(n)s tenderer.") % {
            "n": text.number(evidence["numberOfTenderers"])
        }
    return Explanation(
        summary=summary,
        basis=[cardinal("R018"), law("bidding", 28, note=_("fewer than three tenderers: tender again"))],
    )


def _ratio_words(evidence, names) -> dict:
    currency = evidence.get("currency", "")
    return {
        "winner": names(str(evidence.get("winner") or "")) or text.DASH,
        "other": names(str(evidence.get("second_lowest_tenderer") or "")) or text.DASH,
        "winning": text.money(evidence.get("winning_amount"), currency),
        "second": text.money(evidence.get("second_lowest_amount"), currency),
        "ratio": text.percent(evidence.get("ratio")),
    }


def _ratio_people(evidence, names) -> list[tuple[str, str]]:
    return [
        (role_label("supplier"), names(str(evidence.get("winner") or ""))),
        (role_label("tenderer"), names(str(evidence.get("second_lowest_tenderer") or ""))),
    ]


def r024(evidence, names) -> Explanation:
    if (flagged := _flagged_processes(evidence)) is not None:
        flagged.basis = [cardinal("R024"), law("bidding", 32)]
        return flagged
    summary = (
        _(
            "The second-lowest valid bid (%(second)s, by %(other)s) is only %(ratio)s above the winning bid "
            "(%(winning)s, by %(winner)s)."
        )
        % _ratio_words(evidence, names)
        + " "
        + _limit_sentence(evidence, "lower", text.percent)
    )
    return Explanation(
        summary=summary,
        basis=[cardinal("R024"), law("bidding", 32, 1)],
        method=fence_method(1.5),
        distribution=_ratio_distribution(
            evidence,
            num(evidence, "ratio"),
            "lower",
            text.percent,
            _("Gap between the two lowest bids against other processes"),
        ),
        people=_ratio_people(evidence, names),
    )


def r058(evidence, names) -> Explanation:
    if (flagged := _flagged_processes(evidence)) is not None:
        flagged.basis = [cardinal("R058"), law("bidding", 33)]
        return flagged
    summary = (
        _(
            "The winning bid (%(winning)s, by %(winner)s) is far below the second-lowest valid bid (%(second)s, by "
            "%(other)s): the second is %(ratio)s above it."
        )
        % _ratio_words(evidence, names)
        + " "
        + _limit_sentence(evidence, "upper", text.percent)
    )
    return Explanation(
        summary=summary,
        basis=[cardinal("R058"), law("bidding", 33, note=_("no bid below cost"))],
        method=fence_method(1.5, "upper"),
        distribution=_ratio_distribution(
            evidence,
            num(evidence, "ratio"),
            "upper",
            text.percent,
            _("Gap between the two lowest bids against other processes"),
        ),
        people=_ratio_people(evidence, names),
    )


def r025(evidence, names) -> Explanation:
    role, name = _organisation(evidence, names)
    summary = (
        _(
            "%(name)s bid in %(processes)s processes (among the most active tenderers: at least %(active)s) and won "
            "%(wins)s: a win ratio of %(ratio)s."
        )
        % {
            "name": name,
            "processes": text.number(evidence.get("processes")),
            "active": text.number(evidence.get("processes_fence")),
            "wins": text.number(evidence.get("wins")),
            "ratio": text.percent(evidence.get("value")),
        }
        + " "
        + _limit_sentence(evidence, "lower", text.percent)
    )
    return Explanation(
        summary=summary,
        basis=[cardinal("R025"), law("bidding", 32)],
        method=fence_method(1.5),
        distribution=_ratio_distribution(
            evidence, num(evidence, "value"), "lower", text.percent, _("Win ratio against other active tenderers")
        ),
        people=[(role_label(role), name)],
    )


def r028(evidence, names) -> Explanation:
    if (flagged := _flagged_processes(evidence)) is not None:
        flagged.basis = [cardinal("R028"), law("bidding_regulation", 40, item=4)]
        return flagged
    items = [
        _("%(amount)s: %(tenderers)s")
        % {
            "amount": text.money(pair.get("amount"), pair.get("currency", "")),
            "tenderers": text.listing(names(str(t)) for t in pair.get("tenderers") or []),
        }
        for pair in evidence.get("identical_prices") or []
        if isinstance(pair, dict)
    ]
    return Explanation(
        summary=_("Different tenderers submitted bids at exactly the same price."),
        items=items,
        basis=[cardinal("R028"), law("bidding_regulation", 40, item=4, note=_("bids deemed collusive"))],
        people=[(role_label("tenderer"), names(str(t))) for t in evidence.get("tenderers") or []],
    )


def r030(evidence, names) -> Explanation:
    if (flagged := _flagged_processes(evidence)) is not None:
        flagged.basis = [cardinal("R030"), law("bidding", 28)]
        return flagged
    dates = evidence.get("bid_dates") or {}
    items = [
        _("%(tenderer)s: bid dated %(date)s") % {"tenderer": names(str(t)), "date": text.moment(d)}
        for t, d in (dates.items() if isinstance(dates, dict) else [])
    ]
    return Explanation(
        summary=_("The tender period closed on %(end)s, but the winning supplier's valid bid is dated later.")
        % {"end": text.moment(evidence.get("end_date"))},
        items=items,
        basis=[
            cardinal("R030"),
            law("bidding", 28, note=_("late bids must be refused")),
            law("bidding_regulation", 36),
        ],
        people=[(role_label("supplier"), names(str(t))) for t in evidence.get("tenderers") or []],
    )


def r035(evidence, names) -> Explanation:
    if (flagged := _flagged_processes(evidence)) is not None:
        flagged.basis = [cardinal("R035"), law("bidding_regulation", 51)]
        return flagged
    others = [names(str(t)) for t in evidence.get("disqualified") or []]
    summary = _(
        "%(winner)s was the only tenderer with a valid bid and won; %(n)s other tenderers were disqualified: "
        "%(others)s."
    ) % {
        "winner": names(str(evidence.get("winner") or "")) or text.DASH,
        "n": text.number(len(others)),
        "others": text.listing(others),
    }
    return Explanation(
        summary=summary,
        basis=[cardinal("R035"), law("bidding_regulation", 51, note=_("grounds for rejecting a bid"))],
        people=[(role_label("supplier"), names(str(evidence.get("winner") or "")))]
        + [(role_label("tenderer"), name) for name in others],
    )


def r036(evidence, names) -> Explanation:
    summary = _("The lowest bid (%(amount)s) was disqualified although valid bids were made.") % {
        "amount": text.money(evidence.get("lowest_amount"), evidence.get("currency", ""))
    }
    return Explanation(
        summary=summary, basis=[cardinal("R036"), law("bidding_regulation", 51, note=_("grounds for rejecting a bid"))]
    )


def r038(evidence, names) -> Explanation:
    role, name = _organisation(evidence, names)
    summary = _("%(role)s %(name)s: %(disqualified)s of %(submitted)s bids disqualified (%(ratio)s).") % {
        "role": role_label(role),
        "name": name,
        "disqualified": text.number(evidence.get("disqualified_bids")),
        "submitted": text.number(evidence.get("submitted_bids")),
        "ratio": text.percent(evidence.get("value")),
    }
    summary += text.space() + _limit_sentence(evidence, "upper", text.percent)
    return Explanation(
        summary=summary,
        basis=[cardinal("R038"), law("bidding_regulation", 51, note=_("grounds for rejecting a bid"))],
        method=fence_method(1.5, "upper"),
        distribution=_ratio_distribution(
            evidence,
            num(evidence, "value"),
            "upper",
            text.percent,
            _("Share of disqualified bids against other organisations"),
        ),
        people=[(role_label(role), name)],
    )


def r048(evidence, names) -> Explanation:
    role, name = _organisation(evidence, names)

    def classes(value):
        return ngettext("%(n)s class", "%(n)s classes", 1 if value == 1 else 2) % {"n": text.number(value)}

    summary = _(
        "%(name)s won contracts in %(processes)s processes across %(classes)s of items (the first %(digits)s "
        "digits of the classification: %(prefixes)s)."
    ) % {
        "name": name,
        "processes": text.number(evidence.get("processes")),
        "classes": classes(num(evidence, "value")),
        "digits": text.number(evidence.get("digits")),
        "prefixes": text.listing(evidence.get("prefixes") or []),
    }
    summary += text.space() + _limit_sentence(evidence, "upper", classes)
    return Explanation(
        summary=summary,
        basis=[cardinal("R048")],
        method=fence_method(1.5, "upper"),
        distribution=_ratio_distribution(
            evidence, num(evidence, "value"), "upper", classes, _("Item classes won against other suppliers")
        ),
        people=[(role_label("supplier"), name)],
    )


EXPLAINERS = {
    "P101": p101,
    "P102": p102,
    "P103": p103,
    "P104": p104,
    "R003": r003,
    "R018": r018,
    "R024": r024,
    "R025": r025,
    "R028": r028,
    "R030": r030,
    "R035": r035,
    "R036": r036,
    "R038": r038,
    "R048": r048,
    "R058": r058,
}
