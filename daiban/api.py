"""The catalogue as read-only JSON (Wagtail API v2) for other government platforms.

/api/v2/pages/?type=daiban.MatterPage&fields=*  lists the published matters with their guide;
/api/v2/pages/<id>/ shows one; /api/v2/documents/ the downloadable forms. Only GET is routed.
"""

from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet

api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PagesAPIViewSet)
api_router.register_endpoint("documents", DocumentsAPIViewSet)
