"""Each approval rule with a positive and a negative case; the day arithmetic with the holiday calendar."""

import copy
from datetime import date, datetime

import pytest

from monitoring.approvals.records import CHINA, ApprovalRecordError, parse_approval_record
from monitoring.approvals.rules import (
    AbnormallyFast,
    ApprovalContext,
    LateCorrectionRequest,
    OverdueLegalLimit,
    OverduePromisedLimit,
    RelatedCase,
    RepeatedCorrections,
    SameHandlerForRelatedApplicants,
    StepOverdue,
    StepsOutOfOrder,
    elapsed_days,
    handler_key,
    processing_hours,
)

DEPARTMENT = "保定市竞秀区行政审批局"


def _step(sequence, name, handler, start, end, limit=None, counts=True):
    return {
        "sequence": sequence,
        "name": name,
        "handler": handler,
        "department": DEPARTMENT,
        "started_at": start,
        "finished_at": end,
        "limit": {"days": limit, "unit": "working"} if limit is not None else None,
        "counts": counts,
    }


def case(**changes) -> dict:
    """A 食品经营许可 case accepted on Friday 26 September 2025, before the National Day holidays."""
    raw = {
        "case_number": "130602-SP-JY-2025-000001",
        "matter": {
            "code": "SP-JY",
            "name": "食品经营许可",
            "legal_limit": {"days": 10, "unit": "working"},
            "promised_limit": {"days": 5, "unit": "working"},
            "required_steps": ["受理", "审查", "决定", "送达"],
        },
        "region": "130602",
        "department": {"name": DEPARTMENT},
        "applicant": {
            "name": "保定恒达食品有限公司",
            "credit_code": "91130602MA0A1B2C3X",
            "legal_representative": "张伟",
            "controller": "李强",
        },
        "received_at": "2025-09-26T09:00:00+08:00",
        "accepted_at": "2025-09-26T10:00:00+08:00",
        "decided_at": "2025-09-30T11:00:00+08:00",
        "outcome": "approved",
        "steps": [
            _step(1, "受理", "王芳", "2025-09-26T09:00:00+08:00", "2025-09-26T10:00:00+08:00", 5),
            _step(2, "审查", "刘洋", "2025-09-26T10:00:00+08:00", "2025-09-29T15:00:00+08:00", 3),
            _step(3, "决定", "陈静", "2025-09-29T15:00:00+08:00", "2025-09-30T11:00:00+08:00", 2),
            _step(4, "送达", "王芳", "2025-09-30T11:00:00+08:00", "2025-09-30T14:00:00+08:00", 10),
        ],
        "corrections": [],
    }
    raw.update(changes)
    return raw


def run(rule, raw, *, peers=(), related=(), params=None, today=date(2026, 1, 5), calendar):
    context = ApprovalContext(today=today, calendar=calendar, peers=list(peers), peer_scope="SP-JY", related=related)
    return rule.evaluate(
        parse_approval_record(raw), context, {**rule.default_params, **(params or {})}, rule.default_severity
    )


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CHINA)


def test_working_days_skip_weekends_and_the_national_day_holidays_and_count_make_up_days(calendar):
    # given Friday 26 September 2025, then the Sunday 28 make-up day, 1–8 October off and Saturday 11 worked
    # then to Monday 20 October: 28, 29, 30 Sep; 9, 10, 11 Oct; 13–17 Oct; 20 Oct
    assert elapsed_days(at("2025-09-26T10:00"), at("2025-10-20T10:00"), "working", calendar) == 12
    assert elapsed_days(at("2025-09-26T10:00"), at("2025-10-20T10:00"), "natural", calendar) == 24
    # a period not counted gives back its days (after its start, up to its end)
    excluded = [(at("2025-10-09T09:00"), at("2025-10-14T09:00"))]
    assert elapsed_days(at("2025-09-26T10:00"), at("2025-10-20T10:00"), "working", calendar, excluded) == 8
    assert elapsed_days(at("2025-09-26T10:00"), at("2025-09-26T17:00"), "working", calendar) == 0


def test_A001_decided_after_the_legal_limit_across_the_holidays(calendar):
    # given a decision on 20 October: 12 working days after acceptance against a legal limit of 10
    late = case(decided_at="2025-10-20T11:00:00+08:00")
    late["steps"][2]["finished_at"] = late["steps"][3]["started_at"] = "2025-10-20T11:00:00+08:00"
    late["steps"][3]["finished_at"] = "2025-10-20T14:00:00+08:00"
    finding = run(OverdueLegalLimit(), late, calendar=calendar)
    assert finding.rule_code == "A001" and finding.severity == "yellow"
    assert finding.evidence["elapsed_days"] == 12 and finding.evidence["limit_days"] == 10
    assert finding.evidence["unit"] == "working"
    # red when over by more than red_after_days
    assert run(OverdueLegalLimit(), late, params={"red_after_days": 1}, calendar=calendar).severity == "red"
    # an approved extension (art. 42: +10 working days... here 5) covers it
    assert run(OverdueLegalLimit(), {**late, "extension_days": 5}, calendar=calendar) is None
    # 16 October is the tenth working day: in time
    assert run(OverdueLegalLimit(), case(decided_at="2025-10-16T16:00:00+08:00"), calendar=calendar) is None
    # the same dates against a natural-day limit of 20 days: 24 natural days is overdue
    natural = copy.deepcopy(late)
    natural["matter"]["legal_limit"] = {"days": 20, "unit": "natural"}
    assert run(OverdueLegalLimit(), natural, calendar=calendar).evidence["elapsed_days"] == 24


def test_A001_an_open_case_is_judged_against_today(calendar):
    pending = case(decided_at=None, outcome="pending")
    pending["steps"] = pending["steps"][:2]
    pending["steps"][1]["finished_at"] = None
    assert run(OverdueLegalLimit(), pending, today=date(2025, 10, 10), calendar=calendar) is None
    finding = run(OverdueLegalLimit(), pending, today=date(2025, 10, 31), calendar=calendar)
    assert finding is not None and finding.evidence["decided"] is False


def test_A002_promised_limit_and_time_waiting_for_corrections_not_counted(calendar):
    assert run(OverduePromisedLimit(), case(), calendar=calendar) is None  # 2 working days of 5
    late = case(decided_at="2025-10-10T11:00:00+08:00")  # 28, 29, 30 Sep; 9, 10 Oct: 5 — in time
    assert run(OverduePromisedLimit(), late, calendar=calendar) is None
    later = case(decided_at="2025-10-11T11:00:00+08:00")  # the Saturday make-up day is the sixth
    finding = run(OverduePromisedLimit(), later, calendar=calendar)
    assert finding.rule_code == "A002" and finding.evidence["elapsed_days"] == 6
    # an expert review from 28 September to 10 October is not counted (art. 45)
    reviewed = copy.deepcopy(later)
    reviewed["steps"].insert(
        2, _step(9, "专家评审", "专家组", "2025-09-28T09:00:00+08:00", "2025-10-10T09:00:00+08:00", counts=False)
    )
    assert run(OverduePromisedLimit(), reviewed, calendar=calendar) is None


def test_A003_a_step_overdue_while_the_case_is_in_time(calendar):
    assert run(StepOverdue(), case(), calendar=calendar) is None
    slow = case()
    slow["steps"][1]["limit"] = {"days": 1, "unit": "working"}  # 审查 took 2 working days (28, 29 Sep)
    finding = run(StepOverdue(), slow, calendar=calendar)
    assert finding.rule_code == "A003"
    assert finding.evidence["worst"] == "审查" and finding.evidence["handler"] == "刘洋"
    assert finding.evidence["steps"][0]["elapsed_days"] == 2
    assert run(OverdueLegalLimit(), slow, calendar=calendar) is None


def test_A004_more_than_one_correction_request(calendar):
    once = case(corrections=[{"requested_at": "2025-09-26T09:30:00+08:00", "answered_at": "2025-09-26T09:50:00+08:00"}])
    assert run(RepeatedCorrections(), once, calendar=calendar) is None
    twice = case(
        corrections=[
            {"requested_at": "2025-09-26T09:10:00+08:00", "answered_at": "2025-09-26T09:20:00+08:00"},
            {"requested_at": "2025-09-26T09:30:00+08:00", "answered_at": "2025-09-26T09:50:00+08:00"},
        ]
    )
    finding = run(RepeatedCorrections(), twice, calendar=calendar)
    assert finding.rule_code == "A004" and finding.evidence["requests"] == 2 and finding.evidence["threshold"] == 1
    assert run(RepeatedCorrections(), twice, params={"max_requests": 2}, calendar=calendar) is None


def test_A005_corrections_asked_after_five_working_days(calendar):
    # received 26 September; the fifth working day after is 9 October (28, 29, 30 Sep, 9 Oct is the fourth)
    on_time = case(corrections=[{"requested_at": "2025-10-10T10:00:00+08:00", "answered_at": None}])
    assert run(LateCorrectionRequest(), on_time, calendar=calendar) is None
    late = case(corrections=[{"requested_at": "2025-10-11T10:00:00+08:00", "answered_at": None}])
    finding = run(LateCorrectionRequest(), late, calendar=calendar)
    assert finding.rule_code == "A005" and finding.evidence["elapsed_working_days"] == 6


def test_A006_abnormally_fast_against_the_matter_s_own_population(calendar):
    # given 40 earlier cases of the matter taking 10–30 office hours
    peers = [10 + i / 2 for i in range(40)]
    fast = case(decided_at="2025-09-26T10:06:00+08:00")
    assert processing_hours(parse_approval_record(fast), calendar) == pytest.approx(0.1)
    finding = run(AbnormallyFast(), fast, peers=peers, calendar=calendar)
    assert finding.rule_code == "A006"
    fence = finding.evidence["fence"]
    assert fence["n"] == 40 and fence["lower_hours"] < 10 and fence["k"] == 2.0
    assert finding.evidence["population"]["n"] == 40
    # the usual case (office hours from Friday 10:00 to Tuesday 11:00 — 8 + 10 + 10 + 3 = 31) is not flagged
    assert processing_hours(parse_approval_record(case()), calendar) == pytest.approx(31)
    assert run(AbnormallyFast(), case(), peers=peers, calendar=calendar) is None
    # too few earlier cases, or all alike: no judgement
    assert run(AbnormallyFast(), fast, peers=peers[:29], calendar=calendar) is None
    assert run(AbnormallyFast(), fast, peers=[12.0] * 40, calendar=calendar) is None
    # a refusal is not judged
    assert run(AbnormallyFast(), {**fast, "outcome": "refused"}, peers=peers, calendar=calendar) is None


def test_A007_a_missing_review_and_steps_out_of_order(calendar):
    assert run(StepsOutOfOrder(), case(), calendar=calendar) is None
    missing = case()
    del missing["steps"][1]
    finding = run(StepsOutOfOrder(), missing, calendar=calendar)
    assert finding.evidence["problems"] == [{"problem": "missing", "steps": ["审查"]}]
    swapped = case()
    swapped["steps"][1]["sequence"], swapped["steps"][2]["sequence"] = 3, 2
    problems = {p["problem"] for p in run(StepsOutOfOrder(), swapped, calendar=calendar).evidence["problems"]}
    assert problems == {"order", "overlap"}
    # an on-site inspection the matter requires
    onsite = copy.deepcopy(case())
    onsite["matter"]["required_steps"].append("现场核查")
    assert run(StepsOutOfOrder(), onsite, calendar=calendar).evidence["problems"][0]["steps"] == ["现场核查"]


def test_A008_the_same_reviewer_for_related_applicants(calendar):
    reviewer = handler_key(DEPARTMENT, "刘洋")
    sister = RelatedCase("130602-SC-SL-2025-000002", "91130602MA0A1B2C4Y", ("李强",), frozenset({reviewer}))
    other_sister = RelatedCase("130602-SC-SL-2025-000003", "91130602MA0A1B2C5Z", ("李强",), frozenset({reviewer}))
    elsewhere = RelatedCase("130602-SC-SL-2025-000004", "91130602MA0A1B2C6A", ("李强",), frozenset({"x/y"}))
    assert run(SameHandlerForRelatedApplicants(), case(), related=[sister, elsewhere], calendar=calendar) is None
    finding = run(
        SameHandlerForRelatedApplicants(), case(), related=[sister, other_sister, elsewhere], calendar=calendar
    )
    assert finding.rule_code == "A008"
    assert finding.evidence["handler"] == "刘洋" and finding.evidence["related_cases_n"] == 2
    assert finding.evidence["shared_persons"] == ["李强"]
    # the applicant's own earlier cases alone are not "related applicants"
    own = RelatedCase("130602-SC-SL-2025-000005", "91130602MA0A1B2C3X", (), frozenset({reviewer}))
    assert run(SameHandlerForRelatedApplicants(), case(), related=[own, own], calendar=calendar) is None


def test_records_name_the_field_at_fault():
    with pytest.raises(ApprovalRecordError) as error:
        parse_approval_record(case(received_at="yesterday"))
    assert error.value.field == "received_at"
    bad_step = case()
    bad_step["steps"][1]["finished_at"] = "2025-09-20T10:00:00+08:00"
    with pytest.raises(ApprovalRecordError) as error:
        parse_approval_record(bad_step)
    assert error.value.field == "steps[1].finished_at"
    with pytest.raises(ApprovalRecordError) as error:
        parse_approval_record(case(matter={"code": "X", "name": "Y", "legal_limit": {"days": -1}}))
    assert error.value.field == "matter.legal_limit.days"
    # a timestamp without an offset is China time, not skipped
    assert (
        parse_approval_record(case(received_at="2025-09-26T09:00:00")).received_at.utcoffset().total_seconds()
        == 8 * 3600
    )
