"""The logins that see the whole city walk the back office on the demo data (see tests/test_admin_crawl.py)."""

import pytest

from tests.test_admin_crawl import CITYWIDE_LOGINS, walk_the_back_office

# demo_db: the session's demo database (tests/database_fixture.py), shared with tests/test_demo.py.
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", CITYWIDE_LOGINS)
def test_every_login_walks_the_back_office_without_errors_and_within_scope(demo_db, username):
    walk_the_back_office(username)
