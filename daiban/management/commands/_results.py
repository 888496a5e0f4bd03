"""Helpers shared by the results commands (export_ledger, import_ledger, monthly_report)."""

from django.core.management.base import CommandError

from daiban.models import Region, Unit


def find_unit(name):
    units = list(Unit.objects.filter(name=name.strip()).select_related("region")[:2])
    if not units:
        raise CommandError(f"未找到单位“{name}”。")
    if len(units) > 1:
        raise CommandError(f"有多个名为“{name}”的单位，请在后台操作或先更名以区分。")
    return units[0]


def find_region(name):
    regions = list(Region.objects.filter(name=name.strip())[:2])
    if not regions:
        raise CommandError(f"未找到区域“{name}”。")
    if len(regions) > 1:
        raise CommandError(f"有多个名为“{name}”的区域。")
    return regions[0]
