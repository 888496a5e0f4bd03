"""Who edits and who approves the catalogue: page permissions and the review workflow.

- 指南编辑 may add and edit pages under the home page (the catalogue), not publish; which
  matters exactly is narrowed to their unit by hooks (daiban.viewsets.catalogue).
- 市审批指导科 may add, edit, publish and unpublish them.
- Every change goes through the workflow "审批指导科审核" (one GroupApprovalTask for 市审批指导科),
  assigned to the home page and so to all lists and matters below it.

`ensure_catalogue_review(apps)` works with a migration's historical models and with the real ones
(`django.apps.apps`); it is idempotent, so the migration, load_demo and tests share it.
"""

from django.contrib.auth import get_permission_codename

CITY_GUIDANCE = "市审批指导科"
GUIDE_EDITOR = "指南编辑"
WORKFLOW_NAME = "审批指导科审核"
TASK_NAME = "审批指导科审核"
PAGE_ACTIONS = {
    GUIDE_EDITOR: ("add", "change"),
    CITY_GUIDANCE: ("add", "change", "publish"),
}


def ensure_catalogue_review(apps):
    """Groups, page permissions and the workflow on the home page. Does nothing without a home page."""
    Page = apps.get_model("wagtailcore", "Page")
    home = Page.objects.filter(depth=2).order_by("path").first()
    if home is None:
        return None
    groups = {name: _group(apps, name) for name in PAGE_ACTIONS}
    for name, actions in PAGE_ACTIONS.items():
        for action in actions:
            _grant(apps, groups[name], home, action)
    workflow = _workflow(apps, groups[CITY_GUIDANCE])
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    WorkflowPage.objects.update_or_create(page=home, defaults={"workflow": workflow})
    return workflow


def _group(apps, name):
    Group = apps.get_model("auth", "Group")
    return Group.objects.get_or_create(name=name)[0]


def _page_permission(apps, action):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Page = apps.get_model("wagtailcore", "Page")
    content_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")
    codename = get_permission_codename(action, Page._meta)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": f"Can {action} page"}
    )
    return permission


def _grant(apps, group, page, action):
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupPagePermission.objects.get_or_create(group=group, page=page, permission=_page_permission(apps, action))


def _workflow(apps, reviewers):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    task = _approval_task(apps, reviewers)
    WorkflowTask.objects.get_or_create(workflow=workflow, task_id=task.pk, defaults={"sort_order": 0})
    return workflow


def _approval_task(apps, reviewers):
    ContentType = apps.get_model("contenttypes", "ContentType")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        content_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="groupapprovaltask")
        task = GroupApprovalTask.objects.create(name=TASK_NAME, active=True, content_type=content_type)
    task.groups.add(reviewers)
    return task
