"""Tokens get a lifetime and can be revoked.

Tokens made before this were already stored as SHA-256 digests (no secret to hash now),
so they are kept usable: revoking them all would cut every integration off at the upgrade
without warning. They never expired, so each is given the default 90 days counted from the
upgrade (not from its creation, which would end most of them at once). An administrator
who wants them gone revokes them: `fangyi token revoke --user NAME` or the admin list.
"""

from datetime import timedelta

from django.db import migrations, models
from django.utils import timezone

LIFETIME = timedelta(days=90)


def give_existing_tokens_a_lifetime(apps, schema_editor):
    ApiToken = apps.get_model("api", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(expires_at=timezone.now() + LIFETIME)


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0002_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="apitoken",
            options={"ordering": ["-created_at", "-id"], "verbose_name": "API令牌", "verbose_name_plural": "API令牌"},
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="到期时间"),
        ),
        migrations.RunPython(give_existing_tokens_a_lifetime, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="到期时间"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="吊销时间"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_reason",
            field=models.CharField(
                blank=True,
                choices=[("manual", "手动吊销"), ("password", "密码已更改"), ("deactivated", "账号已停用")],
                max_length=20,
                verbose_name="吊销原因",
            ),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="prefix",
            field=models.CharField(db_index=True, editable=False, max_length=12, verbose_name="前缀"),
        ),
    ]
