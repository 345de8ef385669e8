"""Realistic generated approval cases with labelled anomalies (no public log of real cases exists).

`generate_cases(count=…, seed=…, anomaly_rate=…, start=…)` returns records in the ingest format
(`monitoring.approvals.records`), ordered by when they concluded (source systems push a case when it is
decided), each with its anomaly labels under `_labels` and the anomaly injected under `_injected`;
the importer and the API ignore keys starting with "_". Deterministic per seed. The distributions are
documented in docs/monitoring-rules.md (Administrative approval).

Time is scheduled on a working-day cursor (09:00–17:00 on working days of the Chinese holiday calendar,
`workdays.calendar.HOLIDAYS_CSV`): each step lasts a log-normal number of working days, so the
generator knows by construction how many working days each step and the case took. Labels for the
time limits come from that schedule; the rules recompute them from the timestamps alone, so the
measurement checks one against the other.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from core.identifiers import USCC_CHARSET, uscc_check_character
from monitoring.approvals.records import CHINA
from workdays.calendar import WorkingCalendar, calendar_from_csv

DAY_MINUTES = 480  # a working day: 09:00 to 17:00
DEFAULT_START = date(2025, 1, 2)
SPAN_DAYS = 360  # applications arrive over this many days from the start

ANOMALIES = (
    "overdue_legal",
    "overdue_promised",
    "step_overdue",
    "repeated_corrections",
    "correction_late",
    "too_fast",
    "steps_out_of_order",
    "step_missing",
    "related_same_handler",
)
# Relative weights of the injected anomaly types.
ANOMALY_WEIGHTS = {
    "overdue_legal": 2,
    "overdue_promised": 3,
    "step_overdue": 2,
    "repeated_corrections": 2,
    "correction_late": 1,
    "too_fast": 2,
    "steps_out_of_order": 1,
    "step_missing": 1,
    "related_same_handler": 2,
}


@dataclass(frozen=True)
class MatterSpec:
    code: str
    name: str
    legal_days: int
    legal_unit: str
    promised_days: int  # working days
    extension_days: int  # the longest extension the law allows with approval
    basis: str
    weight: float
    level: str  # "city" or "county": which 行政审批局 decides
    onsite: str  # "required", "optional" or ""
    excluded_step: str = ""  # a step not counted (art. 45), e.g. 专家评审
    excluded_share: float = 0.0  # share of cases that have it
    excluded_median_days: float = 0.0  # natural days
    person_share: float = 0.0  # share of applicants who are individuals


LAW = "《中华人民共和国行政许可法》"
MATTERS: tuple[MatterSpec, ...] = (
    MatterSpec("SC-SL", "企业设立登记", 3, "working", 1, 0, "《市场主体登记管理条例》第十九条", 20, "county", ""),
    MatterSpec(
        "SP-JY",
        "食品经营许可",
        10,
        "working",
        5,
        5,
        "《食品经营许可和备案管理办法》（2023）",
        16,
        "county",
        "optional",
        person_share=0.35,
    ),
    MatterSpec(
        "SP-SC", "食品生产许可", 10, "working", 8, 5, "《食品生产许可管理办法》（2020）", 3, "county", "required"
    ),
    MatterSpec(
        "YP-LS",
        "药品经营许可（零售）",
        20,
        "working",
        15,
        10,
        f"{LAW}第四十二条；《药品经营和使用质量监督管理办法》",
        4,
        "county",
        "required",
    ),
    MatterSpec(
        "WS-GG",
        "公共场所卫生许可",
        20,
        "natural",
        5,
        0,
        "《公共场所卫生管理条例实施细则》",
        7,
        "county",
        "required",
        person_share=0.3,
    ),
    MatterSpec(
        "JT-HY",
        "道路货物运输经营许可",
        20,
        "natural",
        5,
        0,
        "《中华人民共和国道路运输条例》",
        6,
        "county",
        "",
        person_share=0.5,
    ),
    MatterSpec(
        "JZ-SG", "建筑工程施工许可证核发", 7, "natural", 3, 0, "《建筑工程施工许可管理办法》第五条", 5, "county", ""
    ),
    MatterSpec(
        "GH-YD",
        "建设用地规划许可证核发",
        20,
        "working",
        7,
        10,
        f"{LAW}第四十二条；《中华人民共和国城乡规划法》",
        3,
        "city",
        "",
    ),
    MatterSpec(
        "GH-GC",
        "建设工程规划许可证核发",
        20,
        "working",
        10,
        10,
        f"{LAW}第四十二条；《中华人民共和国城乡规划法》第四十条",
        5,
        "city",
        "",
        "专家评审",
        0.2,
        8,
    ),
    MatterSpec(
        "TZ-HZ",
        "企业投资项目核准",
        20,
        "working",
        10,
        40,
        "《企业投资项目核准和备案管理条例》",
        2,
        "city",
        "",
        "专家评审",
        0.5,
        15,
    ),
    MatterSpec("HB-PW", "排污许可证核发", 20, "natural", 10, 0, "《排污许可管理条例》", 4, "city", "required"),
    MatterSpec(
        "HB-HP",
        "建设项目环境影响报告表审批",
        30,
        "natural",
        15,
        0,
        "《中华人民共和国环境影响评价法》第二十二条",
        3,
        "city",
        "",
        "技术评估",
        0.7,
        12,
    ),
    MatterSpec(
        "WH-YL",
        "娱乐场所经营许可",
        20,
        "natural",
        10,
        0,
        "《娱乐场所管理条例》",
        1,
        "county",
        "required",
        "听证",
        0.1,
        10,
    ),
)

# Departments: the 行政审批局 of a city (city-level matters) or of a county or district, with weights.
REGIONS: dict[str, tuple[str, float]] = {
    "130600": ("保定市", 0.14),
    "130602": ("保定市竞秀区", 0.10),
    "130606": ("保定市莲池区", 0.09),
    "130626": ("保定市定兴县", 0.06),
    "130681": ("涿州市", 0.08),
    "130684": ("高碑店市", 0.05),
    "130633": ("保定市易县", 0.04),
    "130100": ("石家庄市", 0.08),
    "130102": ("石家庄市长安区", 0.06),
    "130123": ("石家庄市正定县", 0.04),
    "130200": ("唐山市", 0.06),
    "130203": ("唐山市路北区", 0.05),
    "130400": ("邯郸市", 0.05),
    "130481": ("武安市", 0.04),
    "130402": ("邯郸市邯山区", 0.06),
}

# Log-normal step durations in working days: median = share × the step's limit, and sigma.
STEP_MEDIAN_SHARE = 0.25
STEP_SIGMA = 0.55
ACCEPT_LIMIT = 5  # working days to accept, refuse or ask for corrections (art. 32)
SERVICE_LIMIT = 10  # working days to issue and serve the licence (art. 44)
CORRECTION_SHARE = 0.06
REFUSAL_SHARE = 0.07

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂华建国志红春晓宇浩婷欣颖鹏飞海波宁辉玉兰凤霞鑫斌亮雪梅琳倩瑞峰博文彬帅旭东健朝阳永庆振兴淑珍"
TRADE = "恒达鑫源华宇泰和盛通瑞丰金辉宏远康泽博润兴隆嘉诚德顺永利汇通鼎盛佳和合众天成聚鑫广源润达安泰福顺祥云天宝"
INDUSTRY = {
    "SC-SL": ("商贸", "科技", "建材", "物流", "餐饮管理"),
    "SP-JY": ("餐饮", "食品", "超市", "饭店"),
    "SP-SC": ("食品", "面业", "乳业", "饮品"),
    "YP-LS": ("大药房", "医药连锁"),
    "WS-GG": ("酒店", "美容", "洗浴", "宾馆"),
    "JT-HY": ("运输", "物流", "货运"),
    "JZ-SG": ("房地产开发", "建设投资", "置业"),
    "GH-YD": ("房地产开发", "置业", "实业"),
    "GH-GC": ("房地产开发", "置业", "建设投资"),
    "TZ-HZ": ("新能源", "实业", "化工", "钢铁"),
    "HB-PW": ("化工", "钢铁", "铸造", "纸业"),
    "HB-HP": ("新材料", "化工", "机械制造", "铸造"),
    "WH-YL": ("文化娱乐", "KTV", "娱乐"),
}
CORRECTION_ITEMS = (
    "营业执照副本复印件",
    "法定代表人身份证明",
    "场所平面布局图",
    "房屋产权或租赁证明",
    "从业人员健康证明",
    "设备设施清单",
    "授权委托书",
    "环境影响评价文件",
    "规划设计方案",
    "安全管理制度",
)


@dataclass
class Cursor:
    """A moment in working time: a working day and the minutes since 09:00 (0–479)."""

    day: date
    minute: float

    def moment(self) -> datetime:
        return datetime.combine(self.day, time(9), tzinfo=CHINA) + timedelta(minutes=round(self.minute))

    def iso(self) -> str:
        return self.moment().isoformat()


class _Generator:
    def __init__(self, *, seed: int, anomaly_rate: float, start: date, calendar: WorkingCalendar, span_days: int):
        self.rng = random.Random(seed)  # noqa: S311 (reproducible generated data, not secrets)
        self.anomaly_rate = anomaly_rate
        self.start = start
        self.calendar = calendar
        self.span_days = span_days
        self.used_names: set[str] = set()
        self.used_codes: set[str] = set()
        self.departments: dict[str, dict] = {}

    # --- people and organisations -------------------------------------------------------------

    def person_name(self) -> str:
        for _ in range(1000):
            given = self.rng.choice(GIVEN) + (self.rng.choice(GIVEN) if self.rng.random() < 0.8 else "")
            name = self.rng.choice(SURNAMES) + given
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        raise RuntimeError("ran out of distinct names")

    def credit_code(self, prefix: str, region: str) -> str:
        while True:
            body = prefix + region + "".join(self.rng.choice(USCC_CHARSET) for _ in range(9))
            code = body + uscc_check_character(body)
            if code not in self.used_codes:
                self.used_codes.add(code)
                return code

    def department(self, region: str) -> dict:
        if region not in self.departments:
            name = REGIONS[region][0] + "行政审批局"
            self.departments[region] = {
                "region": region,
                "name": name,
                "credit_code": self.credit_code("11", region),
                "window": [self.person_name() for _ in range(4)],
                "reviewers": [self.person_name() for _ in range(7)],
                "leaders": [self.person_name() for _ in range(2)],
            }
        return self.departments[region]

    def build_applicants(self, count: int) -> None:
        regions = list(REGIONS)
        weights = [REGIONS[r][1] for r in regions]
        self.orgs: list[dict] = []
        self.groups: list[list[int]] = []
        for _ in range(max(40, count // 4)):
            region = self.rng.choices(regions, weights)[0]
            person = self.person_name()
            self.orgs.append(
                {
                    "region": region,
                    "stem": REGIONS[region][0][:2] + self.rng.choice(TRADE) + self.rng.choice(TRADE),
                    "credit_code": self.credit_code("91", region),
                    "legal_representative": person,
                    "controller": person,
                    "weight": self.rng.paretovariate(1.6),
                }
            )
        # About a fifth of companies belong to groups of 2–4 under one controlling person.
        index = list(range(len(self.orgs)))
        self.rng.shuffle(index)
        grouped = index[: len(index) // 5]
        while len(grouped) >= 2:
            size = min(self.rng.randint(2, 4), len(grouped))
            members, grouped = grouped[:size], grouped[size:]
            if len(members) < 2:
                break
            controller = self.person_name()
            for member in members:
                self.orgs[member]["controller"] = controller
                if self.rng.random() < 0.5:
                    self.orgs[member]["legal_representative"] = controller
            self.groups.append(members)
        self.orgs_by_city: dict[str, tuple[list[int], list[float]]] = {}
        for i, org in enumerate(self.orgs):
            members, weights = self.orgs_by_city.setdefault(org["region"][:4], ([], []))
            members.append(i)
            weights.append(org["weight"])
        self.individuals = [
            {"name": self.person_name(), "weight": self.rng.paretovariate(3)} for _ in range(max(20, count // 12))
        ]

    def applicant(self, matter: MatterSpec, region: str, org: int | None = None) -> dict:
        """An applicant of the department's city (companies that apply often are chosen more often)."""
        if org is None and self.rng.random() < matter.person_share:
            person = self.rng.choices(self.individuals, [p["weight"] for p in self.individuals])[0]
            return {
                "name": person["name"],
                "kind": "person",
                "credit_code": "",
                "legal_representative": "",
                "controller": "",
            }
        if org is None:
            local, weights = self.orgs_by_city.get(region[:4]) or (range(len(self.orgs)), None)
            org = self.rng.choices(local, weights or [o["weight"] for o in self.orgs])[0]
        data = self.orgs[org]
        suffix = INDUSTRY[matter.code][hash_index(data["credit_code"], len(INDUSTRY[matter.code]))]
        return {
            "name": f"{data['stem']}{suffix}有限公司",
            "kind": "org",
            "credit_code": data["credit_code"],
            "legal_representative": data["legal_representative"],
            "controller": data["controller"],
        }

    # --- time -------------------------------------------------------------------------------------

    def next_working_day(self, day: date) -> date:
        while not self.calendar.is_working_day(day):
            day += timedelta(days=1)
        return day

    def advance(self, cursor: Cursor, days: float) -> tuple[Cursor, int]:
        """Move `days` working days on; returns the new cursor and the working days counted (date changes)."""
        total = cursor.minute + max(days, 0) * DAY_MINUTES
        whole = int(total // DAY_MINUTES)
        return Cursor(self.calendar.add_working_days(cursor.day, whole), total - whole * DAY_MINUTES), whole

    def lognormal(self, median: float, sigma: float) -> float:
        return median * math.exp(sigma * self.rng.gauss(0, 1))

    # --- one case -----------------------------------------------------------------------------------

    def step_limits(self, matter: MatterSpec, onsite: bool) -> list[tuple[str, int]]:
        budget = matter.promised_days
        review = max(1, round(budget * (0.45 if onsite else 0.6)))
        inspection = max(1, round(budget * 0.3)) if onsite else 0
        decision = max(1, budget - review - inspection)
        steps = [("审查", review)]
        if onsite:
            steps.append(("现场核查", inspection))
        steps.append(("决定", decision))
        return steps

    def case(self, number: int, plan: dict) -> dict:
        rng = self.rng
        matter: MatterSpec = plan["matter"]
        injected: str | None = plan.get("injected")
        dept = self.department(plan["region"])
        applicant = plan.get("applicant") or self.applicant(matter, plan["region"])
        onsite = matter.onsite == "required" or (matter.onsite == "optional" and rng.random() < 0.4)
        labels: set[str] = set()

        received = Cursor(plan["received"], rng.uniform(0, DAY_MINUTES - 1))
        cursor = received
        steps: list[dict] = []
        corrections: list[dict] = []
        counted: dict[int, int] = {}  # step index → working days counted toward its limit

        # 受理: corrections are asked for (normally at once) and answered, then the case is accepted.
        accept_days = 0
        n_corrections = 0
        if injected == "repeated_corrections":
            n_corrections = rng.choice((2, 2, 3))
        elif injected == "correction_late" or rng.random() < CORRECTION_SHARE:
            n_corrections = 1
        for i in range(n_corrections):
            delay = (
                rng.uniform(6.0, 10.0)
                if injected == "correction_late" and i == 0
                else min(self.lognormal(0.6, 0.8), 3.5)
            )
            cursor, days = self.advance(cursor, delay)
            accept_days += days
            if i == 0 and days > ACCEPT_LIMIT:
                labels.add("correction_late")
            requested = cursor
            wait = max(1, round(self.lognormal(4, 0.7)))
            answered = Cursor(
                self.next_working_day(requested.day + timedelta(days=wait)), rng.uniform(0, DAY_MINUTES - 1)
            )
            corrections.append(
                {
                    "requested_at": requested.iso(),
                    "answered_at": answered.iso(),
                    "items": rng.sample(CORRECTION_ITEMS, rng.randint(1, 3)),
                }
            )
            cursor = answered
        if n_corrections > 1:
            labels.add("repeated_corrections")
        cursor, days = self.advance(cursor, min(self.lognormal(0.15, 0.9), 0.9))
        accept_days += days
        accepted = cursor
        counted[0] = accept_days
        steps.append(self.step("受理", dept, rng.choice(dept["window"]), received, accepted, ACCEPT_LIMIT))

        # 审查 (… 现场核查 …) 决定: log-normal durations against each step's limit.
        limits = self.step_limits(matter, onsite)
        durations = [self.lognormal(STEP_MEDIAN_SHARE * limit, STEP_SIGMA) for _, limit in limits]
        if injected == "too_fast":
            factor = rng.uniform(0.01, 0.06)
            durations = [d * factor for d in durations]
        if injected in ("step_overdue", "overdue_legal"):
            which = 0 if injected == "overdue_legal" else rng.randrange(len(limits))
            if injected == "overdue_legal":
                durations[which] = matter.legal_days + rng.uniform(1, 8)
            else:
                durations[which] = limits[which][1] + rng.uniform(1.0, 3.0)
        extension = 0
        if injected == "overdue_legal" and matter.extension_days and rng.random() < 0.3:
            extension = matter.extension_days  # an approved extension may cover the overrun
        gap_before_decision = 0.0
        if injected == "overdue_promised":
            gap_before_decision = matter.promised_days + rng.uniform(1.0, 3.0)

        case_days = 0  # working days counted toward the case's limits
        excluded_natural = 0
        excluded_step = None
        if matter.excluded_step and injected != "too_fast" and rng.random() < matter.excluded_share:
            excluded_step = matter.excluded_step
        review_handler = plan.get("reviewer") or rng.choice(dept["reviewers"])
        for (name, limit), duration in zip(limits, durations, strict=True):
            if name == "决定":
                if excluded_step:  # hearing or expert review before the decision, not counted (art. 45)
                    start = cursor
                    natural = max(1, round(self.lognormal(matter.excluded_median_days, 0.5)))
                    end = Cursor(
                        self.next_working_day(start.day + timedelta(days=natural)), rng.uniform(0, DAY_MINUTES - 1)
                    )
                    if end.day == start.day:
                        end.minute = max(end.minute, start.minute)
                    excluded_natural += (end.day - start.day).days
                    steps.append(
                        self.step(excluded_step, dept, "", start, end, None, counts=False, handler_name="专家组")
                    )
                    cursor = end
                if gap_before_decision:
                    cursor, days = self.advance(cursor, gap_before_decision)
                    case_days += days
                else:
                    cursor, days = self.advance(cursor, self.lognormal(0.03, 1.0))
                    case_days += days
            handler = review_handler if name in ("审查", "现场核查") else rng.choice(dept["leaders"])
            if name == "现场核查":
                handler = rng.choice([r for r in dept["reviewers"] if r != review_handler])
            start = cursor
            cursor, days = self.advance(cursor, duration)
            case_days += days
            counted[len(steps)] = days
            steps.append(self.step(name, dept, handler, start, cursor, limit))
        decided = cursor
        outcome = "refused" if rng.random() < REFUSAL_SHARE and injected != "too_fast" else "approved"
        cursor, days = self.advance(cursor, min(self.lognormal(0.4, 0.8), 6))
        counted[len(steps)] = days
        steps.append(self.step("送达", dept, rng.choice(dept["window"]), decided, cursor, SERVICE_LIMIT))

        # The time-limit labels, from the schedule built above.
        if matter.legal_unit == "working":
            legal_elapsed = case_days
        else:
            legal_elapsed = (decided.day - accepted.day).days - excluded_natural
        if legal_elapsed > matter.legal_days + extension:
            labels.add("overdue_legal")
        if case_days > matter.promised_days:
            labels.add("overdue_promised")

        required = ["受理", "审查", "决定", "送达"] + (["现场核查"] if matter.onsite == "required" else [])
        if injected == "step_missing":
            candidates = [s for s in steps if s["name"] in required and s["name"] not in ("受理", "决定")]
            victim = rng.choice(candidates)
            position = steps.index(victim)
            steps.remove(victim)
            counted = {(k if k < position else k - 1): v for k, v in counted.items() if k != position}
            labels.add("step_missing")
        if injected == "steps_out_of_order":
            movable = [i for i in range(1, len(steps) - 1) if steps[i]["counts"] and steps[i + 1]["counts"]]
            i = rng.choice(movable)
            steps[i], steps[i + 1] = steps[i + 1], steps[i]
            counted[i], counted[i + 1] = counted.get(i + 1, 0), counted.get(i, 0)
            labels.add("steps_out_of_order")
        for sequence, step in enumerate(steps, start=1):
            step["sequence"] = sequence
        for index, step in enumerate(steps):
            if step["limit"] and counted.get(index, 0) > step["limit"]["days"]:
                labels.add("step_overdue")
        if injected == "too_fast":
            labels.add("too_fast")

        year = plan["received"].year
        record = {
            "case_number": f"{plan['region']}-{matter.code}-{year}-{number:06d}",
            "matter": {
                "code": matter.code,
                "name": matter.name,
                "basis": matter.basis,
                "legal_limit": {"days": matter.legal_days, "unit": matter.legal_unit},
                "promised_limit": {"days": matter.promised_days, "unit": "working"},
                "required_steps": required,
            },
            "extension_days": extension,
            "region": plan["region"],
            "department": {"name": dept["name"], "credit_code": dept["credit_code"]},
            "applicant": applicant,
            "received_at": received.iso(),
            "accepted_at": accepted.iso(),
            "decided_at": decided.iso(),
            "outcome": outcome,
            "steps": steps,
            "corrections": corrections,
            "_labels": sorted(labels),
            "_injected": injected,
            "_ring": plan.get("ring"),
        }
        return record

    @staticmethod
    def step(name, dept, handler, start: Cursor, end: Cursor, limit, *, counts=True, handler_name=None) -> dict:
        return {
            "sequence": 0,
            "name": name,
            "handler": handler_name or handler,
            "department": dept["name"],
            "started_at": start.iso(),
            "finished_at": end.iso(),
            "limit": {"days": limit, "unit": "working"} if limit is not None else None,
            "counts": counts,
        }

    # --- the whole set ----------------------------------------------------------------------------

    def received_day(self) -> date:
        return self.next_working_day(self.start + timedelta(days=self.rng.randrange(self.span_days)))

    def plans(self, count: int) -> list[dict]:
        rng = self.rng
        regions = list(REGIONS)
        region_weights = [REGIONS[r][1] for r in regions]
        kinds, kind_weights = list(ANOMALY_WEIGHTS), list(ANOMALY_WEIGHTS.values())
        plans: list[dict] = []
        ring = 0
        while len(plans) < count:
            injected = rng.choices(kinds, kind_weights)[0] if rng.random() < self.anomaly_rate else None
            if injected == "related_same_handler" and self.groups and count - len(plans) >= 3:
                # A ring: 3–5 cases of companies under one controlling person, all reviewed by one officer.
                ring += 1
                members = rng.choice(self.groups)
                region = self.orgs[members[0]]["region"]
                level = "city" if region.endswith("00") else "county"
                matters = [m for m in MATTERS if m.level == level and m.person_share < 0.5] or list(MATTERS)
                reviewer = rng.choice(self.department(region)["reviewers"])
                size = min(rng.randint(3, 5), count - len(plans))
                order = members[:]
                rng.shuffle(order)
                for k in range(size):
                    matter = rng.choice(matters)
                    plans.append(
                        {
                            "matter": matter,
                            "region": region,
                            "received": self.received_day(),
                            "applicant": self.applicant(matter, region, org=order[k % len(order)]),
                            "reviewer": reviewer,
                            "ring": ring,
                        }
                    )
                continue
            if injected == "related_same_handler":
                injected = None
            matter = rng.choices(MATTERS, [m.weight for m in MATTERS])[0]
            region = rng.choices(regions, region_weights)[0]
            if matter.level == "city":
                region = region[:4] + "00"
            elif region.endswith("00"):
                region = rng.choice([r for r in regions if r[:4] == region[:4] and not r.endswith("00")])
            plans.append({"matter": matter, "region": region, "received": self.received_day(), "injected": injected})
        return plans


def hash_index(text: str, n: int) -> int:
    return sum(ord(c) for c in text) % n


def _label_rings(records: list[dict], min_cases: int = 2) -> None:
    """In each ring, a case is labelled once at least `min_cases` earlier ring cases, from two or more
    applicants counting this one, were reviewed by the same officer (the steering the rule looks for)."""
    seen: dict[int, list[str]] = {}
    for record in records:
        ring = record.get("_ring")
        if ring is None:
            continue
        earlier = seen.setdefault(ring, [])
        applicant = record["applicant"]["credit_code"]
        if len(earlier) >= min_cases and len({*earlier, applicant}) >= 2:
            record["_labels"] = sorted({*record["_labels"], "related_same_handler"})
            record["_injected"] = record["_injected"] or "related_same_handler"
        earlier.append(applicant)


def generate_cases(
    *,
    count: int,
    seed: int,
    anomaly_rate: float = 0.08,
    start: date = DEFAULT_START,
    calendar: WorkingCalendar | None = None,
    span_days: int = SPAN_DAYS,
) -> list[dict]:
    """`count` approval case records, ordered by decision time, with `_labels` (a list of ANOMALIES)."""
    if count < 0:
        raise ValueError("count must not be negative")
    if not 0 <= anomaly_rate <= 1:
        raise ValueError("anomaly_rate must be between 0 and 1")
    generator = _Generator(
        seed=seed,
        anomaly_rate=anomaly_rate,
        start=start,
        calendar=calendar or calendar_from_csv(),
        span_days=max(1, span_days),
    )
    generator.build_applicants(count)
    plans = generator.plans(count)
    plans.sort(key=lambda plan: plan["received"])
    records = [generator.case(number, plan) for number, plan in enumerate(plans, start=1)]
    records.sort(key=lambda r: (r["decided_at"], r["case_number"]))
    _label_rings(records)
    return records


def label_counts(records: Sequence[dict]) -> dict[str, int]:
    counts = dict.fromkeys(ANOMALIES, 0)
    for record in records:
        for label in record.get("_labels", ()):
            counts[label] += 1
    return counts
