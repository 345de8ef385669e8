"""The one chart module: each builder's geometry, its SVG (well-formed, escaped, no inline style) and its text
alternative; the periods of a time series."""

from datetime import date
from xml.etree import ElementTree

from django.template import Context, Template
from django.utils import translation

from core import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart: charts.Chart) -> ElementTree.Element:
    """The chart's SVG as an element tree (it must be well-formed XML)."""
    markup = str(chart.svg).replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1)
    return ElementTree.fromstring(markup)  # noqa: S314 - markup the test built itself


def test_bars_are_proportional_to_the_largest_value():
    # when
    bars = charts.horizontal_bars([("甲", 10), ("乙", 5), ("丙", 0)], width=200, bar_height=10, gap=5)

    # then
    assert [b.width for b in bars.marks] == [200, 100, 0]
    assert [b.y for b in bars.marks] == [0, 15, 30] and bars.height == 40
    root = parse(bars)
    assert root.get("width") == "400" and root.get("height") == "40" and root.get("role") == "img"
    assert [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "label"] == ["甲", "乙", "丙"]
    assert [t.text for t in root.iter(f"{SVG}title")] == ["甲: 10", "乙: 5", "丙: 0"]


def test_a_long_bar_label_is_shortened_beside_the_bar_and_whole_in_its_tooltip():
    label = "关于完善个人信息保护投诉举报工作机制的意见"
    root = parse(charts.horizontal_bars([(label, 3)], labelledby="sizes"))
    assert root.get("aria-labelledby") == "sizes" and root.get("aria-label") is None
    shown = next(t.text for t in root.iter(f"{SVG}text") if t.get("class") == "label")
    assert len(shown) == 12 and label.startswith(shown.rstrip(".…")) and shown != label
    assert next(root.iter(f"{SVG}title")).text == f"{label}: 3"


def test_a_stacked_bar_splits_in_proportion_and_draws_no_empty_segment():
    # when
    bar = charts.stacked_bar(
        [("support", "支持", 1), ("oppose", "反对", 3), ("amend", "修改", 0)],
        width=100,
        css="chart stance-bar",
        css_prefix="stance-",
        name="立场分布",
    )

    # then
    assert [(s.x, s.width) for s in bar.marks] == [(0, 25), (25, 75), (100, 0)]
    root = parse(bar)
    assert root.get("aria-label") == "立场分布" and root.get("class") == "chart stance-bar"
    assert [r.get("class") for r in root.iter(f"{SVG}rect")] == ["stance-support", "stance-oppose"]
    assert [r.get("width") for r in root.iter(f"{SVG}rect")] == ["25", "75"]


def test_an_empty_stacked_bar_draws_nothing_and_says_zero():
    with translation.override("zh-hans"):
        bar = charts.stacked_bar([("a", "支持", 0), ("b", "反对", 0)], width=100)
    assert list(parse(bar).iter(f"{SVG}rect")) == [] and bar.text == "支持：0；反对：0"


def test_columns_rise_in_proportion_under_the_peak_and_between_the_first_and_last_period():
    # when
    cols = charts.columns([("1", 2), ("2", 4)], width=100, height=50, gap=0, start="2024-01-01", end="2024-01-02")

    # then
    assert [(c.x, c.y, c.height) for c in cols.marks] == [(0, 25, 25), (50, 0, 50)]
    root = parse(cols)
    assert root.get("height") == "86" and root.get("viewBox") == "0 0 100 86"
    assert [t.text for t in root.iter(f"{SVG}text")] == ["2024-01-01", "2024-01-02", "4"]
    assert charts.columns([]).marks == ()


def test_stacked_columns_stack_each_period_and_label_at_most_max_ticks():
    # given: twelve months, two series
    periods = charts.period_starts(date(2025, 6, 1), date(2026, 5, 31), "month")
    series = [
        {"label": "土地", "css": "s0", "counts": [0] * 9 + [1, 0, 1]},
        {"label": "采购", "css": "s1", "counts": [0] * 9 + [2, 0, 1]},
    ]

    # when
    with translation.override("en"):
        chart = charts.stacked_columns(periods, series, step="month", name="各时段预警数")

    # then
    assert len(periods) == 12 and chart.top == 3 and chart.totals[-3:] == (3, 0, 2)
    march = [m for m in chart.marks if m.label.endswith("2026-03")]
    assert [(m.css, m.value, m.y, m.height) for m in march] == [("s0", 1, 93.33, 46.67), ("s1", 2, 0.0, 93.33)]
    assert len(chart.ticks) == 6 and chart.ticks[0].label == "2025-06"
    root = parse(chart)
    assert root.get("aria-label") == "各时段预警数" and root.get("viewBox") == "-4 -16 408 174"
    assert sorted(r.get("data-n") for r in root.iter(f"{SVG}rect")) == ["1", "1", "1", "2"]
    assert [t.text for t in root.iter(f"{SVG}title")][0] == "土地 · 2026-03: 1"
    assert chart.text.startswith("2025-06: 0; ") and chart.text.endswith("2026-03: 3; 2026-04: 0; 2026-05: 2")


def test_no_chart_carries_inline_style_and_every_label_is_escaped():
    hostile = '<script>alert("x")</script>'
    built = [
        charts.horizontal_bars([(hostile, 1)]),
        charts.stacked_bar([("k", hostile, 1)]),
        charts.columns([(hostile, 1)], start=hostile),
        charts.stacked_columns([date(2026, 1, 1)], [{"label": hostile, "css": "s0", "counts": [1]}], step="day"),
        charts.distribution_strip(1.0, 2.0, caption=hostile, labels={"value": hostile, "fence": hostile}),
    ]
    for chart in built:
        assert "<script" not in chart.svg and "style=" not in chart.svg
        root = parse(chart)
        assert all(not element.get("style") for element in root.iter())


def test_a_chart_prints_its_svg_in_a_template():
    with translation.override("en"):
        chart = charts.stacked_bar([("a", "支持", 1)], width=10)
    html = Template("{{ chart }}|{{ chart.text }}").render(Context({"chart": chart}))
    assert html == f"{chart.svg}|支持: 1"


def test_the_text_alternative_is_in_the_active_language():
    with translation.override("zh-hans"):
        assert charts.horizontal_bars([("第一条", 3), ("第二条", 1)]).text == "第一条：3；第二条：1"
    with translation.override("en"):
        assert charts.horizontal_bars([("第一条", 3), ("第二条", 1)]).text == "第一条: 3; 第二条: 1"


def test_the_strip_puts_the_value_beyond_the_fence_and_the_box_between():
    # when
    lower = charts.distribution_strip(
        0.4, 2.1, 9.2, 30.5, side="lower", log=True, caption="单价", labels={"value": "0.4", "fence": "2.1"}
    )
    upper = charts.distribution_strip(0.6, 0.3, 0.02, 0.13, side="upper")
    bare = charts.distribution_strip(5.0, 3.0, side="upper")

    # then
    g = lower.geometry
    assert 0 <= g["value_x"] < g["fence_x"] < g["box_x"] <= g["width"]
    assert g["zone_x"] == 0 and g["zone_width"] == g["fence_x"]
    assert upper.geometry["box_x"] < upper.geometry["fence_x"] < upper.geometry["value_x"] <= 400
    assert bare.geometry["box_x"] is None and "iqr" not in bare.svg
    root = parse(lower)
    assert next(root.iter(f"{SVG}title")).text == "单价"
    assert {c.get("class") for c in root} >= {"zone", "axis", "iqr", "fence", "fence-label", "value", "value-label"}
    assert next(root.iter(f"{SVG}circle")).get("cx") == str(g["value_x"]).removesuffix(".0")


def test_the_strip_says_in_words_what_it_shows():
    labels = {"value": "0.4 元/m²", "fence": "2.1 元/m²", "q1": "9.2 元/m²", "q3": "30.5 元/m²"}
    with translation.override("zh-hans"):
        lower = charts.distribution_strip(0.4, 2.1, 9.2, 30.5, side="lower", caption="单价", labels=labels).text
        upper = charts.distribution_strip(
            0.6, 0.3, side="upper", caption="比例", labels={"value": "0.6", "fence": "2.1 元/m²"}
        )
    assert "本记录 0.4 元/m²" in lower and "9.2 元/m²" in lower and "低于 2.1 元/m²" in lower
    assert upper.text.startswith("比例") and "高于 2.1 元/m²" in upper.text and "中间" not in upper.text


def test_periods_start_on_days_mondays_or_the_first_of_the_month():
    assert charts.period_starts(date(2026, 3, 4), date(2026, 3, 6), "day") == [
        date(2026, 3, 4),
        date(2026, 3, 5),
        date(2026, 3, 6),
    ]
    assert charts.period_starts(date(2026, 3, 4), date(2026, 3, 17), "week") == [
        date(2026, 3, 2),
        date(2026, 3, 9),
        date(2026, 3, 16),
    ]
    assert charts.period_starts(date(2025, 11, 30), date(2026, 1, 1), "month") == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
    ]
    assert charts.period_label(date(2026, 1, 1), "month") == "2026-01"
    assert charts.period_label(date(2026, 1, 5), "week") == "01-05"


def test_day_buckets_fill_empty_days_and_widen_over_long_windows():
    days = [date(2024, 1, 1), date(2024, 1, 1), date(2024, 1, 3)]
    assert charts.day_buckets(days) == [
        (date(2024, 1, 1), date(2024, 1, 1), 2),
        (date(2024, 1, 2), date(2024, 1, 2), 0),
        (date(2024, 1, 3), date(2024, 1, 3), 1),
    ]
    long = [date(2024, 1, 1), date(2024, 4, 30)]
    buckets = charts.day_buckets(long, max_buckets=60)
    assert all((end - start).days + 1 <= 7 for start, end, _n in buckets)
    assert len(buckets) <= 60 and sum(n for *_d, n in buckets) == 2
    assert buckets[0][0] == date(2024, 1, 1) and buckets[-1][1] == date(2024, 4, 30)
    assert charts.day_buckets([]) == []
    assert charts.span_label(date(2024, 1, 1), date(2024, 1, 7)) == "2024-01-01 – 2024-01-07"
    assert charts.span_label(date(2024, 1, 1), date(2024, 1, 1)) == "2024-01-01"
