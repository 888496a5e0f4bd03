"""搜索同义词: the snippet, seeded with the words people use for the demo catalogue's matters.

The city's 审批指导科 may add, change and delete them (administrators may anyway).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

CITY_GUIDANCE = "市审批指导科"

SYNONYMS = [
    ("社保", "社会保险/社会保障"),
    ("医保", "医疗保障/医疗保险"),
    ("营业执照", "企业设立登记/营业执照/个体工商户注册登记"),
    ("老年人", "养老/高龄/老年"),
    ("公积金", "住房公积金"),
    ("退休", "养老保险待遇/退休"),
    ("低保", "最低生活保障"),
    ("残疾证", "残疾人证"),
    ("开公司", "企业设立登记/企业开办"),
    ("买房", "不动产转移登记/住房公积金个人住房贷款"),
    ("房产证", "不动产"),
    ("报销", "零星报销/待遇申领"),
    ("护照", "普通护照"),
    ("失业金", "失业保险金"),
]


def seed(apps, schema_editor):
    SearchSynonym = apps.get_model("daiban", "SearchSynonym")
    for term, expansions in SYNONYMS:
        SearchSynonym.objects.get_or_create(term=term, defaults={"expansions": expansions})
    app_config = apps.get_app_config("daiban")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=CITY_GUIDANCE).first()
    if group is not None:
        codenames = [f"{action}_searchsynonym" for action in ("add", "change", "delete", "view")]
        group.permissions.add(*Permission.objects.filter(content_type__app_label="daiban", codename__in=codenames))


def unseed(apps, schema_editor):
    apps.get_model("daiban", "SearchSynonym").objects.filter(term__in=[term for term, _ in SYNONYMS]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('daiban', '0013_ratelimit_counter'),
        ('auth', '0012_alter_user_first_name_max_length'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchSynonym',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('term', models.CharField(help_text='群众搜索时会输入的词，如：社保、老年人。', max_length=30, unique=True, verbose_name='群众常用说法')),
                ('expansions', models.TextField(help_text='每行一个，或用“/”“、”分隔，如：社会保险/社会保障。搜索该词时，也查找含这些词的事项。', verbose_name='同义词（清单中的说法）')),
            ],
            options={
                'verbose_name': '搜索同义词',
                'verbose_name_plural': '搜索同义词',
                'ordering': ['term'],
            },
        ),
        migrations.RunPython(seed, unseed),
    ]
