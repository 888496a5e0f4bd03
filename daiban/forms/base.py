"""The one base of every form that feeds an action (daiban.services): it carries the version the person saw."""

from django import forms

__all__ = ["ActionForm"]


class ActionForm(forms.Form):
    """A stale version makes the action refuse (409) and the page shows the form again as typed."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def action_params(self):
        """The action's keyword arguments: the cleaned fields, without the version."""
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}
