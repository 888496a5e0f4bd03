"""Seed the work calendar from chinesecalendar (2020 up to the last year it knows)."""

import datetime

from django.db import migrations

NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def year_rows(model, year):
    import chinese_calendar

    try:
        chinese_calendar.is_workday(datetime.date(year, 1, 1))
    except NotImplementedError:
        return None
    rows = []
    day = datetime.date(year, 1, 1)
    while day.year == year:
        is_workday = chinese_calendar.is_workday(day)
        if is_workday != (day.weekday() < 5):
            label = NAMES.get(chinese_calendar.get_holiday_detail(day)[1], "")
            name = f"{label}调休上班" if is_workday and label else label
            rows.append(model(date=day, is_workday=is_workday, name=name, source="chinesecalendar"))
        day += datetime.timedelta(days=1)
    return rows


def seed(apps, schema_editor):
    model = apps.get_model("daiban", "WorkCalendarDay")
    year = 2020
    while (rows := year_rows(model, year)) is not None:
        if not model.objects.filter(date__year=year).exists():
            model.objects.bulk_create(rows)
        year += 1


class Migration(migrations.Migration):
    dependencies = [("daiban", "0002_work_calendar")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
