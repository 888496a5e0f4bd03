"""What the admin pages about one case share."""

from django.utils.functional import cached_property

from ..permissions import visible_case_or_404


class CasePageMixin:
    """An admin view of one case (`pk` in the URL): 404 outside the person's scope."""

    case_related = ()

    @cached_property
    def case(self):
        return visible_case_or_404(self.request.user, self.kwargs["pk"], self.case_related)

    def get_breadcrumbs_items(self):
        return super().get_breadcrumbs_items() + [{"url": "", "label": self.case.number}]
