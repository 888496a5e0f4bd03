from django import template

from ..forms.results import EVALUATION_DRAFT_KEY, OnlineEvaluationForm
from ..models import Evaluation
from ..services.results import EvaluateOnline

register = template.Library()


@register.inclusion_tag("daiban/public/_evaluation.html", takes_context=True)
def online_evaluation(context, case):
    """The evaluation part of /progress/: the form once completed, or the evaluation given.

    A refused submission comes back through the session with what the applicant typed.
    """
    request = context["request"]
    evaluation = Evaluation.objects.filter(case=case).first()
    draft = request.session.pop(EVALUATION_DRAFT_KEY, None) if evaluation is None else None
    form = None
    if evaluation is None and EvaluateOnline(case).is_possible():
        initial = {"version": case.version}
        form = OnlineEvaluationForm(draft["data"], initial=initial) if draft else OnlineEvaluationForm(initial=initial)
        if draft:
            form.is_valid()
    return {
        "case": case,
        "evaluation": evaluation,
        "form": form,
        "problem": (draft or {}).get("error", ""),
        "csrf_token": context.get("csrf_token"),
    }
