import pytest

from tests.factories import CentreFactory

pytestmark = pytest.mark.django_db


def test_home_page_is_chinese_and_lists_centres(client):
    CentreFactory(name="资中县政务服务中心", opening_hours="周一至周五 9:00—17:00")
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert "资中县政务服务中心" in html
    assert "周一至周五 9:00—17:00" in html


def test_portal_settings_change_the_footer(client):
    from wagtail.models import Site

    from home.models import PortalSettings

    settings = PortalSettings.for_site(Site.objects.get(is_default_site=True))
    settings.hotline = "0832-9999999"
    settings.save()
    assert "0832-9999999" in client.get("/").content.decode()
