"""The 8th and 9th editions' rules (../shared/RULES.md), shipped as editable data. The
9th edition is the one new cases follow until an administrator says otherwise
(`fangyi measures edition 8`)."""

import datetime
from decimal import Decimal

from django.db import migrations

SYMPTOMS = ["发热", "干咳", "乏力", "咽痛", "嗅（味）觉减退", "腹泻"]
TWICE = ["10:00", "16:00"]

CATEGORIES = [
    # code, name, aliases
    ("close_contact", "密切接触者", "密接,密切接触"),
    ("secondary_contact", "密接的密接", "次密接,密接的密切接触者"),
    ("companion", "时空伴随者", "时空伴随"),
    ("high_risk_arrival", "高风险地区来返人员", "高风险区来返,高风险地区来津,高风险"),
    ("medium_risk_arrival", "中风险地区来返人员", "中风险区来返,中风险地区来津,中风险"),
    ("low_risk_arrival", "低风险地区来返人员", "低风险区来返,低风险地区来津,低风险"),
    ("same_county_arrival", "风险地区所在县（区）来返人员", "风险区所在县来返,所在县区来返"),
    ("inbound", "入境人员", "境外入境,入境"),
    ("other", "其他", "其它"),
]

MEASURE_TYPES = [
    # code, name, short, at_home
    ("centralized", "集中隔离医学观察", "集中隔离", False),
    ("home_quarantine", "居家隔离医学观察", "居家隔离", True),
    ("home_monitoring", "居家健康监测", "居家监测", True),
    ("daily_monitoring", "日常健康监测", "日常监测", False),
]

EDITIONS = [
    ("8", "第八版防控方案", datetime.date(2021, 5, 11), False),
    ("9", "第九版防控方案", datetime.date(2022, 6, 28), True),
]

NEGATIVE = "核酸检测均为阴性"
STEPS = {
    "8": {
        "close_contact": [("centralized", 14, [1, 4, 7, 14], "双采双检均为阴性"), ("home_monitoring", 7, [2, 7], NEGATIVE)],
        "secondary_contact": [("centralized", 7, [1, 4, 7], "密接前两次核酸阴性，第7天解除")],
        "inbound": [("centralized", 14, [1, 4, 7, 14], NEGATIVE), ("home_monitoring", 7, [], "")],
        "high_risk_arrival": [("centralized", 14, [1, 4, 7, 14], NEGATIVE)],
        "medium_risk_arrival": [("centralized", 14, [1, 4, 7, 14], NEGATIVE)],
        "same_county_arrival": [("home_quarantine", 14, [1, 7, 14], NEGATIVE)],
        "companion": [("home_quarantine", 3, [1, 2], "间隔24小时两次核酸阴性")],
    },
    "9": {
        "close_contact": [("centralized", 7, [1, 2, 3, 5, 7], NEGATIVE), ("home_monitoring", 3, [3], NEGATIVE)],
        "secondary_contact": [("home_quarantine", 7, [1, 4, 7], "均为阴性且密接前两次阴性")],
        "inbound": [("centralized", 7, [1, 2, 3, 5, 7], NEGATIVE), ("home_monitoring", 3, [], "")],
        "high_risk_arrival": [("centralized", 7, [1, 2, 3, 5, 7], NEGATIVE)],
        "medium_risk_arrival": [("home_quarantine", 7, [1, 4, 7], NEGATIVE)],
        "low_risk_arrival": [("daily_monitoring", 3, [1, 2], "3天2检均为阴性")],
        "companion": [("home_quarantine", 3, [1, 2], "间隔24小时两次核酸阴性")],
    },
}


def presets(apps, schema_editor):
    Category = apps.get_model("measures", "Category")
    Edition = apps.get_model("measures", "Edition")
    MeasureType = apps.get_model("measures", "MeasureType")
    ProtocolStep = apps.get_model("measures", "ProtocolStep")
    categories = {
        code: Category.objects.create(code=code, name=name, aliases=aliases, order=n)
        for n, (code, name, aliases) in enumerate(CATEGORIES, start=1)
    }
    types = {
        code: MeasureType.objects.create(
            code=code,
            name=name,
            short_name=short,
            at_home=at_home,
            report_times=TWICE,
            fever_threshold=Decimal("37.3"),
            symptoms=SYMPTOMS,
            order=n,
        )
        for n, (code, name, short, at_home) in enumerate(MEASURE_TYPES, start=1)
    }
    for code, name, published, follows in EDITIONS:
        edition = Edition.objects.create(code=code, name=name, published=published, follows=follows)
        for category, steps in STEPS[code].items():
            for order, (measure, days, tests, release) in enumerate(steps, start=1):
                ProtocolStep.objects.create(
                    edition=edition,
                    category=categories[category],
                    order=order,
                    measure_type=types[measure],
                    days=days,
                    test_days=tests,
                    release_note=release,
                )


def remove(apps, schema_editor):
    for name in ("ProtocolStep", "Edition", "MeasureType", "Category"):
        apps.get_model("measures", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("measures", "0001_initial")]

    operations = [migrations.RunPython(presets, remove)]
