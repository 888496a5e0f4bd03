"""One way to run an action from an admin page.

A page lists its `Offer`s: each is an action (daiban.services) bound to its object and the
person, and the form that feeds it. The page shows a form only when its action's `check()`
passes; a POST names the offer, and `ActionViewMixin.post` runs it:

- the person may not do this (now): 403 for a refusal of rights, 409 when the object's state
  does not allow it (archived, wrong status, changed by someone else);
- the input is invalid: 400;
- a stale version: 409, with what the person typed kept and the current version in the form;
- success: a message and a redirect.
"""

from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect

from ..services.base import ActionError, ActionPermissionDenied, CaseArchived, ConcurrentUpdate, InvalidTransition

__all__ = ["Offer", "ActionViewMixin", "refusal_status"]

CONFLICTS = (ConcurrentUpdate, InvalidTransition, CaseArchived)


def refusal_status(error, *, at_check=False):
    if isinstance(error, ActionPermissionDenied):
        return 403
    if at_check or isinstance(error, CONFLICTS):
        return 409
    return 400


class Offer:
    """An action a page may offer, with its form.

    `key` is what the page posts back (and the forms' prefix unless `prefix` says otherwise);
    `success` is the message after it worked (a string, or a function of the action's result).
    """

    def __init__(self, key, action, form_class, success, *, prefix=None, initial=None, params=None, **form_kwargs):
        self.key = key
        self.action = action
        self.form_class = form_class
        self.success = success
        self.prefix = prefix
        self.initial = initial or {}
        self.extra_params = params or {}
        self.form_kwargs = form_kwargs

    @property
    def is_possible(self):
        return self.action.is_possible()

    def version(self):
        return self.action.version_of(self.action.object)

    def forms(self, data=None, files=None):
        initial = {"version": self.version(), **self.initial}
        return {"form": self.form_class(data, files, prefix=self.prefix, initial=initial, **self.form_kwargs)}

    def params(self, forms):
        return {**forms["form"].action_params(), **self.extra_params}

    def version_from(self, forms):
        return forms["form"].cleaned_data["version"]

    def message(self, result):
        return self.success(result) if callable(self.success) else self.success


class ActionViewMixin:
    """For a TemplateView of one object: `get_offers()` names every action the page may show.

    `self.bound` keeps the forms of a refused action (by offer key) so the page shows them as typed.
    """

    offer_field = "action"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.bound = {}

    def get_offers(self):
        raise NotImplementedError

    def get_success_url(self):
        raise NotImplementedError

    def offers_by_key(self):
        return {offer.key: offer for offer in self.get_offers()}

    def possible_forms(self, offers=None):
        """{key: forms} of the offers the person may use now; refused ones as they were typed."""
        offers = self.get_offers() if offers is None else offers
        return {offer.key: self.bound.get(offer.key) or offer.forms() for offer in offers if offer.is_possible}

    def requested_offer(self):
        return self.offers_by_key().get(self.request.POST.get(self.offer_field, ""))

    def post(self, request, *args, **kwargs):
        offer = self.requested_offer()
        if offer is None:
            return HttpResponseBadRequest("未知操作")
        forms = offer.forms(request.POST, request.FILES)
        try:
            offer.action.check()
        except ActionError as error:
            return self.refuse(offer, forms, error, refusal_status(error, at_check=True))
        if not all(form.is_valid() for form in forms.values()):
            return self.refuse(offer, forms, None, 400)
        offer.action.version = offer.version_from(forms)
        try:
            result = offer.action.execute(**offer.params(forms))
        except ActionError as error:
            return self.refuse(offer, forms, error, refusal_status(error))
        messages.success(request, offer.message(result))
        return redirect(self.get_success_url())

    def refuse(self, offer, forms, error, status):
        if isinstance(error, ConcurrentUpdate):
            forms = self.rebind_with_current_version(offer)
        self.bound[offer.key] = forms
        messages.error(self.request, str(error) if error else "请检查填写的内容。")
        return self.render_to_response(self.get_context_data(), status=status)

    def rebind_with_current_version(self, offer):
        """Keep what the person typed, with the version they may now submit after reviewing the page."""
        offer.action.object = offer.action.reload()
        data = self.request.POST.copy()
        prefix = f"{offer.prefix}-" if offer.prefix else ""
        data[f"{prefix}version"] = str(offer.version())
        forms = offer.forms(data, self.request.FILES)
        for form in forms.values():
            form.is_valid()
        return forms
