"""Working days on China's official calendar (法定节假日与调休).

Where a year's days come from, in order:
1. the WorkCalendarDay rows administrators maintain (seeded from chinesecalendar);
2. otherwise the chinesecalendar package, when it knows the year;
3. otherwise Monday to Friday, and `unmaintained_years()` reports the year so
   the admin can show a warning. Nothing here ever raises for a missing year.

`add_working_days(start, 0)` is 即办: the same day. Otherwise the start day is
not counted: the due date is the N-th working day after it.
"""

import datetime

from django.utils import timezone

__all__ = [
    "HOLIDAY_NAMES",
    "WorkCalendar",
    "add_working_days",
    "working_days_between",
    "is_working_day",
    "library_exceptions",
    "unmaintained_years",
    "fallback_warning",
    "years_to_check",
]

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}

ONE_DAY = datetime.timedelta(days=1)


def _is_weekday(day):
    return day.weekday() < 5


def library_exceptions(year):
    """{date: (is_workday, Chinese name)} from chinesecalendar, or None when it has no data for the year."""
    import chinese_calendar

    try:
        chinese_calendar.is_workday(datetime.date(year, 1, 1))
    except NotImplementedError:
        return None
    days = {}
    day = datetime.date(year, 1, 1)
    while day.year == year:
        is_workday = chinese_calendar.is_workday(day)
        if is_workday != _is_weekday(day):
            _on_holiday, name = chinese_calendar.get_holiday_detail(day)
            label = HOLIDAY_NAMES.get(name, name or "")
            days[day] = (is_workday, f"{label}调休上班" if is_workday and label else label or "")
        day += ONE_DAY
    return days


class WorkCalendar:
    """Reads each year's exceptional days once; use one instance per computation."""

    def __init__(self):
        self._years = {}
        self.fallback_years = set()

    def _exceptions(self, year):
        if year not in self._years:
            self._years[year] = self._load(year)
        return self._years[year]

    def _load(self, year):
        from .models import WorkCalendarDay

        rows = WorkCalendarDay.objects.filter(date__year=year).values_list("date", "is_workday")
        stored = dict(rows)
        if stored:
            return stored
        from_library = library_exceptions(year)
        if from_library is not None:
            return {day: is_workday for day, (is_workday, _name) in from_library.items()}
        self.fallback_years.add(year)
        return {}

    def is_working_day(self, day):
        return self._exceptions(day.year).get(day, _is_weekday(day))

    def add_working_days(self, start, days):
        if days < 0:
            raise ValueError("days must not be negative")
        day = start
        remaining = days
        while remaining:
            day += ONE_DAY
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start, end):
        """Working days after `start` up to and including `end`; negative when end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += ONE_DAY
            if self.is_working_day(day):
                count += 1
        return count


def add_working_days(start, days):
    """The due date of a matter with a 承诺时限 of `days` working days accepted on `start`."""
    return WorkCalendar().add_working_days(_as_date(start), days)


def working_days_between(start, end):
    return WorkCalendar().working_days_between(_as_date(start), _as_date(end))


def is_working_day(day):
    return WorkCalendar().is_working_day(_as_date(day))


def _as_date(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def years_to_check(today=None):
    """This year and the next: due dates of cases accepted now may fall in either."""
    today = today or timezone.localdate()
    return [today.year, today.year + 1]


def unmaintained_years(years=None):
    """The years counted Monday–Friday because neither the calendar nor chinesecalendar has them."""
    calendar = WorkCalendar()
    for year in years or years_to_check():
        calendar._exceptions(year)
    return sorted(calendar.fallback_years)


def fallback_warning(years=None):
    """The admin's warning text, or "" when every year concerned is maintained."""
    missing = unmaintained_years(years)
    if not missing:
        return ""
    names = "、".join(f"{year}年" for year in missing)
    return f"{names}尚未维护法定节假日和调休安排，按周一至周五计算。请在“工作日历”中录入。"
