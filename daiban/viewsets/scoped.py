"""Region scoping for admin listings and views: a permission policy and small view subclasses.

A staff member's scope is their StaffProfile.region and everything below it (see
daiban.roles.Scope). The city's 审批指导科 and superusers see everything. The policy is
registered with Wagtail so every place that asks it (listings, buttons, bulk delete) agrees;
the view subclasses make the object lookup of edit/delete/inspect/history/usage/copy answer
404 for records outside the user's scope.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db.models import ProtectedError, Q
from django.http import Http404
from django.shortcuts import redirect
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import policy_registry
from wagtail.snippets.views import chooser, snippets

from daiban.models import Region, ServiceCentre, Unit
from daiban.roles import Scope

ANY_ACTION = ["add", "change", "delete", "view"]


def region_q(scope, field=None):
    """Q over a model whose region is `field` (or over Region itself when field is None)."""
    if field is not None:
        return scope.region_q(field)
    if scope.sees_all:
        return Q()
    if scope.region is None:
        return Q(pk__in=[])
    return Q(path__startswith=scope.region.path)


def regions_for(user):
    return Region.objects.filter(region_q(Scope.for_user(user))).order_by("path")


def centres_for(user):
    return ServiceCentre.objects.filter(region_q(Scope.for_user(user), "region")).order_by("region__path", "name")


def units_for(user):
    return Unit.objects.filter(region_q(Scope.for_user(user), "region")).order_by("region__path", "name")


def users_for(user):
    """Accounts a person may link to records: those without a profile or with one in their scope."""
    users = get_user_model().objects.order_by("username")
    scope = Scope.for_user(user)
    if scope.sees_all:
        return users
    in_scope = region_q(scope, "staff_profile__region")
    return users.filter(is_superuser=False).filter(Q(staff_profile__isnull=True) | in_scope)


def indented_region_label(region):
    return "\u3000" * (region.depth - 1) + region.name


class ScopedModelPermissionPolicy(ModelPermissionPolicy):
    """Django model permissions, limited to instances inside the user's region subtree.

    `region_field` names the instance's region foreign key; None means the model is Region.
    """

    def __init__(self, model, region_field="region"):
        super().__init__(model)
        self.region_field = region_field

    def scope_q(self, user):
        return region_q(Scope.for_user(user), self.region_field)

    def user_can_reach(self, user, instance):
        """Whether the instance lies inside the user's scope, whatever the action."""
        scope = Scope.for_user(user)
        if scope.sees_all:
            return True
        region = instance if self.region_field is None else getattr(instance, self.region_field, None)
        return scope.region is not None and region is not None and region.path.startswith(scope.region.path)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and self.user_can_reach(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        return self.model._default_manager.filter(self.scope_q(user))


class ScopedObjectMixin:
    """Answer 404 when the requested object is outside the user's scope."""

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        policy = policy_registry.get_by_type(self.model)
        if not policy.user_can_reach(self.request.user, obj):
            raise Http404
        return obj


class ScopedEditView(ScopedObjectMixin, snippets.EditView):
    pass


class ScopedCopyView(ScopedObjectMixin, snippets.CopyView):
    pass


class ScopedInspectView(ScopedObjectMixin, snippets.InspectView):
    pass


class ScopedHistoryView(ScopedObjectMixin, snippets.HistoryView):
    pass


class ScopedUsageView(ScopedObjectMixin, snippets.UsageView):
    pass


class ScopedDeleteView(ScopedObjectMixin, snippets.DeleteView):
    """Deleting a record that others still refer to is refused with a message, not a server error."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ProtectedError as error:
            names = "、".join(sorted({str(obj._meta.verbose_name) for obj in error.protected_objects}))
            messages.error(self.request, f"无法删除“{self.object}”：仍有{names}引用它，请先修改或删除这些记录。")
            return redirect(self.get_success_url())


def scoped_instances(user, model):
    return policy_registry.get_by_type(model).instances_user_has_any_permission_for(user, ANY_ACTION)


class ScopedObjectListMixin:
    def get_object_list(self):
        return scoped_instances(self.request.user, self.model_class)


class ScopedChooseView(ScopedObjectListMixin, chooser.ChooseView):
    pass


class ScopedChooseResultsView(ScopedObjectListMixin, chooser.ChooseResultsView):
    pass


class ScopedChosenView(chooser.SnippetChosenView):
    def get_object(self, pk):
        return scoped_instances(self.request.user, self.model_class).get(pk=pk)


class ScopedChosenMultipleView(chooser.SnippetChosenMultipleView):
    def get_objects(self, pks):
        return scoped_instances(self.request.user, self.model_class).filter(pk__in=pks)


class ScopedChooserViewSet(chooser.SnippetChooserViewSet):
    """A snippet chooser offering only records in the user's scope (for models holding personal data)."""

    choose_view_class = ScopedChooseView
    choose_results_view_class = ScopedChooseResultsView
    chosen_view_class = ScopedChosenView
    chosen_multiple_view_class = ScopedChosenMultipleView


class ScopedSnippetViewSet(snippets.SnippetViewSet):
    """A snippet viewset whose listing and object views stay inside the user's region subtree."""

    edit_view_class = ScopedEditView
    copy_view_class = ScopedCopyView
    inspect_view_class = ScopedInspectView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    delete_view_class = ScopedDeleteView
    # Chinese names are matched as substrings by the ORM; the database search backend splits on spaces.
    search_backend_name = None
    list_select_related = ()
    list_prefetch_related = ()

    def get_queryset(self, request):
        queryset = scoped_instances(request.user, self.model)
        return queryset.select_related(*self.list_select_related).prefetch_related(*self.list_prefetch_related)


class ScopedAdminForm(WagtailAdminModelForm):
    """Offers only regions, centres, units and accounts inside the user's scope, as plain selects.

    Choices outside the scope are therefore also refused when posted.
    """

    scoped_choices = {
        "region": regions_for,
        "centre": centres_for,
        "unit": units_for,
        "centres": centres_for,
        "window_unit": units_for,
        "user": users_for,
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Without a user (never the case in the admin) nothing is offered.
        self.for_user = self.for_user or AnonymousUser()
        for name, choices_for in self.scoped_choices.items():
            if name in self.fields:
                self.limit_field(self.fields[name], choices_for(self.for_user))

    @staticmethod
    def limit_field(field, queryset):
        if isinstance(field, forms.ModelMultipleChoiceField):
            field.widget = forms.CheckboxSelectMultiple()
        else:
            field.widget = forms.Select()
        if queryset.model is Region:
            field.label_from_instance = indented_region_label
        field.queryset = queryset
