"""The generator: deterministic per seed, realistic distributions, every anomaly type labelled."""

import math
import statistics
from collections import Counter
from datetime import date, datetime

from core.identifiers import is_valid_credit_code
from monitoring.approvals.generator import ANOMALIES, MATTERS, generate_cases, label_counts
from monitoring.approvals.measure import findings_in_order, score
from monitoring.approvals.records import parse_approval_record
from monitoring.approvals.rules import elapsed_days


def test_the_same_seed_gives_the_same_cases_and_another_seed_others(calendar):
    first = generate_cases(count=60, seed=11, anomaly_rate=0.2, calendar=calendar)
    again = generate_cases(count=60, seed=11, anomaly_rate=0.2, calendar=calendar)
    other = generate_cases(count=60, seed=12, anomaly_rate=0.2, calendar=calendar)
    assert first == again
    assert first != other
    assert len(first) == 60 and len({r["case_number"] for r in first}) == 60


def test_every_record_reads_and_arrives_in_the_order_cases_concluded(generated):
    records = [parse_approval_record(raw) for raw in generated]
    decided = [r.decided_at for r in records]
    assert decided == sorted(decided)
    for record in records:
        assert record.received_at <= record.accepted_at <= record.decided_at
        assert record.region_code.startswith("13")  # Hebei
        assert record.applicant_kind == "person" or is_valid_credit_code(record.applicant_code)
        assert is_valid_credit_code(record.department_code)
        for step in record.steps:  # office hours, China time
            assert 9 <= step.started_at.hour <= 17


def test_every_anomaly_type_is_labelled_and_clean_cases_carry_none(generated):
    counts = label_counts(generated)
    assert set(counts) == set(ANOMALIES)
    assert all(counts[label] > 0 for label in ANOMALIES), counts
    assert all(set(r["_labels"]) <= set(ANOMALIES) for r in generated)
    clean = [r for r in generated if r["_injected"] is None]
    assert sum(1 for r in clean if r["_labels"]) / len(clean) < 0.1  # natural overruns are rare


def test_distributions_stay_in_their_documented_ranges(calendar):
    # given a realistic anomaly rate
    records = generate_cases(count=1500, seed=3, anomaly_rate=0.0, calendar=calendar)
    parsed = [parse_approval_record(r) for r in records]
    # matters follow their weights: 企业设立登记 and 食品经营许可 are the most common
    by_matter = Counter(r.matter_code for r in parsed)
    assert {code for code, _ in by_matter.most_common(2)} == {"SC-SL", "SP-JY"}
    assert set(by_matter) <= {m.code for m in MATTERS}
    # a minority asks for corrections (about 6 %), and without injected anomalies never more than once
    with_corrections = sum(1 for r in parsed if r.corrections) / len(parsed)
    assert 0.03 < with_corrections < 0.10
    assert max(len(r.corrections) for r in parsed) == 1
    # about 7 % are refused
    assert 0.04 < sum(1 for r in parsed if r.outcome == "refused") / len(parsed) < 0.11

    # review steps are log-normal around a quarter of their limit: log-ratio median near log(0.25), sd near 0.55
    def working_days(start, end):  # the generator's clock: 09:00–17:00 on working days
        minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
        return calendar.working_days_between(start.date(), end.date()) + minutes / 480

    ratios = [
        math.log(max(working_days(s.started_at, s.finished_at), 0.001) / s.limit.days)
        for r in parsed
        for s in r.steps
        if s.name == "审查" and s.limit.days >= 3
    ]
    assert abs(statistics.median(ratios) - math.log(0.25)) < 0.1
    assert 0.45 < statistics.stdev(ratios) < 0.65
    # almost every case is decided within its promised limit, counted in working days with the holidays
    late = sum(
        1
        for r in parsed
        if elapsed_days(r.accepted_at, r.decided_at, "working", calendar, r.excluded_periods) > r.promised_limit.days
    )
    assert late / len(parsed) < 0.05
    # applications arrive over the year from the start date
    first, last = min(r.received_at for r in parsed), max(r.received_at for r in parsed)
    assert first.date() >= date(2025, 1, 2) and last.date() < date(2026, 1, 1)
    # related applicants: companies sharing a controlling person
    controllers = Counter((r.controller, r.applicant_code) for r in parsed if r.controller)
    sharing = Counter(controller for controller, _ in controllers)
    assert any(n >= 2 for n in sharing.values())
    assert isinstance(parsed[0].received_at, datetime)


def test_injected_rings_share_one_reviewer_across_related_companies(generated):
    rings: dict[int, list[dict]] = {}
    for raw in generated:
        if raw["_ring"] is not None:
            rings.setdefault(raw["_ring"], []).append(raw)
    assert rings
    for members in rings.values():
        reviewers = {s["handler"] for r in members for s in r["steps"] if s["name"] == "审查"}
        controllers = {r["applicant"]["controller"] for r in members}
        assert len(reviewers) == 1 and len(controllers) == 1
        assert len({r["applicant"]["credit_code"] for r in members}) >= 2


def test_measured_precision_and_recall_hold(calendar):
    # given 1,500 generated cases evaluated in the order they concluded (the measurement command, smaller)
    raws = generate_cases(count=1500, seed=21, anomaly_rate=0.1, calendar=calendar)
    scores = {s.label: s for s in score(raws, findings_in_order(raws, calendar, today=date(2027, 1, 1)))}
    # then the limit and correction rules agree exactly with the generator's own schedule
    for label in ("overdue_legal", "overdue_promised", "step_overdue", "repeated_corrections", "correction_late"):
        assert scores[label].labelled > 0 and scores[label].precision == scores[label].recall == 1.0, scores[label]
    for label in ("steps_out_of_order", "step_missing"):
        assert scores[label].recall == 1.0 and scores[label].false_positives == 0
    # and the statistical rules stay useful
    assert scores["too_fast"].precision >= 0.75 and scores["too_fast"].recall >= 0.6, scores["too_fast"]
    assert scores["related_same_handler"].precision >= 0.75, scores["related_same_handler"]
    assert scores["related_same_handler"].recall >= 0.9
