"""上门服务 (home visit): where and when the applicant would like the window to come."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('daiban', '0014_search_synonyms'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='visit_address',
            field=models.CharField(blank=True, max_length=200, verbose_name='上门服务地址'),
        ),
        migrations.AddField(
            model_name='case',
            name='visit_time',
            field=models.CharField(blank=True, max_length=100, verbose_name='希望上门时间'),
        ),
    ]
