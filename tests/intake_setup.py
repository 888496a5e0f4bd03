"""Shared set-up for the intake tests: two counties with a centre and window staff each, a matter, posted forms."""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile

from daiban.models import CaseStatus
from daiban.roles import CITY_GUIDANCE, COUNTY_BUREAU, WINDOW_STAFF
from daiban.services import intake
from tests.factories import CentreFactory, UnitFactory, county, matter, staff_user

PASSWORD = "pass-word-123"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def pdf_upload(name="身份证.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def grant_admin_access(*roles):
    # get_or_create: a transactional test's flush may have removed the rows the migrations made.
    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access, _ = Permission.objects.get_or_create(
        content_type=admin_type, codename="access_admin", defaults={"name": "Can access Wagtail admin"}
    )
    for role in roles:
        Group.objects.get_or_create(name=role)[0].permissions.add(access)


class World:
    """资中县 (centre A) and 威远县 (centre B), window staff of each, a county supervisor and the city."""

    def __init__(self):
        grant_admin_access(WINDOW_STAFF, COUNTY_BUREAU, CITY_GUIDANCE)
        self.zizhong = county("资中县")
        self.weiyuan = county("威远县")
        self.bureau_unit = UnitFactory(name="资中县行政审批局", region=self.zizhong)
        self.centre = CentreFactory(name="资中县政务服务中心", region=self.zizhong, window_unit=self.bureau_unit)
        self.other_centre = CentreFactory(name="威远县政务服务中心", region=self.weiyuan)
        self.unit = UnitFactory(name="资中县社会保险事业管理局", region=self.zizhong)
        self.unit.centres.add(self.centre)
        self.matter = matter(
            title="城乡居民基本养老保险参保登记",
            unit=self.unit,
            promised_days=5,
            materials=["居民身份证", "户口簿", "参保登记表"],
        )
        self.window = staff_user(WINDOW_STAFF, centre=self.centre, username="zz_window")
        self.other_window = staff_user(WINDOW_STAFF, centre=self.other_centre, username="wy_window")
        self.supervisor = staff_user(COUNTY_BUREAU, region=self.zizhong, username="zz_bureau")
        self.other_supervisor = staff_user(COUNTY_BUREAU, region=self.weiyuan, username="wy_bureau")
        self.city = staff_user(CITY_GUIDANCE, region=self.zizhong.get_parent(), username="city_guidance")

    def details(self, **overrides):
        values = {
            "applicant_name": "王建国",
            "is_company": False,
            "contact_name": "王建国",
            "contact_phone": "13800001234",
            "id_number": "",
            "email": "",
            "matter": self.matter,
            "matter_text": "",
            "service_form": "proxy",
            "service_form_other": "",
            "units_text": "",
            "description": "",
            "delivery": "pickup",
            "recipient_name": "",
            "recipient_phone": "",
            "recipient_address": "",
            "special_group": "",
            "centre": self.centre,
        }
        values.update(overrides)
        return values

    def online_case(self, **overrides):
        return intake.submit_online(self.details(**overrides), materials=[{"name": "居民身份证", "copies": 1}])

    def case_in(self, status, centre=None, **overrides):
        """A case brought to `status` through the services, at centre A unless told otherwise."""
        centre = centre or self.centre
        staff = self.window if centre == self.centre else self.other_window
        case = self.online_case(centre=centre, **overrides)
        if status == CaseStatus.SUBMITTED:
            return case
        if status == CaseStatus.PENDING_SUPPLEMENT:
            intake.request_supplement(case, user=staff, items=[{"name": "户口簿"}], version=case.version)
        elif status == CaseStatus.REJECTED:
            intake.reject(case, user=staff, reason="不属于帮办代办范围", redirect_unit="县公安局", version=case.version)
        elif status == CaseStatus.ACCEPTED:
            intake.accept(case, user=staff, window_opinion="符合办理条件", version=case.version)
        elif status == CaseStatus.WITHDRAWN:
            intake.withdraw_by_applicant(case, version=case.version)
        case.refresh_from_db()
        return case


def apply_post(world, **overrides):
    """The POST body of a valid /apply/ submission."""
    data = {
        "is_company": "0",
        "applicant_name": "王建国",
        "contact_name": "王建国",
        "contact_phone": "13800001234",
        "id_number": "",
        "email": "wang@example.com",
        "matter": str(world.matter.pk),
        "matter_text": "",
        "service_form": "proxy",
        "service_form_other": "",
        "units_text": "",
        "description": "帮忙办理养老保险参保",
        "delivery": "pickup",
        "recipient_name": "",
        "recipient_phone": "",
        "recipient_address": "",
        "special_group": "",
        "centre": str(world.centre.pk),
        "consent": "on",
        "website": "",
        "materials-TOTAL_FORMS": "4",
        "materials-INITIAL_FORMS": "0",
        "materials-MIN_NUM_FORMS": "0",
        "materials-MAX_NUM_FORMS": "20",
        "materials-0-name": "居民身份证",
        "materials-0-copies": "1",
        "materials-0-form": "copy",
    }
    for i in range(1, 4):
        data.update({f"materials-{i}-name": "", f"materials-{i}-copies": "1", f"materials-{i}-form": "original"})
    data.update(overrides)
    return data
