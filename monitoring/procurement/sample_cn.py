"""A generated Chinese procurement sample: OCDS-shaped compiled releases with labelled anomalies. Pure, seeded.

No public bulk feed of Chinese procurement in OCDS exists, so the demo generates one (nothing here is real:
buyers are named after real administrative divisions, suppliers are invented). `generate_sample(seed=…,
today=…, regions=…)` returns `Sample(releases, labels)`: compiled releases (OCDS 1.1, `language` zh, amounts in
CNY, dates with +08:00) and, apart from them, each ocid's anomaly labels, so the releases stay plain OCDS.
The same seed and day give the same sample; the dates are relative to `today` so the demo stays fresh.

How the records are built (documented distributions, all from `random.Random(seed)`):

- Buyers: 2–3 bodies per region passed in (教育局, 卫生健康局, 人民医院, 住房和城乡建设局, 交通运输局, 机关事务
  服务中心…), each with a unified social credit code (统一社会信用代码, 机关 prefix `11`) whose characters 3–8
  are the region's GB/T 2260 code: the buyer's region is read from it on ingest.
- Suppliers: 48 companies (prefix `91`), each in one trade (IT equipment, furniture, medical devices, property
  services, construction), registered in the buyers' provinces.
- Processes: tenders start on working days, 09:00–17:00, spread uniformly over the last 360 days up to 75
  days ago; the tender period is 20–30 days for 公开招标 and 邀请招标 (招标投标法第二十四条: at least 20
  days), 10–15 for 竞争性磋商; 3–7 bidders, each bid = estimate × a ratio drawn uniformly in [0.80, 0.99];
  bids open at 09:30; the lowest valid bid wins 5–15 days after the tender closes; the contract is signed within 30 days of
  the award (政府采购法第四十六条). Estimates are log-normal around each trade's median (σ = 0.5).
- Anomalies (labels, each injected in a few processes so every rule has something to find):
  `split` (P101: three awards of 1.6–1.95 million yuan, each just under the 2-million open-tender threshold,
  to one supplier within 60 days), `far_below` (P102: award at 45–65 % of the estimate), `amended` (P103:
  three or four amendments, or the value grown 15–30 %), `favoured` (P104: one buyer gives five of its seven
  awards to one supplier), `short_period` (R003: 公开招标 open for 8–14 days), `single_bid` (R018),
  `identical_bids` (R028), `late_bid_won` (R030: the winner's bid dated after the tender closed),
  `others_disqualified` (R035), `lowest_disqualified` (R036), `deep_discount` (R058: the winner at half the
  next bid). Cardinal's population indicators may flag ordinary processes too (R058 flags the largest gaps
  between the two lowest bids, whatever their cause), as they would in real data.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from core.identifiers import USCC_CHARSET, uscc_check_character

CHINA = timezone(timedelta(hours=8))
CURRENCY = "CNY"
OCID_PREFIX = "ocds-cnsample"
THRESHOLD = 2_000_000  # the open-tender threshold the rules use by default (P101)
FIRST_DAY, LAST_DAY = 360, 75  # tenders start between this many days ago and that many days ago

PREPARE_INI = """\
; Cardinal settings of the generated Chinese sample (see sample_cn.py).
no_price_comparison_procurement_methods = 单一来源

[R003]
threshold = 20
procurement_methods = open|selective|limited

[R003.procurement_method_details]
竞争性磋商 = 10

[R018]
[R024]
[R025]
[R028]
[R030]
[R035]
[R036]
[R038]
[R048]
[R058]
"""


@dataclass(frozen=True)
class Trade:
    key: str
    category: str  # OCDS mainProcurementCategory
    items: tuple[tuple[str, str, str], ...]  # (政府采购品目 code, description, unit)
    median: float  # yuan
    words: tuple[str, ...]  # what suppliers of the trade call themselves


TRADES = (
    Trade(
        "it",
        "goods",
        (
            ("A02010104", "台式计算机", "台"),
            ("A02010105", "便携式计算机", "台"),
            ("A02021001", "多功能一体机", "台"),
            ("A02010301", "服务器", "台"),
        ),
        450_000,
        ("信息技术", "电子科技", "计算机系统"),
    ),
    Trade(
        "furniture",
        "goods",
        (("A05010101", "办公桌", "张"), ("A05010201", "办公椅", "把"), ("A05010402", "书柜", "组")),
        300_000,
        ("家具", "办公家具", "木业"),
    ),
    Trade(
        "medical",
        "goods",
        (("A02320101", "医用影像设备", "台"), ("A02320501", "监护仪", "台"), ("A02321001", "超声诊断仪", "台")),
        1_200_000,
        ("医疗器械", "医疗设备", "生物医学工程"),
    ),
    Trade(
        "property",
        "services",
        (("C21040000", "物业管理服务", "年"), ("C16070000", "保洁服务", "年"), ("C21100000", "安保服务", "年")),
        600_000,
        ("物业服务", "物业管理", "保安服务"),
    ),
    Trade(
        "works",
        "works",
        (("B01010000", "房屋修缮工程", "项"), ("B02010000", "道路维修工程", "项"), ("B01020000", "校舍改造工程", "项")),
        1_600_000,
        ("建筑工程", "市政工程", "建设工程"),
    ),
)
TRADE = {trade.key: trade for trade in TRADES}

# Buyer bodies: (name suffix, the trades they buy, weight).
BUYER_KINDS = (
    ("教育局", ("it", "furniture", "works"), 3.0),
    ("卫生健康局", ("it", "medical", "property"), 2.0),
    ("人民医院", ("medical", "it", "property"), 3.0),
    ("住房和城乡建设局", ("works", "it", "property"), 2.0),
    ("交通运输局", ("works", "it"), 1.5),
    ("机关事务服务中心", ("property", "furniture", "it"), 2.0),
)
METHODS = (  # (procurementMethod, procurementMethodDetails, weight, tender days)
    ("open", "公开招标", 6.0, (20, 30)),
    ("selective", "邀请招标", 1.0, (20, 25)),
    ("limited", "竞争性磋商", 2.5, (10, 15)),
)
TRADE_NAMES = "恒达鑫源华宇泰和盛通瑞丰金辉宏远康泽博润兴隆嘉诚德顺永利汇通鼎盛佳和合众天成聚鑫广源润达安泰福顺"
TRADE_CHARS = "".join(dict.fromkeys(TRADE_NAMES))  # each character once, in order
AMENDMENT_REASONS = (
    "增加采购数量",
    "延长服务期限",
    "调整交付地点",
    "变更技术参数",
    "追加配套设备",
)
ANOMALIES = (
    "split",
    "far_below",
    "amended",
    "favoured",
    "short_period",
    "single_bid",
    "identical_bids",
    "late_bid_won",
    "others_disqualified",
    "lowest_disqualified",
    "deep_discount",
)


@dataclass
class Sample:
    releases: list[dict]
    labels: dict[str, list[str]] = field(default_factory=dict)  # ocid → anomaly labels


@dataclass
class _Org:
    ocds_id: str
    name: str
    credit_code: str
    region_name: str
    trade: str = ""

    def ref(self) -> dict:
        return {"id": self.ocds_id, "name": self.name}


class _Generator:
    def __init__(self, seed: int, today: date, regions: Sequence[tuple[str, str]]):
        self.rng = random.Random(seed)  # noqa: S311 (reproducible generated data, not secrets)
        self.today = today
        self.regions = list(regions)
        self.codes: set[str] = set()
        self.serial = 0
        self.buyers: list[_Org] = []
        self.weights: list[float] = []
        for code, name in self.regions:
            kinds = self.rng.sample(BUYER_KINDS, self.rng.randint(2, 3))
            for suffix, _trades, weight in kinds:
                self.buyers.append(_Org("", f"{name}{suffix}", self.credit_code("11", code), name))
                self.weights.append(weight)
        for buyer in self.buyers:
            buyer.ocds_id = f"CN-USCC-{buyer.credit_code}"
        provinces = sorted({code[:2] for code, _ in self.regions})
        self.suppliers: dict[str, list[_Org]] = {}
        for index in range(48):
            trade = TRADES[index % len(TRADES)]
            province = provinces[index % len(provinces)]
            code, name = self.rng.choice([r for r in self.regions if r[0].startswith(province)])
            stem = "".join(self.rng.sample(TRADE_CHARS, 2))
            org_name = f"{_stem(name)}{stem}{self.rng.choice(trade.words)}有限公司"
            credit = self.credit_code("91", code)
            org = _Org(f"CN-USCC-{credit}", org_name, credit, name, trade.key)
            self.suppliers.setdefault(trade.key, []).append(org)

    # --- parts -------------------------------------------------------------------------------------

    def credit_code(self, prefix: str, region: str) -> str:
        while True:
            body = prefix + region + "".join(self.rng.choice(USCC_CHARSET) for _ in range(9))
            code = body + uscc_check_character(body)
            if code not in self.codes:
                self.codes.add(code)
                return code

    def working_moment(self, days_ago_from: int, days_ago_to: int) -> datetime:
        while True:
            day = self.today - timedelta(days=self.rng.randint(days_ago_to, days_ago_from))
            if day.weekday() < 5:
                minute = self.rng.randint(0, 8 * 60 - 1)
                return datetime.combine(day, time(9), tzinfo=CHINA) + timedelta(minutes=minute)

    def estimate(self, trade: Trade) -> float:
        return round(trade.median * math.exp(0.5 * self.rng.gauss(0, 1)), -3)

    # --- one process -------------------------------------------------------------------------------

    def process(self, buyer: _Org, trade_key: str, *, labels: Sequence[str] = (), **fixed) -> tuple[dict, list[str]]:
        rng = self.rng
        trade = TRADE[trade_key]
        labels = list(labels)
        method, details, _weight, (low, high) = fixed.get("method") or rng.choices(METHODS, [m[2] for m in METHODS])[0]
        if "short_period" in labels:
            method, details, low, high = "open", "公开招标", 8, 14
        if "single_bid" in labels:
            method, details, low, high = "open", "公开招标", 20, 30
        # An amended contract needs time after signing for its amendments (up to 4 × 30 days).
        start = fixed.get("start") or self.working_moment(FIRST_DAY, 200 if "amended" in labels else LAST_DAY)
        # Bids open at 09:30, at least the period's whole days after the notice (`low` to `high`).
        end = (start + timedelta(days=rng.randint(low, high) + 1)).replace(hour=9, minute=30)
        estimate = fixed.get("estimate") or self.estimate(trade)
        item_code, item_name, unit = rng.choice(trade.items)
        self.serial += 1
        ocid = f"{OCID_PREFIX}-{buyer.credit_code[2:8]}-{start:%Y%m}-{self.serial:04d}"
        title = f"{buyer.name}{item_name}采购项目" + (
            f"（第{'一二三四'[fixed['batch'] - 1]}批）" if "batch" in fixed else ""
        )
        pool = self.suppliers[trade_key]
        winner: _Org = fixed.get("winner") or rng.choice(pool)
        others = [s for s in pool if s is not winner]
        n_bidders = 1 if "single_bid" in labels else rng.randint(3, min(7, len(pool)))
        bidders = [winner, *rng.sample(others, n_bidders - 1)]
        ratios = sorted(rng.uniform(0.80, 0.99) for _ in bidders)
        if "deep_discount" in labels:
            ratios[0] = ratios[1] * 0.5
        amounts = [round(estimate * r) for r in ratios]
        if "far_below" in labels:
            amounts[0] = round(estimate * rng.uniform(0.45, 0.65))
            amounts[1:] = [max(a, round(amounts[0] * rng.uniform(1.05, 1.3))) for a in amounts[1:]]
        if "identical_bids" in labels:
            amounts[2] = amounts[1]
        if "award_amount" in fixed:
            amounts[0] = fixed["award_amount"]
            amounts[1:] = [round(max(a, amounts[0] * rng.uniform(1.02, 1.08))) for a in amounts[1:]]
        statuses = ["valid"] * len(bidders)
        if "others_disqualified" in labels:
            statuses = ["valid"] + ["disqualified"] * (len(bidders) - 1)
        if "lowest_disqualified" in labels:
            # the lowest bid is thrown out and the second-lowest wins
            bidders[0], bidders[1] = bidders[1], bidders[0]
            statuses[0] = "disqualified"
        bids = []
        for index, (org, amount, status) in enumerate(zip(bidders, amounts, statuses, strict=True)):
            submitted = end - timedelta(hours=rng.randint(2, 120), minutes=rng.randint(0, 59))
            if org is winner and "late_bid_won" in labels:
                submitted = end + timedelta(minutes=rng.randint(15, 300))
            bids.append(
                {
                    "id": f"{ocid}-bid-{index + 1}",
                    "date": submitted.isoformat(),
                    "status": status,
                    "tenderers": [org.ref()],
                    "value": {"amount": amount, "currency": CURRENCY},
                }
            )
        award_amount = amounts[bidders.index(winner)]
        award_date = (end + timedelta(days=rng.randint(5, 15))).replace(hour=10, minute=rng.randint(0, 59))
        item = {
            "id": "1",
            "description": item_name,
            "classification": {"scheme": "CN-GPC", "id": item_code, "description": item_name},
            "quantity": rng.randint(1, 40) if unit in ("台", "张", "把", "组") else 1,
            "unit": {"name": unit},
        }
        award = {
            "id": f"{ocid}-award-1",
            "title": f"{title}中标（成交）结果",
            "status": "active",
            "date": award_date.isoformat(),
            "value": {"amount": award_amount, "currency": CURRENCY},
            "suppliers": [winner.ref()],
            "items": [item],
        }
        signed = award_date + timedelta(days=rng.randint(3, 25))
        contract_value = award_amount
        amendments = []
        last = signed
        if "amended" in labels:
            if rng.random() < 0.5:
                count = rng.randint(3, 4)
            else:
                count = 1
                contract_value = round(award_amount * rng.uniform(1.15, 1.30))
            for n in range(count):
                last = last + timedelta(days=rng.randint(10, 30))
                amendments.append(
                    {
                        "id": f"{ocid}-amendment-{n + 1}",
                        "date": last.isoformat(),
                        "rationale": rng.choice(AMENDMENT_REASONS),
                    }
                )
        contract = {
            "id": f"{ocid}-contract-1",
            "awardID": award["id"],
            "title": f"{title}政府采购合同",
            "status": "active",
            "dateSigned": signed.isoformat(),
            "value": {"amount": contract_value, "currency": CURRENCY},
        }
        if amendments:
            contract["amendments"] = amendments
        parties = [
            {
                "id": buyer.ocds_id,
                "name": buyer.name,
                "identifier": {"scheme": "CN-USCC", "id": buyer.credit_code, "legalName": buyer.name},
                "address": {"locality": buyer.region_name, "countryName": "中国"},
                "roles": ["buyer", "procuringEntity"],
            }
        ]
        for org in bidders:
            parties.append(
                {
                    "id": org.ocds_id,
                    "name": org.name,
                    "identifier": {"scheme": "CN-USCC", "id": org.credit_code, "legalName": org.name},
                    "address": {"locality": org.region_name, "countryName": "中国"},
                    "roles": ["tenderer", "supplier"] if org is winner else ["tenderer"],
                }
            )
        release = {
            "ocid": ocid,
            "id": f"{ocid}-compiled",
            "date": max(last, signed).isoformat(),
            "tag": ["compiled"],
            "initiationType": "tender",
            "language": "zh",
            "parties": parties,
            "buyer": buyer.ref(),
            "tender": {
                "id": f"{buyer.credit_code[2:8]}-{start:%Y}-{self.serial:04d}",
                "title": title,
                "status": "complete",
                "procuringEntity": buyer.ref(),
                "procurementMethod": method,
                "procurementMethodDetails": details,
                "mainProcurementCategory": trade.category,
                "value": {"amount": estimate, "currency": CURRENCY},
                "tenderPeriod": {"startDate": start.isoformat(), "endDate": end.isoformat()},
                "numberOfTenderers": len(bidders),
                "items": [item],
            },
            "bids": {"details": bids},
            "awards": [award],
            "contracts": [contract],
        }
        return release, labels

    # --- the whole sample --------------------------------------------------------------------------

    def sample(self, count: int) -> Sample:
        rng = self.rng
        out = Sample(releases=[])

        def add(release_labels: tuple[dict, list[str]]) -> None:
            release, labels = release_labels
            out.releases.append(release)
            if labels:
                out.labels[release["ocid"]] = sorted(set(labels))

        reserved: set[str] = set()  # buyers of the P104 pattern: nothing else, so the share stays

        def buyer_for(trade_key: str) -> _Org:
            fitting = [
                (b, w)
                for b, w in zip(self.buyers, self.weights, strict=True)
                if b.ocds_id not in reserved
                and any(b.name.endswith(kind) and trade_key in trades for kind, trades, _ in BUYER_KINDS)
            ]
            return rng.choices([b for b, _ in fitting], [w for _, w in fitting])[0]

        # P101: a purchase split into three awards just under the threshold, to one supplier, within 60 days.
        for trade_key in ("it", "works"):
            buyer = buyer_for(trade_key)
            winner = rng.choice(self.suppliers[trade_key])
            first = self.working_moment(FIRST_DAY - 30, LAST_DAY + 90)  # the three within 40 days
            for k in range(3):
                add(
                    self.process(
                        buyer,
                        trade_key,
                        labels=["split"],
                        method=METHODS[2],
                        start=first + timedelta(days=20 * k, minutes=rng.randint(0, 120)),
                        winner=winner,
                        estimate=float(rng.randint(1_700, 1_990) * 1000),
                        award_amount=float(rng.randint(1_600, 1_950) * 1000),
                        batch=k + 1,
                    )
                )
        # P104: a buyer gives five of its seven awards to one supplier.
        buyer = buyer_for("property")
        reserved.add(buyer.ocds_id)
        favoured = rng.choice(self.suppliers["property"])
        for k in range(7):
            winner = favoured if k not in (2, 5) else None
            add(self.process(buyer, "property", labels=["favoured"] if winner else [], winner=winner))
        # One or two processes for every other anomaly.
        for label in ANOMALIES:
            if label in ("split", "favoured"):
                continue
            for _ in range(2 if label in ("far_below", "amended", "single_bid", "short_period") else 1):
                trade_key = rng.choice([t.key for t in TRADES])
                add(self.process(buyer_for(trade_key), trade_key, labels=[label]))
        # The ordinary processes the population indicators compare with.
        while len(out.releases) < count:
            trade_key = rng.choices([t.key for t in TRADES], [3, 2, 2, 2, 2])[0]
            add(self.process(buyer_for(trade_key), trade_key))
        out.releases.sort(key=lambda release: (release["date"], release["ocid"]))
        return out


def _stem(place: str) -> str:
    """A place name as a company name starts with it: 定兴县 → 定兴, 高碑店市 → 高碑店, 浦东新区 → 浦东."""
    for suffix in ("新区", "市", "县", "区"):
        if place.endswith(suffix) and len(place) > len(suffix) + 1:
            return place[: -len(suffix)]
    return place


def generate_sample(*, seed: int, today: date, regions: Sequence[tuple[str, str]], count: int = 90) -> Sample:
    """`count` compiled releases (at least the anomalies' ~30) of buyers in `regions` ((code, name) pairs)."""
    if not regions:
        raise ValueError("at least one region is needed")
    return _Generator(seed, today, regions).sample(count)
