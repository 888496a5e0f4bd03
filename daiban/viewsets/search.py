"""搜索同义词 in the admin (设置 menu), kept by the city's 审批指导科 and administrators (model permissions)."""

from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.snippets.views.snippets import SnippetViewSet

from ..models import SearchSynonym

__all__ = ["SearchSynonymViewSet"]


class SearchSynonymViewSet(SnippetViewSet):
    model = SearchSynonym
    icon = "search"
    menu_label = "搜索同义词"
    url_prefix = "search-synonyms"
    add_to_settings_menu = True
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = ["term", "expansions"]
    list_per_page = 100
    edit_handler = ObjectList([FieldPanel("term"), FieldPanel("expansions")])
