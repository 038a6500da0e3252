from django.db import migrations, models


class Migration(migrations.Migration):
    """The outreach queue's "booked today" panel reads a place's open bookings of one day
    through this index (vaccination/domain/outreach/queue.py booked_on)."""

    dependencies = [
        ("vaccination", "0005_history"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="appointment",
            index=models.Index(fields=["community", "state", "created_at"], name="appointment_booked_day_idx"),
        ),
    ]
