"""Public pages of a request: /apply/, its receipt, and /progress/ (with withdrawal).

The receipt is shown only to the browser session that submitted the request, and
/progress/ only after the case number has been matched with the contact phone or the
query code; a matched case is remembered in the session so people need not re-enter it.
"""

import logging
import secrets

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from ..forms.intake import (
    ApplyForm,
    CorrectionForm,
    MaterialFormSet,
    ProgressQueryForm,
    PublicWithdrawForm,
    error_summary,
)
from ..forms.uploads import discard_kept
from ..ids import parse_pk
from ..matter_picker import find_matters
from ..models import Case, CaseStatus, MatterPage, OneTimeNotice
from ..ratelimit import RateLimit
from ..services import intake
from ..services.base import ActionError
from .public_pages import progress_steps, public_events, where_now

APPLY_LIMIT = RateLimit(
    "apply",
    limit=5,
    period=3600,
    message="同一网络一小时内最多可提交5次申请，请稍后再试，或拨打咨询电话由窗口为您登记。",
)
PROGRESS_LIMIT = RateLimit(
    "progress", limit=10, period=3600, message="查询失败次数过多，为保护申请人信息，请一小时后再试。"
)
CORRECTION_LIMIT = RateLimit(
    "correction",
    limit=5,
    period=3600,
    message="同一网络一小时内最多可提交5次补正材料，请稍后再试，或到窗口提交。",
)
PROGRESS_NUMBER_LIMIT = RateLimit("progress-number", limit=10, period=3600, message=PROGRESS_LIMIT.message)
logger = logging.getLogger(__name__)
NOT_FOUND = "办件编号与联系电话（或查询码）不匹配，请核对后重试。"
SPAM = "提交未成功，请刷新页面后重新填写。"

MATTERS_MAX_AGE = 300  # the picker's matches may be cached for five minutes (catalogue data, no person's)
RECEIPTS_KEY = "daiban_receipts"
PROGRESS_KEY = "daiban_progress_case"


# /apply/ -----------------------------------------------------------------------------------------


def apply(request):
    if request.method == "POST":
        return _submit(request)
    matter = _matter_from_query(request)
    form = ApplyForm(matter=matter)
    return _render_apply(request, form, MaterialFormSet(prefix="materials"), matter=matter)


def _submit(request):
    form = ApplyForm(request.POST, request.FILES)
    materials = MaterialFormSet(request.POST, prefix="materials")
    if form.finding:  # 查找事项 without JavaScript: the same form again, with the matches; nothing stored
        _keep_files(request, form)
        return _render_apply(request, form, materials)
    # Take the try first (atomic), give it back when nothing was stored: only stored requests count.
    if not APPLY_LIMIT.attempt(request):
        return _render_apply(request, form, materials, problem=APPLY_LIMIT.message, status=429)
    if form.is_spam:
        APPLY_LIMIT.undo(request)
        return _render_apply(request, ApplyForm(), MaterialFormSet(prefix="materials"), problem=SPAM, status=400)
    if not (form.is_valid() and materials.is_valid()):
        APPLY_LIMIT.undo(request)
        _keep_files(request, form)
        return _render_apply(request, form, materials, status=400)
    try:
        case = intake.submit_online(form.details(), materials=materials.materials(), files=form.all_files())
    except Exception:
        APPLY_LIMIT.undo(request)
        raise
    discard_kept(form.kept)
    _remember(request, case)
    return redirect("daiban:apply_receipt", number=case.number)


def _keep_files(request, form):
    """A rejected form keeps the files that passed the checks: the page shows them ticked, nothing to choose again."""
    token, entries = form.kept_again()
    data = request.POST.copy()
    data["kept_files"] = token
    data.setlist("keep", [entry["id"] for entry in entries])
    form.data = data
    form.kept = entries
    form.fields["keep"].choices = [(entry["id"], entry["name"]) for entry in entries]


def _render_apply(request, form, materials, *, matter=None, problem="", status=200):
    context = {
        "form": form,
        "materials": materials,
        "matter": matter,
        "problem": problem,
        "errors": error_summary(form, materials) if form.is_bound else [],
        "files_lost": form.is_bound and bool(request.FILES) and not getattr(form, "kept", None),
    }
    return render(request, "daiban/public/apply.html", context, status=status)


@require_GET
def matters(request):
    """The picker's matches as JSON: /apply/matters/?q=公积金 (public catalogue data only, bounded)."""
    response = JsonResponse(find_matters(request.GET.get("q", "")).as_json(), json_dumps_params={"ensure_ascii": False})
    patch_cache_control(response, public=True, max_age=MATTERS_MAX_AGE)
    return response


def _matter_from_query(request):
    pk = parse_pk(request.GET.get("matter"))
    if pk is None:
        return None
    return MatterPage.objects.live().filter(pk=pk).select_related("unit").first()


def _remember(request, case):
    receipts = request.session.get(RECEIPTS_KEY, [])
    request.session[RECEIPTS_KEY] = ([*receipts, case.number])[-10:]
    request.session[PROGRESS_KEY] = case.pk


def receipt(request, number):
    if number not in request.session.get(RECEIPTS_KEY, []):
        raise Http404("回执只能在提交申请的浏览器中查看。")
    case = Case.objects.select_related("centre", "matter").filter(number=number).first()
    if case is None:
        raise Http404
    progress_url = request.build_absolute_uri(f"{reverse('daiban:progress')}?{urlencode({'number': number})}")
    context = {"case": case, "progress_url": progress_url, "qr_svg": qr_svg(progress_url, f"查询办件{number}进度")}
    return render(request, "daiban/public/receipt.html", context)


def qr_svg(data, label):
    """An inline SVG QR code (made from our own URL, so safe to mark safe)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg = image.to_string(encoding="unicode")
    return mark_safe(svg.replace("<svg ", format_html('<svg role="img" aria-label="{}" class="qr" ', label), 1))


# /progress/ --------------------------------------------------------------------------------------


def progress(request):
    if request.method == "POST":
        return _lookup(request)
    case = _verified_case(request)
    number = request.GET.get("number", "").strip().upper()
    if case is not None and number and number != case.number:
        case = None
    form = ProgressQueryForm(initial={"number": number})
    return _render_progress(request, form, case)


def _lookup(request):
    """Only wrong guesses count, per address and per case number, each taken atomically.

    The address limit stops one guesser, even one who finally has the right secret. The number limit
    answers further wrong guesses on a much-guessed number with the lockout message, but the
    applicant holding the right secret is still let in: others' guesses never lock them out.
    """
    form = ProgressQueryForm(request.POST)
    if not form.is_valid():
        return _render_progress(request, form, None, status=400)
    number, secret = form.cleaned_data["number"], form.cleaned_data["secret"]
    if not PROGRESS_LIMIT.attempt(request):
        return _render_progress(request, form, None, problem=PROGRESS_LIMIT.message, status=429)
    case = _match(number, secret)
    if case is not None:
        PROGRESS_LIMIT.undo(request)
        request.session[PROGRESS_KEY] = case.pk
        return redirect("daiban:progress")
    if not PROGRESS_NUMBER_LIMIT.attempt(value=number):
        logger.warning("progress lookup: too many wrong guesses for one case number from several addresses")
        return _render_progress(request, form, None, problem=PROGRESS_LIMIT.message, status=429)
    return _render_progress(request, form, None, problem=NOT_FOUND, status=404)


def _match(number, secret):
    case = Case.objects.filter(number=number).only("pk", "contact_phone", "query_code").first()
    if case is None:
        return None
    phone_ok = secrets.compare_digest(case.contact_phone.encode(), secret.encode())
    code_ok = secrets.compare_digest(case.query_code.encode(), secret.encode())
    return case if phone_ok or code_ok else None


def _verified_case(request):
    pk = request.session.get(PROGRESS_KEY)
    if pk is None:
        return None
    return Case.objects.select_related("centre", "matter").filter(pk=pk).first()


def _render_progress(request, form, case, *, problem="", withdraw_form=None, correction_form=None, status=200):
    context = {"form": form, "case": case, "problem": problem}
    if case is not None:
        context.update(_case_context(case, withdraw_form, correction_form))
    return render(request, "daiban/public/progress.html", context, status=status)


def open_notice(case):
    """The 一次性告知 the applicant still has to answer, with its items (None when nothing is owed)."""
    if case.status != CaseStatus.PENDING_SUPPLEMENT:
        return None
    return OneTimeNotice.objects.filter(case=case, supplemented_at__isnull=True).prefetch_related("items").first()


def _case_context(case, withdraw_form, correction_form=None):
    can_withdraw = intake.WithdrawByApplicant(case).is_possible()
    notice = open_notice(case)
    can_correct = notice is not None and intake.SupplementOnline(case).is_possible()
    if can_correct and correction_form is None:
        correction_form = CorrectionForm(notice=notice, initial={"version": case.version})
    return {
        "notice": notice,
        "correction_form": correction_form if can_correct else None,
        "correction_errors": error_summary(correction_form) if can_correct and correction_form.is_bound else [],
        "events": public_events(case),
        # Only what the applicant still owes (not what was received or waived).
        "deferred": case.deferred_materials.outstanding(),
        "steps": progress_steps(case),
        "where_now": where_now(case),
        "can_withdraw": can_withdraw,
        "withdraw_form": withdraw_form
        or (PublicWithdrawForm(initial={"version": case.version}) if can_withdraw else None),
    }


@require_POST
def withdraw(request):
    case = _verified_case(request)
    if case is None:
        messages.error(request, "请先输入办件编号和联系电话查询办件。")
        return redirect("daiban:progress")
    form = PublicWithdrawForm(request.POST)
    if not form.is_valid():
        return _render_progress(request, ProgressQueryForm(), case, withdraw_form=form, status=400)
    try:
        intake.withdraw_by_applicant(case, reason=form.cleaned_data["reason"], version=form.cleaned_data["version"])
    except ActionError as error:
        return _render_progress(request, ProgressQueryForm(), case, problem=str(error), withdraw_form=form, status=409)
    messages.success(request, f"办件{case.number}已撤回。")
    return redirect("daiban:progress")


@require_POST
def send_corrections(request):
    """The applicant uploads the corrected or missing files of the open 一次性告知 and sends them."""
    case = _verified_case(request)
    if case is None:
        messages.error(request, "请先输入办件编号和联系电话查询办件。")
        return redirect("daiban:progress")
    notice = open_notice(case)
    if notice is None:
        return _render_progress(request, ProgressQueryForm(), case, problem="该办件现在不需要补正材料。", status=409)
    form = CorrectionForm(request.POST, request.FILES, notice=notice)
    # Only corrections that were stored count against the limit (as on /apply/).
    if not CORRECTION_LIMIT.attempt(request):
        return _render_progress(request, ProgressQueryForm(), case, problem=CORRECTION_LIMIT.message, status=429)
    if not form.is_valid():
        CORRECTION_LIMIT.undo(request)
        return _render_progress(request, ProgressQueryForm(), case, correction_form=form, status=400)
    try:
        intake.supplement_online(case, version=form.cleaned_data["version"], **form.action_params())
    except ActionError as error:
        CORRECTION_LIMIT.undo(request)
        return _render_progress(request, ProgressQueryForm(), case, problem=str(error), status=409)
    messages.success(request, "补正材料已提交，窗口将重新甄别，结果会以短信告知您。")
    return redirect("daiban:progress")


@require_POST
def forget(request):
    """Leave the verified case (on a shared computer)."""
    request.session.pop(PROGRESS_KEY, None)
    return redirect("daiban:progress")
