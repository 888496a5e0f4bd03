"""Remove Wagtail's default "Editors"/"Moderators" groups and "Moderators approval" workflow.

The portal has its own role groups (0006) and its own review workflow "审批指导科审核" (0008);
Wagtail's defaults stood beside them in English and confused staff. Each is removed only
while unused: a group with no members, a workflow and task never started (no states) and
not used by another workflow. Nothing of the portal's own is touched.
"""

from django.db import migrations

DEFAULT_GROUPS = ["Editors", "Moderators"]
DEFAULT_WORKFLOW = "Moderators approval"


def remove_unused_defaults(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowState = apps.get_model("wagtailcore", "WorkflowState")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    Task = apps.get_model("wagtailcore", "Task")
    TaskState = apps.get_model("wagtailcore", "TaskState")

    for workflow in Workflow.objects.filter(name=DEFAULT_WORKFLOW):
        if WorkflowState.objects.filter(workflow=workflow).exists():
            continue
        task_ids = list(WorkflowTask.objects.filter(workflow=workflow).values_list("task_id", flat=True))
        workflow.delete()  # its page and content-type assignments go with it
        for task in Task.objects.filter(pk__in=task_ids, name=DEFAULT_WORKFLOW):
            if not WorkflowTask.objects.filter(task=task).exists() and not TaskState.objects.filter(task=task).exists():
                task.delete()

    for group in Group.objects.filter(name__in=DEFAULT_GROUPS):
        if not group.user_set.exists():
            group.delete()  # its page, collection and model permissions go with it


class Migration(migrations.Migration):
    dependencies = [
        ("daiban", "0009_review_gaps"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(remove_unused_defaults, migrations.RunPython.noop)]
