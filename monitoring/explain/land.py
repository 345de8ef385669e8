"""Land-transfer rules (L001–L005) in words."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from monitoring.explain import text
from monitoring.explain.base import Distribution, Explanation, cited, fence_method, law, method, num

CATEGORIES = {
    "industrial": gettext_lazy("industrial"),
    "commercial": gettext_lazy("commercial"),
    "residential": gettext_lazy("commodity housing"),
}


def category(code) -> str:
    label = CATEGORIES.get(str(code or ""))
    return str(label) if label is not None else str(code or text.DASH)


def scope(value: str, names) -> str:
    """The population's scope as stored ("province 130000 · residential", "all regions · …") in words."""
    where = str(value or "").split(" · ")[0]
    if where.startswith("province "):
        code = where.removeprefix("province ").strip()
        name = names(f"region:{code}")
        return _("in %(region)s") % {"region": _("the same province") if name.startswith("region:") else name}
    if where == "all regions":
        return _("in all regions")
    return ""


def l001(evidence, names) -> Explanation:
    summary = _(
        "The parcel for %(use)s (%(category)s land) was supplied by %(supply)s; land of this use must be sold by "
        "tender, auction or listing."
    ) % {
        "use": evidence.get("use") or text.DASH,
        "category": category(evidence.get("category")),
        "supply": evidence.get("supply") or text.DASH,
    }
    return Explanation(summary=summary, basis=[law("order39", 4)])


def l002(evidence, names) -> Explanation:
    fence = evidence.get("fence") or {}
    population = evidence.get("population") or {}
    price, q1, q3, lower = (
        num(evidence, "unit_price_yuan_m2"),
        num(fence, "q1_yuan_m2"),
        num(fence, "q3_yuan_m2"),
        num(fence, "lower_yuan_m2"),
    )
    n = population.get("n") or fence.get("n")

    def per_m2(value):
        return _("%(amount)s yuan/m²") % {"amount": text.number(value)}

    summary = _(
        "The price is %(price)s. The %(n)s parcels of the same use sold by tender, auction or listing %(scope)s "
        "cost between %(q1)s and %(q3)s in their middle half; the lower limit is %(fence)s, and this price is below it."
    ) % {
        "price": per_m2(price),
        "n": text.number(n),
        "scope": scope(population.get("scope"), names),
        "q1": per_m2(q1),
        "q3": per_m2(q3),
        "fence": per_m2(lower),
    }
    distribution = None
    if None not in (price, lower):
        distribution = Distribution(
            value=price,
            fence=lower,
            side="lower",
            q1=q1,
            q3=q3,
            log=True,
            labels={"value": per_m2(price), "fence": per_m2(lower), "q1": per_m2(q1), "q3": per_m2(q3)},
            caption=_("Unit price of this parcel against comparable parcels (logarithmic scale)"),
        )
    return Explanation(
        summary=summary,
        basis=[
            method(_("Statistical comparison with comparable parcels: no law sets this limit")),
            law("order21", 5, note=_("the minimum price of a sale by agreement")),
        ],
        method=fence_method(fence.get("k", 1.5), "log prices"),
        distribution=distribution,
    )


def l003(evidence, names) -> Explanation:
    summary = _(
        "The contract was signed on %(signed)s and the last instalment falls due on %(due)s: %(days)s later, "
        "more than the %(limit)s allowed."
    ) % {
        "signed": text.day(evidence.get("signed_on")),
        "due": text.day(evidence.get("last_due")),
        "days": text.days(evidence.get("days")),
        "limit": text.days(evidence.get("threshold_days")),
    }
    return Explanation(summary=summary, basis=[law("land_revenue", note=_("instalments within one year"))])


def l004(evidence, names) -> Explanation:
    summary = _(
        "The first instalment is %(first)s of a price of %(price)s: %(share)s, below the required %(minimum)s."
    ) % {
        "first": text.wan(evidence.get("first_instalment_wan")),
        "price": text.wan(evidence.get("price_wan")),
        "share": text.percent(evidence.get("share")),
        "minimum": text.percent(evidence.get("threshold"), 0),
    }
    return Explanation(
        summary=summary, basis=[law("land_revenue", note=_("first instalment at least half of the price"))]
    )


def l005(evidence, names) -> Explanation:
    summary = _(
        "Construction was agreed to start on %(planned)s and was reported started on %(actual)s: %(late)s late. "
        "After %(idle)s the land counts as idle (a fee of 20 %% of the price); after %(recovery)s it may be "
        "taken back."
    ) % {
        "planned": text.day(evidence.get("planned")),
        "actual": text.day(evidence.get("actual")),
        "late": text.days(evidence.get("days_late")),
        "idle": text.days(evidence.get("threshold_days")),
        "recovery": text.days(evidence.get("recovery_after_days")),
    }
    basis = [law("order53", 2), law("order53", 14)]
    if isinstance(evidence.get("basis"), str) and not evidence["basis"].startswith("闲置土地处置办法"):
        basis.append(cited(evidence["basis"]))
    return Explanation(summary=summary, basis=basis)


EXPLAINERS = {"L001": l001, "L002": l002, "L003": l003, "L004": l004, "L005": l005}
