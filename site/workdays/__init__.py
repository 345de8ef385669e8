"""The Chinese working-day calendar every domain counts in: the calendar arithmetic (`calendar`), the holidays and
make-up days (`models.WorkingDayOverride`, loaded from `data/workdays_cn.csv` by `load_calendar`), the calendar
as stored (`selectors.working_calendar`) and how late something is (`deadlines.escalation`)."""
